#!/usr/bin/env bash
# Tasks whose items are streamed (read one chunk at a time, never held)
# come to the very bytes they came to when every item was held: the task
# ids, the prompts sent (the server's log of every request body), the
# dry run, and the results (value, standard error and the Merkle root over
# every item's index, item hash, output hash and score) of a run in one
# go, a run capped and resumed, a --limit preview, failed items scored 0,
# and --max-prompt-bytes refusing the run. The tasks span chunks and ask
# for few-shot examples. The values pinned below were printed by main's
# build before items were streamed, on these same generated tasks; the
# standard errors since as every command prints numbers (node/cli/cli.h,
# cli_num: rounded to 12 decimal places, 0.00836799504742 is
# 0.008367995047).
# usage: stream_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: stream_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-stream-XXXXXX")
cleanup() {
	stop_servers
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
export EVALMESH_HOME=$T/a

jnum() { sed -n "s/.*\"$1\": \([-0-9.e]*\).*/\1/p" "$out" | head -1; }
jstr() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$out" | head -1; }
# pin WHAT GOT WANTED
pin() { [ "$2" = "$3" ] && ok || bad "$1: got '$2', main gave '$3'"; }
# the result of the last --json run, as main printed it
result() { echo "$(jnum value) $(jnum stderr) $(jstr merkle_root)"; }
sorted_log() { sort "$1" | sha256sum | cut -c1-16; }

# prime-mc: multiple choice, 2 few-shot examples, 3000 items in 2 chunks;
# arith-zh: Chinese, numeric, 2500 items in 2 chunks
python3 "$SRC/contrib/tasks/gen.py" --out "$T/tasks" --only prime-mc --count 3000 || exit 1
python3 "$SRC/contrib/tasks/gen.py" --out "$T/tasks" --only arith-zh --count 2500 || exit 1
run 0 "$EM" init --name lab-s
run 0 "$EM" task publish "$T/tasks/prime-mc/manifest.json" --json
pin "prime-mc task id" "$(jstr task) $(jnum chunks)" \
	"bff5675f09fdf4728073ede82294d7fac23b0be84d8493e1a1357f25dcfdca92 2"
run 0 "$EM" task publish "$T/tasks/arith-zh/manifest.json" --json
pin "arith-zh task id" "$(jstr task) $(jnum chunks)" \
	"aef2173007b4206f98c3532af89c680eb7744dfd84aa7f14fdb19426b253f6da 2"

# --- the dry run's prompts, chat and completion
run 0 "$EM" eval prime-mc --model m --dry-run
pin "prime-mc dry run" "$(sha256sum <"$out" | cut -c1-16)" "8a0c6201b6bdd4bb"
run 0 "$EM" eval arith-zh --model m --dry-run --api completions
pin "arith-zh dry run" "$(sha256sum <"$out" | cut -c1-16)" "a85b323103d3b82e"

# --- one run each; every request the server saw, in any order
start_server s --tasks "$T/tasks" --accuracy 0.7 --log-requests "$T/chat.jsonl"
run 0 "$EM" eval prime-mc --model m --endpoint "$URL_s" --json --quiet
pin "prime-mc result" "$(result)" \
	"0.7 0.008367995047 072dda69ad8e13401c2d03d30bf543e59f05f259e061d2a1d8abe170123ca5ec"
pin "prime-mc requests" "$(jnum requests)" 3000
pin "prime-mc prompts" "$(sorted_log "$T/chat.jsonl")" "929189fd28a05bf0"
one_go=$(jstr merkle_root)
stop_server s
start_server c --tasks "$T/tasks" --accuracy 0.6 --log-requests "$T/completions.jsonl"
run 0 "$EM" eval arith-zh --model m --endpoint "$URL_c" --api completions --json --quiet
pin "arith-zh result" "$(result)" \
	"0.5988 0.009804788501 33aef57da1a467bbaf07314f9786603224645acdc18097ff7939055bf9295a36"
pin "arith-zh prompts" "$(sorted_log "$T/completions.jsonl")" "f4e2610752d2211f"

# --- a preview of the first 1700 items (the second chunk is read)
run 0 "$EM" eval arith-zh --model preview --endpoint "$URL_c" --api completions --limit 1700 \
	--json --quiet
pin "arith-zh --limit 1700" "$(result)" \
	"0.585882352941 0.011950068314 8c3a0095790ea564798bfe3f5c8244c7942898861ec9134e009d14ee5836e50d"
stop_server c

# --- capped, then resumed from the cache: the one-go result again
start_server s --tasks "$T/tasks" --accuracy 0.7
run 1 "$EM" eval prime-mc --model again --endpoint "$URL_s" --max-requests 1100 --json --quiet
has "$err" 'stopped: the request cap was reached'
run 0 "$EM" eval prime-mc --model again --endpoint "$URL_s" --json --quiet
pin "prime-mc resumed" "$(jnum cached) $(jstr merkle_root)" "1100 $one_go"

# --- --max-prompt-bytes refuses the run before anything is sent
run 1 "$EM" eval prime-mc --model tiny --endpoint "$URL_s" --max-prompt-bytes 200 --quiet
pin "--max-prompt-bytes" "$(cat "$err")" \
	"evalmesh: item 1's prompt is 319 bytes, over the limit of 200 (--max-prompt-bytes); nothing was sent"
stop_server s

# --- items that fail every attempt, scored 0
start_server f --tasks "$T/tasks" --accuracy 0.7 --fail-items 6
run 0 "$EM" eval prime-mc --model failing --endpoint "$URL_f" --retries 0 \
	--count-failed-as-wrong --json --quiet
pin "prime-mc failed as wrong" "$(jnum failed_as_wrong) $(result)" \
	"6 0.699333333333 0.008373297525 6b6caf0efafabde794fe2740971076b099aab2e9dcae0646b7524d8630539b1a"
stop_server f

finish
