#!/usr/bin/env bash
# tests/bench/idle — what anti-entropy costs two idle nodes with a large
# store.
#
#   idle.sh EVALMESH MKBUNDLE [RECORDS (1000000)] [AUTHORS (100000)] [SECS (120)]
#
# Makes RECORDS signed records by AUTHORS authors, imports them at node a
# and copies a's store to node b, starts both (b dialling a) and lets them
# reconcile: every session finds the two stores equal, and walks the id
# set on both sides (recon.h). Prints, for each node: the CPU time it used
# (/proc/PID/stat) and the sessions it started and answered, the walks of
# its id set the gossip core counted, and so the CPU a round costs; first
# while the rounds back off from 1 s to 30 s, then for SECS seconds at 30 s
# rounds, with the CPU share that leaves. Nothing calls the nodes while
# CPU is counted (status hashes every id for its digest). Prints; asserts
# nothing about speed. Every node it starts it stops.
set -u
EM=${1:?usage: idle.sh EVALMESH MKBUNDLE [RECORDS] [AUTHORS] [SECS]}
MK=${2:?usage: idle.sh EVALMESH MKBUNDLE [RECORDS] [AUTHORS] [SECS]}
R=${3:-1000000} A=${4:-100000} SECS=${5:-120}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-idle-XXXXXX")
. "$(dirname "$0")/../integration/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT
TCK=$(getconf CLK_TCK)

# cpu NAME: user + system ticks of the node's process so far
cpu() { awk '{print $14 + $15}' "/proc/${NODE_PID[$1]}/stat"; }
# gossip NAME: started answered walks period, from status --json
gossip() {
	"$EM" status --home "$T/$1" --json | python3 -c '
import json, sys
g = json.load(sys.stdin)["gossip"]
print(g["sessions"]["started"], g["sessions"]["answered"], g["walks"], g["ae_period_ms"])'
}

t=$(date +%s)
"$MK" "$R" "$T/recs.bundle" "$A" || exit 1
echo "idle benchmark: $R records by $A authors ($(( $(stat -c %s "$T/recs.bundle") / 1048576 )) MiB), made in $(( $(date +%s) - t )) s"
for n in a b; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || exit 1; done
t=$(date +%s)
"$EM" import --home "$T/a" "$T/recs.bundle" >/dev/null || exit 1
echo "imported at a in $(( $(date +%s) - t )) s; store $(( $(stat -c %s "$T/a/store/data.mdb") / 1048576 )) MiB, copied to b"
rm -f "$T/recs.bundle"
cp "$T/a/store/data.mdb" "$T/b/store/data.mdb" || exit 1

LOG_LEVEL=warn start_node a 1
LOG_LEVEL=warn start_node b 2 --peer "127.0.0.1:$(port 1)"
wait_for 60 "b connects to a" "$EM" peers --home "$T/b" "connected"
c0a=$(cpu a) c0b=$(cpu b) t0=$(date +%s%N)
# the back-off: 1 + 2 + ... + 16 s, then 30 s rounds, each with jitter;
# asking the nodes meanwhile would cost them a digest each time
sleep 100
cba=$(cpu a) cbb=$(cpu b) tb=$(date +%s%N)
read -ra ga <<<"$(gossip a)"
read -ra gb <<<"$(gossip b)"
[ "${ga[3]}" -ge 30000 ] && [ "${gb[3]}" -ge 30000 ] ||
	echo "(the rounds had not backed off to 30 s: a ${ga[3]} ms, b ${gb[3]} ms)"
c1a=$(cpu a) c1b=$(cpu b) t1=$(date +%s%N)
report() {	# report WHAT NAME CPU_TICKS STARTED ANSWERED WALKS MS
	awk -v what="$1" -v n="$2" -v c="$3" -v tck="$TCK" -v s="$4" -v a="$5" -v w="$6" \
	    -v ms="$7" 'BEGIN {
		cpu = c / tck * 1000
		printf "%s, node %s: %.0f ms CPU in %.0f s (%.2f%% of a core); %d sessions started, %d answered, %.1f walks of the id set",
		    what, n, cpu, ms / 1000, cpu / ms * 100, s, a, w
		if (s + a > 0) printf "; %.0f ms a session, %.0f ms a walk", cpu / (s + a), w > 0 ? cpu / w : 0
		printf "\n" }'
}
report "back-off from 1 s to 30 s rounds" a $((cba - c0a)) "${ga[0]}" "${ga[1]}" "${ga[2]}" $(( (tb - t0) / 1000000 ))
report "back-off from 1 s to 30 s rounds" b $((cbb - c0b)) "${gb[0]}" "${gb[1]}" "${gb[2]}" $(( (tb - t0) / 1000000 ))
sleep "$SECS"		# the window over which the steady cost is counted
c2a=$(cpu a) c2b=$(cpu b) t2=$(date +%s%N)
read -ra ha <<<"$(gossip a)"
read -ra hb <<<"$(gossip b)"
report "steady, 30 s rounds" a $((c2a - c1a)) $((ha[0] - ga[0])) $((ha[1] - ga[1])) \
    "$(awk -v x="${ha[2]}" -v y="${ga[2]}" 'BEGIN { print x - y }')" $(( (t2 - t1) / 1000000 ))
report "steady, 30 s rounds" b $((c2b - c1b)) $((hb[0] - gb[0])) $((hb[1] - gb[1])) \
    "$(awk -v x="${hb[2]}" -v y="${gb[2]}" 'BEGIN { print x - y }')" $(( (t2 - t1) / 1000000 ))
[ "$(digest a)" = "$(digest b)" ] && echo "a and b hold the same records" || echo "a and b DIFFER"
stop_all
