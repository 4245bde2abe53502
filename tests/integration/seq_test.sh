#!/usr/bin/env bash
# A store lost to nothing does not make its node sign a sequence number
# twice (issue 14). On main before this test, a data.mdb truncated to 0
# bytes opened as a new store and the next 'result publish' signed seq 1
# again: every peer that held the node's first record flagged it as an
# equivocating author, for good. The highest seq signed is now kept in
# HOME/seq, outside the store.   usage: seq_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: seq_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-seq-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT

for n in a b; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"; done
ida=$(idof a)
run 0 "$EM" result publish --home "$T/a" --task $TASK --model m-a --metric accuracy=0.5 --n 100 --json
has "$out" '"seq": 2'		# 1 is the profile init signed
grep -q "^$ida 2\$" "$T/a/seq" && ok || bad "a's seq file: $(cat "$T/a/seq")"

# --- b holds a's records
start_node a 1
start_node b 2 --peer "127.0.0.1:$(port 1)"
converged 30 a b
stop_node a

# --- a's store lost to nothing: it opens as a new, empty store, and the
# next record is signed above every seq a signed before
truncate -s 0 "$T/a/store/data.mdb"
run 0 "$EM" results --home "$T/a"; has "$out" "no results"
run 0 "$EM" result publish --home "$T/a" --task $TASK --model m-a2 --metric accuracy=0.7 --n 100 --json
seq=$(sed -n 's/.*"seq": \([0-9]*\).*/\1/p' "$out")
[ "${seq:-0}" -gt 2 ] && ok || bad "a signed seq '$seq' after losing its store; it had signed up to 2"
run 0 "$EM" store check --home "$T/a" --json
has "$out" "\"own_seq\": $seq,"; has "$out" "\"own_seq_signed\": $seq"
# --- b takes the new record and does not flag a; a gets its old back
start_node a 1 --peer "127.0.0.1:$(port 2)"
for ((i = 0; i < 300; i++)); do
	"$EM" results --home "$T/b" --author "$ida" --json >"$out" 2>/dev/null
	[ "$(grep -c '"seq"' "$out")" = 2 ] && break
	sleep 0.2
done
[ "$(grep -c '"seq"' "$out")" = 2 ] && ok || bad "b holds $(grep -c '"seq"' "$out") of a's 2 results"
if grep -q "equivocat" "$out"; then bad "b flags a as equivocating:"; sed 's/^/  | /' "$out" | grep -i -m3 equivoc; else ok; fi
run 0 "$EM" leaderboard $TASK --home "$T/b"
if grep -qi "equivocat" "$out"; then bad "b's leaderboard flags a"; else ok; fi
converged 30 a b
run 0 "$EM" results --home "$T/a" --author "$ida" --json
[ "$(grep -c '"seq"' "$out")" = 2 ] && ok || bad "a holds $(grep -c '"seq"' "$out") of its 2 results"
stop_node a
# an empty seq file is damage, not "nothing signed" (a fresh attacker: with
# the store lost too, the next record reused seq 1): refused, nothing signed
cp "$T/a/seq" "$T/seq.kept"; : >"$T/a/seq"; mv "$T/a/store" "$T/store.kept"
run 1 "$EM" result publish --home "$T/a" --task $TASK --model m-a3 --metric accuracy=0.7 --n 100
has "$err" "seq' is damaged"; one_line
[ ! -s "$T/a/seq" ] && ok || bad "a refused publish wrote the seq file: $(cat "$T/a/seq")"
rm -rf "$T/a/store"; mv "$T/store.kept" "$T/a/store"; cp "$T/seq.kept" "$T/a/seq"
stop_all

# --- the file is written before the record can be seen, and a file that
# is not of its form stops a signing command, naming it
printf 'garbage\n' >"$T/a/seq"
run 1 "$EM" result publish --home "$T/a" --task $TASK --model m-a3 --metric accuracy=0.1 --n 100
one_line; has "$err" "'.*/a/seq' is damaged"
run 0 "$EM" results --home "$T/a" --author "$ida" --json	# reading needs no seq
finish
