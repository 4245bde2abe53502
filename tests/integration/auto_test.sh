#!/usr/bin/env bash
# Nodes that evaluate by themselves: settings from flags and node.json
# (bad ones refused with one line), a task evaluated once per model
# revision, trust deciding which tasks, a failing model reported in status
# and retried later, nothing published for it.   usage: auto_test.sh EVALMESH
set -u
EM=${1:?usage: auto_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-auto-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
EX="python3 $SRC/tests/integration/exec_model.py"
nres() { "$EM" results --home "$T/$1" --author "$(idof "$1")" --json | grep -c '"author"'; }
for n in pub good bad picky held; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"; done

# --- settings refused before anything starts
# without node.json the command line alone is wrong: usage errors (2)
run 2 "$EM" node --home "$T/good" --auto-eval all; has $err 'needs --model'; one_line
run 2 "$EM" node --home "$T/good" --model m; has $err 'give --endpoint URL or --exec CMD'; one_line
run 2 "$EM" node --home "$T/good" --model m --exec cat --auto-eval sometimes
has $err "expected trusted, all or off"; one_line
run 1 "$EM" node --home "$T/good" --model m --exec cat --api-key-env NO_SUCH_VAR_Y
has $err 'NO_SUCH_VAR_Y: that variable is not set'; one_line
printf '{"model": "m", "exec": "cat",\n "frob": 1}\n' >"$T/good/node.json"
run 1 "$EM" node --home "$T/good"; has $err "node.json: 'frob': unknown key"; one_line
printf '{"model": "m",\n' >"$T/good/node.json"
run 1 "$EM" node --home "$T/good"; has $err 'node.json:2: not valid JSON'; one_line
printf '{"model": "m", "exec": "cat", "extra_body": {"stream": true}}\n' >"$T/good/node.json"
run 1 "$EM" node --home "$T/good"; has $err 'node.json: extra_body: .*"stream"'; one_line
rm -f "$T/good/node.json"
run 2 "$EM" node --home "$T/good" --model m --exec cat --extra-body '{"top_k":'
has $err -- "--extra-body '.*': not JSON"; one_line
printf '{"model": "m", "exec": "cat", "max_tokens": 0}\n' >"$T/good/node.json"
run 1 "$EM" node --home "$T/good"; has $err 'node.json: max_tokens: expected a whole number'; one_line
# a good node.json: the model from the file, the mode from a flag
printf '{"model": "m", "exec": "cat", "extra_body": {"top_k": 20}}\n' >"$T/good/node.json"
run 1 "$EM" node --home "$T/good"; has $err 'extra.body is for HTTP endpoints, not --exec .*node.json'; one_line
printf '{"model": "echo-model", "revision": "r1", "exec": "%s echo", "concurrency": 4,
 "max_tokens": 4096}\n' "$EX" >"$T/good/node.json"

run 0 "$EM" task publish --home "$T/pub" "$SRC/contrib/tasks/prime-mc/manifest.json"
start_node pub 1
start_node good 2 --peer "127.0.0.1:$(port 1)" --auto-eval all
start_node bad 3 --peer "127.0.0.1:$(port 1)" --model dies --exec "$EX die 3" --auto-eval all
# picky trusts nobody: with "trusted" it evaluates nothing from pub
start_node picky 4 --peer "127.0.0.1:$(port 1)" --model p --exec "$EX echo" --auto-eval trusted

wait_for 60 "good evaluates prime-mc" "$EM" status --home "$T/good" \
	'prime-mc@1 +done, result [0-9a-f]{16}'
run 0 "$EM" status --home "$T/good" --json; has $out '"mode": "all"'; has $out '"model": "echo-model"'
wait_for 30 "the result reaches pub" "$EM" results --home "$T/pub" '"?model"?.*echo-model'
# node.json's max_tokens went to the run and into the result
run 0 "$EM" results --home "$T/pub" --json; has $out '"max_tokens": 4096'
wait_for 60 "bad reports its failure" "$EM" status --home "$T/bad" \
	'prime-mc@1 +failed \(attempt 1: stopped: the model program exited with status 3.*again in [0-9]+ s\)'
[ "$(nres bad)" = 0 ] && ok || bad "a failed evaluation published a result"
grep -q 'auto-eval: prime-mc@1 failed (attempt 1)' "$T/bad.log" && ok || bad "bad did not log the failure"
run 0 "$EM" status --home "$T/picky" --json; has $out '"mode": "trusted"'
grep -q 'prime-mc' "$out" && bad "picky evaluated a task from an untrusted author" || ok
# once trusted, the task is taken up (the scan runs every few seconds)
run 0 "$EM" trust --home "$T/picky" add "$(idof pub)"
wait_for 60 "picky evaluates once pub is trusted" "$EM" status --home "$T/picky" 'prime-mc@1 +done'

# --- once per task and model revision: a restart does not run it again
stop_node good
start_node good 2 --peer "127.0.0.1:$(port 1)" --auto-eval all
wait_for 30 "good sees its earlier result" "$EM" status --home "$T/good" 'prime-mc@1 +done'
n=$("$EM" results --home "$T/good" --json | grep -c '"model": "echo-model"')
[ "$n" = 1 ] && ok || bad "good published $n results for one task and revision"

# --- a run ends with its node: after kill -9 of the node no eval is left
# behind (it would race the next node's run of the same task), and the
# restarted node runs the task again
held_pid() {	# the pid the held model wrote once the run asked it something
	local i
	for ((i = 0; i < 600; i++)); do [ -s "$T/held.pid" ] && break; sleep 0.1; done
	cat "$T/held.pid" 2>/dev/null
}
gone() {	# gone PID: whether it is gone within 30 s
	local i
	for ((i = 0; i < 300; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
printf '{"model": "held", "exec": "%s hold %s"}\n' "$EX" "$T/held.pid" >"$T/held/node.json"
start_node held 5 --peer "127.0.0.1:$(port 1)" --auto-eval all
mp=$(held_pid); [ -n "$mp" ] && ok || bad "the held model was never asked"
ev=$(pgrep -P "${NODE_PID[held]}" -f ' eval ')
[ -n "$ev" ] && ok || bad "no eval child of the node while its model holds"
kill -9 "${NODE_PID[held]}"; wait "${NODE_PID[held]}" 2>/dev/null; unset "NODE_PID[held]"
gone "$ev" && ok || { bad "eval $ev outlived its node (kill -9)"; kill -9 "$ev"; }
gone "$mp" && ok || { bad "the model program $mp outlived its eval"; kill -9 "$mp"; }
rm -f "$T/held.pid"
start_node held 5 --peer "127.0.0.1:$(port 1)" --auto-eval all
mp=$(held_pid); [ -n "$mp" ] && ok || bad "the restarted node did not run the task again"
grep -q 'another eval of this task' "$T/held.log" && bad "the restarted node met a leftover run" || ok
stop_all
[ -z "$mp" ] || gone "$mp" && ok || { bad "the model program $mp outlived a stopped node"; kill -9 "$mp"; }
finish
