#!/usr/bin/env bash
# The way back from a damaged store (issue 14): store check says it,
# store rebuild moves the store aside and starts a new one, and the node
# gets every record back from its peer; identity, network key and trust
# list stay. Real processes on 127.0.0.1.   usage: rebuild_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: rebuild_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-rebuild-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT

"$EM" init --home "$T/a" --name a --new-network "$T/net.key" >/dev/null || bad "init a"
"$EM" init --home "$T/b" --name b --network-key "$T/net.key" >/dev/null || bad "init b"

# --- help and usage
run 0 "$EM" store --help; has "$out" "store check"; has "$out" "store rebuild"
run 0 "$EM" store rebuild --help; has "$out" "store.damaged-YYYYMMDD-HHMMSS"
run 2 "$EM" store; one_line
run 2 "$EM" store fix; one_line; has "$err" "expected check or rebuild"
run 2 "$EM" store check --force; one_line

# --- two nodes with records of both, and a's trust in b
publish a 12
publish b 8
"$EM" trust add "$(idof b)" --name lab-b --home "$T/a" >/dev/null || bad "trust"
ida=$(idof a)
start_node a 1
start_node b 2 --peer "127.0.0.1:$(port 1)"
converged 30 a b
want=$(records b)
[ "$want" = 22 ] && ok || bad "b holds $want records, expected 22 (2 profiles, 20 results)"
run 0 "$EM" store check --home "$T/a"; has "$out" "is sound: 22 records from 2 authors"
run 0 "$EM" store check --home "$T/a" --json; has "$out" '"sound": true'; has "$out" '"own_seq": 13'
# a running node is not rebuilt under itself
run 1 "$EM" store rebuild --force --home "$T/b"; one_line; has "$err" "a node is running"
[ -e "$T/b/store/data.mdb" ] && ok || bad "b's store moved while its node ran"

# --- a's store cut in half (a node that has it open when it is cut stops
# with the same line: damage_test.sh), and every command says so
stop_node a
truncate -s $(($(stat -c %s "$T/a/store/data.mdb") / 2)) "$T/a/store/data.mdb"
netkey=$(cat "$T/a/network.key")
run 1 "$EM" results --home "$T/a"; one_line
has "$err" "store '.*/a/store' is damaged: .*cut short.*'evalmesh store rebuild'"
run 1 "$EM" store check --home "$T/a"; one_line; has "$err" "is damaged: "
run 1 "$EM" store check --home "$T/a" --json; has "$out" '"sound": false'
run 1 "$EM" node --home "$T/a" --listen "127.0.0.1:$(port 1)"; one_line
has "$err" "is damaged"
# a sound store is kept unless asked
run 1 "$EM" store rebuild --home "$T/b"; one_line
grep -q "a node is running" "$err" && ok || bad "rebuild of a running node's store: $(cat "$err")"

# --- the rebuild: moved aside, a new store, the identity, key and trust kept
run 0 "$EM" store rebuild --home "$T/a"
has "$out" "moved store '.*/a/store' \(.*cut short.*\) to '.*/a/store.damaged-[0-9]{8}-[0-9]{6}'"
has "$out" "new store"
aside=$(ls -d "$T"/a/store.damaged-* 2>/dev/null | head -1)
[ -n "$aside" ] && [ -s "$aside/data.mdb" ] && ok || bad "the damaged store was not kept: '$aside'"
[ "$(idof a)" = "$ida" ] && ok || bad "a's id changed: $(idof a)"
[ "$(cat "$T/a/network.key")" = "$netkey" ] && ok || bad "a's network key changed"
run 0 "$EM" trust list --home "$T/a"; has "$out" "$(idof b)  lab-b"
run 0 "$EM" store check --home "$T/a"; has "$out" "is sound"
# a second rebuild: the new store checks sound, so only with --force; a
# second damaged directory beside the first
run 1 "$EM" store rebuild --home "$T/a"; one_line; has "$err" "is sound: nothing to rebuild"
run 0 "$EM" store rebuild --force --home "$T/a"
[ "$(ls -d "$T"/a/store.damaged-* | wc -l)" = 2 ] && ok || bad "two rebuilds left $(ls -d "$T"/a/store.damaged-* | wc -l) directories"

# --- restarted, a gets every record back from b
start_node a 1 --peer "127.0.0.1:$(port 2)"
for ((i = 0; i < 300; i++)); do
	[ "$(records a)" = "$want" ] && break
	sleep 0.2
done
[ "$(records a)" = "$want" ] && ok || bad "a holds $(records a) of $want records 60 s after the rebuild"
converged 30 a b
run 0 "$EM" results --home "$T/a" --author "$ida" --json
[ "$(grep -c '"seq"' "$out")" = 12 ] && ok || bad "a's own results back: $(grep -c '"seq"' "$out")"
# and a new result signs above every seq it signed before
run 0 "$EM" result publish --home "$T/a" --task $TASK --model m-new --metric accuracy=0.5 --n 100 --json
has "$out" '"seq": 14'
stop_all

finish
