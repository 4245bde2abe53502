#!/usr/bin/env bash
# What others may make a node do, bounded: a member with the network key
# that asks for more than it can use, and a crowd on the control socket.
#   - records wanted as fast as they come: no more bytes a second than a
#     peer's answer budget (4 MiB/s, after one second's worth at once)
#   - wants faster than that, and the same chunk again and again: the
#     peer is scored, dropped and banned, and little was sent
#   - 200 idle control connections: all but 32 refused at once with a
#     reason; the rest closed ~5 s after their last byte; the node keeps
#     few descriptors and serves peers and the CLI throughout
# usage: limits_test.sh PATH/TO/evalmesh PATH/TO/greedy PATH/TO/mkbundle
set -u
EM=${1:?usage: limits_test.sh EVALMESH GREEDY MKBUNDLE}
GREEDY=${2:?usage: limits_test.sh EVALMESH GREEDY MKBUNDLE}
MK=${3:?usage: limits_test.sh EVALMESH GREEDY MKBUNDLE}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-limits-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MIB=1048576

"$EM" init --home "$T/a" --name a >/dev/null || bad "init a"
"$EM" init --home "$T/b" --name b >/dev/null || bad "init b"
KEY=$T/a/network.key
# 3,000 records (~2.5 MB) and a task of several chunks at a
"$MK" 3000 "$T/recs.bundle" >/dev/null || bad "mkbundle"
run 0 "$EM" import --home "$T/a" "$T/recs.bundle"
python3 "$SRC/contrib/tasks/gen.py" --out "$T/big" --only arith-zh --count 6000 || bad "gen.py"
run 0 "$EM" task publish --home "$T/a" "$T/big/arith-zh/manifest.json"
run 0 "$EM" export --home "$T/a" -o "$T/a.bundle"
start_node a 1
start_node b 2 --peer "127.0.0.1:$(port 1)"
wait_for 10 "b connects to a" "$EM" peers --home "$T/b" "connected"
A_PID=${NODE_PID[a]}
# what a imported before it started is announced (pushed to the peers
# then connected) once: before the greedy peers come, so that all they
# get is answers to their asks
converged 60 a b
wait_for 10 "a announced what it holds" "$EM" status --home "$T/a" --json \
	'"records_announced": 300[0-9]'

still_serving() {	# b publishes; a must get it
	publish b 1
	converged 30 a b
	kill -0 "$A_PID" 2>/dev/null && ok || bad "node a died"
}

# greedy MODE SRC_IP SECS: runs it against a; its line in $T/g.out, and
# the bytes it received, the ms it ran and whether a closed it in
# G_BYTES, G_MS, G_CLOSED
greedy() {
	"$GREEDY" "$1" 127.0.0.1 "$(port 1)" "$KEY" "$2" "$T/a.bundle" "$3" >"$T/g.out" 2>&1 \
		|| bad "greedy $1 did not run: $(cat "$T/g.out")"
	G_BYTES=$(sed -n 's/.*received \([0-9]*\) bytes.*/\1/p' "$T/g.out")
	G_MS=$(sed -n 's/.* in \([0-9]*\) ms.*/\1/p' "$T/g.out")
	G_CLOSED=$(sed -n 's/.*closed by the node: \([a-z]*\).*/\1/p' "$T/g.out")
	echo "  $(cat "$T/g.out")"
}
# within_budget: G_BYTES is at most one second's worth plus 4 MiB a
# second of G_MS, with 5% and 64 KiB for framing and what else a says
within_budget() {
	local cap=$(( (4 * MIB + 4 * MIB * ${G_MS:-0} / 1000) * 105 / 100 + 65536 ))
	if [ "${G_BYTES:-0}" -le "$cap" ]; then ok; else
		bad "$1: ${G_BYTES:-?} bytes in ${G_MS:-?} ms, over the budget's $cap"; fi
}

# --- asking for records as fast as they come: bounded by the budget,
# and not punished (it never asks for more than it is sent)
greedy wants 127.0.0.40 4
within_budget "records wanted as fast as they come"
[ "${G_BYTES:-0}" -ge $((8 * MIB)) ] && ok || bad "wants: only ${G_BYTES:-0} bytes came: is a answering?"
[ "$G_CLOSED" = no ] && ok || bad "a peer asking within its budget was cut off"
still_serving

# --- wants piling up faster than they can be answered: scored, dropped
greedy wantflood 127.0.0.41 8
within_budget "a flood of wants"
[ "$G_CLOSED" = yes ] && ok || bad "a peer flooding wants was not cut off"
still_serving

# --- the same chunk again and again: scored, dropped, one copy sent
greedy chunks 127.0.0.42 8
[ "$G_CLOSED" = yes ] && ok || bad "a peer asking for one chunk again and again was not cut off"
[ "${G_BYTES:-0}" -le $((2 * MIB)) ] && ok || bad "the same chunk, asked again: ${G_BYTES:-?} bytes sent"
has "$T/g.out" '\(0 records, 1 chunks\)'
still_serving
run 0 "$EM" peers --home "$T/a" --json
has "$out" '"host": "127.0.0.41"'
has "$out" '"host": "127.0.0.42"'
grep -q "wants for more than it can receive" "$T/a.log" && ok || bad "a did not log why it dropped .41"
grep -q "asks again for chunks it was sent" "$T/a.log" && ok || bad "a did not log why it dropped .42"

# --- a crowd on the control socket
python3 "$(dirname "$0")/ctl_crowd.py" "$T/a/control.sock" 200 "$T/hold" >"$T/crowd.out" 2>&1 &
CROWD=$!
wait_for 10 "the crowd holds its connections" cat "$T/hold" 'holding'
has "$T/hold" '^holding 32$'
fds=$(ls "/proc/$A_PID/fd" | wc -l)
[ "$fds" -lt 100 ] && ok || bad "node a holds $fds descriptors under 200 control connections"
# the CLI is told why while the crowd is there
run 1 "$EM" status --home "$T/a"
has "$err" 'busy: 32 control connections are open'
one_line
# peers still get in
"$EM" init --home "$T/c" --name c >/dev/null || bad "init c"
start_node c 3 --peer "127.0.0.1:$(port 1)"
wait_for 10 "c connects to a" "$EM" peers --home "$T/c" "connected"
wait $CROWD && ok || bad "crowd: $(cat "$T/crowd.out")"
cat "$T/crowd.out" | sed 's/^/  /'
has "$T/crowd.out" '200 opened, 168 refused at once, 32 closed idle after (4[5-9][0-9][0-9]|5[0-9][0-9][0-9]|6[0-9][0-9][0-9])-[0-9]+ ms, 0 still open'
has "$T/crowd.out" 'said: \{"error": "busy: 32 control connections are open'
run 0 "$EM" status --home "$T/a" --json
has "$out" '"running": true'
# a crowd that sends a byte a second of requests that never end (a
# slowloris) is closed as surely: the deadline counts from the connection,
# not from its last byte
python3 "$SRC/tests/integration/ctl_crowd.py" "$T/a/control.sock" 32 "$T/hold2" 1000 \
	>"$T/drip.out" 2>&1 && ok || bad "drip crowd: $(cat "$T/drip.out")"
cat "$T/drip.out" | sed 's/^/  /'
has "$T/drip.out" '32 opened, 0 refused at once, 32 closed idle after .* 0 still open'
run 0 "$EM" status --home "$T/a" --json
has "$out" '"running": true'
still_serving
stop_all
finish
