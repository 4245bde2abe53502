#!/usr/bin/env bash
# tests/bench/mesh — replication speed on real nodes.
#
#   mesh.sh EVALMESH MKBUNDLE [NODES (16)] [RECORDS (2000)]
#
# Starts NODES node processes on 127.0.0.1 in a sparse mesh (a ring plus
# chords), imports RECORDS signed records at one node (as CLI commands
# store them while a node runs), and measures the time until every node
# holds all of them, and the bytes all nodes sent per record per node,
# relative to the record's own size (1.0 would be each record crossing the
# wire once to each node, with nothing else said). Prints; asserts nothing
# about speed. Every node it starts it stops.
set -u
EM=${1:?usage: mesh.sh EVALMESH MKBUNDLE [NODES] [RECORDS]}
MK=${2:?usage: mesh.sh EVALMESH MKBUNDLE [NODES] [RECORDS]}
N=${3:-16} R=${4:-2000}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-bench-XXXXXX")
. "$(dirname "$0")/../integration/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT

"$MK" "$R" "$T/records.bundle" || exit 1
for i in $(seq 0 $((N - 1))); do
	"$EM" init --home "$T/n$i" --name "n$i" >/dev/null || exit 1
done
for i in $(seq 0 $((N - 1))); do
	peers=()
	[ "$i" -gt 0 ] && peers+=(--peer "127.0.0.1:$(port $((i - 1)))")
	[ "$i" -gt 3 ] && [ $((i % 4)) = 0 ] && peers+=(--peer "127.0.0.1:$(port $((i / 2)))")
	LOG_LEVEL=warn start_node "n$i" "$i" "${peers[@]}"
done
"$EM" peers add "127.0.0.1:$(port $((N - 1)))" --home "$T/n0" >/dev/null   # close the ring
want=$((N + R))		# every node's profile, and the records
for i in $(seq 0 $((N - 1))); do
	wait_for 20 "n$i connected" "$EM" status --home "$T/n$i" --json '"peers_connected": [1-9]'
done
sleep 2	# let the first anti-entropy rounds settle
before=0
for i in $(seq 0 $((N - 1))); do
	b=$("$EM" peers --home "$T/n$i" --json | grep -o '"bytes_out": [0-9]*' | awk '{s += $2} END {print s + 0}')
	before=$((before + b))
done

t0=$(date +%s%N)
"$EM" import --home "$T/n0" "$T/records.bundle" >/dev/null || exit 1
done_at=()
for ((k = 0; k < 1200; k++)); do
	all=1
	for i in $(seq 0 $((N - 1))); do
		[ -n "${done_at[$i]:-}" ] && continue
		if [ "$(records "n$i")" -ge "$want" ]; then
			done_at[$i]=$(date +%s%N)
		else
			all=0
		fi
	done
	[ $all = 1 ] && break
	sleep 0.05
done
t1=$(date +%s%N)
after=0
for i in $(seq 0 $((N - 1))); do
	b=$("$EM" peers --home "$T/n$i" --json | grep -o '"bytes_out": [0-9]*' | awk '{s += $2} END {print s + 0}')
	after=$((after + b))
done
size=$(( ($(stat -c %s "$T/records.bundle") - 52) / R - 4 ))
missing=$((N - ${#done_at[@]}))
echo "mesh benchmark: $N nodes on 127.0.0.1, $R records (~$size bytes each) imported at one node"
if [ "$missing" -gt 0 ]; then
	echo "NOT CONVERGED: $missing nodes lack records after 60 s"
	exit 1
fi
echo "time until every node holds all of them: $(( (t1 - t0) / 1000000 )) ms"
awk -v b=$((after - before)) -v r="$R" -v n="$N" -v s="$size" 'BEGIN {
	printf "bytes sent per record per node: %.0f, %.2f x the record size\n", b / r / n, b / r / n / s }'
stop_all
