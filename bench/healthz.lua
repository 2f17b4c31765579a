-- GET /healthz: no session, no store, no audit: the HTTP ceiling.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "report.lua")

wrk.method = "GET"
wrk.path = "/healthz"
done = report.done
