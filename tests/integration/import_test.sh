#!/usr/bin/env bash
# task import (issue 16): small files the team wrote in each layout a lab
# already has — MMLU's headerless CSV, C-Eval's header, GSM8K's "#### N",
# generic JSONL and CSV — with Chinese text, quoted commas and a byte
# order mark, made into tasks that 'task publish' takes with the id the
# import printed; the same file at another path makes the same id; a bad
# file is one line naming the row; files already there are not replaced.
#   usage: import_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: import_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-import-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$T"' EXIT
export EVALMESH_HOME=$T/home
"$EM" init --name importer >/dev/null || bad "init"
jid() { sed -n 's/.*"task": "\([0-9a-f]*\)".*/\1/p' "$out"; }

printf '\xef\xbb\xbf"What is 2+2, roughly?",3,4,5,"six, or ""6""",B\r\nWhich is prime?,4,6,7,9,C\r\n' >"$T/mmlu.csv"
printf 'id,question,A,B,C,D,answer,explanation\n0,中国的首都是哪里？,上海,北京,广州,深圳,B,"北京，首都"\n1,一加一等于几？,1,2,3,4,b,\n' >"$T/ceval.csv"
printf '%s\n' '{"question": "Natalia sold 48 clips in April and half as many in May. How many in all?", "answer": "48/2 = 24\n48+24 = 72\n#### 72"}' \
	'{"question": "A shop sold 1,200 pens at 2 each. Revenue?", "answer": "#### 2,400"}' >"$T/gsm.jsonl"
printf '%s\n' '{"q": "Capital of France?", "opts": ["Lyon", "Paris"], "gold": 1, "uid": "fr-1"}' \
	'{"q": "法国的首都？", "opts": ["里昂", "巴黎"], "gold": "B", "uid": "fr-2"}' >"$T/gen.jsonl"
printf 'prompt,o1,o2,o3,key\n"Pick, please: z",x,y,z,c\n"翻译：猫",dog,cat,cow,B\n' >"$T/gen.csv"

# --- each layout: imported, checked, published under the id it printed
while IFS='|' read -r name args file metric; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	run 0 "$EM" task import "$T/$file" $args --name "$name" --version 1 -o "$T/$name" --json ||
		continue
	has "$out" "\"metric\": \"$metric\""; has "$out" '"n": 2'
	id=$(jid)
	run 0 "$EM" task publish "$T/$name/manifest.json" --json
	has "$out" "\"task\": \"$id\""
	run 0 "$EM" eval "$name" --model m --exec cat --dry-run
done <<'ROWS'
mmlu-x|--format mmlu|mmlu.csv|multiple_choice
ceval-x|--format ceval|ceval.csv|multiple_choice
gsm-x|--format gsm8k|gsm.jsonl|numeric
gen-jsonl|--format jsonl --question q --answer gold --id uid --choices opts|gen.jsonl|multiple_choice
gen-csv|--format csv --question prompt --answer key --choices o1 --choices o2 --choices o3|gen.csv|multiple_choice
ROWS
run 0 "$EM" eval ceval-x --model m --exec cat --dry-run; has "$out" '以下是单项选择题'; has "$out" 'B\. 北京'
grep -q '"answer": 2400' "$T/gsm-x/items.jsonl" && ok || bad "GSM8K's '#### 2,400' is not 2400"

# --- the same bytes at another path: the same task id
cp "$T/mmlu.csv" "$T/copy.csv"
run 0 "$EM" task import "$T/mmlu.csv" --format mmlu --name mmlu-x --version 1 -o "$T/a1" --json
id1=$(jid)
run 0 "$EM" task import "$T/copy.csv" --format mmlu --name mmlu-x --version 1 -o "$T/a2" --json
[ -n "$id1" ] && [ "$(jid)" = "$id1" ] && ok || bad "the same file at another path made another id"
cmp -s "$T/a1/items.jsonl" "$T/a2/items.jsonl" && cmp -s "$T/a1/manifest.json" "$T/a2/manifest.json" &&
	ok || bad "the same file made other bytes"

# --- files already there are not replaced; nothing is half written
sum=$(md5sum "$T/a1/manifest.json" "$T/a1/items.jsonl")
run 1 "$EM" task import "$T/mmlu.csv" --format mmlu --name other --version 2 -o "$T/a1"
has "$err" "items.jsonl': it exists"; one_line
[ "$(md5sum "$T/a1/manifest.json" "$T/a1/items.jsonl")" = "$sum" ] && ok || bad "an import replaced files"

# --- bad files: one line naming the file and the row, nothing written
printf 'q,a,b,c,d,E\n' >"$T/bad1.csv"
printf 'id,question,A,B,C,D,answer\n1,q,a,b,c,d,\n' >"$T/test.csv"
printf '{"question": "q", "answer": "so 12"}\n' >"$T/bad.jsonl"
printf 'q,a,\377,c,d,A\n' >"$T/bad2.csv"
while IFS='|' read -r file fmt want; do
	[ -n "$file" ] || continue
	run 1 "$EM" task import "$T/$file" --format "$fmt" --name b --version 1 -o "$T/out-$file"
	has "$err" "$want"; one_line
	[ ! -e "$T/out-$file" ] && ok || bad "a refused import of $file left $T/out-$file"
done <<'ROWS'
bad1.csv|mmlu|bad1.csv: row 1: answer 'E' is not a letter from A to D
test.csv|ceval|row 2: no answer \(the test splits of C-Eval and CMMLU ship none
bad.jsonl|gsm8k|line 1: answer: no '#### N' line
bad2.csv|mmlu|row 1, option B: not UTF-8 text
nosuch.csv|mmlu|cannot read '.*nosuch.csv': no such file
ROWS
# what only publish's checks refuse (two options alike): nothing left either
printf 'q1,a,a,c,d,A\n' >"$T/dupopt.csv"
run 1 "$EM" task import "$T/dupopt.csv" --format mmlu --name b --version 1 -o "$T/out-dup"
has "$err" "'task publish' would refuse it"; one_line
[ -z "$(ls -A "$T/out-dup" 2>/dev/null)" ] && ok || bad "a refused import left $(ls "$T/out-dup")"

# --- usage errors: exit 2, one line
run 2 "$EM" task import "$T/mmlu.csv" --format xml --name a --version 1 -o "$T/u"
has "$err" "--format 'xml': expected mmlu, ceval, gsm8k, jsonl or csv"; one_line
run 2 "$EM" task import "$T/mmlu.csv" --format mmlu --name a -o "$T/u"
has "$err" "give --format, --name, --version and -o DIR"; one_line
run 2 "$EM" task import "$T/mmlu.csv" --format mmlu --name a --version 1 -o "$T/u" --question q
has "$err" "are for --format jsonl and csv"; one_line
run 2 "$EM" task import "$T/gen.csv" --format csv --name a --version 1 -o "$T/u" --choices o1
has "$err" "--choices once per option column"; one_line
run 2 "$EM" task import "$T/gsm.jsonl" --format jsonl --name a --version 1 -o "$T/u" --metric bleu
has "$err" "--metric 'bleu': expected exact_match, numeric, f1 or regex"; one_line
run 2 "$EM" task import "$T/mmlu.csv" --format mmlu --name "$(printf 'a\033[2J')" --version 1 -o "$T/u"
has "$err" "--name"; one_line
[ ! -e "$T/u" ] && ok || bad "a usage error made $T/u"

echo "import: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
