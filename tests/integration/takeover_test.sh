#!/usr/bin/env bash
# A member who signs a lab's task again (issue 13): with n_items 10 it is
# another task now (version 2 ids bind every field of the record), with
# the same content it is one more publisher of the lab's task, and under
# another name it is refused. A victim that met the member's records
# first still lists the lab as the author, evaluates the lab's task with
# --auto-eval trusted, and ranks the honest result, not the member's
# n=10 row. Then the cap on task records a day per author, counted in
# status.   usage: takeover_test.sh PATH/TO/evalmesh PATH/TO/signer
set -u
EM=${1:?usage: takeover_test.sh PATH/TO/evalmesh PATH/TO/signer}
SIGNER=${2:?usage: takeover_test.sh PATH/TO/evalmesh PATH/TO/signer}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-takeover-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
EX="python3 $SRC/tests/integration/exec_model.py"
j() { python3 -c "import json,sys; j = json.load(open('$out')); print($1)"; }
for n in lab victim relay; do run 0 "$EM" init --home "$T/$n" --name "$n"; done

# --- the lab's task, 40 items; its record as a bundle the member reads
python3 "$SRC/contrib/tasks/gen.py" --out "$T/tasks" --only arith-en --count 40 || exit 1
run 0 "$EM" task publish --home "$T/lab" "$T/tasks/arith-en/manifest.json" --json
TID=$(j "j['task']")
run 0 "$EM" export --home "$T/lab" -o "$T/lab.bundle"

# --- the member signs it again: n_items 10, the same, another name
"$SIGNER" "$T/m.bundle" "copy|$T/lab.bundle|10||" "copy|$T/lab.bundle|||" >"$T/m.out" ||
	bad "signer"
M10=$(sed -n 's/^task //p' "$T/m.out" | sed -n 1p)
MSAME=$(sed -n 's/^task //p' "$T/m.out" | sed -n 2p)
MEMBER=$(sed -n 's/^author //p' "$T/m.out")
[ "$M10" != "$TID" ] && ok || bad "a record with n_items 10 has the lab's task id"
[ "$MSAME" = "$TID" ] && ok || bad "the same content signed again has another id"
# and a result for the lab's task that claims 10 items, ranked first on main
"$SIGNER" "$T/r.bundle" "result|$TID|evil|r1|numeric|1|10" >/dev/null || bad "signer result"
"$SIGNER" "$T/name.bundle" "copy|$T/lab.bundle||arith-xx|" >/dev/null || bad "signer name"
run 1 "$EM" import --home "$T/victim" "$T/name.bundle"
has $err "rejected: the record's name is not the manifest's"

# --- the victim trusts the lab and meets the member's records first
run 0 "$EM" trust add --home "$T/victim" "$(idof lab)" --name lab
run 0 "$EM" import --home "$T/victim" "$T/m.bundle"
run 0 "$EM" import --home "$T/victim" "$T/r.bundle"
run 0 "$EM" task show --home "$T/victim" "$TID" --json
[ "$(j "j['author']")" = "$MEMBER" ] && ok || bad "before the lab's record: the member publishes it here"
start_node lab 1
start_node victim 2 --peer "127.0.0.1:$(port 1)" --model echo-model --exec "$EX echo" \
	--auto-eval trusted
wait_for 90 "the victim evaluates the lab's task" "$EM" status --home "$T/victim" \
	'arith-en@1 +done, result [0-9a-f]{16}'
run 0 "$EM" task show --home "$T/victim" "$TID" --json
want_author=$(idof lab)
[ "$(j "j['author']")" = "$want_author" ] && ok || bad "the lab is not the author shown"
[ "$(j "j['items']") $(j "j['publishers']")" = "40 2" ] && ok ||
	bad "items and publishers: $(j "j['items']") $(j "j['publishers']")"
run 0 "$EM" task show --home "$T/victim" "$TID"
has $out "^  author      $want_author \"lab\"$"; has $out '^  publishers  2 '
run 0 "$EM" task list --home "$T/victim"
has $out "^${TID:0:16}  arith-en +1 .* 40 .* ${want_author:0:8} \"lab\" \(\+ others\)$"
has $out "^${M10:0:16}  arith-en +1 .* 10 .* ${MEMBER:0:8}$"
# the n=10 task is the member's alone: not run (untrusted), not the lab's
run 0 "$EM" status --home "$T/victim" --json
grep -q "${M10:0:16}" "$out" && bad "auto-eval took up the member's n=10 task" || ok
# the honest result ranks; the member's n=10 result for the lab's task does not
run 0 "$EM" leaderboard --home "$T/victim" "$TID" --json
[ "$(j "[r['model'] for r in j['rows'] if r.get('rank') == 1]")" = "['echo-model']" ] && ok ||
	bad "rank 1 is not the honest result: $(j "[(r['model'], r.get('rank')) for r in j['rows']]")"
[ "$(j "[r['model'] for r in j['rows'] if r['model'] == 'evil' and r.get('rank')]")" = "[]" ] &&
	ok || bad "the member's n=10 row is ranked"
stop_node victim

# --- the cap: at most 2 task records a day from one author, by gossip
# (import is the operator's own act: no cap); this node's own aside
for i in 1 2 3 4; do
	recs+=("task|t$i|1|{\"metric\": \"exact_match\", \"name\": \"t$i\", \"prompt\": \"{q}\", \"target\": \"a\", \"version\": \"1\"}")
done
"$SIGNER" "$T/many.bundle" "${recs[@]}" >"$T/many.out" || bad "signer many"
MANY=$(sed -n 's/^author //p' "$T/many.out")
run 0 "$EM" import --home "$T/relay" "$T/many.bundle"
start_node relay 3
start_node victim 2 --peer "127.0.0.1:$(port 3)" --task-records-per-author 2
wait_for 60 "the victim puts off task records over the cap" "$EM" status --home "$T/victim" \
	'put off to a later day: 1 authors sent more than 2 today'
run 0 "$EM" status --home "$T/victim" --json
[ "$(j "j['task_records']['per_author_day']")" = 2 ] && ok || bad "per_author_day"
[ "$(j "j['task_records']['refused_over_cap'] >= 2")" = True ] && ok || bad "refused_over_cap"
n=$("$EM" task list --home "$T/victim" | grep -c " ${MANY:0:8}$")
[ "$n" = 2 ] && ok || bad "the victim holds $n task records of the author, wanted 2"
grep -q "author ${MANY:0:16}: 2 task records taken in today, the most" "$T/victim.log" && ok ||
	bad "the cap was not logged"
stop_all
finish
