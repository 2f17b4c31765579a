#!/usr/bin/env bash
# Load benchmark of a built weibao binary, on SQLite and on PostgreSQL.
#
# Why: the targets of the performance issue (2 cores, 64 connections) are
# that an authenticated, audited read of a child keeps at least 30 % of the
# throughput of GET /healthz with p99 <= 10 ms, that registering children
# sustains >= 2,000 req/s, and that the server stays under 64 MiB RSS under
# load on SQLite. This script measures exactly those, the same way every
# time, so that a change can be judged by a number rather than a feeling.
#
# Per driver (SQLite file in a temp dir; a throwaway PostgreSQL cluster from
# scripts/pg-test.sh): create the demo county (timed), start `weibao serve`
# on a free loopback port, log in as `center` with a bearer token, then run
# wrk -t2 -c64 (after a short warm-up each) on:
#   healthz    GET /healthz                      the HTTP ceiling
#   read       GET /api/v1/children/{random id}  session + scope + decrypt + audit
#   create     POST /api/v1/children              no ID number (sex + birth date)
#   create_id  POST /api/v1/children              unique valid GB 11643 ID numbers
# sampling the server's VmRSS during each load and VmHWM at the end.
# Any non-2xx response or socket error in read/create fails the run.
#
# Results: bench/results/latest.txt (human), bench/results/latest.json
# (machine), bench/results/latest.log (raw wrk output). Targets are printed
# as PASS/MISS; a MISS does not fail the run, a broken run does (exit 1).
#
# Usage: scripts/bench.sh [path/to/weibao]       (make bench does this)
# Environment (defaults in brackets):
#   WB_BENCH_DRIVERS   drivers to run ["sqlite postgresql"]
#   WB_BENCH_DURATION  seconds of each measured wrk run [10]
#   WB_BENCH_WARMUP    seconds of warm-up before each run [2]
#   WB_BENCH_CHILDREN  children in the demo county [150000]
#   WB_BENCH_THREADS / WB_BENCH_CONNECTIONS  wrk -t / -c [2 / 64]
#   WB_BENCH_OUT       results directory [bench/results]
#   WB_BENCH_TMP       where the temp dirs go [/var/tmp]
#   WB_BENCH_QUIET_WAIT  seconds, in all, to wait for other processes to calm
#                      down before the measured runs [60]
#
# Each run also reports the cores used by the server, by PostgreSQL, by wrk
# and by other processes, and the server's CPU time per request, which does
# not depend much on how busy the machine is (see docs/performance.md).
#
# Bounded in time: every step runs under `timeout`; with the defaults a
# whole run takes 3-5 minutes (mostly the two demo counties, and waits for a
# quiet machine). Loopback only. Servers and the
# PostgreSQL cluster it starts are stopped, and its temp dirs removed, on
# any exit (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/build/weibao}
DRIVERS=${WB_BENCH_DRIVERS:-sqlite postgresql}
DURATION=${WB_BENCH_DURATION:-10}
WARMUP=${WB_BENCH_WARMUP:-2}
CHILDREN=${WB_BENCH_CHILDREN:-150000}
THREADS=${WB_BENCH_THREADS:-2}
CONNS=${WB_BENCH_CONNECTIONS:-64}
OUT=${WB_BENCH_OUT:-$ROOT/bench/results}
PASSWORD=Bench-Pass-2026
LUA_DIR=$ROOT/bench
PG_TEST=$ROOT/scripts/pg-test.sh
READ_MAX_ID=140000 # reads draw ids from 1..this (less when the demo is smaller)
export WB_THREADS=$THREADS # create.lua: keeps generated ID numbers unique across threads

# Targets of the issue.
TARGET_READ_RATIO=0.30
TARGET_READ_P99_MS=10
TARGET_CREATE_RPS=2000
TARGET_RSS_MIB=64

die() {
	echo "bench: ERROR: $*" >&2
	exit 1
}

say() {
	echo "bench: $*" >&2
}

[ -x "$BIN" ] || die "no executable weibao at $BIN (build first: ninja -C build)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
command -v wrk >/dev/null || die "wrk is not installed (scripts/deps.sh bench)"
for v in DURATION WARMUP CHILDREN THREADS CONNS; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number"
done
[ "$DURATION" -ge 1 ] || die "WB_BENCH_DURATION must be at least 1"
for d in $DRIVERS; do
	case "$d" in sqlite | postgresql) ;; *) die "unknown driver '$d' (sqlite, postgresql)" ;; esac
done

# ---- state and cleanup -------------------------------------------------------

# Under /var/tmp (WB_BENCH_TMP): the test suites of a shared machine tidy /tmp.
TMP_BASE=${WB_BENCH_TMP:-/var/tmp}
WORK=$(mktemp -d "$TMP_BASE/weibao-bench.XXXXXX")
PGDIR=""
SERVER_PID=""
SAMPLER_PID=""
FAILED=0
NOISY=""

stop_server() {
	local pid=$SERVER_PID i

	[ -n "$pid" ] || return 0
	SERVER_PID=""
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "server $pid did not stop in 20 s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

stop_sampler() {
	local pid=$SAMPLER_PID

	[ -n "$pid" ] || return 0
	SAMPLER_PID=""
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?

	trap - EXIT INT TERM
	stop_sampler
	stop_server
	if [ -n "$PGDIR" ]; then
		"$PG_TEST" stop "$PGDIR" 2>/dev/null || say "could not stop the PostgreSQL cluster in $PGDIR"
		rm -rf -- "$PGDIR"
	fi
	rm -rf -- "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# ---- helpers -------------------------------------------------------------------

# A TCP port nobody listens on (for the PostgreSQL cluster).
free_port() {
	local p i

	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 30000))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

now_s() {
	date +%s.%N
}

# Floating-point helpers (awk, so no bc dependency).
fcalc() {
	awk "BEGIN { printf \"%.${2:-1}f\", $1 }"
}
fge() {
	awk "BEGIN { exit !(($1) >= ($2)) }"
}
fle() {
	awk "BEGIN { exit !(($1) <= ($2)) }"
}

# CPU accounting, to tell a slow server from a busy machine: the machine's
# busy jiffies (/proc/stat), the server's (/proc/PID/stat) and our children's
# (wrk, via the `times` builtin). What is left was used by other processes.
CLK_TCK=$(getconf CLK_TCK)
machine_busy_jiffies() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
proc_jiffies() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# (`times` runs in this shell, not in a subshell, which would report its own.)
# CPU of the PostgreSQL cluster we started (postmaster and its children: the
# backends serving our pool are part of the system under test). The
# postmaster's cutime/cstime keep the time of children that have exited.
PG_POSTMASTER=""
pg_jiffies() {
	local pm=$PG_POSTMASTER

	[ -n "$pm" ] || { echo 0; return 0; }
	# cat, not awk on the files: awk gives up at a process that has just exited
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$pm" '
		{ for (i = 1; i <= NF; i++) if ($i ~ /\)$/) break
		  # after "(comm)": state ppid ... utime is 12 fields on, stime 13, cutime 14, cstime 15
		  if ($1 == pm) t += $(i + 12) + $(i + 13) + $(i + 14) + $(i + 15)
		  else if ($(i + 2) == pm) t += $(i + 12) + $(i + 13) }
		END { printf "%d", t }'
}
children_jiffies() {
	times >"$WORK/times"
	awk -v hz="$CLK_TCK" 'NR == 2 {
		n = split($0, f, " "); t = 0
		for (i = 1; i <= n; i++) { split(f[i], ms, /[ms]/); t += ms[1] * 60 + ms[2] }
		printf "%d", t * hz }' "$WORK/times"
}

# Waits until other processes use less than 20 % of the machine, so that a
# run starts on a quiet machine when it can; all the waits of one bench run
# together last at most WB_BENCH_QUIET_WAIT seconds [60].
QUIET_LEFT=${WB_BENCH_QUIET_WAIT:-60}
wait_quiet() {
	local t0=$SECONDS b0 b1 busy

	while :; do
		b0=$(machine_busy_jiffies)
		sleep 1
		b1=$(machine_busy_jiffies)
		busy=$(fcalc "($b1 - $b0) * 100 / ($CLK_TCK * $NPROC)" 0)
		[ "$busy" -ge 20 ] || break
		if [ $((SECONDS - t0)) -ge "$QUIET_LEFT" ]; then
			say "WARNING: the machine is busy ($busy % CPU used by other processes); measuring anyway"
			break
		fi
		say "machine busy ($busy % CPU used by other processes); waiting"
	done
	QUIET_LEFT=$((QUIET_LEFT - (SECONDS - t0)))
	[ "$QUIET_LEFT" -ge 0 ] || QUIET_LEFT=0
}

declare -A R # results: R[driver.key]=value
declare -a CHECKS=()

put() {
	R["$1.$2"]=$3
}
get() {
	echo "${R["$1.$2"]:-}"
}

# Starts `weibao serve` on URL with key file K; sets SERVER_PID and PORT.
start_server() {
	local url=$1 key=$2 log=$WORK/serve-$3 i

	"$BIN" serve --db "$url" --key-file "$key" --port 0 --access-log 0 --log-level warn \
		>"$log.out" 2>"$log.err" &
	SERVER_PID=$!
	PORT=""
	for ((i = 0; i < 300; i++)); do
		PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/.*#\1#p' "$log.out")
		[ -n "$PORT" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$PORT" ]; then
		[ -d "$WORK" ] || die "the work directory $WORK was removed by someone else during the run"
		cat "$log.err" >&2
		die "weibao serve did not start (see above)"
	fi
	say "serving $3 on 127.0.0.1:$PORT (pid $SERVER_PID)"
}

# Logs in as center with a bearer token; prints the token. Uses curl when
# present, else bash's /dev/tcp (a single HTTP/1.1 request, connection closed).
login() {
	local body token req

	body="{\"username\":\"center\",\"password\":\"$PASSWORD\",\"bearer\":true}"
	if command -v curl >/dev/null; then
		body=$(curl -sS --max-time 20 -X POST -H 'Content-Type: application/json' \
			-d "$body" "http://127.0.0.1:$PORT/api/v1/login") || die "login request failed"
	else
		req="POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nContent-Type: application/json\r\n"
		req+="Content-Length: ${#body}\r\nConnection: close\r\n\r\n$body"
		body=$(timeout 20 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "$2" >&3 && cat <&3' _ \
			"$PORT" "$req") || die "login request failed"
	fi
	token=$(printf '%s' "$body" | sed -n 's/.*"token":"\([A-Za-z0-9_-]*\)".*/\1/p')
	[ -n "$token" ] || die "login as center failed: $body"
	echo "$token"
}

rss_kib() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

# Samples the server's VmRSS every 0.2 s into $1 (the highest value seen).
start_sampler() {
	local file=$1 pid=$SERVER_PID

	echo 0 >"$file"
	(
		max=0
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
			if [ -n "$v" ] && [ "$v" -gt "$max" ]; then
				max=$v
				echo "$max" >"$file.tmp" && mv "$file.tmp" "$file"
			fi
			sleep 0.2
		done
	) &
	SAMPLER_PID=$!
}

# run_wrk DRIVER NAME MUST_BE_CLEAN LUA_SCRIPT [wrk args...]: warm-up, then the
# measured run; stores rps, p50/p90/p99/max (ms), requests, non2xx,
# socket_errors and rss_peak_kib under R[DRIVER.NAME_*].
run_wrk() {
	local drv=$1 name=$2 strict=$3 script=$4 out=$WORK/wrk-$1-$2.txt k v
	shift 4

	if [ "$WARMUP" -gt 0 ]; then
		WB_CREATE_BLOCK=0 timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s "$script" "$@" \
			"http://127.0.0.1:$PORT" >/dev/null 2>&1 || die "$drv $name: wrk warm-up failed"
	fi
	wait_quiet
	start_sampler "$WORK/rss-$drv-$name"
	local m0 s0 c0 m1 s1 c1 g0 g1
	m0=$(machine_busy_jiffies)
	s0=$(proc_jiffies "$SERVER_PID")
	g0=$(pg_jiffies)
	children_jiffies >"$WORK/c0"
	c0=$(cat "$WORK/c0")
	if ! WB_CREATE_BLOCK=1 timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency \
		-s "$script" "$@" "http://127.0.0.1:$PORT" >"$out" 2>&1; then
		stop_sampler
		cat "$out" >&2
		die "$drv $name: wrk failed"
	fi
	m1=$(machine_busy_jiffies)
	s1=$(proc_jiffies "$SERVER_PID")
	g1=$(pg_jiffies)
	children_jiffies >"$WORK/c1"
	c1=$(cat "$WORK/c1")
	stop_sampler
	# cores used on average during the run: by the server, by wrk, by others
	put "$drv" "${name}_cpu_server" "$(fcalc "($s1 - $s0) / ($CLK_TCK * $DURATION)" 2)"
	put "$drv" "${name}_cpu_wrk" "$(fcalc "($c1 - $c0) / ($CLK_TCK * $DURATION)" 2)"
	put "$drv" "${name}_cpu_pg" "$(fcalc "($g1 - $g0) / ($CLK_TCK * $DURATION)" 2)"
	put "$drv" "${name}_cpu_other" \
		"$(fcalc "(($m1 - $m0) - ($s1 - $s0) - ($c1 - $c0) - ($g1 - $g0)) / ($CLK_TCK * $DURATION)" 2)"
	if fge "$(get "$drv" "${name}_cpu_other")" 0.25; then
		NOISY="$NOISY $drv/$name"
		say "WARNING: $drv $name: other processes used $(get "$drv" "${name}_cpu_other") cores during the run;" \
			"its figures are depressed"
	fi
	{
		echo "==== $drv $name ===="
		cat "$out"
	} >>"$OUT/latest.log"
	while IFS='=' read -r k v; do
		put "$drv" "${name}_$k" "$v"
	done < <(sed -n 's/^WRK \([a-z0-9_]*\)=\(.*\)$/\1=\2/p' "$out")
	[ -n "$(get "$drv" "${name}_rps")" ] || die "$drv $name: no figures in wrk output ($out)"
	put "$drv" "${name}_rss_peak_kib" "$(cat "$WORK/rss-$drv-$name")"
	# server CPU time per request (with PostgreSQL's): less sensitive to a
	# busy machine than req/s
	put "$drv" "${name}_server_us_per_req" \
		"$(fcalc "($s1 - $s0) * 1000000 / $CLK_TCK / ($(get "$drv" "${name}_requests") + 1)" 0)"
	put "$drv" "${name}_pg_us_per_req" \
		"$(fcalc "($g1 - $g0) * 1000000 / $CLK_TCK / ($(get "$drv" "${name}_requests") + 1)" 0)"
	# wrk's own line, as a cross-check of the Lua counter
	k=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")
	[ -z "$k" ] || [ "$k" -le "$(get "$drv" "${name}_non2xx")" ] || put "$drv" "${name}_non2xx" "$k"
	say "$drv $name: $(get "$drv" "${name}_rps") req/s, p99 $(get "$drv" "${name}_p99_ms") ms," \
		"non-2xx $(get "$drv" "${name}_non2xx"), socket errors $(get "$drv" "${name}_socket_errors")"
	if [ "$strict" = 1 ] && { [ "$(get "$drv" "${name}_non2xx")" != 0 ] ||
		[ "$(get "$drv" "${name}_socket_errors")" != 0 ]; }; then
		FAILED=1
		put "$drv" "${name}_failed" 1
		echo "bench: !!!!! $drv $name: $(get "$drv" "${name}_non2xx") non-2xx responses and" \
			"$(get "$drv" "${name}_socket_errors") socket errors: the run is INVALID !!!!!" >&2
	fi
}

# Copies the tables of a SQLite database into an empty, migrated PostgreSQL
# database (fallback when `weibao demo` fails on PostgreSQL): same rows, same
# key file, so the load is the same as on SQLite.
copy_sqlite_to_pg() {
	local src=$1 url=$2 port=$3 db=$4 t cols
	local -a psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U weibao -d "$db")

	"$BIN" migrate --db "$url" --key-file "$KEY" >/dev/null 2>&1 || die "weibao migrate failed on PostgreSQL"
	for t in $("${psql[@]}" -At -c "SELECT table_name FROM information_schema.tables
			WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
			AND table_name <> 'schema_migrations' ORDER BY table_name"); do
		cols=$("${psql[@]}" -At -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
			FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$t'")
		sqlite3 -csv -cmd '.nullvalue "\\N"' "$src" "SELECT $cols FROM $t" |
			PGOPTIONS='-c session_replication_role=replica' "${psql[@]}" \
				-c "\\copy $t ($cols) FROM pstdin WITH (FORMAT csv, NULL '\\N')" ||
			die "copying table $t to PostgreSQL failed"
	done
	for t in $("${psql[@]}" -At -c "SELECT table_name FROM information_schema.columns
			WHERE table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'"); do
		"${psql[@]}" -At -c "SELECT setval(pg_get_serial_sequence('$t', 'id'), COALESCE(MAX(id), 0) + 1, false)
			FROM $t" >/dev/null || die "resetting the identity sequence of $t failed"
	done
	"${psql[@]}" -c "ANALYZE" >/dev/null
}

# ---- one driver ------------------------------------------------------------------

KEY=$WORK/bench.key  # one key for both drivers (the fallback copy needs it)
SNAPSHOT=$WORK/demo-snapshot.db

make_demo() {
	local drv=$1 url=$2 log=$WORK/demo-$1.txt t0 t1 s

	say "$drv: creating the demo county ($CHILDREN children)"
	t0=$(now_s)
	if timeout 600 "$BIN" demo --db "$url" --key-file "$KEY" --password "$PASSWORD" \
		--children "$CHILDREN" >"$log" 2>&1; then
		t1=$(now_s)
		put "$drv" demo_status ok
		put "$drv" demo_wall_s "$(fcalc "$t1 - $t0" 1)"
		s=$(sed -n 's/.*created in \([0-9.]*\) s:.*/\1/p' "$log")
		put "$drv" demo_s "${s:-?}"
		put "$drv" demo_children "$(sed -n 's/.*, \([0-9]*\) children$/\1/p' "$log")"
		say "$drv: demo created in $(get "$drv" demo_s) s ($(get "$drv" demo_wall_s) s wall," \
			"$(get "$drv" demo_children) children)"
		return 0
	fi
	put "$drv" demo_status failed
	put "$drv" demo_error "$(grep -v '^demo accounts\|^  ' "$log" | tail -n 3 | tr '\n"\\' '   ' | cut -c1-300)"
	echo "bench: !!!!! $drv: weibao demo FAILED:" >&2
	sed 's/^/    /' "$log" >&2
	return 1
}

bench_driver() {
	local drv=$1 url dbname port hwm token

	case "$drv" in
	sqlite)
		url="sqlite:$WORK/bench.db"
		make_demo sqlite "$url" || die "the demo county could not be created on SQLite"
		if [[ " $DRIVERS " == *" postgresql "* ]]; then # for the PostgreSQL fallback
			sqlite3 "$WORK/bench.db" ".backup '$SNAPSHOT'" || cp "$WORK/bench.db" "$SNAPSHOT"
		fi
		;;
	postgresql)
		port=$(free_port)
		PGDIR=$(mktemp -d "$TMP_BASE/weibao-bench-pg.XXXXXX")
		"$PG_TEST" start "$PGDIR" "$port" >/dev/null
		PG_POSTMASTER=$(head -n 1 "$PGDIR/postmaster.pid")
		dbname=weibao_bench
		url=$("$PG_TEST" createdb "$PGDIR" "$port" "$dbname")
		if ! make_demo postgresql "$url"; then
			say "postgresql: falling back to a copy of the SQLite demo county, so that the load can be measured"
			if [ ! -f "$SNAPSHOT" ]; then
				timeout 600 "$BIN" demo --db "sqlite:$SNAPSHOT" --key-file "$KEY" --password "$PASSWORD" \
					--children "$CHILDREN" >/dev/null 2>&1 || die "the SQLite demo for the copy failed"
			fi
			url=$("$PG_TEST" createdb "$PGDIR" "$port" "$dbname")
			copy_sqlite_to_pg "$SNAPSHOT" "$url" "$port" "$dbname"
			put postgresql data "copied from the SQLite demo (weibao demo failed on PostgreSQL)"
			put postgresql data_children "$(psql -X -At -h 127.0.0.1 -p "$port" -U weibao -d "$dbname" \
				-c "SELECT count(*) FROM children")"
			FAILED=1
		fi
		;;
	esac
	[ -n "$(get "$drv" data)" ] || put "$drv" data "weibao demo"

	start_server "$url" "$KEY" "$drv"
	put "$drv" rss_idle_kib "$(rss_kib "$SERVER_PID" VmRSS)"
	token=$(login) || die "login failed"
	put "$drv" rss_after_login_kib "$(rss_kib "$SERVER_PID" VmRSS)"
	put "$drv" hwm_after_login_kib "$(rss_kib "$SERVER_PID" VmHWM)"

	run_wrk "$drv" healthz 0 "$LUA_DIR/healthz.lua"
	local max_id=$READ_MAX_ID n_children
	n_children=$(get "$drv" data_children)
	[ -n "$n_children" ] || n_children=$(get "$drv" demo_children)
	[ -z "$n_children" ] || [ "$n_children" -ge "$max_id" ] || max_id=$n_children
	[ "$max_id" -ge 1 ] || die "no children to read"
	put "$drv" read_max_id "$max_id"
	WB_MAX_ID=$max_id run_wrk "$drv" read 1 "$LUA_DIR/read.lua" -H "Authorization: Bearer $token"
	WB_CREATE_MODE=plain run_wrk "$drv" create 1 "$LUA_DIR/create.lua" -H "Authorization: Bearer $token"
	WB_CREATE_MODE=id run_wrk "$drv" create_id 1 "$LUA_DIR/create.lua" -H "Authorization: Bearer $token"

	sleep 1 # let the connection threads of the last run finish
	hwm=$(rss_kib "$SERVER_PID" VmHWM)
	put "$drv" hwm_end_kib "$hwm"
	put "$drv" rss_end_kib "$(rss_kib "$SERVER_PID" VmRSS)"
	put "$drv" threads_end "$(rss_kib "$SERVER_PID" Threads)"
	local m=0 v
	for n in healthz read create create_id; do
		v=$(get "$drv" "${n}_rss_peak_kib")
		[ "${v:-0}" -gt "$m" ] && m=$v
	done
	put "$drv" rss_load_peak_kib "$m"
	put "$drv" read_ratio "$(fcalc "$(get "$drv" read_rps) / $(get "$drv" healthz_rps)" 3)"

	stop_server
	if [ "$drv" = postgresql ]; then
		"$PG_TEST" stop "$PGDIR" || true
		rm -rf -- "$PGDIR"
		PGDIR=""
		PG_POSTMASTER=""
	fi
}

# ---- targets and reports -----------------------------------------------------------

check() { # check DRIVER NAME VERDICT TEXT
	CHECKS+=("$1|$2|$3|$4")
	put "$1" "target_$2" "$3"
}

judge() {
	local d=$1 v

	v=$(get "$d" read_ratio)
	if fge "$v" "$TARGET_READ_RATIO"; then r=PASS; else r=MISS; fi
	check "$d" read_ratio $r "read / healthz = $(fcalc "$v * 100" 1) % (target >= $(fcalc "$TARGET_READ_RATIO * 100" 0) %)"
	v=$(get "$d" read_p99_ms)
	if fle "$v" "$TARGET_READ_P99_MS"; then r=PASS; else r=MISS; fi
	check "$d" read_p99 $r "read p99 = $v ms (target <= $TARGET_READ_P99_MS ms)"
	v=$(get "$d" create_rps)
	if fge "$v" "$TARGET_CREATE_RPS"; then r=PASS; else r=MISS; fi
	check "$d" create_rps $r "create = $v req/s (target >= $TARGET_CREATE_RPS req/s)"
	v=$(get "$d" create_id_rps)
	if fge "$v" "$TARGET_CREATE_RPS"; then r=PASS; else r=MISS; fi
	check "$d" create_id_rps $r "create with ID number = $v req/s (target >= $TARGET_CREATE_RPS req/s)"
	if [ "$d" = sqlite ]; then
		v=$(get "$d" rss_load_peak_kib)
		if [ "$v" -le $((TARGET_RSS_MIB * 1024)) ]; then r=PASS; else r=MISS; fi
		check "$d" rss $r "peak RSS under load = $(fcalc "$v / 1024" 1) MiB (target <= $TARGET_RSS_MIB MiB)"
	fi
}

mib() {
	[ -n "$1" ] && fcalc "$1 / 1024" 1 || echo "?"
}

json_str() {
	local s=$1

	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

json_num() { # a number, or null when empty / not numeric
	if [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then printf '%s' "$1"; else printf 'null'; fi
}

write_reports() {
	local txt=$OUT/latest.txt json=$OUT/latest.json d n c first

	{
		echo "Weibao load benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "machine: $NPROC cores, $CPU_MODEL, $MEM_TOTAL_MIB MiB RAM, kernel $KERNEL"
		echo "commit: $COMMIT    wrk: -t$THREADS -c$CONNS -d${DURATION}s (after ${WARMUP}s warm-up), server and wrk on the same machine"
		echo "load average at start: $LOADAVG"
		for d in $DRIVERS; do
			echo
			echo "== $d =="
			echo "demo county:      $(get "$d" data); demo status $(get "$d" demo_status)," \
				"generated in $(get "$d" demo_s) s ($(get "$d" demo_wall_s) s wall, $(get "$d" demo_children) children)"
			[ -z "$(get "$d" demo_error)" ] || echo "demo error:       $(get "$d" demo_error)"
			for n in healthz read create create_id; do
				printf '%-11s %8s req/s  p50 %7s ms  p90 %7s ms  p99 %7s ms  max %7s ms  non-2xx %s  sock.err %s  peak RSS %s MiB  cores: server %s postgres %s wrk %s other %s  CPU/req: server %s us postgres %s us\n' \
					"$n:" "$(get "$d" "${n}_rps")" "$(get "$d" "${n}_p50_ms")" "$(get "$d" "${n}_p90_ms")" \
					"$(get "$d" "${n}_p99_ms")" "$(get "$d" "${n}_max_ms")" "$(get "$d" "${n}_non2xx")" \
					"$(get "$d" "${n}_socket_errors")" "$(mib "$(get "$d" "${n}_rss_peak_kib")")" \
					"$(get "$d" "${n}_cpu_server")" "$(get "$d" "${n}_cpu_pg")" "$(get "$d" "${n}_cpu_wrk")" \
					"$(get "$d" "${n}_cpu_other")" "$(get "$d" "${n}_server_us_per_req")" "$(get "$d" "${n}_pg_us_per_req")"
			done
			echo "read / healthz:   $(fcalc "$(get "$d" read_ratio) * 100" 1) %"
			echo "memory:           RSS idle $(mib "$(get "$d" rss_idle_kib)") MiB; peak RSS under load" \
				"$(mib "$(get "$d" rss_load_peak_kib)") MiB; VmHWM $(mib "$(get "$d" hwm_end_kib)") MiB" \
				"(VmHWM right after the login: $(mib "$(get "$d" hwm_after_login_kib)") MiB — one Argon2id hash takes 64 MiB);" \
				"$(get "$d" threads_end) threads at the end"
		done
		echo
		echo "== targets =="
		for c in "${CHECKS[@]}"; do
			IFS='|' read -r d n r t <<<"$c"
			printf '%-4s %-10s %s\n' "$r" "$d" "$t"
		done
		[ -z "$NOISY" ] || echo "NOISY: other processes used >= 0.25 core during:$NOISY (figures depressed; run again on a quiet machine)"
		[ "$FAILED" = 0 ] || echo "RUN INVALID: see the errors above (non-2xx responses, socket errors or a failed demo)"
	} >"$txt"

	{
		printf '{\n  "date": %s,\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
		printf '  "machine": {"nproc": %s, "cpu": %s, "mem_mib": %s, "kernel": %s, "loadavg_start": %s},\n' \
			"$NPROC" "$(json_str "$CPU_MODEL")" "$MEM_TOTAL_MIB" "$(json_str "$KERNEL")" "$(json_str "$LOADAVG")"
		printf '  "commit": %s,\n' "$(json_str "$COMMIT")"
		printf '  "wrk": {"threads": %s, "connections": %s, "duration_s": %s, "warmup_s": %s},\n' \
			"$THREADS" "$CONNS" "$DURATION" "$WARMUP"
		printf '  "targets": {"read_ratio_min": %s, "read_p99_ms_max": %s, "create_rps_min": %s, "sqlite_rss_mib_max": %s},\n' \
			"$TARGET_READ_RATIO" "$TARGET_READ_P99_MS" "$TARGET_CREATE_RPS" "$TARGET_RSS_MIB"
		printf '  "valid": %s,\n  "noisy": %s,\n  "drivers": {' "$([ "$FAILED" = 0 ] && echo true || echo false)" \
			"$(json_str "${NOISY# }")"
		first=1
		for d in $DRIVERS; do
			[ $first = 1 ] || printf ','
			first=0
			printf '\n    "%s": {\n' "$d"
			printf '      "demo": {"status": %s, "error": %s, "data": %s, "seconds": %s, "wall_seconds": %s, "children": %s},\n' \
				"$(json_str "$(get "$d" demo_status)")" "$(json_str "$(get "$d" demo_error)")" "$(json_str "$(get "$d" data)")" \
				"$(json_num "$(get "$d" demo_s)")" "$(json_num "$(get "$d" demo_wall_s)")" \
				"$(json_num "$(get "$d" demo_children)")"
			for n in healthz read create create_id; do
				printf '      "%s": {"rps": %s, "p50_ms": %s, "p90_ms": %s, "p99_ms": %s, "max_ms": %s, "requests": %s, "non2xx": %s, "socket_errors": %s, "rss_peak_kib": %s, "cores_server": %s, "cores_wrk": %s, "cores_pg": %s, "cores_other": %s, "server_us_per_req": %s, "pg_us_per_req": %s},\n' \
					"$n" "$(json_num "$(get "$d" "${n}_rps")")" "$(json_num "$(get "$d" "${n}_p50_ms")")" \
					"$(json_num "$(get "$d" "${n}_p90_ms")")" "$(json_num "$(get "$d" "${n}_p99_ms")")" \
					"$(json_num "$(get "$d" "${n}_max_ms")")" "$(json_num "$(get "$d" "${n}_requests")")" \
					"$(json_num "$(get "$d" "${n}_non2xx")")" "$(json_num "$(get "$d" "${n}_socket_errors")")" \
					"$(json_num "$(get "$d" "${n}_rss_peak_kib")")" "$(json_num "$(get "$d" "${n}_cpu_server")")" \
					"$(json_num "$(get "$d" "${n}_cpu_wrk")")" "$(json_num "$(get "$d" "${n}_cpu_pg")")" \
					"$(json_num "$(get "$d" "${n}_cpu_other")")" "$(json_num "$(get "$d" "${n}_server_us_per_req")")" \
					"$(json_num "$(get "$d" "${n}_pg_us_per_req")")"
			done
			printf '      "read_ratio": %s,\n' "$(json_num "$(get "$d" read_ratio)")"
			printf '      "memory_kib": {"rss_idle": %s, "rss_load_peak": %s, "hwm_after_login": %s, "hwm_end": %s, "rss_end": %s},\n' \
				"$(json_num "$(get "$d" rss_idle_kib)")" "$(json_num "$(get "$d" rss_load_peak_kib)")" \
				"$(json_num "$(get "$d" hwm_after_login_kib)")" "$(json_num "$(get "$d" hwm_end_kib)")" \
				"$(json_num "$(get "$d" rss_end_kib)")"
			printf '      "targets": {'
			local f2=1
			for n in read_ratio read_p99 create_rps create_id_rps rss; do
				[ -n "$(get "$d" "target_$n")" ] || continue
				[ $f2 = 1 ] || printf ', '
				f2=0
				printf '"%s": %s' "$n" "$(json_str "$(get "$d" "target_$n")")"
			done
			printf '}\n    }'
		done
		printf '\n  }\n}\n'
	} >"$json"
}

# ---- main --------------------------------------------------------------------------

mkdir -p "$OUT"
: >"$OUT/latest.log"
NPROC=$(nproc)
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
MEM_TOTAL_MIB=$(awk '$1 == "MemTotal:" { printf "%d", $2 / 1024 }' /proc/meminfo)
KERNEL=$(uname -r)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ]; then COMMIT="$COMMIT+dirty"; fi
say "$NPROC cores ($CPU_MODEL), load average $LOADAVG; drivers: $DRIVERS"
T_START=$(now_s)

for d in $DRIVERS; do
	bench_driver "$d"
	judge "$d"
done
write_reports
cat "$OUT/latest.txt"
echo
echo "bench: whole run $(fcalc "$(now_s) - $T_START" 0) s; results in $OUT/latest.txt and latest.json"
if [ "$FAILED" != 0 ]; then
	echo "bench: !!!!! THE RUN IS INVALID (see the errors above) !!!!!" >&2
	exit 1
fi
