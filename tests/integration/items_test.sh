#!/usr/bin/env bash
# What an item can come to besides an answer, end to end against the
# stand-in server: reasoning set aside before scoring; answers the token
# limit cut and empty answers counted; items the server refuses scored 0,
# counted, quoted and never asked again; items that fail every attempt
# scored 0 only with --count-failed-as-wrong; --max-tokens and
# --extra-body sent, in the run key and signed into the result; --fresh;
# and the counts on the leaderboard row.
# usage: items_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: items_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-items-XXXXXX")
cleanup() {
	stop_servers
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
export EVALMESH_HOME=$T/a

jnum() { sed -n "s/.*\"$1\": \([-0-9.e]*\).*/\1/p" "$out" | head -1; }
jstr() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$out" | head -1; }
want() {	# want KEY VALUE WHAT: the last --json output's number KEY is VALUE
	[ "$(jnum "$1")" = "$2" ] && ok || { bad "$3: $1 is $(jnum "$1"), wanted $2"; head -3 "$err"; }
}
# harness MODEL: the signed harness settings of MODEL's result, one line
harness() {
	"$EM" results --json | python3 -c "import json,sys
for r in json.load(sys.stdin):
    if r['model'] == '$1': print(json.dumps(r['harness'], sort_keys=True))"
}

run 0 "$EM" init --name lab-i
run 0 "$EM" task publish "$SRC/contrib/tasks/arith-en/manifest.json"
run 0 "$EM" task publish "$SRC/contrib/tasks/prime-mc/manifest.json"

# --- reasoning in content: the answer after the block is scored, not the
# wrong answer inside it (the stand-in puts one there)
for mode in think think-close-only; do
	srv=r_${mode//-/_}
	start_server "$srv" --accuracy 0.8 --reasoning "$mode"
	url=$(eval echo "\$URL_$srv")
	run 0 "$EM" eval arith-en --model "r-$mode" --endpoint "$url" --json --quiet --no-publish
	want value 0.8 "arith-en, reasoning as $mode"
	want empty 0 "reasoning as $mode"
	run 0 "$EM" eval prime-mc --model "r-$mode" --endpoint "$url" --json --quiet --no-publish
	want value 0.8 "prime-mc, reasoning as $mode"
	stop_server "$srv"
done

# --- twelve items spend the budget thinking: content null, finish "length"
# every item spends it: no answer with text at all, nothing to publish
start_server tkall --reasoning null-content-length
run 1 "$EM" eval arith-en --model thinks-only --endpoint "$URL_tkall" --quiet
has "$err" 'no item got an answer with text \(240 empty, 0 refused by the server, 0 failed\); nothing published'
one_line
stop_server tkall
start_server tk --accuracy 0.8 --think-out-items 12
run 0 "$EM" eval arith-en --model thinker --endpoint "$URL_tk" --json --quiet
want truncated 12 "content null, finish length"
want empty 12 "content null is an empty answer"
want refused 0 "nothing refused"
want requests 240 "an empty answer is an answer: not asked again"
v=$(jnum value)
awk -v v="$v" 'BEGIN { exit !(v >= 0.75 && v <= 0.8) }' && ok || bad "thinker scored $v"
has "$out" '"record": "[0-9a-f]{64}"'
harness thinker >"$T/h"; has "$T/h" '"items": \{"empty": 12, "failed": 0, "notes": "", "refused": 0, "truncated": 12\}'
run 0 "$EM" leaderboard arith-en; has "$out" 'thinker .* 12/240 truncated, 12/240 empty'
run 0 "$EM" leaderboard arith-en --json; has "$out" '"truncated": 12'
# resumed from the cache, the counts are the same
run 0 "$EM" eval arith-en --model thinker --endpoint "$URL_tk" --json --quiet --no-publish
want cached 240 "a finished run"; want truncated 12 "from the cache"; want empty 12 "from the cache"
stop_server tk

# --- --max-tokens and --extra-body: sent, in the run key, signed
start_server mx --accuracy 0.8 --log-requests "$T/requests.jsonl"
run 0 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --json --quiet
want requests 240 "first run"
grep -q '"max_tokens": 64,' "$T/requests.jsonl" && grep -q '"stream": false' "$T/requests.jsonl" \
	&& ok || bad "requests lacked the task's max_tokens or stream:false: $(head -c 300 "$T/requests.jsonl")"
: >"$T/requests.jsonl"
XB='{"chat_template_kwargs":{"enable_thinking":false},"top_p":0.95}'
run 0 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --max-tokens 4096 --extra-body "$XB" \
	--json --quiet
want requests 240 "another max_tokens and extra fields is another run: every item asked"
[ "$(grep -c '"max_tokens": 4096' "$T/requests.jsonl")" = 240 ] && ok || bad "--max-tokens not sent"
[ "$(grep -c '"chat_template_kwargs": {"enable_thinking": false}' "$T/requests.jsonl")" = 240 ] \
	&& grep -q '"top_p": 0.95' "$T/requests.jsonl" && ok || bad "--extra-body not merged"
harness mx >"$T/h"
has "$T/h" '"extra_body": \{"chat_template_kwargs": \{"enable_thinking": false\}, "top_p": 0.95\}'
has "$T/h" '"max_tokens": 4096'; has "$T/h" '"max_tokens": 64'	# both results, each its own
run 0 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --max-tokens 4096 --extra-body "$XB" \
	--json --quiet --no-publish
want cached 240 "the same settings again"; want requests 0 "the same settings again"
# an empty object asks as no extra fields do: the same run, from the cache
run 0 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --extra-body '{}' --json --quiet --no-publish
want cached 240 "--extra-body {} after none"; want requests 0 "--extra-body {} after none"
# --fresh asks again, and forgets the old answers: stopped early (here by
# --limit), the plain command goes on from the fresh ones, never mixing
run 0 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --fresh --json --quiet --no-publish
want cached 0 "--fresh"; want requests 240 "--fresh"
run 0 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --fresh --limit 10 --json --quiet
run 0 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --json --quiet --no-publish
want cached 10 "after a fresh run of ten"; want requests 230 "after a fresh run of ten"
# bad extra fields: one line each, nothing sent
n0=$(served mx)
run 2 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --extra-body '{"top_p": 0.9'
has "$err" -- "--extra-body '.*': not JSON"; one_line
run 2 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --extra-body '[1,2]'
has "$err" 'object'; one_line
run 2 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --extra-body '{"max_tokens": 9}'
has "$err" 'max_tokens.*--max-tokens'; one_line
run 2 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --extra-body '{"a":1,"a":2}'
has "$err" -- "--extra-body '.*': not JSON.*duplicate"; one_line
run 2 "$EM" eval arith-en --model mx --endpoint "$URL_mx" --max-tokens 0
has "$err" -- '--max-tokens'; one_line
[ "$(served mx)" = "$n0" ] && ok || bad "a refused setting still sent requests"
stop_server mx

# --- a prompt over the server's context: refused, scored 0, counted, quoted
start_server ctx --accuracy 0.8 --context 51
run 0 "$EM" eval arith-en --model ctx --endpoint "$URL_ctx" --json --quiet
want refused 16 "prompts over the context"
want requests 240 "a refused item is not asked again"
# the reason signed into the result is the server's status and words, not
# the endpoint (a lab's inside address)
has "$out" '"notes": "HTTP 400: \\"request \([0-9]+ tokens\) exceeds the available context size \(51 tokens\), try increasing it\\""'
grep -q '127\.0\.0\.1' <(sed -n 's/.*"notes": \(.*\)/\1/p' "$out") && bad "the notes name the endpoint" || ok
run 0 "$EM" eval arith-en --model ctx --endpoint "$URL_ctx" --quiet --no-publish
has "$out" '16 refused by the server'; has "$out" 'reasons +HTTP 400: .*exceeds the available context size'
# from the cache: not asked again, still refused
n0=$(served ctx)
run 0 "$EM" eval arith-en --model ctx --endpoint "$URL_ctx" --json --quiet --no-publish
want refused 16 "refused items from the cache"
[ "$(served ctx)" = "$n0" ] && ok || bad "refused items were asked again"
run 0 "$EM" leaderboard arith-en; has "$out" 'ctx .* 16/240 refused'
stop_server ctx
# a server that refuses everything is set wrong: stop, publish nothing
n0=$("$EM" results --json | grep -c '"author"')
start_server none --context 1
run 1 "$EM" eval arith-en --model none --endpoint "$URL_none" --concurrency 1 --quiet
has "$err" 'stopped: the server refused each of the first 10 items, so none was kept .*exceeds the available context'
has "$err" 'nothing published'; one_line
[ "$("$EM" results --json | grep -c '"author"')" = "$n0" ] && ok || bad "a refused run was published"
stop_server none
# a long message in Chinese, cut to fit the line: cut between characters,
# marked, and the line is UTF-8 (it was cut mid-character)
zh=$(python3 -c 'print("aa" + "请求的提示词太长了，超过了模型的上下文长度。" * 12)')
start_server zh --context 1 --context-message "$zh"
run 1 "$EM" eval arith-en --model zh --endpoint "$URL_zh" --concurrency 1 --quiet
has "$err" 'last: HTTP 400 .*"aa请求的提示词.*…'; one_line
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$err" && ok || bad "the error line is not UTF-8"
stop_server zh
# ... and once the server is set right, the same command scores every item
start_server fixed --accuracy 0.8
run 0 "$EM" eval arith-en --model none --endpoint "$URL_fixed" --json --quiet
want value 0.8 "after the server was fixed"; want refused 0 "after the server was fixed"
want cached 0 "refusals of a misconfigured server are not kept"
stop_server fixed
# a task whose every item is refused (fewer than ten) is not published either
mkdir -p "$T/three"
printf '{"name": "three", "version": "1", "metric": "numeric", "prompt": "{q}", "target": "a", "items": "items.jsonl"}\n' \
	>"$T/three/manifest.json"
for i in 1 2 3; do printf '{"id": %d, "q": "What is %d+%d? %s", "a": %d}\n' $i $i $i \
	"$(printf 'pad%.0s ' {1..60})" $((2 * i)); done >"$T/three/items.jsonl"
run 0 "$EM" task publish "$T/three/manifest.json"
start_server tiny --context 20
run 1 "$EM" eval three --model tiny --endpoint "$URL_tiny" --quiet
has "$err" 'stopped: the server refused every item it was asked, so none was kept'; one_line
stop_server tiny

# --- items that fail every attempt: incomplete unless counted as wrong
start_server peg --accuracy 0.8 --fail-items 3
run 1 "$EM" eval arith-en --model peg --endpoint "$URL_peg" --retries 1 --quiet
has "$err" '237 of 240 items scored'; has "$err" -- '--count-failed-as-wrong would score them 0'
has "$err" 'peg-native format'; one_line
run 0 "$EM" eval arith-en --model peg --endpoint "$URL_peg" --retries 1 --count-failed-as-wrong \
	--json --quiet
want failed_as_wrong 3 "three items that always fail"
want cached 237 "the items scored before"
has "$out" '"notes": "HTTP 500: .*The model produced output that does not match the expected peg-native format'
v=$(jnum value)
awk -v v="$v" 'BEGIN { exit !(v >= 0.8 - 3/240 - 1e-9 && v <= 0.8) }' && ok || bad "peg scored $v"
harness peg >"$T/h"; has "$T/h" '"failed": 3, "notes": "HTTP 500: '
run 0 "$EM" leaderboard arith-en --csv; has "$out" '^[0-9]*,peg,,.*,240,0,0,0,3$'
stop_server peg
# twelve such items: a first run leaves them all for the end, and counting
# them as wrong still finishes (a server answering them with its own error
# is there, not gone)
start_server peg12 --accuracy 0.8 --fail-items 12
run 1 "$EM" eval arith-en --model peg12 --endpoint "$URL_peg12" --retries 0 --quiet
has "$err" '228 of 240 items scored'; one_line
run 0 "$EM" eval arith-en --model peg12 --endpoint "$URL_peg12" --retries 0 \
	--count-failed-as-wrong --json --quiet
want failed_as_wrong 12 "twelve failing items left at the end"; want cached 228 "the rest"
stop_server peg12
# ... but a server that is gone is not a run of zeros
start_server gone --accuracy 0.8 --fail 500=1
run 1 "$EM" eval arith-en --model gone --endpoint "$URL_gone" --retries 0 --count-failed-as-wrong \
	--quiet
has "$err" 'stopped: 10 items in a row failed'; one_line
stop_server gone

# --- "not now" (503 while a model loads, 429) is waited on, not counted
# against --retries: thirty of them in a row, one retry allowed
start_server busy --accuracy 0.8 --fail-first 30 --fail-kind 503 --retry-after 0
run 0 "$EM" eval arith-en --model busy --endpoint "$URL_busy" --limit 3 --retries 1 \
	--concurrency 1 --json --quiet
want requests 33 "thirty 503s waited through"; want n 3 "thirty 503s waited through"
stop_server busy
# ... for --patience seconds, whatever Retry-After asks: then the run stops
start_server never --fail-first 100000 --fail-kind 429 --retry-after 3600
run 1 "$EM" eval arith-en --model never --endpoint "$URL_never" --limit 3 --patience 1 --quiet
has "$err" 'stopped: the server said "not now" for 1 s \(--patience\); last: HTTP 429'; one_line
stop_server never
finish
