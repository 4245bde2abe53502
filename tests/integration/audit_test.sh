#!/usr/bin/env bash
# Public audits across three real nodes: lab a evaluates a task against the
# stand-in model server and publishes; b challenges the result; a's node
# answers by itself; every node checks the answer (proofs against the
# result's root, outputs scored again with the task's items) and shows the
# result audited. A challenge left unanswered (answering turned off) is
# shown so once its time passes. Then a dishonest a (tamper: scores its
# outputs do not give, its cache made to agree) answers a challenge whose
# proofs hold but whose outputs do not score what it signed: every node
# flags that result failed-audit.
# usage: audit_test.sh PATH/TO/evalmesh PATH/TO/tamper
set -u
EM=${1:?usage: audit_test.sh PATH/TO/evalmesh PATH/TO/tamper}
TAMPER=${2:?usage: audit_test.sh PATH/TO/evalmesh PATH/TO/tamper}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-audit-XXXXXX")
cleanup() { stop_all; stop_servers; rm -rf "$T"; }
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"

jstr() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$out" | head -1; }
# items_here NODE: "yes" once every chunk of the task is held there
items_here() {
	"$EM" task show "$TASK" --home "$T/$1" --json | tr -d ' \n' |
		sed -n 's/.*"chunks":\([0-9]*\),"chunks_held":\([0-9]*\).*/\1 \2/p' |
		awk '$1 == $2 && $1 > 0 { print "yes" }'
}
# show NODE RESULT: what that node's audits of RESULT came to, on one line
show() { "$EM" audit show "$2" --home "$T/$1" --json | tr -d ' \n'; }

for n in a b c d; do run 0 "$EM" init --home "$T/$n" --name "lab-$n"; done
start_server s --accuracy 0.5 --latency-ms 1
start_node a 1
start_node b 2 --peer "127.0.0.1:$(port 1)"
start_node c 3 --peer "127.0.0.1:$(port 2)"
start_node d 4 --peer "127.0.0.1:$(port 3)"	# holds no items until told

# --- usage: one line each, nothing signed
run 0 "$EM" audit --help --home "$T/b"
has $out 'VISIBLE TO EVERY MEMBER'; has $out 'default 3, at most 16'
run 2 "$EM" audit --home "$T/b"; has $err 'give the RESULT_ID'; one_line
run 2 "$EM" audit 0123456789abcdef --items 17 --home "$T/b"
has $err -- "--items '17': expected a whole number from 1 to 16"; one_line
run 2 "$EM" audit 0123456789abcdef --items 0 --home "$T/b"; one_line
run 1 "$EM" audit 0123456789abcdef --home "$T/b"; one_line

# --- lab a publishes a task and its result, with the per-item Merkle root
run 0 "$EM" task publish "$SRC/contrib/tasks/arith-en/manifest.json" --home "$T/a" --json
TASK=$(jstr task)
run 0 "$EM" eval arith-en --model m-a --revision r1 --endpoint "$URL_s" --json --quiet \
	--home "$T/a"
REC=$(jstr record)
[ -n "$REC" ] && ok || bad "no result published"
# b and c hold the result and fetch the task's items (to score outputs)
for n in b c; do
	wait_for 20 "$n holds the result" "$EM" results --home "$T/$n" --json "\"id\": \"$REC\""
	run 0 "$EM" task fetch "$TASK" --home "$T/$n"
	wait_for 20 "$n holds the task's items" items_here "$n" yes
done
# a result published by hand has no root: nothing to open
run 0 "$EM" result publish --home "$T/a" --task "$TASK" --model hand --metric exact_match=0.9 \
	--n 240 --json
HAND=$(jstr id)
wait_for 20 "b holds the hand result" "$EM" results --home "$T/b" --json "\"id\": \"$HAND\""
run 1 "$EM" audit "$HAND" --home "$T/b"; has $err 'no per-item Merkle root'; one_line

# --- b audits; a answers; every node verifies
run 0 "$EM" audit "$REC" --items 4 --home "$T/b" --json
CHAL=$(jstr id)
has $out '"items": 4'
for n in a b c; do
	wait_for 30 "$n sees the audit passed" show "$n" "$REC" '"state":"passed"'
done
has <(show c "$REC") '"flags":\["audited"\]'
# d checked the proofs but cannot score the outputs without the items...
wait_for 30 "d sees the audit unverified" show d "$REC" '"state":"unverified"'
has <(show d "$REC") '"why":"thetask.sitemsarenothereyet"'	# said once: 'unverified: unverified: ...' before
has <(show d "$REC") '"flags":\["audit-unverified"\]'
# ... until it fetches them
run 0 "$EM" task fetch "$TASK" --home "$T/d"
wait_for 30 "d sees the audit passed" show d "$REC" '"state":"passed"'
grep -q "answered audit challenge ${CHAL:0:16}" "$T/a.log" && ok || bad "a did not log its answer"
run 0 "$EM" results --home "$T/c"
has $out 'flags +audited'
run 0 "$EM" leaderboard arith-en --home "$T/c"; has $out 'audited'
run 0 "$EM" audit show "$REC" --home "$T/b"; has $out "${CHAL:0:16} by .*, 4 items: passed"
# the response is a record like any other: every node holds the same ones
converged 20 a b c d

# --- answering turned off: the challenge is shown unanswered once its time
# is up (the node is restarted without answering, then with it)
stop_node a
start_node a 1 --no-answer-audits
run 0 "$EM" audit "$REC" --items 2 --within 2 --home "$T/c" --json
CHAL2=$(jstr id)
wait_for 20 "a holds the second challenge" "$EM" audit show "$REC" --home "$T/a" --json "$CHAL2"
for n in b c; do
	wait_for 30 "$n sees it unanswered" show "$n" "$REC" '"state":"unanswered"'
done
has <(show b "$REC") '"flags":\["audited","audit-unanswered"\]'
grep -q "answered audit challenge ${CHAL2:0:16}" "$T/a.log" && bad "a answered while told not to" || ok
stop_node a
start_node a 1
# a node that answers again takes up what came while it did not
wait_for 30 "c sees the late answer" show c "$REC" '"state":"unanswered"[^]]*$|"challenge":"'"$CHAL2"'"[^}]*"state":"passed"'

# --- a dishonest author: scores its outputs do not give
"$TAMPER" --home "$T/a" "$REC" >"$out" 2>"$err" && ok || { bad "tamper failed"; cat "$err"; }
FORGED=$(head -1 "$out")
wait_for 20 "b holds the forged result" "$EM" results --home "$T/b" --json "\"id\": \"$FORGED\""
run 0 "$EM" audit "$FORGED" --items 3 --home "$T/b"
for n in a b c; do
	wait_for 30 "$n flags the forged result" show "$n" "$FORGED" '"state":"failed"'
	has <(show "$n" "$FORGED") '"flags":\["failed-audit"\]'
	has <(show "$n" "$FORGED") 'scores[0-9.]*bythetask.smetric,notthe[0-9.]*committed'
done
run 0 "$EM" results --home "$T/c"; has $out 'flags +failed-audit'
run 0 "$EM" leaderboard arith-en --home "$T/b" --json; has $out '"failed-audit"'

stop_all
finish
