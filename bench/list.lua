-- A filtered list page (township + category) as the centre, first page with
-- the total, cycling over the townships and the categories.
local token = os.getenv("WB_TOKEN")
local towns = {"370831001", "370831002", "370831101", "370831102", "370831103", "370831104", "370831105",
	"370831106", "370831107", "370831108", "370831109", "370831110", "370831111"}
local cats = {"left_behind", "in_difficulty", "orphan", "de_facto_unsupported"}
local i = 0
request = function()
	i = i + 1
	local t = towns[(i % #towns) + 1]
	local c = cats[(math.floor(i / #towns) % #cats) + 1]
	return wrk.format("GET", "/api/v1/children?area=" .. t .. "&category=" .. c, {["Authorization"] = "Bearer " .. token})
end
