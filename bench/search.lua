-- Name searches over the whole county as the centre (first page with the
-- total): common surnames, given-name characters and two-character queries.
local token = os.getenv("WB_TOKEN")
local qs = {"%E5%BC%A0", "%E7%8E%8B%E5%AD%90", "%E6%B6%B5", "%E6%9D%8E%E6%80%9D", "%E7%9D%BF", "%E5%AD%90%E6%B6%B5"}
local i = 0
request = function()
	i = i + 1
	return wrk.format("GET", "/api/v1/children?q=" .. qs[(i % #qs) + 1], {["Authorization"] = "Bearer " .. token})
end
