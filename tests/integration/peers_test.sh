#!/usr/bin/env bash
# The peer table against a member with the network key (issue 13): on
# the main of then, 18 peers messages from one member filled a node's
# table (1,024 addresses) with bogus ones, stored, still full after a
# restart, and `peers add` then failed. Here the hostile peer tells node
# a 1,280 addresses over 20 connections from one address, each within
# its budget, then floods 18 messages at once from another: a keeps at
# most one source's share of each (node/daemon/addrbook.h), scores and
# bans the flooder, keeps serving its honest peer b, takes the
# operator's `peers add`, and after a restart holds the same bounds.
# usage: peers_test.sh PATH/TO/evalmesh PATH/TO/hostile
set -u
EM=${1:?usage: peers_test.sh EVALMESH HOSTILE}
HOSTILE=${2:?usage: peers_test.sh EVALMESH HOSTILE}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-peers-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT

SHARE=64	# AB_SOURCE_SHARE: 4 buckets of 16

"$EM" init --home "$T/a" --name a >/dev/null || bad "init a"
"$EM" init --home "$T/b" --name b >/dev/null || bad "init b"
KEY=$T/netkey
cp "$T/a/network.key" "$KEY"
start_node a 1 --max-inbound 40
start_node b 2 --peer "127.0.0.1:$(port 1)"
wait_for 10 "b connects to a" "$EM" peers --home "$T/b" "connected"

# held HOST: how many addresses on HOST node a's table lists (running or
# not: the running node's table, else the store's)
held() {
	"$EM" peers --home "$T/a" --json | grep -c "\"addr\": \"$1:"
}
# the bogus addresses are on 127.77.0.x, where nothing listens, at ports
# of this run's range, so that a's dials to them go nowhere else
BASE=$(port 100)

# 20 connections from 127.0.0.40, 64 new addresses each, each within its
# budget: none is cut off (the node answers each one's ping after its
# peers message), and a keeps at most one share of the 1,280
"$HOSTILE" peers 127.0.0.1 "$(port 1)" "$KEY" 127.0.0.40 20 "$BASE" >"$T/h.out" 2>&1 \
	&& ok || bad "peers: $(cat "$T/h.out")"
n=$(held 127.77.0.1)
[ "$n" -ge 16 ] && [ "$n" -le $SHARE ] && ok || bad "a holds $n addresses from one source (1..$SHARE)"
run 0 "$EM" peers add "127.0.0.1:$(port 9)" --home "$T/a"
has "$out" 'added 127.0.0.1:'

# 18 messages of 64 at once from 127.0.0.41: over the budget, scored,
# cut off and banned; what it got in is one share at most
"$HOSTILE" peerflood 127.0.0.1 "$(port 1)" "$KEY" 127.0.0.41 "$BASE" >"$T/h.out" 2>&1 \
	&& ok || bad "peerflood: $(cat "$T/h.out")"
has "$T/a.log" 'peer 127\.0\.0\.41:[0-9]+: closed: more peer addresses than a node passes on'
run 0 "$EM" peers --home "$T/a" --json
has "$out" '"host": "127.0.0.41"'
n=$(held 127.77.0.2)
[ "$n" -le $SHARE ] && ok || bad "a holds $n addresses from the flooder (at most $SHARE)"

# the honest peer is still served
publish b 1
converged 15 a b

# a restart puts back the same table: the bounds hold, the operator's
# address stays, and `peers add` still works
before=$("$EM" peers --home "$T/a" --json | grep -c '"addr": "127.77.0')
stop_node a
run 0 "$EM" peers --home "$T/a" --json
has "$out" "\"addr\": \"127.0.0.1:$(port 9)\""
start_node a 1 --max-inbound 40
run 0 "$EM" peers --home "$T/a" --json
tr -d '\n' <"$out" | grep -Eq "\"addr\": \"127.0.0.1:$(port 9)\",[^}]*\"table\": \"operator\"" \
	&& ok || bad "127.0.0.1:$(port 9) is not the operator's after a restart"
after=$(grep -c '"addr": "127.77.0' "$out")
[ "$after" -eq "$before" ] && ok || bad "a held $before bogus addresses, $after after a restart"
n=$(held 127.77.0.1)
[ "$n" -le $SHARE ] && ok || bad "after a restart a holds $n addresses from one source"
run 0 "$EM" peers add "127.0.0.1:$(port 10)" --home "$T/a"
wait_for 15 "b reconnects to a" "$EM" peers --home "$T/b" "connected"
publish b 1
converged 15 a b

# one node a home, by the home's lock: with a's socket file out of the way
# (as in the window between a look at it and a bind), a second node on a's
# home is refused, and a's socket is left alone
mv "$T/a/control.sock" "$T/a/held.sock"
run 1 timeout 30 "$EM" node --home "$T/a" --listen "127.0.0.1:$(port 11)"
has "$err" "a node is already running for $T/a"; one_line
[ ! -e "$T/a/control.sock" ] && ok || bad "the refused node made a socket in a's home"
mv "$T/a/held.sock" "$T/a/control.sock"
run 0 "$EM" status --home "$T/a"; has "$out" 'running'
stop_all
finish
