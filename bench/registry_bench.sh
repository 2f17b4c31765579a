#!/usr/bin/env bash
# The registry's benchmark (issue: "Import of the 150,000-row demo file: at
# least 50,000 rows/s (SQLite). Name search over 150,000 children: p99 <=
# 20 ms. A filtered list page (area + category): p99 <= 10 ms. Demo
# generation time. SQLite and PostgreSQL").
#
#   1. the demo county (150,000 children), timed;
#   2. the demo file: the centre's CSV export of the whole registry (whole
#      ID numbers, guardians' facts in the registry are not in the export);
#   3. its import into a second database that has the county's areas but no
#      children (`weibao import`, all or nothing): rows per second;
#   4. wrk, one connection, 10 s: name searches (bench/search.lua) and
#      filtered pages (bench/list.lua), each the first page with its total;
#      then, 5 s each, the matching of entitlements for the county and per
#      township, the county's ledger, overview, monthly report, trends,
#      projects, talks, schools, caring mothers and programmes (bench/pages.lua);
#      then the downloads of whole lists (the registry, help requests, the
#      overview, report, trends, caring mothers, the area tree), 3 times each.
#
# Usage: bench/registry_bench.sh path/to/weibao [pg]
#   with "pg", a throwaway PostgreSQL cluster (scripts/pg-test.sh) is used.
# Results go to stdout (make bench keeps them in bench/results/registry-*.txt);
# the import's target (SQLite) is printed as PASS/MISS.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:?usage: registry_bench.sh path/to/weibao [pg]}")
work=$(mktemp -d /var/tmp/weibao-registry-bench.XXXXXX)
chmod 755 "$work" # the PostgreSQL cluster inside runs as the postgres user
pw='Bench-Pass-2026'
server=
pgbase=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	if [ -n "$pgbase" ]; then "$root/scripts/pg-test.sh" stop "$work/pg" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
if [ "${2:-}" = pg ]; then
	pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	pgbase=$("$root/scripts/pg-test.sh" start "$work/pg" "$pgport")
fi

if [ -n "$pgbase" ]; then
	name=wbreg$$
	psql -q "${pgbase}postgres" -c "DROP DATABASE IF EXISTS ${name}a" -c "DROP DATABASE IF EXISTS ${name}b" \
		-c "CREATE DATABASE ${name}a" -c "CREATE DATABASE ${name}b"
	dba="${pgbase}${name}a"
	dbb="${pgbase}${name}b"
else
	dba="sqlite:$work/a.db"
	dbb="sqlite:$work/b.db"
fi
key=(--key-file "$work/bench.key")
echo "== store: ${dba%%:*}"
t0=$(date +%s.%N)
"$bin" demo --db "$dba" "${key[@]}" --password "$pw" | head -1
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "demo generation: %.1f s wall\n", b - a }'

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --db "$dba" "${key[@]}" --port "$port" --access-log 0 --log-level warn --login-rate 0 \
	>"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
	sleep 0.1
done
base="http://127.0.0.1:$port"
WB_TOKEN=$(curl -sf -X POST "$base/api/v1/login" -H 'content-type: application/json' \
	-d "{\"username\":\"center\",\"password\":\"$pw\",\"bearer\":true}" |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
export WB_TOKEN
curl -sf -o "$work/demo.csv" "$base/api/v1/children/export?format=csv" -H "Authorization: Bearer $WB_TOKEN"
echo "demo file: $(($(wc -l <"$work/demo.csv") - 1)) rows, $(du -h "$work/demo.csv" | cut -f1)"

for what in search list; do
	echo "== $what (1 connection, 10 s)"
	wrk -t1 -c1 -d2s -s "$root/bench/$what.lua" "$base/" >/dev/null 2>&1 || true
	wrk -t1 -c1 -d10s --latency -s "$root/bench/$what.lua" "$base/" 2>&1 |
		grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx'
done
for page in county township ledger overview report trends projects talks schools mothers programmes; do
	echo "== page: $page (1 connection, 5 s)"
	WB_PAGE=$page wrk -t1 -c1 -d5s --latency -s "$root/bench/pages.lua" "$base/" 2>&1 |
		grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx'
done
# downloads, as the centre: the whole filtered list as a file, three times
# each, the time until the last byte (curl's time_total) and the file's size
for path in "children/export?format=xlsx" "children/export?format=csv" "requests?state=all&format=xlsx" \
	"overview?format=xlsx" "reports/monthly?format=xlsx" "reports/trends?format=xlsx" \
	"caring-mothers?format=xlsx" "areas?format=csv"; do
	echo "== download: $path"
	for _ in 1 2 3; do
		curl -s -o /dev/null -w '%{http_code} %{time_total} s %{size_download} bytes\n' \
			-H "Authorization: Bearer $WB_TOKEN" "$base/api/v1/$path"
	done
done
kill "$server"
wait "$server" 2>/dev/null || true
server=

# the import, timed as a user waits for it: the whole command (start,
# reading the file, both passes, the commit, the statistics afterwards)
import_timed() {
	local t0 t1
	t0=$(date +%s.%N)
	"$bin" import "$work/demo.csv" --db "$dbb" "${key[@]}" | tail -1
	t1=$(date +%s.%N)
	rows=$(($(wc -l <"$work/demo.csv") - 1))
	awk -v a="$t0" -v b="$t1" -v n="$rows" -v what="$1" -v target="$2" 'BEGIN {
		s = b - a; r = n / s
		printf "%s: %d rows in %.2f s wall = %d rows/s", what, n, s, r
		if (target > 0) printf " (target >= %d rows/s: %s)", target, (r >= target ? "PASS" : "MISS")
		printf "\n" }'
}
echo "== import of the demo file into a county without children"
"$bin" demo --db "$dbb" "${key[@]}" --password "$pw" --children 0 | head -1
if [ -n "$pgbase" ]; then import_timed import 0; else import_timed import 50000; fi
echo "== the same file again (every row matched, nothing changed)"
import_timed re-import 0
