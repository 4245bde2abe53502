#!/usr/bin/env bash
# tests/bench/eval — how close the runner comes to the model's own limit.
#
#   eval.sh EVALMESH [ITEMS (2000)] [CONCURRENCY (32)] [LATENCY_MS (20)]
#
# Starts the stand-in model server with a fixed latency, publishes a
# generated task of ITEMS items, and runs 'evalmesh eval' at CONCURRENCY
# against it. With every request taking LATENCY_MS, no runner can finish
# more than CONCURRENCY / LATENCY items per second (Little's law: 32 /
# 0.020 s = 1,600 items/s); the ratio of the measured rate to that bound
# shows what the runner, libcurl and the server lose. Also prints the CPU
# time the runner spent per item. Prints; asserts nothing about speed.
# Every process it starts it stops.
set -u
EM=${1:?usage: eval.sh EVALMESH [ITEMS] [CONCURRENCY] [LATENCY_MS]}
N=${2:-2000} C=${3:-32} L=${4:-20}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-bench-eval-XXXXXX")
. "$(dirname "$0")/../integration/lib.sh"
trap 'stop_servers; rm -rf "$T"' EXIT
export EVALMESH_HOME=$T/home

python3 "$SRC/contrib/tasks/gen.py" --out "$T/tasks" --only arith-en --count "$N" || exit 1
"$EM" init --name bench >/dev/null || exit 1
"$EM" task publish "$T/tasks/arith-en/manifest.json" >/dev/null || exit 1
start_server m --tasks "$T/tasks" --latency-ms "$L" --accuracy 0.8 || exit 1

"$EM" eval arith-en --model bench --endpoint "$URL_m" \
	--concurrency "$C" --no-publish --quiet --json >"$T/out.json" || exit 1
get() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$T/out.json" | head -1; }
rate=$(get items_per_s) cpu=$(get cpu_ms_per_item) value=$(get value)
awk -v n="$N" -v c="$C" -v l="$L" -v r="$rate" -v cpu="$cpu" -v v="$value" 'BEGIN {
	bound = c / (l / 1000.0)
	printf "eval: %d items, concurrency %d, server latency %d ms, score %.4f\n", n, c, l, v
	printf "  rate            %8.1f items/s\n", r
	printf "  Little bound    %8.1f items/s (concurrency / latency)\n", bound
	printf "  ratio           %8.3f (target >= 0.9)\n", r / bound
	printf "  runner CPU      %8.3f ms per item\n", cpu
}'
