#!/usr/bin/env bash
# The test command. On a fresh Debian 12 machine it installs what is
# missing (as root; otherwise it prints the apt-get line and stops), builds
# with -Wall -Wextra -Werror and runs the suite under ctest; then builds
# again with clang, AddressSanitizer and UndefinedBehaviorSanitizer, with
# the libFuzzer targets, and runs the suite (fuzzers included) once more.
# Before the first pass it builds llama.cpp's llama-server and a tiny model
# for tests/integration/llama_test.sh (contrib/llama/build.sh; about 15
# minutes on 2 cores the first time, then reused from the cache).
#
#   tests/run.sh                both passes
#   EM_FAST=1 tests/run.sh      the first pass only
#   EM_NO_LLAMA=1 tests/run.sh  without building llama-server (its test is
#                               then reported as skipped unless already built)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

"$root/contrib/deps.sh" $([ "${EM_FAST:-0}" = 1 ] || echo --asan)

jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (gcc, -Werror)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEM_WERROR=ON >/dev/null
cmake --build "$root/build" -j "$jobs"
if [ "${EM_NO_LLAMA:-0}" != 1 ]; then
	echo "== llama-server and the tiny model (contrib/llama/build.sh)"
	EM_LLAMA_JOBS=$jobs "$root/contrib/llama/build.sh"
fi
echo "== tests"
(cd "$root/build" && ctest --output-on-failure -j "$jobs")

[ "${EM_FAST:-0}" = 1 ] && exit 0

echo "== build (clang, ASan+UBSan, fuzz targets)"
CC=clang cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DEM_WERROR=ON \
	-DEM_SANITIZE=ON -DEM_FUZZ=ON >/dev/null
cmake --build "$root/build-asan" -j "$jobs"
echo "== tests under ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$root/build-asan" && ctest --output-on-failure -j "$jobs")
