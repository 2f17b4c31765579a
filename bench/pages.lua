-- The leaders' and the desk's pages as the centre (or the committee's
-- figures the centre also reads), one kind per run: WB_PAGE =
--   county    the matching of entitlements for the whole county (every
--             child against every policy), first page of a group
--   township  the same per township, cycling over the townships
--   ledger    the county's ledger of this month
--   overview  the county's overview by township
--   report    this month's report by township
--   trends    the last twelve months, figure by figure
--   projects  the county's charity projects with their totals
--   talks     the talks of the last 90 days with their totals
--   schools   the county's schools with their rooms and counselling figures
--   mothers   the county's caring mothers (first 200)
--   programmes the county's supporting programmes with their totals
local token = os.getenv("WB_TOKEN")
local mode = os.getenv("WB_PAGE") or "county"
local towns = {"370831001", "370831002", "370831101", "370831102", "370831103", "370831104", "370831105",
	"370831106", "370831107", "370831108", "370831109", "370831110", "370831111"}
local groups = {"gap", "stop", "receiving"}
local fixed = {
	ledger = "/api/v1/entitlements/ledger",
	overview = "/api/v1/overview",
	report = "/api/v1/reports/monthly",
	trends = "/api/v1/reports/trends",
	projects = "/api/v1/projects",
	talks = "/api/v1/talks",
	schools = "/api/v1/schools",
	mothers = "/api/v1/caring-mothers",
	programmes = "/api/v1/programmes",
}
local i = 0
request = function()
	i = i + 1
	local path = fixed[mode]
	if not path then
		path = "/api/v1/entitlements?group=" .. groups[(i % #groups) + 1]
		if mode == "township" then
			path = path .. "&area=" .. towns[(math.floor(i / #groups) % #towns) + 1]
		end
	end
	return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
