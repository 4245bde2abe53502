#!/usr/bin/env bash
# Every model-server behaviour the adapter meets, against the stand-in
# server (contrib/model-server) in the mode that plays it, through
# `evalmesh eval` and `evalmesh model check`: "stream": false honoured,
# Azure's URL with a query and its api-key header (the key stored
# nowhere), redirects followed and the key kept from other hosts, a
# refused connection failing at once, the server's own words quoted for a
# 200 with an error object, a prompt over the context and a failing item,
# llama.cpp's 503 "Loading model" retried through, reasoning kept out of
# the answer.
# usage: server_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: server_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-server-XXXXXX")
cleanup() {
	stop_servers
	[ -n "${EVAL_PID:-}" ] && kill -9 "$EVAL_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
A=$T/a
export EVALMESH_HOME=$A

jnum() { sed -n "s/.*\"$1\": \([-0-9.e]*\).*/\1/p" "$out" | head -1; }
jstr() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$out" | head -1; }
# sstat NAME KEY: a counter from the server's /stats ("events" or top level)
sstat() {
	curl -s "$(eval echo "\$URL_$1")/stats" | python3 -c \
		"import json,sys; s=json.load(sys.stdin); k='$2'; print(s['events'].get(k, s.get(k, 0)))"
}
value_is() {	# value_is V WHAT: the last --json run scored V
	[ "$(jnum value)" = "$1" ] && ok || { bad "$2: value $(jnum value), wanted $1"; head -3 "$err"; }
}

run 0 "$EM" init --name lab-s
run 0 "$EM" task publish "$SRC/contrib/tasks/arith-en/manifest.json"

# --- model check: usage
run 0 "$EM" model check --help; has $out 'usage: evalmesh model check --endpoint URL'
has $out 'Exit status: 0 the endpoint answered'
run 2 "$EM" model check; has $err 'give --endpoint URL'; one_line
run 2 "$EM" model; has $err 'model check'; one_line
run 2 "$EM" model check --endpoint http://127.0.0.1:1 --api frob; has $err 'chat or completions'
run 2 "$EM" model check --endpoint http://127.0.0.1:1 --max-tokens 0; has $err -- '--max-tokens'
run 2 "$EM" model check --endpoint http://127.0.0.1:1 --api-key-header api-key
has $err 'needs --api-key-env'; one_line
run 2 "$EM" model check --endpoint http://127.0.0.1:1 --extra-body '{"max_tokens": 5}'
has $err 'may not set "max_tokens" \(use --max-tokens\)'; one_line
run 2 "$EM" model check --endpoint http://127.0.0.1:1 --extra-body '[1'; has $err 'not JSON'; one_line
run 2 "$EM" model check --endpoint ftp://h; has $err 'expected an http'; one_line
EMPTY_KEY= run 1 "$EM" model check --endpoint http://127.0.0.1:1 --api-key-env EMPTY_KEY
has $err 'EMPTY_KEY: that variable is empty'; one_line
run 2 "$EM" model check --endpoint http://127.0.0.1:1 --api-key-env HOME --api-key-header $'a\r\nX: 1'
has $err -- '--api-key-header "a X: 1": not an HTTP header name'; one_line

# --- a refused connection fails at once: no retry round is waited for
# (the error is the fatal stop, and no item failed after retries)
P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run 1 "$EM" eval arith-en --model refused --endpoint "http://127.0.0.1:$P" --retries 5 --quiet
has $err "stopped: cannot connect to http://127.0.0.1:$P/v1/chat/completions: Connection refused — is the server running\?"
has $err '0 of 240 items scored .*; 0 failed after retries'; one_line
run 1 "$EM" model check --endpoint "http://127.0.0.1:$P"
has $err "^evalmesh: model check: cannot connect to http://127.0.0.1:$P/v1/models: Connection refused"; one_line
run 1 "$EM" model check --endpoint "http://127.0.0.1:$P" --model m
has $err "model check: cannot connect to .*Connection refused — is the server running\?"; one_line

# --- "stream": false: a server that streams unless told does not
start_server sse --accuracy 0.8 --stream-unless-told
curl -s -X POST -d '{"model":"m","messages":[{"role":"user","content":"hi"}]}' \
	"$URL_sse/v1/chat/completions" >"$T/sse.body"
has "$T/sse.body" '^data: \{'	# it does stream when not told
run 0 "$EM" eval arith-en --model sse --endpoint "$URL_sse" --json --quiet --no-publish
value_is 0.8 "a server that streams unless told"
[ "$(sstat sse sse)" = 1 ] && [ "$(sstat sse stream_false)" = 240 ] && ok \
	|| bad "stream:false: $(sstat sse sse) streamed, $(sstat sse stream_false) said false"
run 0 "$EM" model check --endpoint "$URL_sse" --json; has $out '"ok": true'
stop_server sse
start_server always --stream-always
run 1 "$EM" model check --endpoint "$URL_always"
has $err 'the server streamed \(server-sent events\) although stream was false: "data: \{'; one_line
stop_server always

# --- Azure OpenAI: the deployment URL with its query, the key in api-key
export EM_AZ_KEY="az-$RANDOM$RANDOM-SECRET"
start_server azure --accuracy 0.8 --azure --model gpt4o-dep --api-key-env EM_AZ_KEY
AZ="$URL_azure/openai/deployments/gpt4o-dep/chat/completions?api-version=2024-02-01"
run 0 "$EM" eval arith-en --model gpt-4o --served-model gpt4o-dep --endpoint "$AZ" \
	--api-key-env EM_AZ_KEY --api-key-header api-key --json --quiet
value_is 0.8 "Azure with a query and an api-key header"
cat "$out" "$err" >"$T/az-output"
if grep -rqa -- "$EM_AZ_KEY" "$A" "$T/az-output"; then bad "the Azure key was written somewhere"
else ok; fi
run 1 "$EM" eval arith-en --model gpt-4o-b --served-model gpt4o-dep --endpoint "$AZ" \
	--api-key-env EM_AZ_KEY --quiet	# as a bearer: Azure's own 401
has $err 'HTTP 401 from .*/chat/completions\?…: the endpoint refused the request.s credentials'
has $err '"Access denied due to invalid subscription key or wrong API endpoint'; one_line
run 1 "$EM" eval arith-en --model gpt-4o-v --served-model gpt4o-dep --quiet \
	--endpoint "$URL_azure/openai/deployments/gpt4o-dep/chat/completions" \
	--api-key-env EM_AZ_KEY --api-key-header api-key	# no api-version
has $err 'HTTP 404 .*no such path or model.*: "Resource not found"'; one_line
run 0 "$EM" model check --endpoint "$AZ" --served-model gpt4o-dep --api-key-env EM_AZ_KEY \
	--api-key-header api-key
has $out '^answer     "I do not know."'
has $out '^models     none listed: HTTP 404 .*"Resource not found"'
if grep -qa -- "$EM_AZ_KEY" "$out" "$err"; then bad "model check printed the key"; else ok; fi
stop_server azure

# --- redirects: followed on the same host; never with the key to another
start_server moved --accuracy 0.8 --redirect
run 0 "$EM" eval arith-en --model moved --endpoint "$URL_moved" --json --quiet --no-publish
value_is 0.8 "through a 307"
[ "$(sstat moved redirects)" = 240 ] && ok || bad "redirects: $(sstat moved redirects), wanted 240"
stop_server moved
start_server moved303 --accuracy 0.8 --redirect --redirect-code 303
run 0 "$EM" eval arith-en --model moved303 --endpoint "$URL_moved303" --json --quiet --no-publish
value_is 0.8 "through a 303, still a POST"
stop_server moved303
export EM_KEY="sk-$RANDOM$RANDOM-SECRET"
start_server away --accuracy 0.8 --redirect --redirect-host localhost --api-key-env EM_KEY
run 1 "$EM" eval arith-en --model away --endpoint "$URL_away" --api-key-env EM_KEY --quiet
has $err 'redirects to another host \(http://localhost:[0-9]+/moved/v1/chat/completions\): not followed, so the API key is not sent there'
one_line
[ "$(sstat away other_host)" = 0 ] && ok || bad "the adapter went to the other host"
# the same hop with curl's own following carries a custom key header along:
# what the adapter guards against, and what the counter above would see
curl -s -L -H "api-key: $EM_KEY" -X POST -d '{}' "$URL_away/v1/chat/completions" >/dev/null
[ "$(sstat away key_other_host)" = 1 ] && ok || bad "the other-host key counter does not count"
stop_server away
start_server away2 --accuracy 0.8 --redirect --redirect-host localhost
run 0 "$EM" eval arith-en --model away2 --endpoint "$URL_away2" --json --quiet --no-publish
value_is 0.8 "to another host, without a key"
[ "$(sstat away2 other_host)" = 240 ] && [ "$(sstat away2 key_other_host)" = 0 ] && ok \
	|| bad "keyless cross-host: $(sstat away2 other_host) there, $(sstat away2 key_other_host) with a key"
stop_server away2

# --- a 200 whose body is vLLM's error object: quoted, classed by its code
start_server e200 --error-200 1
run 1 "$EM" eval arith-en --model e200 --endpoint "$URL_e200" --quiet
has $err 'stopped: http://127.0.0.1:[0-9]+/v1/chat/completions: the server answered an error \(code 404\): "The model `evalmesh-test-model` does not exist."'
one_line
run 1 "$EM" model check --endpoint "$URL_e200"
has $err '"The model `evalmesh-test-model` does not exist."'; one_line
stop_server e200
start_server e500 --accuracy 0.8 --error-200 0.2 --error-200-code 500
run 0 "$EM" eval arith-en --model e500 --endpoint "$URL_e500" --retries 10 --json --quiet --no-publish
value_is 0.8 "through 200s holding a 500 error"
[ "$(sstat e500 error200)" -gt 0 ] && ok || bad "no error object was sent"
stop_server e500

# --- llama.cpp's words: a prompt over the context, an item that fails
start_server ctx --accuracy 0.8 --context 51
run 0 "$EM" eval arith-en --model ctx --endpoint "$URL_ctx" --retries 0 --quiet
has $out '16 refused by the server'
has $out 'reasons +HTTP 400: "request \(52 tokens\) exceeds the available context size \(51 tokens\), try increasing it"'
[ "$(sstat ctx context)" = 16 ] && ok || bad "$(sstat ctx context) prompts over the context, wanted 16"
stop_server ctx
# a URL curl will not take is said at once, not asked 240 times
run 1 "$EM" eval arith-en --model bad --endpoint "http://127.0.0.1:99999" --quiet
has $err 'not a URL curl can use \(Port number'; one_line
start_server tiny --context 1
run 1 "$EM" model check --endpoint "$URL_tiny" --api completions
has $err 'HTTP 400 .*"request \([0-9]+ tokens\) exceeds the available context size \(1 tokens\)'
one_line
stop_server tiny
start_server peg --accuracy 0.8 --fail-items 3
run 1 "$EM" eval arith-en --model peg --endpoint "$URL_peg" --retries 1 --quiet
has $err '237 of 240 items scored'
has $err 'server errors \(last: HTTP 500 from .*: a server error: "The model produced output that does not match the expected peg-native format"\)'
one_line
[ "$(sstat peg fail_items)" = 6 ] && ok || bad "failing items asked $(sstat peg fail_items) times, wanted 6"
stop_server peg

# --- llama.cpp loading: 503 "Loading model" retried through
start_server loading --accuracy 0.8 --loading 5
run 0 "$EM" eval arith-en --model loading --endpoint "$URL_loading" --retries 3 --json --quiet \
	--no-publish
value_is 0.8 "through 503 Loading model"
[ "$(sstat loading loading)" = 5 ] && [ "$(jnum requests)" = 245 ] && ok \
	|| bad "loading: $(sstat loading loading) 503s, $(jnum requests) requests"
run 0 "$EM" model check --endpoint "$URL_loading" --json; has $out '"ok": true'
stop_server loading

# --- a server that restarts mid-run: its refused connections are retried
start_server restart --accuracy 0.8 --latency-ms 20
RP=$(cat "$T/restart.port")
"$EM" eval arith-en --model restart --endpoint "$URL_restart" --concurrency 4 --retries 8 \
	--json --quiet --no-publish >"$T/restart.out" 2>"$T/restart.err" &
EVAL_PID=$!
for ((i = 0; i < 200; i++)); do [ "$(served restart)" -ge 40 ] 2>/dev/null && break; sleep 0.05; done
stop_server restart
start_server restart --accuracy 0.8 --port "$RP"
wait "$EVAL_PID"; rc=$?; EVAL_PID=
out=$T/restart.out err=$T/restart.err
if [ "$rc" = 0 ]; then value_is 0.8 "across a server restart"; else bad "restart: exit $rc"; cat "$err"; fi
[ "$(served restart)" -gt 0 ] && ok || bad "nothing was asked after the restart"
out=$T/out err=$T/err
stop_server restart

# --- reasoning: never part of the answer
for mode in field parts; do
	start_server "r_$mode" --accuracy 0.8 --reasoning "$mode"
	run 0 "$EM" eval arith-en --model "r-$mode" --endpoint "$(eval echo "\$URL_r_$mode")" \
		--json --quiet --no-publish
	value_is 0.8 "reasoning as $mode (a wrong answer in it)"
	stop_server "r_$mode"
done
start_server rnull --reasoning null-content-length
run 0 "$EM" model check --endpoint "$URL_rnull" --json
has $out '"answer": ""'; has $out '"truncated": true'; has $out '"finish_reason": "length"'
has $out '"reasoning": "reasoning_content"'
run 0 "$EM" model check --endpoint "$URL_rnull"; has $out 'no text: the model stopped at its token limit'
stop_server rnull
start_server rthink --reasoning think-close-only
run 0 "$EM" model check --endpoint "$URL_rthink" --json; has $out '"reasoning": "<think> in content"'
stop_server rthink
start_server rfield --reasoning field
run 0 "$EM" model check --endpoint "$URL_rfield" --json
has $out '"reasoning": "reasoning(_content)?"'; has $out '"answer": "I do not know."'
has $out '"usage": \{'; has $out '"ids": \['
stop_server rfield
finish
