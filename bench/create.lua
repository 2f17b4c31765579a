-- POST /api/v1/children with a bearer token, each body new and valid.
--
-- WB_CREATE_MODE=plain (default): no ID number, sex + birth_date.
-- WB_CREATE_MODE=id: an 18-character GB 11643 ID number, unique across
-- threads and requests, with its check character computed here. The region
-- prefix is 370832 (a neighbouring county) so no number can collide with the
-- demo registry, which only uses 370831; the birth date walks through
-- 2010-01-01 .. (about 13 years) and the 3-digit sequence takes the rest:
-- 4.7 million distinct numbers, split into blocks of 2 million by
-- WB_CREATE_BLOCK (0, 1: bench.sh gives the warm-up and the measured run
-- different blocks, so that they cannot collide with each other either).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "report.lua")
local mode = os.getenv("WB_CREATE_MODE") or "plain"
local village = os.getenv("WB_VILLAGE") or "370831001001"
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("tid", counter)
end

local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"

local function check_char(first17)
	local sum = 0
	for i = 1, 17 do
		sum = sum + (first17:byte(i) - 48) * weights[i]
	end
	return checks:sub(sum % 11 + 1, sum % 11 + 1)
end

-- Without an ID number the server refuses a second child of the same name,
-- birth date and village (409 possible_duplicate), so every plain body has a
-- name of its own: a surname and two given characters from a pool the demo
-- generator never uses (so no demo child shares it), 9,000 names in all,
-- and a new birth date every 9,000 requests.
local surnames = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
local given = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", "丑", "寅", "卯", "巳", "午",
	"未", "申", "酉", "戌", "亥", "基", "准", "测", "样", "本", "春", "夏", "秋", "冬", "岚"}
local base = os.time({year = 2010, month = 1, day = 1, hour = 12})
local n = 0
local block = tonumber(os.getenv("WB_CREATE_BLOCK") or "0")
local stride = tonumber(os.getenv("WB_THREADS") or "16") -- at least wrk's -t
local my

function init(args)
	my = tid or 1
	-- set here, not per request: headers passed to wrk.format replace
	-- wrk.headers (and with them the Authorization header from -H)
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	local g = block * 2000000 + n * stride + (my - 1) -- unique across threads and runs
	n = n + 1
	local name = surnames[g % #surnames + 1] .. given[math.floor(g / #surnames) % #given + 1]
		.. given[math.floor(g / (#surnames * #given)) % #given + 1]
	local day = math.floor(g / 1000) % 4700 -- wraps only past 4.7 million
	if mode ~= "id" then
		day = math.floor(g / 9000) % 4700 -- a name and a day: unique up to 42 million
	end
	local t = os.date("!*t", base + day * 86400)
	local body
	if mode == "id" then
		local seq = g % 1000
		local first17 = string.format("370832%04d%02d%02d%03d", t.year, t.month, t.day, seq)
		body = string.format('{"name":"%s","id_number":"%s%s","village_code":"%s"}',
			name, first17, check_char(first17), village)
	else
		body = string.format('{"name":"%s","sex":"%s","birth_date":"%04d-%02d-%02d","village_code":"%s"}',
			name, (g % 2 == 0) and "F" or "M", t.year, t.month, t.day, village)
	end
	return wrk.format("POST", "/api/v1/children", nil, body)
end

done = report.done
