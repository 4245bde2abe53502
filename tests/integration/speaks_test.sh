#!/usr/bin/env bash
# Which result speaks for a model (node/board/board.h), end to end: the
# leaderboard and compare take each reporter's latest result by sequence
# number, whatever run end a result claims, and combine reporters alike;
# the records digest covers what was ranked — results with their flags and
# the trust set — and nothing else; --trusted counts the reader's own
# results. No node runs: records come from `result publish`, `revoke` and
# bundles signed by the signer tool (whose results claim any run end).
# usage: speaks_test.sh PATH/TO/evalmesh PATH/TO/signer
set -u
EM=${1:?usage: speaks_test.sh EVALMESH SIGNER}
SIGNER=${2:?usage: speaks_test.sh EVALMESH SIGNER}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-speaks-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$T"' EXIT

# j EXPR: EXPR over the last --json output (j is the parsed document)
j() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$out"; }
# want WHAT GOT WANTED
want() { [ "$2" = "$3" ] && ok || bad "$1: got '$2', wanted '$3'"; }
board() {	# board HOME [ARGS]: the task's leaderboard as JSON into $out
	local h=$1; shift
	run 0 "$EM" leaderboard --home "$T/$h" six --json "$@"
}
dg() {	# dg HOME [ARGS]: the digest alone (in $(...): no counts kept)
	local h=$1; shift
	"$EM" leaderboard --home "$T/$h" six --json "$@" >"$out" 2>"$err" && j "j['digest']"
}
row() { j "[r for r in j['rows'] if r['model'] == '$1'][0]$2"; }
# seq_id HOME AUTHOR SEQ: the id of AUTHOR's record SEQ held at HOME
seq_id() {
	"$EM" results --home "$T/$1" --author "$2" --json |
		python3 -c "import json,sys; print([r['id'] for r in json.load(sys.stdin) if r['seq'] == $3][0])"
}
sign() {	# sign NAME RECORD...: a bundle of a fresh author's records; sets ID_<NAME>
	local name=$1; shift
	"$SIGNER" "$T/$name.bundle" "$@" >"$T/$name.out" || bad "signer $name"
	printf -v "ID_$name" '%s' "$(sed -n 's/^author //p' "$T/$name.out")"
}

for n in a b w; do run 0 "$EM" init --home "$T/$n" --name "$n"; done
mkdir -p "$T/six"
for i in 1 2 3 4 5 6; do echo "{\"id\": \"s$i\", \"q\": \"$i + $i\", \"a\": $((i + i))}"; done >"$T/six/items.jsonl"
echo '{"name": "six", "version": "1", "metric": "numeric", "prompt": "{q}", "target": "a",
  "items": "items.jsonl"}' >"$T/six/manifest.json"
run 0 "$EM" task publish --home "$T/a" "$T/six/manifest.json"
TASK=$("$EM" task list --home "$T/a" --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
run 0 "$EM" export --home "$T/a" -o "$T/task.bundle"

# --- lying timestamps: x's first result claims to have ended in 2100, its
# second (the later one, by sequence number) in 2023; y's claims the latest
# end of all. mu's row is x's second and y's, combined: (0.5 + 0.6) / 2
far=4102444800000
sign x "result|$TASK|mu|r1|numeric|0.9|6|$far" "result|$TASK|mu|r1|numeric|0.5|6|1700000000000"
sign y "result|$TASK|mu|r1|numeric|0.6|6|$((far + 1))"
sign z "result|$TASK|nu|r1|numeric|0.3|6"
for n in x y z; do run 0 "$EM" import --home "$T/a" "$T/$n.bundle"; done
X2=$(seq_id a "$ID_x" 2); Y1=$(seq_id a "$ID_y" 1)
board a
want "mu's value" "$(row mu "['value']")" 0.55
want "mu's reporters" "$(row mu "['reporters']")" 2
want "mu's results" "$(row mu "['results']")" "$(python3 -c "print(sorted(['$X2', '$Y1'], key=lambda i: {'$X2': '$ID_x', '$Y1': '$ID_y'}[i]))")"
ROW_MU=$(row mu "['ci95']")
run 0 "$EM" compare --home "$T/a" six mu nu --json
want "compare: mu's value" "$(j "j['a']['value']")" 0.55
want "compare: mu's reporters" "$(j "j['a']['reporters']")" 2
want "compare: mu's results" "$(j "sorted(j['a']['results'])")" "$(python3 -c "print(sorted(['$X2', '$Y1']))")"
want "compare: mu's interval, the leaderboard's" "$(j "j['a']['ci95']")" "$ROW_MU"
want "compare: the difference" "$(j "j['difference']")" 0.25
want "compare: unpaired" "$(j "j['method']")" unpaired
run 0 "$EM" compare --home "$T/a" six mu nu
has $out 'mu +0\.5500  \(6 items, 2 reporters'; has $out 'difference \+0\.2500'
run 1 "$EM" compare --home "$T/a" six mu mu@r1; has $err 'name the same model'; one_line

# --- the records digest: the same records and flags on two homes, in
# another order, give the same digest
run 0 "$EM" import --home "$T/b" "$T/task.bundle"
for n in z y x; do run 0 "$EM" import --home "$T/b" "$T/$n.bundle"; done
D0=$(dg a); want "one digest on a and b" "$(dg b)" "$D0"
# a result of a's own: a new digest, the same on b once b holds it
run 0 "$EM" result publish --home "$T/a" --task six --model own --metric numeric=0.7 --n 6 --json
OWN=$(j "j['id']")
D1=$(dg a); [ "$D1" != "$D0" ] && ok || bad "a new result left the digest as it was"
run 0 "$EM" export --home "$T/a" --author "$(idof a)" -o "$T/a1.bundle"
run 0 "$EM" import --home "$T/b" "$T/a1.bundle"
want "one digest on a and b with a's result" "$(dg b)" "$D1"
# revoked: the same result ids, another ranking, another digest (main
# hashed the ids alone and printed the same digest for both)
run 0 "$EM" revoke --home "$T/a" "$OWN"
D2=$(dg a); [ "$D2" != "$D1" ] && ok || bad "a revocation left the digest as it was"
want "b without the revocation" "$(dg b)" "$D1"
run 0 "$EM" export --home "$T/a" --author "$(idof a)" -o "$T/a2.bundle"
run 0 "$EM" import --home "$T/b" "$T/a2.bundle"
want "one digest on a and b with the revocation" "$(dg b)" "$D2"
run 0 "$EM" leaderboard --home "$T/a" six
has $out "records digest ${D2:0:16}"

# --- --trusted: the digest covers the trust set. Trusting x, then x and w
# (who reported nothing here) ranks the same results under two trust sets:
# two digests
run 0 "$EM" trust --home "$T/a" add "$ID_x"
DX=$(dg a --trusted)
[ "$DX" != "$D2" ] && ok || bad "--trusted gave the digest of all authors"
run 0 "$EM" trust --home "$T/a" add "$(idof w)"
board a --trusted
want "trust x and w: mu is x's alone" "$(row mu "['value']")" 0.5
want "trust x and w: rows" "$(j "len(j['rows'])")" 1
DXW=$(j "j['digest']")
[ "$DXW" != "$DX" ] && ok || bad "two trust sets printed one digest"
want "the trusted digest, asked again" "$(dg a --trusted)" "$DXW"

# --- --trusted counts the reader's own results: a's second result of its
# own stands on a's trusted board, and b, which does not trust a, leaves it
# out
run 0 "$EM" result publish --home "$T/a" --task six --model own2 --metric numeric=0.4 --n 6
board a --trusted
want "a's own result on its trusted board" "$(row own2 "['reporters']")" 1
want "untrusted left out on a" "$(j "j['left_out']['untrusted']")" 2
run 0 "$EM" leaderboard --home "$T/a" six --trusted
has $out 'own2'
run 0 "$EM" compare --home "$T/a" six own2 mu --trusted --json
want "compare --trusted: own2" "$(j "j['a']['value']")" 0.4
want "compare --trusted: mu is x's alone" "$(j "j['b']['value']")" 0.5
run 0 "$EM" export --home "$T/a" --author "$(idof a)" -o "$T/a3.bundle"
run 0 "$EM" import --home "$T/b" "$T/a3.bundle"
board b --trusted
python3 -c "import json,sys; sys.exit(any(r['model'] == 'own2' for r in json.load(open('$out'))['rows']))" &&
	ok || bad "b ranked a's result without trusting a"
finish
