#!/usr/bin/env bash
# A full disk (issue 14), on a small tmpfs mounted here: it is said as "no
# space left on device" with where; eval stops asking the model at the
# first cache write that fails, says so once and exits 1, and the run
# after space is freed goes on from what was cached; a node whose store
# cannot take records says so once, backs off, and catches up from its
# peer when space returns, losing nothing. Needs mount(2) (root, or a
# container allowed to mount): without it the test skips (77), saying so.
# usage: disk_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: disk_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-disk-XXXXXX")
D=$T/disk
mounted=0
cleanup() {
	stop_all
	stop_servers
	[ "$mounted" = 1 ] && umount "$D"
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"

mkdir -p "$D"
if ! mount -t tmpfs -o size=24m tmpfs "$D" 2>"$err"; then
	echo "SKIP: cannot mount a tmpfs here ($(head -1 "$err")): a full disk needs one"
	exit 77
fi
mounted=1
# fill: takes every free byte of the tmpfs; room: gives it back
fill() {
	dd if=/dev/zero of="$D/fill" bs=1M status=none 2>/dev/null
	dd if=/dev/zero of="$D/fill2" bs=4k status=none 2>/dev/null
	[ "$(df --output=avail -B1 "$D" | tail -1)" -lt 4096 ] && ok || bad "the tmpfs is not full"
}
room() { rm -f "$D/fill" "$D/fill2"; }
jnum() { sed -n "s/.*\"$1\": \([-0-9.e]*\).*/\1/p" "$out" | head -1; }

# --- eval: part of a run cached, then a full disk
E=$D/e
run 0 "$EM" init --home "$E" --name lab-e
run 0 "$EM" task publish --home "$E" "$SRC/contrib/tasks/arith-en/manifest.json"
start_server s --accuracy 0.75 --latency-ms 20
EV=(eval arith-en --home "$E" --model m --endpoint "$URL_s" --concurrency 2 --json --quiet)
run 1 "$EM" "${EV[@]}" --max-requests 30
fill
before=$(served s)
run 1 "$EM" "${EV[@]}"
has "$err" "cannot write the evaluation cache in $E/store: no space left on device"
[ "$(grep -c 'cannot write the evaluation cache' "$err")" = 1 ] && ok ||
	bad "the cache's failure was not said once: $(grep -c 'cannot write' "$err") times"
asked=$(($(served s) - before))
# one flush interval (100 ms) of answers at most, then nothing more asked
[ "$asked" -lt 60 ] && ok || bad "a full disk: the model was asked $asked more times"
has "$out" '"complete": false'
# any write says where
run 1 "$EM" result publish --home "$E" --task arith-en --model m2 --metric accuracy=0.5 --n 240
has "$err" "cannot publish the result: no space left on device \\(the file system of '$E/store'\\)"
one_line
# space again: the same command goes on from what was cached, and finishes
room
before=$(served s)
run 0 "$EM" "${EV[@]}"
cached=$(jnum cached)
[ "$cached" -ge 30 ] && ok || bad "the rerun found $cached cached, wanted 30 or more"
[ $(($(served s) - before + cached)) = 240 ] && ok ||
	bad "the rerun asked $(($(served s) - before)) with $cached cached, of 240"
[ "$(jnum value)" = 0.75 ] && ok || bad "after the full disk, scored $(jnum value)"
stop_servers

# --- a node on a full disk: says it once, backs off, catches up
"$EM" init --home "$T/a" --name a --new-network "$T/net.key" >/dev/null || bad "init a"
"$EM" init --home "$D/b" --name b --network-key "$T/net.key" >/dev/null || bad "init b"
ln -s "$D/b" "$T/b"	# b's home is on the tmpfs; lib.sh finds it as $T/b
start_node a 1
start_node b 2 --peer "127.0.0.1:$(port 1)"
wait_for 20 "b connects" "$EM" status --home "$T/b" --json '"peers_connected": 1'
rm -rf "$E"
fill
publish a 300
wait_for 60 "b says it cannot store" cat "$T/b.log" \
	"cannot store [0-9]+ records in $T/b/store: no space left on device"
# it keeps trying, less and less often, and says no more than once
wait_for 60 "b tries again" sh -c "grep -c 'still cannot store' '$T/b.log'" '^[2-9]|^[1-9][0-9]'
[ "$(grep -c 'error: cannot store' "$T/b.log")" = 1 ] && ok ||
	bad "b said it cannot store $(grep -c 'error: cannot store' "$T/b.log") times"
room
wait_for 90 "b stores again" cat "$T/b.log" \
	"storing records again in $T/b/store: [0-9]+ records from peers could not be stored"
converged 90 a b
[ "$(records b)" = "$(records a)" ] && [ "$(records a)" -ge 300 ] && ok ||
	bad "b holds $(records b) records, a $(records a)"
stop_all

finish
