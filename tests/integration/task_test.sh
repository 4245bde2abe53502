#!/usr/bin/env bash
# Tasks end to end: the shipped tasks publish and list; the generator is
# deterministic; bad manifests and items are refused with file, line and
# field, and leave the store unchanged; the id commits to every item.
# usage: task_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: task_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-task-XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
A=$T/a
ntasks() { "$EM" task list --home "$A" --json | grep -c '"items_root"'; }

run 0 "$EM" task --help; has $out 'task publish MANIFEST'
run 2 "$EM" task; has $err 'expected publish, list, show or fetch'; one_line
run 2 "$EM" task frob; has $err 'unknown subcommand'; one_line
run 0 "$EM" init --home "$A" --name lab-a
run 0 "$EM" task list --home "$A"; has $out 'no tasks yet'

# --- the shipped tasks: the generator writes exactly what is committed
run 0 python3 "$SRC/contrib/tasks/gen.py" --check
run 0 python3 "$SRC/contrib/tasks/gen.py" --out "$T/gen" --count 240
for t in arith-en arith-zh prime-mc; do
	cmp -s "$T/gen/$t/items.jsonl" "$SRC/contrib/tasks/$t/items.jsonl" && ok \
		|| bad "gen.py wrote different items for $t"
	[ "$(wc -l <"$SRC/contrib/tasks/$t/items.jsonl")" -ge 200 ] && ok || bad "$t has < 200 items"
	run 0 "$EM" task publish --home "$A" "$SRC/contrib/tasks/$t/manifest.json" --json
	has $out '"items": 240'
done
run 0 "$EM" task list --home "$A"; has $out 'arith-zh +1 +numeric +240 +yes +0'
has $out 'prime-mc +1 +multiple_choice'
run 0 "$EM" task show --home "$A" arith-zh --json; has $out '"language": "zh"'
has $out '"chunks_held": 1'
ID=$(sed -n 's/^  "id": "\([0-9a-f]*\)".*/\1/p' "$out")
run 0 "$EM" task show --home "$A" "${ID:0:12}"; has $out "task arith-zh@1"
run 0 "$EM" task show --home "$A" arith-zh@1
run 1 "$EM" task show --home "$A" nosuch; has $err "no task with id or name 'nosuch'"; one_line
# publishing the same task again gives the same id, and no second record
nrec=$("$EM" status --home "$A" --json | sed -n 's/.*"records": \([0-9]*\).*/\1/p')
run 0 "$EM" task publish --home "$A" "$SRC/contrib/tasks/arith-zh/manifest.json" --json
has $out "\"task\": \"$ID\""; has $out '"already": true'
run 0 "$EM" task publish --home "$A" "$SRC/contrib/tasks/arith-zh/manifest.json"
has $out 'task arith-zh@1 is already published by this node'
[ "$("$EM" status --home "$A" --json | sed -n 's/.*"records": \([0-9]*\).*/\1/p')" = "$nrec" ] && ok ||
	bad "publishing the same task again added a record"

# --- the id commits to every item: one character changes it
mkdir -p "$T/t1"
cp "$SRC/contrib/tasks/arith-en/manifest.json" "$T/t1/"
sed '17s/?"/？"/' "$SRC/contrib/tasks/arith-en/items.jsonl" >"$T/t1/items.jsonl"	# a full-width ?
run 0 "$EM" task publish --home "$A" "$T/t1/manifest.json" --json
EN=$("$EM" task publish --home "$A" "$SRC/contrib/tasks/arith-en/manifest.json" --json \
	| sed -n 's/.*"task": "\([0-9a-f]*\)".*/\1/p')
grep -q "\"task\": \"$EN\"" "$out" && bad "one changed character kept the task id" || ok
run 1 "$EM" task show --home "$A" arith-en; has $err "names 2 tasks"; one_line
# same name and version: each told by its id and author, and NAME@VERSION is
# not offered again
has $err "arith-en@1 id ${EN:0:12} by [0-9a-f]{8}"
run 1 "$EM" task show --home "$A" arith-en@1; has $err "names 2 tasks .*; give an id prefix$"
one_line
run 0 "$EM" task show --home "$A" "${EN:0:12}"

# --- bad manifests and items: one line naming file, line and field; nothing stored
before=$(ntasks)
mk() {	# mk NAME MANIFEST-JSON [ITEMS-LINES]
	mkdir -p "$T/$1"
	printf '%s\n' "$2" >"$T/$1/manifest.json"
	printf '%b' "${3:-{\"id\": 1, \"q\": \"a\", \"a\": \"b\"\}\n}" >"$T/$1/items.jsonl"
}
base='"name": "t", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "items.jsonl"'
bad_manifest() {	# bad_manifest NAME PATTERN
	run 1 "$EM" task publish --home "$A" "$T/$1/manifest.json"; has $err "$2"; one_line
}
mk m1 "{ $base, \"metric\": \"exact_match\","
bad_manifest m1 'm1/manifest.json:2: not valid JSON'
mk m2 "{ $base }"
bad_manifest m2 'metric: missing'
mk m3 "{ $base,
  \"metric\": \"bleu\" }"
bad_manifest m3 'm3/manifest.json:2: metric: unknown metric .bleu.'
mk m4 "{ $base, \"metric\": \"regex\",
 \"extract\": \"(unclosed\" }"
bad_manifest m4 'manifest.json:2: extract: not a valid regular expression'
mk m5 "{ $base, \"metric\": \"exact_match\", \"promt\": \"x\" }"
bad_manifest m5 'promt: unknown key'
mk m5b '{ "name": "t\u001b[2J", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "items.jsonl", "metric": "f1" }'
bad_manifest m5b 'name: holds a control'
mk m5h '{ "name": "t", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "items.jsonl", "metric": "f1", "description": "safe\u202eevil" }'
bad_manifest m5h 'description: holds a control or invisible character'
mk m5i '{ "name": "t\u200b", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "items.jsonl", "metric": "f1" }'
bad_manifest m5i 'name: holds a control or invisible character'
mk m5c '{ "name": "a@b", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "items.jsonl", "metric": "f1" }'
bad_manifest m5c "name: holds '@'"
# items files that are not files, or not text: refused at once, never read for ever
mk m5d '{ "name": "t", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "dev", "metric": "f1" }'
ln -s /dev/zero "$T/m5d/dev"
bad_manifest m5d "manifest.json:1: items: leads outside the manifest's directory \(through a symbolic link\)"
# ... nor through a symbolic link, to a file or a directory (found by a
# fresh attacker: the path's text was checked, not where it led); and a
# file that is not JSON is not quoted
mk m5s '{ "name": "t", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "link.jsonl", "metric": "f1" }'
ln -s "$T/m5/items.jsonl" "$T/m5s/link.jsonl"
bad_manifest m5s "items: leads outside the manifest's directory"
rm -f "$T/m5s/link.jsonl"; ln -s "$T/m5" "$T/m5s/dir"
sed -i 's/"link.jsonl"/"dir\/items.jsonl"/' "$T/m5s/manifest.json"
bad_manifest m5s "items: leads outside the manifest's directory"
rm -f "$T/m5s/dir"; echo "SECRETTOKEN" >"$T/m5s/dir"
sed -i 's/"dir\/items.jsonl"/"dir"/' "$T/m5s/manifest.json"
bad_manifest m5s "m5s/dir:1: not valid JSON"
grep -q SECRETTOKEN "$err" && bad "a file that is not JSON is quoted: $(cat "$err")" || ok
# an items path outside the manifest's directory: refused before it is read
# (publishing someone's manifest must not read, and quote, one's own files)
for p in /etc/passwd ../m5/items.jsonl sub/../../x a/.. ..; do
	mk m5p "{ \"name\": \"t\", \"version\": \"1\", \"prompt\": \"Q: {q}\", \"target\": \"a\", \"items\": \"$p\", \"metric\": \"f1\" }"
	bad_manifest m5p "manifest.json:1: items: must be a path inside the manifest's directory \(not absolute, no '\.\.'\)"
	rm -rf "$T/m5p"
done
mk m5q '{ "name": "t", "version": "1", "prompt": "Q: {q}", "target": "a", "items": "..items/x..", "metric": "f1" }'
bad_manifest m5q 'm5q/\.\.items/x\.\.: cannot open the items file'
mk m5e "{ $base, \"metric\": \"f1\" }"
rm "$T/m5e/items.jsonl"; mkfifo "$T/m5e/items.jsonl"
bad_manifest m5e 'items.jsonl: not a regular file'
run 1 "$EM" task publish --home "$A" "$T/m5e/items.jsonl"; has $err 'not a regular file'; one_line
mk m5f "{ $base, \"metric\": \"f1\" }" '{"id": 1, "q": "a\\u0000", "a": "b"}\n'
bad_manifest m5f 'items.jsonl:1: not valid JSON: a .u0000 .NUL. character is not allowed'
mk m5g "{ $base, \"metric\": \"f1\" }" '{"id": 1, "q": "a\0", "a": "b"}\n'
bad_manifest m5g 'items.jsonl:1: holds a NUL byte'
# targets the metric could never match: every model would score 0 on them
for t in '"x"' '"inf"' '""' '"1e400"' '"3 + 4"'; do
	mk mt "{ $base, \"metric\": \"numeric\" }" "{\"id\": 1, \"q\": \"a\", \"a\": $t}\\n"
	bad_manifest mt "items.jsonl:1: a: .* is not one number"
done
mk mt2 "{ $base, \"metric\": \"numeric\" }" '{"id": 1, "q": "a", "a": 1234567890123}\n{"id": 2, "q": "b", "a": "1,234.5"}\n'
mc='"name": "mc", "version": "1", "prompt": "Q: {q}\n{o}", "target": "a", "choices": "o", "items": "items.jsonl", "metric": "multiple_choice"'
for t in '"E"' '"Rome"' '""' '"AB"'; do
	mk mc "{ $mc }" "{\"id\": 1, \"q\": \"a\", \"o\": [\"Paris\", \"Lyon\", \"Nice\", \"Metz\"], \"a\": $t}\\n"
	bad_manifest mc "items.jsonl:1: a: .* names none of the 4 options .a letter from A to D"
done
# options a response could not tell apart, the target one of them: a model
# that picks the other would be scored wrong for as good an answer
for t in '"A"' '"Paris"' '"B"'; do
	mk mcd "{ $mc }" "{\"id\": 1, \"q\": \"a\", \"o\": [\"Paris\", \"paris.\", \"Nice\", \"Metz\"], \"a\": $t}\\n"
	bad_manifest mcd "items.jsonl:1: o: options A and B read as the same text .'Paris'."
done
mk mcl "{ $mc }" '{"id": 1, "q": "After B?", "o": ["B", "C", "D", "E"], "a": "C"}\n'
bad_manifest mcl "items.jsonl:1: o: option B's text 'C' is option C's letter.*'C' could mean either"
mk mcl "{ $mc }" '{"id": 1, "q": "After B?", "o": ["B", "C", "D", "E"], "a": "B"}\n'
bad_manifest mcl "items.jsonl:1: o: option A's text 'B' is option B's letter"
# targets that are nothing once normalized would reward an empty answer
for m in exact_match f1; do
	for t in '""' '"   "'; do
		mk me "{ $base, \"metric\": \"$m\" }" "{\"id\": 1, \"q\": \"a\", \"a\": $t}\\n"
		bad_manifest me "items.jsonl:1: a: .* is nothing once normalized, so an empty answer would match it"
	done
done
mk me "{ $base, \"metric\": \"exact_match\", \"normalize\": [\"strip_punct\"] }" '{"id": 1, "q": "a", "a": "..."}\n'
bad_manifest me "a: '...' is nothing once normalized"
mk me "{ $base, \"metric\": \"f1\" }" '{"id": 1, "q": "a", "a": "—"}\n'
bad_manifest me "a: '—' is nothing once normalized"
mk mc2 "{ $mc }" '{"id": 1, "q": "a", "o": ["Paris", "Lyon"], "a": "b"}\n{"id": 2, "q": "b", "o": ["Paris", "Lyon"], "a": "Paris"}\n{"id": 3, "q": "c", "o": ["Paris", "paris", "Nice"], "a": "C"}\n{"id": 4, "q": "d", "o": ["A", "B", "C", "D"], "a": "C"}\n'
mk mx "{ $base, \"metric\": \"exact_match\", \"extract\": \"\" }"
bad_manifest mx 'extract: empty'
mk m6 "{ $base, \"metric\": \"multiple_choice\" }"
bad_manifest m6 'choices: missing'
mk m7 "{ \"name\": \"t\", \"version\": \"1\", \"prompt\": \"Q: {q\", \"target\": \"a\", \"items\": \"items.jsonl\", \"metric\": \"f1\" }"
bad_manifest m7 "prompt: '\{' at byte 3"
mk m8 "{ $base, \"metric\": \"exact_match\", \"fewshot\": 99 }"
bad_manifest m8 'fewshot: 99 is outside'
mk m8b "{ $base, \"metric\": \"exact_match\",
  \"fewshot\": 1 }"
bad_manifest m8b 'm8b/manifest.json:2: fewshot: 1 examples need at least 2 items .*the task has 1'
mk m8c "{ $base, \"metric\": \"exact_match\", \"tolerance\": 0.5 }"
bad_manifest m8c 'tolerance: only the numeric metric uses it'
mk m8d "{ $base, \"metric\": \"exact_match\" }"
printf '\357\273\277' | cat - "$T/m8d/manifest.json" >"$T/m8d/m.json" && mv "$T/m8d/m.json" "$T/m8d/manifest.json"
bad_manifest m8d 'manifest.json: starts with a byte order mark'
mk m9 "{ $base, \"metric\": \"exact_match\", \"items\": \"nothere.jsonl\" }"
bad_manifest m9 'duplicate|nothere'
ok_m="{ $base, \"metric\": \"exact_match\" }"
mk i1 "$ok_m" '{"id": 1, "q": "a", "a": "b"}\n{"id": 2, "q": "a", "a": "b"\n'
bad_manifest i1 'i1/items.jsonl:2: not valid JSON'
mk i2 "$ok_m" '{"id": 1, "q": "a", "a": "b"}\n\n{"id": 1, "q": "c", "a": "d"}\n'
bad_manifest i2 'i2/items.jsonl:3: id already used on line 1'
mk i3 "$ok_m" '{"id": 1, "q": "a"}\n'
bad_manifest i3 'items.jsonl:1: a: the target field is missing'
mk i4 "$ok_m" '{"id": 1, "a": "b"}\n'
bad_manifest i4 'items.jsonl:1: q: used by the prompt but missing'
mk i5 "$ok_m" '{"q": "x", "a": "b"}\n'
bad_manifest i5 'items.jsonl:1: id: missing'
mk i6 "$ok_m" '\n'
bad_manifest i6 'no items'
mk i7 "$ok_m" '{"id": 1, "q": "\xff", "a": "b"}\n'
bad_manifest i7 'items.jsonl:1: not valid UTF-8'
mk i8 "$ok_m" '{"id": 1, "id": 2, "q": "x", "a": "b"}\n'
bad_manifest i8 'items.jsonl:1: not valid JSON: duplicate'
mk i9 "{ $base, \"metric\": \"multiple_choice\", \"choices\": \"c\" }" '{"id": 1, "q": "x", "a": "A", "c": ["only"]}\n'
bad_manifest i9 'c: expected a list of 2 to 26 options'
run 1 "$EM" task publish --home "$A" "$T/none.json"; has $err 'none.json: cannot read: no such file'
[ "$(ntasks)" = "$before" ] && ok || bad "a refused task changed the store"
# ... while good targets of both kinds are taken
run 0 "$EM" task publish --home "$A" "$T/mt2/manifest.json"
run 0 "$EM" task publish --home "$A" "$T/mc2/manifest.json"

# --- a good small task with a template brace and few-shot
mk g1 "{ $base, \"metric\": \"exact_match\", \"fewshot\": 1, \"system\": \"Use {{braces}}\" }" \
	'{"id": 1, "q": "a", "a": "b"}\n{"id": "two", "q": "c", "a": 4}\n'
run 0 "$EM" task publish --home "$A" "$T/g1/manifest.json"; has $out 'items   2 in 1 chunk'
finish
