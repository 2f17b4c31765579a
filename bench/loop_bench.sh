#!/usr/bin/env bash
# The closed loop's benchmark (ISSUE: "with 10,000 open requests: the
# overdue scan under 100 ms; a transition (with audit and notification) at
# >= 1,000/s; a township's request list p99 <= 10 ms").
#
#   1. a fresh demo county (150,000 children) and 10,000 open help requests
#      (`weibao demo-requests`), spread over the 13 townships;
#   2. the overdue scan (`weibao deadlines`, which times itself): as of now
#      (what the server does every minute), as of five days later (every
#      request overdue: the alerts are raised, 5,000 per kind and pass),
#      and again at that time (steady state: every breach already alerted);
#   3. a township's list (the station of 370831001, GET /api/v1/requests,
#      newest 50, audited) with wrk for 10 s: latency percentiles;
#   4. 10,000 transitions (`accept` by the centre) from 32 keep-alive
#      connections (bench/loop_bench.mjs): rate and latency.
#
# Usage: [BENCH_CHILDREN=N] bench/loop_bench.sh path/to/weibao [postgresql://URL/db]
# The database is thrown away afterwards. Results go to stdout.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:?usage: loop_bench.sh path/to/weibao [postgresql URL]}")
pgurl=${2:-}
work=$(mktemp -d /tmp/weibao-loop-bench.XXXXXX)
pw='Bench-Pass-2026'
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$pgurl" ]; then db="$pgurl"; else db="sqlite:$work/bench.db"; fi
opts=(--db "$db" --key-file "$work/bench.key")
echo "== store: ${db%%:*}"
# (on PostgreSQL the demo stops at the first synthetic ID number drawn twice,
# which a county-sized registry always meets: use BENCH_CHILDREN=2000 there)
"$bin" demo "${opts[@]}" --password "$pw" --children "${BENCH_CHILDREN:-150000}" | head -1
"$bin" demo-requests "${opts[@]}" --count 10000

echo "== overdue scan (10,000 open requests)"
now=$(date +%s)
"$bin" deadlines "${opts[@]}"
"$bin" deadlines "${opts[@]}" --allow-future --at $((now + 5 * 86400))
"$bin" deadlines "${opts[@]}" --allow-future --at $((now + 5 * 86400))
"$bin" deadlines "${opts[@]}" --allow-future --at $((now + 5 * 86400 + 60))
"$bin" deadlines "${opts[@]}"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve "${opts[@]}" --port "$port" --access-log 0 --deadline-scan-interval 0 --login-rate 0 \
	>"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
	sleep 0.1
done
base="http://127.0.0.1:$port"
token() {
	curl -sf -X POST "$base/api/v1/login" -H 'content-type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$pw\",\"bearer\":true}" |
		python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])'
}

st=$(token station)
echo -n "== a township's request list (station 370831001, newest 50, audited); requests in the township: "
curl -sf -H "Authorization: Bearer $st" "$base/api/v1/loop/metrics" |
	python3 -c 'import sys,json; print(json.load(sys.stdin)["totals"]["open"])'
for c in 1 8; do
	echo "   wrk -t1 -c$c -d10s"
	wrk -t1 -c$c -d10s --latency -H "Authorization: Bearer $st" "$base/api/v1/requests?limit=50" |
		grep -E 'Requests/sec|^ +(50|90|99)%'
done

echo "== transitions (accept by the centre, with audit and notifications), 32 connections"
node "$root/bench/loop_bench.mjs" "$base" center "$pw" 32
