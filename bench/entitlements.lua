-- The matching of entitlements (应享尽享) as the centre: every child of the
-- scope against every policy in force, first page of a group with the
-- counts. WB_ENT = "county" (the whole county each time), "township"
-- (cycling over the townships) or "ledger" (the county's ledger of this
-- month).
local token = os.getenv("WB_TOKEN")
local mode = os.getenv("WB_ENT") or "county"
local towns = {"370831001", "370831002", "370831101", "370831102", "370831103", "370831104", "370831105",
	"370831106", "370831107", "370831108", "370831109", "370831110", "370831111"}
local groups = {"gap", "stop", "receiving"}
local i = 0
request = function()
	i = i + 1
	local path
	if mode == "ledger" then
		path = "/api/v1/entitlements/ledger"
	else
		path = "/api/v1/entitlements?group=" .. groups[(i % #groups) + 1]
		if mode == "township" then
			path = path .. "&area=" .. towns[(math.floor(i / #groups) % #towns) + 1]
		end
	end
	return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
