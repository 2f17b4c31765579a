#!/usr/bin/env bash
# Installs what building, running and testing Weibao needs and is missing.
# Idempotent: packages already present are not touched; apt-get update runs
# only when something must be installed. Usage: scripts/deps.sh [run|test|bench]
set -euo pipefail

what=${1:-test}
pkgs=(build-essential cmake ninja-build pkg-config
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
      libxlsxwriter-dev libzip-dev libexpat1-dev libcurl4-openssl-dev libicu-dev sqlite3)
case "$what" in
  test) pkgs+=(libcmocka-dev postgresql chromium fonts-wqy-microhei clang libclang-rt-14-dev clang-format) ;;
  bench) pkgs+=(postgresql wrk) ;;
  run) ;;
  *) echo "usage: $0 [run|test|bench]" >&2; exit 2 ;;
esac

# Node.js: whatever provides `node` and `npm` (Debian's packages, or a
# distribution that bundles npm with nodejs) is fine; install Debian's only
# when the commands are missing.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# JavaScript packages (web UI build and browser tests), from the lock file.
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root/web" "$root/tests"; do
  if [ -f "$dir/package-lock.json" ]; then
    stamp="$dir/node_modules/.weibao-lock"
    if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
      cp "$dir/package-lock.json" "$stamp"
    fi
  fi
done
