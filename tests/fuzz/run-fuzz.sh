#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in a separate build directory and
# runs each one for a while.
#
#   tests/fuzz/run-fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS defaults to 30 per target; TARGET defaults to all of them (idnum,
# http_match, json_body, json_out, areas_csv, config). The build directory is
# build-fuzz/ at the top of the tree (WEIBAO_FUZZ_BUILD overrides it).
# New inputs go to <build>/fuzz-corpus/<target>/, so tests/fuzz/corpus/
# (the seeds replayed by ctest) only changes when you copy a finding there.
# Crashes are written to <build>/fuzz-artifacts/<target>/ and listed at the
# end; the script then exits 1. Reproduce one with
#   <build>/tests/fuzz/fuzz_<target> <crash file>
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-30}
if [ $# -gt 0 ]; then shift; fi
case $secs in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac
all=(idnum http_match json_body json_out areas_csv config)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${all[@]}"); fi
bdir=${WEIBAO_FUZZ_BUILD:-$root/build-fuzz}

if [ ! -f "$bdir/build.ninja" ]; then
	CC=${CC:-clang} cmake -S "$root" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
ninja -C "$bdir" $(printf 'fuzz_%s ' "${targets[@]}")

failed=()
for t in "${targets[@]}"; do
	bin=$bdir/tests/fuzz/fuzz_$t
	work=$bdir/fuzz-corpus/$t
	art=$bdir/fuzz-artifacts/$t
	mkdir -p "$work" "$art"
	opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096
		-artifact_prefix="$art/" -print_final_stats=1)
	if [ -f "$root/tests/fuzz/dict/$t.dict" ]; then opts+=(-dict="$root/tests/fuzz/dict/$t.dict"); fi
	# config prints a line per rejected file; sanitizer reports still show
	if [ "$t" = config ]; then opts+=(-close_fd_mask=2); fi
	echo "== fuzz_$t for ${secs}s"
	if ! "$bin" "${opts[@]}" "$work" "$root/tests/fuzz/corpus/$t"; then
		failed+=("$t")
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzzing found problems in: ${failed[*]}" >&2
	for t in "${failed[@]}"; do ls -l "$bdir/fuzz-artifacts/$t" >&2; done
	exit 1
fi
echo "no crashes in: ${targets[*]}"
