#!/usr/bin/env bash
# Builds the web UI (web/ -> web/dist) when it is out of date.
#  - `npm ci` only when web/node_modules is missing or web/package-lock.json
#    changed since the last install (stamp: web/node_modules/.weibao-lock,
#    the same stamp scripts/deps.sh writes);
#  - `npm run build` only when a source is newer than web/dist/index.html
#    (web/src, web/public, web/index.html, web/vite.config.*, package*.json).
# CMake then embeds every file under web/dist into the binary.
# Usage: scripts/build-web.sh [--force]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
web="$root/web"
force=0
[ "${1:-}" = "--force" ] && force=1

if [ ! -f "$web/package.json" ]; then
	echo "build-web: no web/package.json, nothing to build" >&2
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "build-web: npm is missing (run scripts/deps.sh run)" >&2
	exit 1
fi

stamp="$web/node_modules/.weibao-lock"
if [ ! -d "$web/node_modules" ] || [ ! -f "$stamp" ] || ! cmp -s "$web/package-lock.json" "$stamp"; then
	echo "build-web: installing JavaScript packages (npm ci)" >&2
	(cd "$web" && npm ci --no-audit --no-fund --loglevel=error >&2)
	cp "$web/package-lock.json" "$stamp"
	force=1
fi

out="$web/dist/index.html"
if [ "$force" = 0 ] && [ -f "$out" ]; then
	# newest mtime among the inputs, in seconds since the epoch
	newest=$(find "$web/src" "$web/public" "$web/index.html" "$web"/vite.config.* \
		"$web/package.json" "$web/package-lock.json" -type f -printf '%T@\n' 2>/dev/null |
		sort -n | tail -1)
	built=$(stat -c '%Y' "$out")
	if [ -n "$newest" ] && [ "${newest%.*}" -lt "$built" ]; then
		exit 0 # up to date
	fi
fi

echo "build-web: building web/dist" >&2
(cd "$web" && npm run build --silent >&2)
# index.html is the freshness mark; make sure it is newer than every input
touch "$out"
