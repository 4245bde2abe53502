#!/usr/bin/env bash
# Leaderboards across real nodes: the same records give the same bytes in
# any arrival order; reporters combine; trust filters; revocation travels
# by gossip and leaves the ranking; equivocation is flagged everywhere.
# usage: board_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: board_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-board-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; stop_servers; rm -rf "$T"' EXIT
jrec() { sed -n 's/.*"record": "\([0-9a-f]*\)".*/\1/p' "$out"; }
for n in a b c d; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"; done

# --- usage
run 0 "$EM" leaderboard --help; has $out 'tie groups'
run 0 "$EM" compare --help; has $out 'McNemar'
run 0 "$EM" trust --help; run 0 "$EM" revoke --help
run 2 "$EM" leaderboard --home "$T/a" x --json --csv; has $err 'choose one'; one_line
run 2 "$EM" compare --home "$T/a" x y; has $err 'TASK MODEL_A MODEL_B'; one_line
run 2 "$EM" trust --home "$T/a"; has $err 'expected add, list or remove'
run 1 "$EM" leaderboard --home "$T/a" nosuch; has $err "no task with id or name 'nosuch'"; one_line
run 2 "$EM" leaderboard --home "$T/a" --min-reporters x; has $err 'need a TASK'; one_line
run 2 "$EM" leaderboard --home "$T/a" nosuch --min-reporters x; has $err "--min-reporters 'x': expected a whole number"; one_line

# --- results from a model server: three models, two reporters of one
start_server s1 --accuracy 0.9 --seed s1
URL=$URL_s1
run 0 "$EM" task publish --home "$T/a" "$SRC/contrib/tasks/arith-en/manifest.json"
start_node a 1
start_node b 2 --peer "127.0.0.1:$(port 1)"
start_node c 3 --peer "127.0.0.1:$(port 2)"
# b and c trust nobody: they fetch a's items when asked (fetch_test.sh)
wait_for 20 "the task reaches b" "$EM" task list --home "$T/b" 'arith-en'
run 0 "$EM" task fetch --home "$T/b" arith-en
wait_for 20 "b fetches its items" "$EM" task list --home "$T/b" --json '"chunks_held": 1'
wait_for 20 "the task reaches c" "$EM" task list --home "$T/c" 'arith-en'
run 0 "$EM" task fetch --home "$T/c" arith-en
wait_for 20 "c fetches its items" "$EM" task list --home "$T/c" --json '"chunks_held": 1'
ev() {	# ev NODE MODEL [ARGS]: evaluate arith-en there
	local n=$1 m=$2; shift 2
	run 0 "$EM" eval --home "$T/$n" arith-en --model "$m" --endpoint "$URL" --quiet --json "$@"
}
ev a alpha --revision r1; ev c alpha --revision r1	# two reporters, same answers
ev b beta --revision r1 --access closed
ev c gamma --revision r1
ev b delta --revision r1; DELTA=$(jrec)
converged 30 a b c
# every node prints the same bytes, in every format
for fmt in "" --json --csv; do
	"$EM" leaderboard --home "$T/a" arith-en $fmt >"$T/la" 2>&1
	"$EM" leaderboard --home "$T/c" arith-en $fmt >"$T/lc" 2>&1
	cmp -s "$T/la" "$T/lc" && ok || { bad "leaderboard $fmt differs between a and c"; diff "$T/la" "$T/lc" | head; }
done
run 0 "$EM" leaderboard --home "$T/b" arith-en --json
has $out '"model": "alpha"'; has $out '"reporters": 2'; has $out '"agree": "yes"'
has $out '"access": "closed"'; has $out '"results_read": 5'
run 0 "$EM" leaderboard --home "$T/b" arith-en --min-reporters 2 --csv
[ "$(grep -c ',r1,' "$out")" = 1 ] && ok || bad "--min-reporters 2 kept $(grep -c ',r1,' "$out") rows"
run 0 "$EM" leaderboard --home "$T/b"; has $out 'arith-en +1 +5'
run 0 "$EM" compare --home "$T/b" arith-en alpha beta --json; has $out '"method": "paired"'
has $out '"mcnemar"'

# --- trust is the reader's: c trusts b, and itself (its alpha and gamma);
# a's alpha is left out
run 0 "$EM" trust --home "$T/c" add "$(idof b)" --name "Lab B"
run 0 "$EM" trust --home "$T/c" list --json; has $out '"name": "Lab B"'
run 0 "$EM" leaderboard --home "$T/c" arith-en --trusted
has $out 'trusted authors and this node only: 5 results read, 4 used, 1 by untrusted authors left out'
has $out ' alpha@r1 .* 240 +1 +- '
run 0 "$EM" leaderboard --home "$T/a" arith-en --trusted
has $out 'trusted authors and this node only: 5 results read, 1 used, 4 by untrusted authors left out'
grep -q 'beta' "$out" && bad "a's --trusted kept b's beta" || ok
run 0 "$EM" trust --home "$T/c" remove "$(idof b)"
run 1 "$EM" trust --home "$T/c" remove "$(idof b)"; has $err 'not in the trust list'; one_line
run 2 "$EM" trust --home "$T/c" add zz; has $err "NODE_ID 'zz': expected a node id"; one_line

# --- revocation: only the author's own; it travels; the row leaves the ranking
run 1 "$EM" revoke --home "$T/a" "$DELTA"; has $err 'only its author can revoke it'; one_line
run 0 "$EM" revoke --home "$T/b" "$DELTA" --reason "wrong template"
seq_b=$(cat "$T/b/seq")
# a second revocation signs nothing (main signed one more each time)
run 0 "$EM" revoke --home "$T/b" "$DELTA" --json; has $out '"already": true'
run 0 "$EM" revoke --home "$T/b" "$DELTA"; has $out 'was revoked already'
[ "$(cat "$T/b/seq")" = "$seq_b" ] && ok || bad "a second revoke signed: $(cat "$T/b/seq") after $seq_b"
converged 30 a b c
run 0 "$EM" leaderboard --home "$T/a" arith-en
grep -q delta "$out" && bad "a revoked result is still ranked" || ok
has $out '1 revoked left out'
run 0 "$EM" leaderboard --home "$T/c" arith-en --all; has $out ' -  delta@r1 .* revoked'
run 0 "$EM" results --home "$T/c" --json; has $out '"revoked"'

# --- equivocation: one identity, two homes, two different records at one seq
cp -r "$T/d" "$T/d2"
TASKID=$("$EM" task list --home "$T/a" --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
run 0 "$EM" result publish --home "$T/d" --task "$TASKID" --model eve --metric numeric=0.5 --n 240
run 0 "$EM" result publish --home "$T/d2" --task "$TASKID" --model eve --metric numeric=0.6 --n 240
# a task by name, as leaderboard takes it, for results and result publish
run 0 "$EM" results --home "$T/a" --task arith-en --json; has $out "\"task\": \"$TASKID\""
run 0 "$EM" results --home "$T/a" --task "arith-en@$("$EM" task list --home "$T/a" --json | sed -n 's/.*"version": "\([^"]*\)".*/\1/p' | head -1)"
has $out 'task     '"$TASKID"
run 1 "$EM" results --home "$T/a" --task no-such-task; has $err "no task with id or name 'no-such-task' here"; one_line
run 1 "$EM" result publish --home "$T/a" --task no-such-task --model m --metric a=1 --n 1; has $err "no task with id or name 'no-such-task'"
"$EM" export --home "$T/d" -o "$T/d.bundle" >/dev/null && "$EM" export --home "$T/d2" -o "$T/d2.bundle" >/dev/null
run 0 "$EM" import --home "$T/a" "$T/d.bundle"
run 0 "$EM" import --home "$T/a" "$T/d2.bundle"
converged 30 a b c
run 0 "$EM" leaderboard --home "$T/c" arith-en; has $out 'eve .*equivocating-author'
# one vocabulary for the flags in every command, text and JSON
run 0 "$EM" leaderboard --home "$T/c" arith-en --json; has $out '"equivocating-author"'
run 0 "$EM" leaderboard --home "$T/c" arith-en --csv; has $out '^[0-9]*,eve,.*,equivocating-author,'
run 0 "$EM" results --home "$T/c" --json; has $out '"equivocating-author"'
run 0 "$EM" results --home "$T/c"; has $out '^  flags    equivocating-author$'
# labs: every node whose records c holds, with its profile and counts
run 0 "$EM" labs --home "$T/c"
has $out "^$(idof a | cut -c1-16)  a .* 1 +[0-9]+ +[0-9]+"
has $out "^$(idof c | cut -c1-16)  c .*  this node"
has $out "^$(idof d | cut -c1-16)  d .*  equivocating"
run 0 "$EM" labs --home "$T/c" --json
has $out "\"id\": \"$(idof b)\""; has $out '"name": "b"'; has $out '"equivocating": true'

# --- one reporter cannot move another lab's row: a result over another
# number of items than the task's, or a proportion outside [0, 1]
gamma() { "$EM" leaderboard --home "$T/c" arith-en --csv | grep ',gamma,r1,'; }
before=$(gamma)
run 1 "$EM" result publish --home "$T/a" --task arith-en --model gamma --revision r1 \
	--metric numeric=0 --n 1000000
has $err "--n 1000000: task arith-en@.* has 240 items; a result over another number of items is not ranked"
one_line
run 2 "$EM" result publish --home "$T/a" --task arith-en --model m --metric numeric=1.5 --n 240
has $err "--metric 'numeric=1.5': numeric is a proportion of items: expected 0 to 1"; one_line
run 0 "$EM" result publish --home "$T/a" --task arith-en --model clamp --metric numeric=0.99 \
	--n 240 --stderr 0.1 --json
run 0 "$EM" results --home "$T/a" --task arith-en; has $out 'model +clamp'; has $out 'numeric=0.99  95% \[0\.794, 1\]'
# no right answer of 6: a Wilson interval whose low end is exactly 0 (main
# printed the 2.8e-17 it computed), and no noise in any format
mkdir -p "$T/six"
for i in 1 2 3 4 5 6; do echo "{\"id\": \"s$i\", \"q\": \"$i + $i\", \"a\": $((i + i))}"; done >"$T/six/items.jsonl"
echo '{"name": "six", "version": "1", "metric": "numeric", "prompt": "{q}", "target": "a",
  "items": "items.jsonl"}' >"$T/six/manifest.json"
run 0 "$EM" task publish --home "$T/a" "$T/six/manifest.json"
run 0 "$EM" result publish --home "$T/a" --task six --model zero --metric numeric=0 --n 6
run 0 "$EM" result publish --home "$T/a" --task six --model all --metric numeric=1 --n 6
run 0 "$EM" leaderboard --home "$T/a" six --csv
has $out '^[0-9]+,zero,,0,0,0\.390[0-9]*,6,'; has $out '^[0-9]+,all,,1,0\.609[0-9]*,1,6,'
for fmt in "" --json --csv; do
	run 0 "$EM" leaderboard --home "$T/a" six $fmt
	noise='[0-9]e-[0-9]|-0\.0000|-0\.0[^0-9]|,-0,'
	grep -Eq "$noise" "$out" && bad "leaderboard $fmt prints noise: $(grep -E "$noise" "$out" | head -2)" || ok
done
"$EM" init --home "$T/e" --name mallory >/dev/null	# holds no task: nothing to check it against
run 0 "$EM" result publish --home "$T/e" --task "$TASKID" --model gamma --revision r1 \
	--metric numeric=0 --n 1000000
"$EM" export --home "$T/e" -o "$T/e.bundle" >/dev/null
run 0 "$EM" import --home "$T/a" "$T/e.bundle"
converged 30 a b c
run 0 "$EM" leaderboard --home "$T/c" arith-en
has $out '1 over another number of items than the task.s left out'
[ "$(gamma)" = "$before" ] && ok || bad "gamma's row moved: '$before' -> '$(gamma)'"
run 0 "$EM" leaderboard --home "$T/c" arith-en --json; has $out '"other_item_count": 1'
stop_all

# --- the same records in another order give the same bytes
mkdir -p "$T/x" && "$EM" export --home "$T/a" -o "$T/all.bundle" >/dev/null
for n in p q; do "$EM" init --home "$T/$n" --name "$n" >/dev/null; done
for id in $(idof e) $(idof d) $(idof b) $(idof c) $(idof a); do	# author by author, reversed
	"$EM" export --home "$T/a" --author "$id" -o "$T/x/$id.bundle" >/dev/null 2>&1
	"$EM" import --home "$T/q" "$T/x/$id.bundle" >/dev/null 2>&1
done
run 0 "$EM" import --home "$T/p" "$T/all.bundle"
for fmt in "" --json --csv; do
	"$EM" leaderboard --home "$T/p" arith-en $fmt --all >"$T/lp"
	"$EM" leaderboard --home "$T/q" arith-en $fmt --all >"$T/lq"
	cmp -s "$T/lp" "$T/lq" && ok || { bad "arrival order changed leaderboard $fmt"; diff "$T/lp" "$T/lq" | head; }
done
"$EM" leaderboard --home "$T/p" arith-en --all --json >"$T/lp"
LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 TZ=Asia/Shanghai "$EM" leaderboard --home "$T/q" arith-en \
	--all --json >"$T/lq" 2>/dev/null
cmp -s "$T/lp" "$T/lq" && ok || bad "locale or time zone changed the leaderboard"
finish
