#!/usr/bin/env bash
# The CLI end to end: real processes, real files, real LMDB.
# usage: cli_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: cli_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
nresults() { "$EM" results --home "$1" --json | grep -c '"author"'; }
TASK=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
A=$T/a B=$T/b

# --- help and usage
for c in init id result results verify export import node status peers; do
	run 0 "$EM" $c --help; has $out usage
done
run 0 "$EM" --help; has $out 'Commands:'
run 2 "$EM" frobnicate; has $err "unknown command 'frobnicate'"; one_line
run 2 "$EM" results --bogus; has $err "unknown option '--bogus'"; one_line

# --- init and id
run 1 "$EM" id --home "$A"; has $err 'not found.*evalmesh init'; one_line
run 0 "$EM" init --home "$A" --name lab-a --org 'Lab A'; has $out 'node id  [0-9a-f]{64}'
[ "$(stat -c %a "$A/identity.key")" = 600 ] && [ "$(stat -c %a "$A/network.key")" = 600 ] \
	&& pass=$((pass + 1)) || { echo "FAIL: key files are not 0600"; fail=$((fail + 1)); }
sum=$(sha256sum "$A/identity.key" "$A/network.key")
run 1 "$EM" init --home "$A" --name again; has $err 'refusing'; one_line
[ "$sum" = "$(sha256sum "$A/identity.key" "$A/network.key")" ] && pass=$((pass + 1)) \
	|| { echo "FAIL: second init changed the home"; fail=$((fail + 1)); }
run 0 "$EM" id --home "$A" --json; has $out '"id": "[0-9a-f]{64}"'; has $out '"name": "lab-a"'
has $out '"open_network": true'
ID_A=$(sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' "$out")
EVALMESH_HOME=$A run 0 "$EM" id; has $out "$ID_A"
# no home anywhere: the message names the flag as it is spelled
run 1 env -u HOME -u EVALMESH_HOME "$EM" id; has $err 'set --home DIR, \$EVALMESH_HOME or \$HOME'
one_line
run 2 "$EM" init --home "$T/x" --name "$(printf 'bad\377')"; has $err "init: --name 'bad<0xFF>': not valid UTF-8"; one_line
[ ! -e "$T/x" ] && pass=$((pass + 1)) || { echo "FAIL: failed init left $T/x"; fail=$((fail + 1)); }

# --- result publish: bad input first, store unchanged
n0=$(nresults "$A")
run 2 "$EM" result publish --home "$A" --model m --metric acc=1 --n 5; has $err 'task'
run 2 "$EM" result publish --home "$A" --task $TASK --model m --n 5; has $err 'metric'
run 2 "$EM" result publish --home "$A" --task $TASK --model m --metric acc --n 5; has $err "--metric 'acc': expected NAME=VALUE"
run 2 "$EM" result publish --home "$A" --task $TASK --model m --metric acc=x --n 5; has $err "--metric 'acc=x': expected a finite number"
# a name a spreadsheet would take for a formula is written as text in --csv
run 0 "$EM" init --home "$T/csv"
run 0 "$EM" result publish --home "$T/csv" --task $TASK --model '=cmd|x' --revision 'a,"b"' --metric acc=0.5 --n 10
run 0 "$EM" leaderboard --home "$T/csv" $TASK --csv
has $out "^1,'=cmd\\|x,\"a,\"\"b\"\"\",0\\.5"; has $out ',-,open,-,10,0,0,0,0$'
# names that would rewrite every node's terminal: refused before signing
run 2 "$EM" result publish --home "$A" --task $TASK --model $'evil\e[2J\nFAKE ROW' --metric acc=1 --n 5
has $err "--model 'evil<U\\+001B>\\[2J<U\\+000A>FAKE ROW': holds a control character"; one_line
run 2 "$EM" result publish --home "$A" --task $TASK --model m --revision $'r\u202e1' --metric acc=1 --n 5
has $err "--revision 'r<U\\+202E>1': holds a bidirectional control"; one_line
run 2 "$EM" result publish --home "$A" --task $TASK --model m --metric acc=1 --n -3; has $err "--n '-3': expected a whole number from 1 to"
run 2 "$EM" result publish --home "$A" --task $TASK --model m --metric acc=1 --n 5 --access shared; has $err "--access 'shared': expected open or closed"
run 2 "$EM" result publish --home "$A" --task $TASK --model "$(printf 'm\377')" --metric acc=1 --n 5; has $err 'UTF-8'; one_line
run 1 "$EM" result publish --home "$A" --task 0123 --model m --metric acc=1 --n 5; has $err "no task with id or name '0123' here"
run 1 "$EM" result publish --home "$A" --task 01234567 --model m --metric acc=1 --n 5; has $err 'no task'
[ "$(nresults "$A")" = "$n0" ] && pass=$((pass + 1)) || { echo "FAIL: bad input changed the store"; fail=$((fail + 1)); }

# --- publish, list, prefixes
run 0 "$EM" result publish --home "$A" --task $TASK --model Qwen2.5-7B --revision main \
	--metric accuracy=0.8125 --n 200 --stderr 0.0276; has $out 'published result [0-9a-f]{64} \(seq 2\)'
R1=$(sed -n 's/published result \([0-9a-f]*\).*/\1/p' "$out")
run 0 "$EM" result publish --home "$A" --task ${TASK:0:10} --model GLM-4 --access closed \
	--metric accuracy=0.75 --n 200 --json; has $out '"seq": 3'
run 0 "$EM" results --home "$A"; has $out "model    Qwen2.5-7B@main \(open\)"; has $out 'GLM-4 \(closed\)'
has $out '95% \[0.7584, 0.8666\]'
run 0 "$EM" results --home "$A" --task ${TASK:0:8} --author ${ID_A:0:8} --json; has $out "\"id\": \"$R1\""
run 0 "$EM" verify --home "$A" ${R1:0:8}; has $out "^valid: result record $R1 by $ID_A seq 2"
run 2 "$EM" verify --home "$A" ${R1:0:7}; has $err "RECORD_ID '${R1:0:7}': expected a record id: 8 to 64 hex digits"
run 1 "$EM" verify --home "$A" ffffffff; has $err 'no record'

# --- export, import, re-import
run 0 "$EM" init --home "$B" --name lab-b
run 0 "$EM" export --home "$A" -o "$T/a.bundle"; has $out 'exported 3 records'
run 0 "$EM" verify --home "$B" --file "$T/a.bundle"; has $out '3 records, 0 invalid'
run 0 "$EM" import --home "$B" "$T/a.bundle"; has $out 'imported 3 new records \(0 already present'
run 0 "$EM" import --home "$B" "$T/a.bundle"; has $out 'imported 0 new records \(3 already present'
run 0 "$EM" results --home "$B" --author ${ID_A:0:12}; has $out "$R1"
run 0 "$EM" export --home "$A" --author $ID_A --since 3 -o "$T/since.bundle"; has $out 'exported 1 records'
run 2 "$EM" export --home "$A"; has $err '-o FILE'

# --- damaged bundles: refused whole, or bad records reported one by one
nb=$(nresults "$B")
head -c 300 "$T/a.bundle" >"$T/trunc.bundle"
run 1 "$EM" import --home "$B" "$T/trunc.bundle"; has $err 'truncated.*nothing imported'; one_line
printf 'hello, not a bundle' >"$T/garbage"
run 1 "$EM" import --home "$B" "$T/garbage"; has $err 'not an evalmesh bundle'; one_line
run 1 "$EM" import --home "$B" "$T/missing"; has $err 'cannot read'
cp "$T/a.bundle" "$T/extra.bundle"; printf 'x' >>"$T/extra.bundle"
run 1 "$EM" import --home "$B" "$T/extra.bundle"; has $err 'trailing bytes'
run 0 "$EM" init --home "$T/c" --new-network "$T/consortium.key"; has $out 'network key written'
[ "$(stat -c %a "$T/consortium.key")" = 600 ] && pass=$((pass + 1)) || { echo "FAIL: network key file not 0600"; fail=$((fail + 1)); }
run 1 "$EM" import --home "$T/c" "$T/a.bundle"; has $err 'bundle for network [0-9a-f]{64}; this node is on network'
run 0 "$EM" init --home "$T/d" --network-key "$T/consortium.key"
run 0 "$EM" id --home "$T/d" --json; has $out '"open_network": false'
[ "$(nresults "$B")" = "$nb" ] && pass=$((pass + 1)) || { echo "FAIL: refused imports changed the store"; fail=$((fail + 1)); }
# flip one byte inside the third record's signature (last 13 bytes are trailer + 1)
cp "$T/a.bundle" "$T/bad.bundle"; size=$(stat -c %s "$T/bad.bundle")
flip_byte "$T/bad.bundle" $((size - 20))
cmp -s "$T/a.bundle" "$T/bad.bundle" && bad "bad.bundle equals a.bundle"
run 0 "$EM" init --home "$T/e"
run 1 "$EM" import --home "$T/e" "$T/bad.bundle"; has $err 'record 3 at byte [0-9]+ rejected: signature'
has $out 'imported 2 new records .* 1 rejected'
run 1 "$EM" verify --home "$T/e" --file "$T/bad.bundle"; has $out 'record 3 .*invalid'
run 1 "$EM" verify --home "$T/e" --file "$T/garbage"; has $out '^invalid: '
run 2 "$EM" verify --home "$T/e"; has $err 'RECORD_ID or --file'

# --- equivocation: one identity, two stores, two records with one seq
cp -a "$A" "$T/a2"
run 0 "$EM" result publish --home "$A" --task $TASK --model X --metric accuracy=0.5 --n 10
run 0 "$EM" result publish --home "$T/a2" --task $TASK --model X --metric accuracy=0.9 --n 10
run 0 "$EM" export --home "$T/a2" -o "$T/a2.bundle"
run 0 "$EM" import --home "$A" "$T/a2.bundle"; has $err "author $ID_A signed two records with seq 4"
has $out '1 equivocations'
run 0 "$EM" results --home "$A"; has $out 'flags    equivocating-author'

# --- node, status and peers without a running node; bad flags
run 0 "$EM" status --home "$B"; has $out 'running   no'; has $out 'digest    [0-9a-f]{64}'
run 0 "$EM" status --home "$B" --json; has $out '"running": false'
run 2 "$EM" node --home "$B" --listen nowhere; has $err 'expected HOST:PORT'; one_line
run 2 "$EM" node --home "$B" --peer 10.0.0.1; has $err "--peer '10.0.0.1'"; one_line
run 2 "$EM" node --home "$B" --max-inbound lots; has $err "--max-inbound 'lots': expected a whole number"
run 2 "$EM" node --home "$B" --bogus; has $err "unknown option"
run 0 "$EM" peers --home "$B"; has $out 'no peers'
run 0 "$EM" peers add 127.0.0.1:9 --home "$B"; has $out 'dialed when the node starts'
run 0 "$EM" peers --home "$B" --json; has $out '"addr": "127.0.0.1:9"'
run 2 "$EM" peers add nonsense --home "$B"; has $err "peers add: HOST:PORT 'nonsense'"
run 2 "$EM" peers frob 127.0.0.1:9 --home "$B"; has $err "expected 'peers', 'peers add HOST:PORT' or 'peers remove"

# --- key files: permissions, damage, passphrase
chmod 644 "$A/identity.key"
run 1 "$EM" results --home "$A"; has $err "permissions 0644 .* run: chmod 600"; one_line
chmod 600 "$A/identity.key"; cp "$A/identity.key" "$T/key.bak"
flip_byte "$A/identity.key" 50
run 1 "$EM" result publish --home "$A" --task $TASK --model m --metric a=1 --n 1; has $err 'damaged'; one_line
cp "$T/key.bak" "$A/identity.key"
run 0 "$EM" id --home "$A" --json; has $out "\"id\": \"$ID_A\""
export EM_TEST_PASS='correct horse battery'
run 0 "$EM" init --home "$T/s" --passphrase-env EM_TEST_PASS
run 0 "$EM" id --home "$T/s" --json; has $out '"sealed": true'
run 0 "$EM" result publish --home "$T/s" --task $TASK --model m --metric a=1 --n 1
EM_TEST_PASS=wrong run 1 "$EM" result publish --home "$T/s" --task $TASK --model m --metric a=1 --n 1
has $err 'wrong passphrase'; one_line
unset EM_TEST_PASS
run 1 "$EM" result publish --home "$T/s" --task $TASK --model m --metric a=1 --n 1; has $err 'sealed: set \$EM_TEST_PASS'
run 1 "$EM" init --home "$T/s2" --passphrase-env EM_TEST_UNSET; has $err 'not set'
if grep -rq 'correct horse' "$T/s" 2>/dev/null; then echo "FAIL: passphrase on disk"; fail=$((fail + 1)); else pass=$((pass + 1)); fi

# --- a reader while another process writes
( for i in $(seq 1 40); do "$EM" result publish --home "$B" --task $TASK --model w --metric a=0.$i --n 9 >/dev/null || exit 1; done ) &
wpid=$!
reads_ok=1
for i in $(seq 1 20); do "$EM" results --home "$B" --json >/dev/null || reads_ok=0; done
wait $wpid && [ $reads_ok = 1 ] && pass=$((pass + 1)) || { echo "FAIL: concurrent read/write"; fail=$((fail + 1)); }
[ "$("$EM" results --home "$B" --json | grep -c '"model": "w"')" = 40 ] && pass=$((pass + 1)) \
	|| { echo "FAIL: not all 40 concurrent publishes stored"; fail=$((fail + 1)); }

finish
