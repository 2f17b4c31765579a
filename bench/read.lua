-- GET /api/v1/children/{id} with a bearer token (passed by bench.sh with
-- -H "Authorization: Bearer ..."), ids drawn at random from 1..WB_MAX_ID
-- (default 140000, below the ~148,000 children of the demo county), so the
-- reads spread over the whole table: session lookup, scope, decrypt of the
-- ID number, area name, and one audit entry per read.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "report.lua")
local max_id = tonumber(os.getenv("WB_MAX_ID") or "140000")
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("tid", counter)
end

function init(args)
	-- each wrk thread has its own Lua state: seed each differently
	math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
	return wrk.format("GET", "/api/v1/children/" .. math.random(1, max_id))
end

done = report.done
