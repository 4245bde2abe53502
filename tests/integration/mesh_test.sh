#!/usr/bin/env bash
# Real nodes on 127.0.0.1: handshakes, the network key, replication in a
# sparse mesh, partitions and restarts.   usage: mesh_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: mesh_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-mesh-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT

for n in a b c x0 x1 x2 x3 x4 x5 x6 x7 x8 x9; do
	"$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"
done
"$EM" init --home "$T/stranger" --new-network "$T/other.key" >/dev/null || bad "init stranger"

# --- two nodes handshake and exchange records, both ways
publish a 3
start_node a 1
start_node b 2 --peer "127.0.0.1:$(port 1)"
wait_for 10 "b connects to a" "$EM" peers --home "$T/b" "connected"
publish b 2
converged 15 a b
[ "$(records a)" = 7 ] && ok || bad "a holds $(records a) records, expected 7 (2 profiles, 5 results)"
run 0 "$EM" peers --home "$T/a" --json; has "$out" '"state": "connected"'
# status shows the gossip core's last sync, kept on the monotonic clock, as
# a wall time: within a minute before now; and an uptime of a few seconds
wait_for 10 "a shows a last sync" "$EM" status --home "$T/a" --json '"last_sync": "'
run 0 "$EM" status --home "$T/a" --json
sync=$(sed -n 's/.*"last_sync": "\([^"]*\)".*/\1/p' "$out")
up=$(sed -n 's/.*"uptime_s": \([0-9]*\).*/\1/p' "$out")
ago=$(($(date -u +%s) - $(date -u -d "${sync:-1970-01-01T00:00:00Z}" +%s)))
[ "$ago" -ge 0 ] && [ "$ago" -le 60 ] && ok || bad "a's last sync '$sync' is not within a minute before now"
[ -n "$up" ] && [ "$up" -le 600 ] && ok || bad "a's uptime is '$up' s"
run 0 "$EM" results --home "$T/b" --author "$("$EM" id --home "$T/a" --json | sed -n 's/.*"id": "\(.*\)".*/\1/p')"
has "$out" 'model    m-a'

# --- a node with another network key is refused and learns nothing
start_node stranger 3 --peer "127.0.0.1:$(port 1)"
sleep 2
[ "$(records stranger)" = 1 ] && ok || bad "stranger learnt records: $(records stranger)"
run 0 "$EM" peers --home "$T/stranger" --json
if grep -q '"state": "connected"' "$out"; then bad "stranger got connected"; else ok; fi
grep -q "closed before the handshake finished" "$T/a.log" && ok || bad "a did not log the refused handshake"
stop_node stranger

# --- the address a was known at now answers with another node: refused
stop_node a
"$EM" init --home "$T/imposter" --name imposter >/dev/null
start_node imposter 1
"$EM" peers add "127.0.0.1:$(port 1)" --home "$T/b" >/dev/null
sleep 2
run 0 "$EM" peers --home "$T/b" --json
if grep -q '"state": "connected"' "$out"; then bad "b connected to an imposter"; else ok; fi
has "$T/b.log" "not the node known at this address"
[ "$(stat -c %a "$T/imposter/control.sock")" = 600 ] && ok || bad "control socket is not 0600"
stop_node imposter INT
[ ! -e "$T/imposter/control.sock" ] && ok || bad "control socket left after a stop"
stop_node b

# --- ten nodes, a sparse random graph (a ring plus chords), 200 records
for i in $(seq 0 9); do
	peers=(--peer "127.0.0.1:$(port $((10 + (i + 9) % 10)))")
	[ $((i % 3)) = 0 ] && peers+=(--peer "127.0.0.1:$(port $((10 + (i + 4) % 10)))")
	start_node "x$i" $((10 + i)) "${peers[@]}"
done
for k in $(seq 1 20); do publish "x$((RANDOM % 10))" 10; done
converged 60 x0 x1 x2 x3 x4 x5 x6 x7 x8 x9
[ "$(records x0)" = 210 ] && ok || bad "x0 holds $(records x0) records, expected 210"
# x1 was given one peer; it learnt more by exchange
wait_for 15 "x1 learns peers by exchange" "$EM" status --home "$T/x1" --json \
	'"peers_known": ([3-9]|[1-9][0-9])'

# a record published while nodes run is everywhere within a few seconds
publish x4 1
converged 5 x0 x1 x2 x3 x4 x5 x6 x7 x8 x9

# --- partition: stop half, publish on both sides, restart: converge
for i in 5 6 7 8 9; do stop_node "x$i"; done
publish x1 5
publish x7 5		# written while x7 is down: goes out when it starts
converged 30 x0 x1 x2 x3 x4
for i in 5 6 7 8 9; do
	start_node "x$i" $((10 + i)) --peer "127.0.0.1:$(port $((10 + i - 5)))"
done
converged 60 x0 x1 x2 x3 x4 x5 x6 x7 x8 x9
[ "$(records x9)" = 221 ] && ok || bad "x9 holds $(records x9) records, expected 221"

# --- a node stopped for a while catches up when it comes back
stop_node x3
publish x0 10
start_node x3 13
converged 30 x0 x3

# --- a task travels with its item chunks: fetched by hash, checked, usable
SRC=$(cd "$(dirname "$0")/../.." && pwd)
python3 "$SRC/contrib/tasks/gen.py" --out "$T/big" --only arith-zh --count 6000 || bad "gen.py"
run 0 "$EM" task publish --home "$T/x0" "$T/big/arith-zh/manifest.json" --json
nchunks=$(sed -n 's/.*"chunks": \([0-9]*\).*/\1/p' "$out")
[ "${nchunks:-0}" -ge 3 ] && ok || bad "a 6000-item task took ${nchunks:-0} chunks, expected several"
for n in x9 x5 x3; do
	wait_for 30 "$n holds every chunk" "$EM" task list --home "$T/$n" --json \
		"\"chunks_held\": $nchunks"
done
run 0 "$EM" eval --home "$T/x9" arith-zh --model m --exec cat --dry-run
has "$out" '6000 items'
run 0 "$EM" status --home "$T/x9" --json; has "$out" '"chunks_wanted": 0'
stop_all
finish
