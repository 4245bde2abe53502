#!/usr/bin/env bash
# tests/bench/mesh — replication speed and traffic on real nodes.
#
#   mesh.sh EVALMESH MKBUNDLE [NODES (16)] [RECORDS (2000)] [IDLE_S (60)]
#
# Starts NODES node processes on 127.0.0.1 in a sparse mesh (a ring plus
# chords), imports RECORDS signed records at one node (as CLI commands
# store them while a node runs), and measures the time until every node
# holds all of them, and the bytes all nodes sent per record per node,
# relative to the record's own size (1.0 would be each record crossing the
# wire once to each node, with nothing else said). Then the copies nodes
# received that they held already, per record per node, by the path they
# came by: eager push, graft (the answer to a want) and reconciliation
# (the gossip core's counters in `status --json`). Last, idle traffic:
# once every node says its anti-entropy rounds have backed off to their
# longest period, the bytes all nodes send in IDLE_S seconds, per node per
# second (0 skips it). Prints; asserts nothing about speed. Every node it
# starts it stops.
set -u
EM=${1:?usage: mesh.sh EVALMESH MKBUNDLE [NODES] [RECORDS] [IDLE_S]}
MK=${2:?usage: mesh.sh EVALMESH MKBUNDLE [NODES] [RECORDS] [IDLE_S]}
N=${3:-16} R=${4:-2000} IDLE_S=${5:-60}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-bench-XXXXXX")
. "$(dirname "$0")/../integration/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT

# snap: one line of sums over all nodes: bytes sent, then received and
# duplicate copies by push, graft, sync, then the shortest round period,
# then reconciliation payload bytes sent.
snap() {
	local i
	for i in $(seq 0 $((N - 1))); do
		"$EM" status --home "$T/n$i" --json
		"$EM" peers --home "$T/n$i" --json
	done | python3 -c '
import json, sys
dec, text, at, tot = json.JSONDecoder(), sys.stdin.read(), 0, [0] * 7 + [1 << 62, 0]
while at < len(text):
	while at < len(text) and text[at].isspace():
		at += 1
	if at == len(text):
		break
	o, at = dec.raw_decode(text, at)
	if "gossip" in o:
		g = o["gossip"]
		for k, path in enumerate(("push", "graft", "sync")):
			tot[1 + k] += g["received"][path]
			tot[4 + k] += g["duplicates"][path]
		tot[7] = min(tot[7], g["ae_period_ms"])
		tot[8] += g["recon_bytes_out"]
	for p in o.get("peers", []):
		tot[0] += p.get("bytes_out", 0)
print(*tot)'
}

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
for i in $(seq 0 $((N - 1))); do	# every profile everywhere
	wait_for 30 "n$i holds the profiles" records "n$i" "^$N\$"
done
read -ra s0 <<<"$(snap)"

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
read -ra s1 <<<"$(snap)"
size=$(( ($(stat -c %s "$T/records.bundle") - 52) / R - 4 ))
missing=$((N - ${#done_at[@]}))
echo "mesh benchmark: $N nodes on 127.0.0.1, $R records (~$size bytes each) imported at one node"
if [ "$missing" -gt 0 ]; then
	echo "NOT CONVERGED: $missing nodes lack records after 60 s"
	exit 1
fi
echo "time until every node holds all of them: $(( (t1 - t0) / 1000000 )) ms"
awk -v b=$((s1[0] - s0[0])) -v r="$R" -v n="$N" -v s="$size" 'BEGIN {
	printf "bytes sent per record per node: %.0f, %.2f x the record size\n", b / r / n, b / r / n / s }'
awk -v r="$R" -v n="$N" \
    -v rp=$((s1[1] - s0[1])) -v rg=$((s1[2] - s0[2])) -v rs=$((s1[3] - s0[3])) \
    -v dp=$((s1[4] - s0[4])) -v dg=$((s1[5] - s0[5])) -v ds=$((s1[6] - s0[6])) 'BEGIN {
	printf "copies received: %d by push, %d by graft, %d by reconciliation\n", rp, rg, rs
	printf "duplicates: %d by push, %d by graft, %d by reconciliation = %.3f per record per node (%.3f + %.3f + %.3f)\n",
	    dp, dg, ds, (dp + dg + ds) / r / n, dp / r / n, dg / r / n, ds / r / n }'

if [ "$IDLE_S" -gt 0 ]; then
	# the rounds back off while sessions find nothing: wait until every
	# node says it is at the longest period (30 s), then count
	for ((k = 0; k < 300; k++)); do
		read -ra s2 <<<"$(snap)"
		[ "${s2[7]}" -ge 30000 ] && break
		sleep 0.5
	done
	[ "${s2[7]}" -ge 30000 ] || echo "(not every node had backed off to 30 s rounds)"
	read -ra s2 <<<"$(snap)"
	i0=$(date +%s%N)
	sleep "$IDLE_S"		# the window over which idle traffic is counted
	read -ra s3 <<<"$(snap)"
	i1=$(date +%s%N)
	awk -v b=$((s3[0] - s2[0])) -v rb=$((s3[8] - s2[8])) -v n="$N" \
	    -v t=$(( (i1 - i0) / 1000000 )) 'BEGIN {
		printf "idle traffic: %.0f bytes per node per second (%d s, rounds at their longest period), of which reconciliation payloads %.0f\n",
		    b / n / (t / 1000.0), t / 1000, rb / n / (t / 1000.0) }'
fi
stop_all
