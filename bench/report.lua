-- Shared by the wrk scripts of scripts/bench.sh: prints the figures of a run
-- as "WRK key=value" lines that the shell script parses, so it need not
-- scrape wrk's human-readable summary (whose units vary: us, ms, s, k).
--
-- wrk counts a response as an error when its status is above 399; 3xx do
-- not occur on the routes measured here, so errors.status is the number of
-- non-2xx responses.
local M = {}

function M.done(summary, latency, requests)
	local secs = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format("WRK requests=%d\n", summary.requests))
	io.write(string.format("WRK duration_s=%.3f\n", secs))
	io.write(string.format("WRK rps=%.1f\n", summary.requests / secs))
	io.write(string.format("WRK p50_ms=%.3f\n", latency:percentile(50) / 1000))
	io.write(string.format("WRK p90_ms=%.3f\n", latency:percentile(90) / 1000))
	io.write(string.format("WRK p99_ms=%.3f\n", latency:percentile(99) / 1000))
	io.write(string.format("WRK max_ms=%.3f\n", latency.max / 1000))
	io.write(string.format("WRK non2xx=%d\n", e.status))
	io.write(string.format("WRK socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
end

return M
