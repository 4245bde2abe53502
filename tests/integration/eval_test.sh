#!/usr/bin/env bash
# Evaluation end to end against a real HTTP model server on 127.0.0.1:
# published scores equal what the server was told; kill -9 and resume
# without asking again; faults retried or reported with nothing published;
# the API key appears nowhere; the exec adapter and its failures.
# usage: eval_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: eval_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-eval-XXXXXX")
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
nresults() { "$EM" results --json | grep -c '"author"'; }

run 0 "$EM" init --name lab-a
for t in arith-en arith-zh prime-mc; do
	run 0 "$EM" task publish "$SRC/contrib/tasks/$t/manifest.json"
done

# --- usage and bad values: one line, nothing sent
run 0 "$EM" eval --help; has $out 'usage: evalmesh eval TASK'
run 2 "$EM" eval arith-en --endpoint http://127.0.0.1:1; has $err -- '--model NAME is required'; one_line
run 2 "$EM" eval arith-en --model m; has $err 'give --endpoint URL or --exec CMD'; one_line
run 2 "$EM" eval arith-en --model m --endpoint http://x --exec cat; has $err 'not both'; one_line
run 2 "$EM" eval arith-en --model m --endpoint ftp://127.0.0.1:1; has $err "expected an http"; one_line
run 1 "$EM" eval arith-en --model m --endpoint http://127.0.0.1:1 --api-key-env NO_SUCH_VAR_X
has $err 'NO_SUCH_VAR_X: that variable is not set'; one_line
run 2 "$EM" eval arith-en --model m --endpoint http://127.0.0.1:1 --concurrency 0
has $err -- "--concurrency '0': expected a whole number from 1 to 1024"; one_line
run 1 "$EM" eval nosuch --model m --endpoint http://127.0.0.1:1; has $err "no task with id or name"
run 2 "$EM" eval arith-en --model m --endpoint http://127.0.0.1:1 --api frob; has $err "--api 'frob': expected chat or completions"

# --- end to end: the score is what the server was told
start_server s1 --accuracy 0.8 --latency-ms 2
before=$(served s1)
run 0 "$EM" eval arith-en --model qwen-test --revision r1 --endpoint "$URL_s1" --dry-run
has $out 'Goran has 401 cards'; has $out 'nothing is sent'
[ "$(served s1)" = "$before" ] && ok || bad "--dry-run sent requests"
run 0 "$EM" eval arith-en --model qwen-test --revision r1 --endpoint "$URL_s1" --json --quiet
[ "$(jnum value)" = 0.8 ] && ok || bad "arith-en scored $(jnum value), the server was told 0.8"
[ "$(jnum requests)" = 240 ] && ok || bad "requests $(jnum requests), wanted 240"
REC=$(jstr record); FULL_ROOT=$(jstr merkle_root)
[ "$(served s1)" = 240 ] && ok || bad "server counted $(served s1) requests, wanted 240"
run 0 "$EM" results --json; has $out "\"id\": \"$REC\""; has $out '"model": "qwen-test"'
has $out '"numeric": 0.8'; has $out '"n": 240'
run 0 "$EM" eval arith-zh --model qwen-test --revision r1 --endpoint "$URL_s1" --json --quiet
[ "$(jnum value)" = 0.8 ] && ok || bad "arith-zh (full-width, Chinese) scored $(jnum value)"
run 0 "$EM" eval prime-mc --model qwen-test --endpoint "$URL_s1" --api completions --json --quiet
[ "$(jnum value)" = 0.8 ] && ok || bad "prime-mc over completions scored $(jnum value)"
# the same command again: everything from the cache, nothing asked
before=$(served s1)
run 0 "$EM" eval arith-en --model qwen-test --revision r1 --endpoint "$URL_s1" --json --quiet \
	--no-publish
[ "$(jnum cached)" = 240 ] && [ "$(served s1)" = "$before" ] && ok || bad "a finished run asked again"
# ... and published: the result it would sign is the one it signed, so
# nothing new is signed (main signed a copy each time)
n0=$(nresults)
run 0 "$EM" eval arith-en --model qwen-test --revision r1 --endpoint "$URL_s1" --json --quiet
has $out "\"record\": \"$REC\""; has $out '"published_before": true'
[ "$(nresults)" = "$n0" ] && ok || bad "a repeated run signed its result again"
run 0 "$EM" eval arith-en --model qwen-test --revision r1 --endpoint "$URL_s1" --quiet
has $out "published  result $REC \(before: "
# --- a budget's caps. --max-requests: at most that many are sent, then the
# run stops keeping what it scored, and says so (with --json, on stdout
# too, with the requests sent); the same command with room goes on
before=$(served s1)
run 1 "$EM" eval arith-en --model capped --endpoint "$URL_s1" --max-requests 25 --concurrency 4 \
	--json --quiet
has $err 'stopped: the request cap was reached \(--max-requests\); 25 of 240 items scored'; one_line
has $out '"complete": false'; has $out '"limit": "max_requests"'; has $out '"requests": 25'
[ $(($(served s1) - before)) = 25 ] && ok || bad "--max-requests 25: the server saw $(($(served s1) - before))"
run 0 "$EM" eval arith-en --model capped --endpoint "$URL_s1" --max-requests 215 --json --quiet
[ "$(jnum cached)" = 25 ] && [ "$(jnum requests)" = 215 ] && ok ||
	bad "after the cap: cached $(jnum cached), requests $(jnum requests); wanted 25 and 215"
has $out '"complete": true'
# --max-prompt-bytes: an item whose prompt is over it refuses the run, unsent
before=$(served s1)
run 1 "$EM" eval arith-en --model tiny --endpoint "$URL_s1" --max-prompt-bytes 100 --json --quiet
has $err "item 1's prompt is [0-9]+ bytes, over the limit of 100 \(--max-prompt-bytes\); nothing was sent"
one_line; has $out '"limit": "max_prompt_bytes"'; has $out '"requests": 0'
[ "$(served s1)" = "$before" ] && ok || bad "a prompt over --max-prompt-bytes was sent"
# a failure before any run still says, as JSON, that nothing was sent
run 1 "$EM" eval nosuch --model m --endpoint "$URL_s1" --json; has $out '"requests": 0'
has $out '"complete": false'
# --limit: a preview, never published
n0=$(nresults)
run 0 "$EM" eval arith-en --model other --endpoint "$URL_s1" --limit 10 --json --quiet
[ "$(jnum n)" = 10 ] && ok || bad "--limit 10 ran $(jnum n) items"
has $out '"record": null'
[ "$(nresults)" = "$n0" ] && ok || bad "--limit published a result"
# replicas: two endpoints share the requests
start_server s2 --accuracy 0.8
b1=$(served s1)
run 0 "$EM" eval arith-en --model replicas --endpoint "$URL_s1" --endpoint "$URL_s2" --json --quiet
[ "$(jnum value)" = 0.8 ] && ok || bad "replicas scored $(jnum value)"
d1=$(($(served s1) - b1)) d2=$(served s2)
[ "$d1" -ge 100 ] && [ "$d2" -ge 100 ] && [ $((d1 + d2)) = 240 ] && ok \
	|| bad "replicas took $d1 and $d2 requests"
stop_server s2
# a server with two worker processes counts across both
start_server w2 --accuracy 0.8 --workers 2
run 0 "$EM" eval arith-zh --model workers --endpoint "$URL_w2" --concurrency 16 --json --quiet
[ "$(jnum value)" = 0.8 ] && [ "$(served w2)" = 240 ] && ok \
	|| bad "two server workers: value $(jnum value), $(served w2) requests counted"
stop_server w2

# --- resume: kill -9 half-way, run again, nothing scored is asked again
start_server slow --accuracy 0.8 --latency-ms 20
"$EM" eval arith-en --model resumed --endpoint "$URL_slow" --concurrency 4 --quiet \
	>"$T/first.out" 2>&1 &
EVAL_PID=$!
for ((i = 0; i < 200; i++)); do [ "$(served slow)" -ge 100 ] 2>/dev/null && break; sleep 0.05; done
kill -9 "$EVAL_PID"; wait "$EVAL_PID" 2>/dev/null; EVAL_PID=
c1=$(served slow)
[ "$c1" -ge 100 ] && [ "$c1" -lt 240 ] && ok || bad "kill -9 came at $c1 requests, not half-way"
run 0 "$EM" eval arith-en --model resumed --endpoint "$URL_slow" --concurrency 4 --json --quiet
k=$(jnum cached) c2=$(($(served slow) - c1))
[ "$k" -gt 0 ] && [ "$k" -le "$c1" ] && ok || bad "resume found $k cached items after $c1 requests"
[ "$c2" = $((240 - k)) ] && ok || bad "resume asked $c2 items; $k were cached, so 240-$k was right"
[ "$(jnum value)" = 0.8 ] && [ "$(jstr merkle_root)" = "$FULL_ROOT" ] && ok \
	|| bad "the resumed result differs from an uninterrupted run's"
# one run of a task with one model's settings at a time per home: a second
# is refused while the first waits on a server that never answers
start_server stuck --fail stall=1
"$EM" eval arith-en --model locked --endpoint "$URL_stuck" --concurrency 1 --timeout 3600 \
	--quiet >"$T/lock.out" 2>&1 &
EVAL_PID=$!
for ((i = 0; i < 200; i++)); do [ "$(served stuck)" -ge 1 ] 2>/dev/null && break; sleep 0.05; done
run 1 "$EM" eval arith-en --model locked --endpoint "$URL_stuck" --concurrency 1 --quiet
has $err 'another eval of this task with these model settings is running on this home'; one_line
kill -0 "$EVAL_PID" && ok || bad "the first eval ended before the second was refused"
run 0 "$EM" eval arith-en --model locked --endpoint "$URL_stuck" --dry-run	# no run: no lock
kill -9 "$EVAL_PID"; wait "$EVAL_PID" 2>/dev/null; EVAL_PID=
# a killed run leaves no lock behind
run 1 "$EM" eval arith-en --model locked --endpoint "http://127.0.0.1:1" --concurrency 1 --quiet
grep -q 'another eval' "$err" && bad "a killed run's lock outlived it" || ok
stop_server stuck
# Ctrl-C: stops, keeps what was scored, says how to go on, exits 130
"$EM" eval arith-zh --model interrupted --endpoint "$URL_slow" --concurrency 2 --quiet \
	>"$T/int.out" 2>"$T/int.err" &
EVAL_PID=$!
b=$(served slow)
for ((i = 0; i < 200; i++)); do [ $(($(served slow) - b)) -ge 20 ] 2>/dev/null && break; sleep 0.05; done
kill -INT "$EVAL_PID"; wait "$EVAL_PID"; rc=$?; EVAL_PID=
[ "$rc" = 130 ] && ok || bad "Ctrl-C exited $rc, wanted 130"
has "$T/int.err" 'interrupted: [0-9]+ of 240 items scored and cached; run the same command again'
# SIGTERM (a service manager's stop) likewise, exiting 128 + 15 as shells expect
"$EM" eval arith-zh --model terminated --endpoint "$URL_slow" --concurrency 2 --quiet \
	>"$T/term.out" 2>"$T/term.err" &
EVAL_PID=$!
b=$(served slow)
for ((i = 0; i < 200; i++)); do [ $(($(served slow) - b)) -ge 20 ] 2>/dev/null && break; sleep 0.05; done
kill -TERM "$EVAL_PID"; wait "$EVAL_PID"; rc=$?; EVAL_PID=
[ "$rc" = 143 ] && ok || bad "SIGTERM exited $rc, wanted 143"
has "$T/term.err" 'interrupted: [0-9]+ of 240 items scored and cached; run the same command again'
stop_server slow

# --- faults
start_server f429 --accuracy 0.8 --fail-first 20 --fail-kind 429 --retry-after 1
run 0 "$EM" eval arith-en --model f429 --endpoint "$URL_f429" --json --quiet
[ "$(jnum value)" = 0.8 ] && ok || bad "after a 429 burst: $(jnum value)"
[ "$(jnum requests)" = 260 ] && ok || bad "a 429 burst of 20 took $(jnum requests) requests"
curl -s "$URL_f429/stats" >"$T/stats"; has "$T/stats" '"429": 20'
stop_server f429
start_server flaky --accuracy 0.8 --fail 500=0.15,malformed=0.1,close=0.05,503=0.05 --retry-after 0
run 0 "$EM" eval arith-zh --model flaky --endpoint "$URL_flaky" --retries 10 --json --quiet
[ "$(jnum value)" = 0.8 ] && ok || bad "through 500s and malformed JSON: $(jnum value)"
stop_server flaky
start_server stall --accuracy 0.8 --fail stall=0.05
run 0 "$EM" eval prime-mc --model stall --endpoint "$URL_stall" --timeout 1 --concurrency 16 \
	--json --quiet
[ "$(jnum value)" = 0.8 ] && ok || bad "through stalls: $(jnum value)"
stop_server stall
n0=$(nresults)
start_server down --fail 500=1
run 1 "$EM" eval arith-en --model down --endpoint "$URL_down" --retries 1 --quiet
has $err 'nothing published'; has $err 'server errors'; one_line
stop_server down
run 1 "$EM" eval arith-en --model refused --endpoint "http://127.0.0.1:$(port 0)" --retries 1 --quiet
has $err 'stopped: cannot connect to .*Connection refused'; has $err 'nothing published'; one_line
[ "$(nresults)" = "$n0" ] && ok || bad "a failed run published something"

# --- the API key: required by the server, sent, and found nowhere
export EM_TEST_KEY="sk-test-$RANDOM$RANDOM-SECRET"
start_server keyed --accuracy 0.8 --api-key-env EM_TEST_KEY
run 1 "$EM" eval arith-en --model keyed --endpoint "$URL_keyed" --quiet
has $err 'refused the request.s credentials'; one_line
# a wrong key, which the server echoes back: never repeated
export EM_WRONG_KEY="sk-wrong-$RANDOM$RANDOM-KEY"
run 1 "$EM" eval arith-en --model keyed --endpoint "$URL_keyed" --quiet --api-key-env EM_WRONG_KEY
has $err 'Incorrect API key provided: Bearer \*{10,}'; one_line
grep -q -- "$EM_WRONG_KEY" "$err" && bad "the wrong key was printed" || ok
run 0 "$EM" eval arith-en --model keyed --endpoint "$URL_keyed" --api-key-env EM_TEST_KEY
cat "$out" "$err" >"$T/all-output"
"$EM" results --json >>"$T/all-output"
"$EM" export -o "$T/all.bundle" >/dev/null 2>&1 || bad "export failed"
if grep -rqa -- "$EM_TEST_KEY" "$A" "$T/all-output" "$T/all.bundle"; then
	bad "the API key was written somewhere"; else ok; fi
stop_server keyed

# --- the exec adapter
EX="python3 $SRC/tests/integration/exec_model.py"
run 0 "$EM" eval arith-en --model exec-echo --exec "$EX echo" --concurrency 4 --json --quiet
[ "$(jnum n)" = 240 ] && ok || bad "exec echo ran $(jnum n) items"
run 1 "$EM" eval arith-en --model exec-garbage --exec "$EX garbage" --quiet
has $err 'stopped: the model program wrote a line that is not JSON'; one_line
run 1 "$EM" eval arith-en --model exec-die --exec "$EX die 5" --quiet
has $err 'the model program exited with status 3'; has $err '5 of 240 items scored'; one_line
run 1 "$EM" eval arith-en --model exec-error --exec "$EX error" --retries 0 --quiet
has $err 'answered an error: "out of memory on the GPU"'; one_line
# a program that refuses some items and is cut short on others: counted as
# a server's would be (ids are item indexes: 0..239)
run 0 "$EM" eval arith-en --model exec-cut --exec "$EX cut" --concurrency 4 --json --quiet
[ "$(jnum refused)" = 80 ] && ok || bad "exec cut: refused $(jnum refused), wanted 80"
[ "$(jnum truncated)" = 40 ] && ok || bad "exec cut: truncated $(jnum truncated), wanted 40"
has $out 'refused this item: .*prompt longer than my context'
# answers under ids it was not sent: told, not only timed out
run 1 "$EM" eval arith-en --model exec-wrongid --exec "$EX wrongid" --timeout 1 --retries 0 --limit 12 --quiet
has $err 'answered id 100[0-9], which is not waiting'; has $err 'no more of these are told'
[ "$(grep -c 'which is not waiting' "$err")" = 3 ] && ok || bad "stray answers told $(grep -c 'which is not waiting' "$err") times, wanted 3"
run 1 "$EM" eval arith-en --model exec-none --exec "/nonexistent/model" --quiet
has $err 'exited with status 127'
# what the program starts ends with the run: a grandchild that never
# answers is stopped with it (it kept our stderr open before)
run 1 "$EM" eval arith-en --model exec-hang --exec "sleep 300 & echo \$! >$T/grandchild; wait" \
	--timeout 1 --retries 0 --limit 2 --quiet
gc=$(cat "$T/grandchild" 2>/dev/null)
for ((i = 0; i < 50; i++)); do kill -0 "$gc" 2>/dev/null || break; sleep 0.1; done
[ -n "$gc" ] && ! kill -0 "$gc" 2>/dev/null && ok || { bad "the program's child $gc outlived the run"; kill "$gc" 2>/dev/null; }
finish
