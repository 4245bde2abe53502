#!/usr/bin/env bash
# Names cannot fake output: what a name may hold when this node signs it,
# the one form it is signed in (NFC), how a peer's names are printed, when
# two names are one, and who holds a task's NAME@VERSION.
# usage: names_test.sh PATH/TO/evalmesh PATH/TO/signer
set -u
export LC_ALL=C.UTF-8	# printf's \u escapes write UTF-8
EM=${1:?usage: names_test.sh EVALMESH SIGNER}
SIGNER=${2:?usage: names_test.sh EVALMESH SIGNER}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-names-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT
A=$T/a
TASK=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
run 0 "$EM" init --home "$A" --name lab-a
pub() { "$EM" result publish --home "$A" --task $TASK --metric acc=0.5 --n 10 "$@"; }

# --- what this node signs: every one of these is a usage error naming the
# character, and nothing is stored
nrec=$(records a)
while IFS='|' read -r what text want; do
	run 2 pub --model "$text"; has $err "--model '.*': holds $want \\(U\\+"; one_line
	run 2 pub --model m --revision "$text"; has $err "--revision '.*': holds $want"
done <<EOF
right-to-left override|$(printf 'photo_\u202egpj.exe')|a bidirectional control
zero-width space|$(printf 'gpt\u200b-4')|an invisible character
soft hyphen|$(printf 'gpt\u00ad4')|an invisible character
Hangul filler|$(printf 'gpt-4\u3164')|an invisible character
zero-width joiner in ASCII|$(printf 'gpt\u200d4')|a zero-width joiner or non-joiner between ASCII characters or at an end
selector after a letter|$(printf 'gpt\ufe0f')|a variation selector after a character it cannot vary
tag characters|$(printf 'gpt\U000e0069\U000e0067')|a tag character
private use|$(printf 'm\ue000')|a private-use character
unassigned|$(printf 'a\u0378')|a code point Unicode does not assign
EOF
# the issue's fake row
run 2 pub --model "$(printf 'evil\nRANK 1 fake')"; has $err "holds a control character \\(U\\+000A at byte 4\\)"
one_line
[ "$(records a)" = "$nrec" ] && ok || bad "a refused name was stored"
run 2 "$EM" init --home "$T/x" --name "$(printf 'lab\u200b')"; has $err "--name '.*': holds an invisible"
run 2 "$EM" init --home "$T/x" --org "$(printf 'Open\U000e0041I')"; has $err "--org '.*': holds a tag"
[ -e "$T/x" ] && bad "init made a home for a refused name" || ok
run 2 "$EM" trust add "$(idof a)" --name "$(printf 'us\u2060')" --home "$A"; has $err 'holds an invisible'
run 2 "$EM" revoke 01234567 --reason "$(printf 'a\u00adb')" --home "$A"; has $err 'holds an invisible'
# names people use pass as they are: scripts that spell with joiners, emoji
for m in "$(printf '\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645')" \
	"$(printf '\U0001f3f3\ufe0f\u200d\U0001f308')" "$(printf '\u901a\u4e49\u5343\u95ee')" \
	"$(printf '1\ufe0f\u20e3')" "$(printf 'Ti\u1ebfng Vi\u1ec7t')"; do
	run 0 pub --model "$m" --json
done

# --- signed in NFC: a decomposed name is signed composed, and is one name
# with the composed one
run 0 pub --model "$(printf 'cafe\u0301')" --revision "$(printf 'r\u0301')" --json
run 0 "$EM" results --home "$A" --json
has $out "\"model\": \"$(printf 'caf\u00e9')\""; has $out "\"revision\": \"$(printf '\u0155')\""
grep -q "$(printf 'e\u0301')" "$out" && bad "a decomposed name was signed" || ok
mk_task() {	# mk_task DIR NAME VERSION [Q]: a one-item task
	mkdir -p "$1"
	printf '{"name": "%s", "version": "%s", "metric": "exact_match", "prompt": "{q}", "target": "a", "items": "items.jsonl"}\n' \
		"$2" "$3" >"$1/manifest.json"
	printf '{"id": 1, "q": "%s", "a": "b"}\n{"id": 2, "q": "c", "a": "d"}\n' "${4:-a}" >"$1/items.jsonl"
}
mk_task "$T/nfd" "$(printf 'cafe\u0301')" "$(printf 'e\u0301')"
run 0 "$EM" task publish --home "$A" "$T/nfd/manifest.json"
has $out "published task $(printf 'caf\u00e9@\u00e9')"
run 0 "$EM" task show --home "$A" "$(printf 'caf\u00e9')" --json
has $out "\"name\": \"$(printf 'caf\u00e9')\""
mk_task "$T/soft" "$(printf 'arith\u00ad-en')" 1
run 1 "$EM" task publish --home "$A" "$T/soft/manifest.json"
has $err 'manifest.json:1: name: holds an invisible character .*U\+00AD'; one_line
mk_task "$T/tag" arith-en "$(printf '1\U000e0031')"
run 1 "$EM" task publish --home "$A" "$T/tag/manifest.json"; has $err 'version: holds a tag character'

# --- what a peer signs: names this node's CLI refuses but the record
# decoder accepts (its list is frozen, name.h says why) travel, are stored,
# and are printed with what hides written out
SOFT=$(printf 'gpt\u00ad4'); TAGS=$(printf 'gpt-4\U000e0069\U000e0067'); FILL=$(printf 'r\u3164')
PTASK=$(printf 'arith\u00ad-en'); PNODE=$(printf 'lab\u115f'); PORG=$(printf 'Open\U000e0041I')
MANI="{\"metric\": \"exact_match\", \"name\": \"$PTASK\", \"prompt\": \"{q}\", \"target\": \"a\", \"version\": \"1\"}"
"$SIGNER" "$T/peer.bundle" "node|$PNODE|$PORG" "task|$PTASK|1|$MANI" >"$T/signer.out" || bad "signer"
PID=$(sed -n 's/^task //p' "$T/signer.out"); PAUTH=$(sed -n 's/^author //p' "$T/signer.out")
"$SIGNER" "$T/res.bundle" "result|$PID|$SOFT|$FILL|exact_match|0.9|2" \
	"result|$PID|$TAGS||exact_match|0.4|2" "result|$PID|$SOFT|r2|exact_match|0.5|2" \
	>/dev/null || bad "signer results"
run 0 "$EM" init --home "$T/p" --name relay
run 0 "$EM" import --home "$T/p" "$T/peer.bundle"; run 0 "$EM" import --home "$T/p" "$T/res.bundle"
start_node p 1
start_node a 2 --peer "127.0.0.1:$(port 1)"
converged 30 p a
stop_node a
run 0 "$EM" leaderboard --home "$A" "$PID"
has $out '^arith<U\+00AD>-en@1  task'
has $out '^ +1  gpt<U\+00AD>4@r<U\+3164> +0\.9000'
has $out '^ +[12]  gpt-4<U\+E0069><U\+E0067> +0\.4000'
grep -qP '\xc2\xad|\xe3\x85\xa4|\xf3\xa0' "$out" && bad "leaderboard printed a hiding character" || ok
run 0 "$EM" leaderboard --home "$A" "$PID" --csv
has $out '^1,gpt<U\+00AD>4,r<U\+3164>,0\.9'
run 0 "$EM" leaderboard --home "$A" --csv; has $out ",arith<U\+00AD>-en,1,3$"
run 0 "$EM" leaderboard --home "$A"; has $out ' arith<U\+00AD>-en +1 +3$'
# --json keeps the exact names: programs look them up with them
run 0 "$EM" leaderboard --home "$A" "$PID" --json; has $out "\"model\": \"$SOFT\""
run 0 "$EM" results --home "$A" --task "$PID"; has $out "model    gpt<U\+00AD>4@r<U\+3164> \(open\)"
run 0 "$EM" task list --home "$A"; has $out ' arith<U\+00AD>-en +1 +exact_match'
run 0 "$EM" task show --home "$A" "${PID:0:12}"; has $out '^task arith<U\+00AD>-en@1$'
has $out '"name": "arith<U\+00AD>-en",'
run 0 "$EM" compare --home "$A" "$PID" "$SOFT@$FILL" "$TAGS"
has $out '^arith<U\+00AD>-en@1  metric exact_match: gpt<U\+00AD>4@r<U\+3164> vs gpt-4<U\+E0069><U\+E0067>$'
# a message quoting a peer's names shows them the same way
run 1 "$EM" compare --home "$A" "$PID" "$SOFT" "$TAGS"
has $err "model 'gpt<U\+00AD>4' has results for revisions '(r<U\+3164>|r2)' and '(r<U\+3164>|r2)'"; one_line
run 0 "$EM" trust add "$PAUTH" --name "$(printf 'p\u00e9er')" --home "$A"
run 0 "$EM" trust list --home "$A"; has $out "^$PAUTH  $(printf 'p\u00e9er')$"

# --- one name: names that differ only by normalisation or by what does not
# show are one row, one lookup, one model to compare
T2=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
"$SIGNER" "$T/one.bundle" "result|$T2|$(printf 'cafe\u0301')|r1|acc|0.8|10" \
	"result|$T2|$(printf 'gpt\u00ad-4')||acc|0.6|10" "result|$T2|$(printf 'gpt\u00a05')||acc|0.2|10" \
	>/dev/null || bad "signer one-name results"
run 0 "$EM" import --home "$A" "$T/one.bundle"
for m in "$(printf 'caf\u00e9')@r1" gpt-4 "gpt 5"; do
	run 0 "$EM" result publish --home "$A" --task $T2 --model "${m%@*}" \
		--revision "$([ "${m#*@}" = "$m" ] || echo "${m#*@}")" --metric acc=0.5 --n 10
done
run 0 "$EM" leaderboard --home "$A" $T2 --csv
[ "$(grep -c '^[0-9]' "$out")" = 3 ] && ok || { bad "one name made two rows"; cat "$out"; }
has $out "^[0-9]+,caf($(printf '\u00e9|e\u0301')),r1,0\.65.*,10,2,yes,"
has $out '^[0-9]+,gpt(<U\+00AD>)?-4,,0\.55.*,10,2,yes,'
run 0 "$EM" compare --home "$A" $T2 "$(printf 'cafe\u0301@r1')" gpt-4; has $out 'difference'
run 0 "$EM" task show --home "$A" arith-en@1; has $out '^task arith<U\+00AD>-en@1$'
run 0 "$EM" task show --home "$A" "$(printf 'cafe\u0301@e\u0301')"; has $out "^task $(printf 'caf\u00e9@\u00e9')$"

# --- who holds a name: another author's NAME@VERSION is never taken over,
# lookups say which authors published a name, task list shows the author
mk_task "$T/en" arith-en 1 other
run 1 "$EM" task publish --home "$A" "$T/en/manifest.json"
has $err "task arith<U\+00AD>-en@1 is already published here by ${PAUTH:0:8} \"lab<U\+115F>\" as task ${PID:0:12}; a name is never taken over"
one_line
run 0 "$EM" init --home "$T/b" --name lab-b
run 0 "$EM" init --home "$T/c" --name lab-c
mk_task "$T/s1" shared 1 one; mk_task "$T/s2" shared 1 two; mk_task "$T/s3" "$(printf 'sh\u00adared')" 1 three
run 0 "$EM" task publish --home "$A" "$T/s1/manifest.json" --json; S1=$(sed -n 's/.*"task": "\([0-9a-f]*\)".*/\1/p' "$out")
start_node a 2
start_node b 3 --peer "127.0.0.1:$(port 2)"
wait_for 20 "b holds a's task" "$EM" task list --home "$T/b" '^'"${S1:0:16}"
run 1 "$EM" task publish --home "$T/b" "$T/s2/manifest.json"
has $err "task shared@1 is already published here by $(idof a | cut -c1-8) \"lab-a\" as task ${S1:0:12}"
one_line
# the same items under the same name are the same task: anyone may publish them
run 0 "$EM" task publish --home "$T/b" "$T/s1/manifest.json" --json; has $out "\"task\": \"$S1\""
# published apart (c is not connected yet), then met: the name names both,
# and every lookup by it says whose each is
run 0 "$EM" task publish --home "$T/c" "$T/s2/manifest.json" --json; S2=$(sed -n 's/.*"task": "\([0-9a-f]*\)".*/\1/p' "$out")
start_node c 4 --peer "127.0.0.1:$(port 3)"
converged 30 a b c
# b published S1 itself: by the name it means its own (a member who puts
# another task under a lab's name does not break the lab's lookups; a
# fresh attacker's finding), and so does c
run 0 "$EM" task show --home "$T/b" shared@1 --json; has $out "\"id\": \"$S1\""
run 0 "$EM" task show --home "$T/c" shared@1 --json; has $out "\"id\": \"$S2\""
# a node that published neither and trusts neither: the name names both,
# and every lookup by it says whose each is
run 0 "$EM" init --home "$T/d" --name lab-d
"$EM" export --home "$T/b" -o "$T/b.bundle" >/dev/null && "$EM" import --home "$T/d" "$T/b.bundle" >/dev/null || bad "b's records into d"
run 1 "$EM" task show --home "$T/d" shared@1
has $err "'shared@1' names 2 tasks \(shared@1 id [0-9a-f]{12} by [0-9a-f]{8} \"lab-[abc]\", shared@1 id [0-9a-f]{12} by [0-9a-f]{8} \"lab-[abc]\"\); give an id prefix$"
has $err "id ${S1:0:12} by [0-9a-f]{8} \"lab-[ab]\""; has $err "id ${S2:0:12} by $(idof c | cut -c1-8) \"lab-c\""
one_line
run 1 "$EM" leaderboard --home "$T/d" shared; has $err "names 2 tasks .*; give NAME@VERSION or an id prefix$"
# ... until it trusts one of their authors
run 0 "$EM" trust add "$(idof c)" --home "$T/d"
run 0 "$EM" task show --home "$T/d" shared@1 --json; has $out "\"id\": \"$S2\""
run 0 "$EM" task list --home "$T/b"
has $out "^${S1:0:16}  shared +1 .* $(idof b | cut -c1-8) \"lab-b\" \(\+ others\)$"
run 0 "$EM" task list --home "$T/a"; has $out "^${S1:0:16}  shared +1 .* $(idof a | cut -c1-8) \"lab-a\" \(\+ others\)$"
has $out "^${S2:0:16}  shared +1 .* $(idof c | cut -c1-8) \"lab-c\"$"
run 0 "$EM" task show --home "$T/b" "${S2:0:12}"; has $out "^  author      $(idof c) \"lab-c\"$"
run 0 "$EM" task show --home "$T/b" "${S2:0:12}" --json; has $out '"author_name": "lab-c"'
# (a name with a soft hyphen in it is refused before anyone holds it)
run 1 "$EM" task publish --home "$T/b" "$T/s3/manifest.json"; has $err 'holds an invisible character'
stop_all

finish
