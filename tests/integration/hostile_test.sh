#!/usr/bin/env bash
# A hostile peer against a real node: garbage before and after the
# handshake, oversize messages, forged and equivocating records, malformed
# reconciliation, a stalled handshake, a crowd of idle connections; and a
# peer of the previous wire version, told so and not banned. Each is cut off (and banned where
# it proved who it is), and the node keeps serving an honest peer throughout.
# usage: hostile_test.sh PATH/TO/evalmesh PATH/TO/hostile
set -u
EM=${1:?usage: hostile_test.sh EVALMESH HOSTILE}
HOSTILE=${2:?usage: hostile_test.sh EVALMESH HOSTILE}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-hostile-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT

"$EM" init --home "$T/a" --name a >/dev/null || bad "init a"
"$EM" init --home "$T/b" --name b >/dev/null || bad "init b"
KEY=$T/netkey
cp "$T/a/network.key" "$KEY"
start_node a 1 --handshake-timeout 1500 --max-inbound 40
start_node b 2 --peer "127.0.0.1:$(port 1)"
wait_for 10 "b connects to a" "$EM" peers --home "$T/b" "connected"
A_PID=${NODE_PID[a]}

still_serving() {	# b publishes; a must get it
	publish b 1
	converged 15 a b
	kill -0 "$A_PID" 2>/dev/null && ok || bad "node a died"
}

attack() {	# attack MODE SRC_IP [ARGS]: the hostile peer must be cut off
	local mode=$1 src=$2; shift 2
	if "$HOSTILE" "$mode" 127.0.0.1 "$(port 1)" "$KEY" "$src" "$@" >"$T/h.out" 2>&1; then
		ok
	else
		bad "$mode: $(cat "$T/h.out")"
	fi
	still_serving
}

"$HOSTILE" honest 127.0.0.1 "$(port 1)" "$KEY" 127.0.0.20 >"$T/h.out" 2>&1 \
	&& ok || bad "an honest stranger was not kept: $(cat "$T/h.out")"
attack garbage 127.0.0.21
attack stall 127.0.0.22
has "$T/h.out" 'stall: closed after (1[4-9][0-9][0-9]|2[0-9][0-9][0-9]) ms'
attack postgarbage 127.0.0.23
attack oversize 127.0.0.24
attack badsig 127.0.0.25
attack equivocate 127.0.0.26
attack flood 127.0.0.27
attack badrecon 127.0.0.28
has "$T/a.log" 'closed: malformed reconciliation message: unknown reconciliation version'
# a node of the previous wire version is told, not penalized
attack oldwire 127.0.0.29
has "$T/h.out" 'oldwire: bye "wire version 2 expected, got 1"'
has "$T/a.log" 'speaks wire version 1, this node 2'
"$HOSTILE" honest 127.0.0.1 "$(port 1)" "$KEY" 127.0.0.29 >"$T/h.out" 2>&1 \
	&& ok || bad "a node of another wire version got its address banned"
# proven misbehaviour is banned: the same address is refused at once
attack banned 127.0.0.25
attack banned 127.0.0.26
run 0 "$EM" peers --home "$T/a" --json
has "$out" '"host": "127.0.0.25"'
has "$out" '"host": "127.0.0.26"'
has "$out" '"host": "127.0.0.27"'
has "$out" '"host": "127.0.0.28"'
grep -q "equivocated" "$T/a.log" && ok || bad "a did not log the equivocation"
# garbage before a handshake proves nothing about who sent it: no ban
"$HOSTILE" honest 127.0.0.1 "$(port 1)" "$KEY" 127.0.0.21 >"$T/h.out" 2>&1 \
	&& ok || bad "a stranger's garbage got its address banned"

# many idle connections: refused beyond the limit, dropped at the deadline
"$HOSTILE" idle 127.0.0.1 "$(port 1)" "$KEY" 127.0.0.30 300 1500 >"$T/idle.out" 2>&1 &
IDLE=$!
sleep 1
fds=$(ls "/proc/$A_PID/fd" | wc -l)
[ "$fds" -lt 120 ] && ok || bad "node a holds $fds descriptors under 300 idle connections"
still_serving
wait $IDLE && ok || bad "idle connections: $(cat "$T/idle.out")"
has "$T/idle.out" '300 opened, 300 closed'
still_serving
stop_all
finish
