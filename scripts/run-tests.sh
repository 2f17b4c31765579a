#!/usr/bin/env bash
# Runs the integration suites against a real weibao binary:
#   - the API and contract suites (tests/api, tests/contract) on SQLite and
#     on a throwaway PostgreSQL cluster,
#   - the browser suite (web/e2e, Playwright driving Debian's chromium), unless
#     WEIBAO_SKIP_E2E=1. It lives under web/ so it resolves playwright-core
#     from web/node_modules.
# With a second binary (`make test` gives the sanitizer build), the API and
# contract suites run against that one and the browser suite against the
# first; each suite runs once.
# Usage: scripts/run-tests.sh path/to/weibao [path/to/weibao-for-the-api-suite]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:?usage: run-tests.sh path/to/weibao [path/to/weibao-for-the-api-suite]}")
apibin=$(realpath "${2:-$1}")

pgdir=$(mktemp -d /tmp/weibao-pg.XXXXXX)
# the demo county, made once per run and copied into each test's database
# (tests/api/lib/harness.mjs, demoDatabase), on the file system of the tests'
# own temporary directories, so that a template is renamed into it
democache=$(mktemp -d "${TMPDIR:-/tmp}/weibao-demo.XXXXXX")
cleanup() {
	"$root/scripts/pg-test.sh" stop "$pgdir" >/dev/null 2>&1 || true
	rm -rf "$pgdir" "$democache"
}
trap cleanup EXIT

# a free loopback port for the cluster
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base=$("$root/scripts/pg-test.sh" start "$pgdir" "$port")

export WEIBAO_PG_BASE="$base"
export WEIBAO_ROOT="$root"
export WEIBAO_DEMO_CACHE="$democache"

cd "$root/tests"
api=(api/*.test.mjs contract/*.test.mjs)
e2e=()
if [ "${WEIBAO_SKIP_E2E:-0}" != "1" ] && compgen -G "../web/e2e/*.test.mjs" >/dev/null; then
	e2e=(../web/e2e/*.test.mjs)
fi
# One run, two files at a time, the suites' files taken in turn: a browser
# file (its chromium takes more than a core) then runs beside an API file
# more often than beside another browser file. On two cores the API suite
# then the browser suite took 500 + 1,420 s; taken in turn, 1,780 s.
files=()
for ((i = 0; i < ${#api[@]} || i < ${#e2e[@]}; i++)); do
	if [ $i -lt ${#e2e[@]} ]; then files+=("${e2e[$i]}"); fi
	if [ $i -lt ${#api[@]} ]; then files+=("${api[$i]}"); fi
done
WEIBAO_BIN="$apibin" WEIBAO_E2E_BIN="$bin" \
	node --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
