#!/usr/bin/env bash
# Which task items a node fetches by itself: those of the tasks it will
# use — its trusted authors' here — and not those of an author it does not
# trust under a policy that would not run them, nor more of a trusted
# author's than its quota; `task fetch` gets any task's on demand.
# Every "not fetched" is read once the node has said it decided (a task
# fetched after it, or its status's counts), never after a sleep.
# usage: fetch_test.sh EVALMESH
set -u
EM=${1:?usage: fetch_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-fetch-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
held() {	# held NODE TASK: the task's chunks held there
	"$EM" task show --home "$T/$1" "$2" --json | sed -n 's/.*"chunks_held": \([0-9]*\).*/\1/p'
}
for n in stranger friend me quota; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"; done
python3 "$SRC/contrib/tasks/gen.py" --out "$T/big" --only arith-zh --count 12000 || bad "gen.py"

run 0 "$EM" task publish --home "$T/stranger" "$SRC/contrib/tasks/arith-en/manifest.json"
run 0 "$EM" trust add --home "$T/me" "$(idof friend)"
start_node stranger 1
start_node friend 2
# no model: nothing is evaluated here, and only trusted authors' tasks are used
start_node me 3 --peer "127.0.0.1:$(port 1)" --peer "127.0.0.1:$(port 2)"
wait_for 30 "me holds the stranger's task record" "$EM" task list --home "$T/me" 'arith-en'
# the friend's task, published after: its items come ...
run 0 "$EM" task publish --home "$T/friend" "$SRC/contrib/tasks/prime-mc/manifest.json"
wait_for 30 "me holds the friend's task record" "$EM" task list --home "$T/me" 'prime-mc'
run 0 "$EM" task show --home "$T/friend" prime-mc --json
want=$(sed -n 's/.*"chunks": \([0-9]*\).*/\1/p' "$out")
wait_for 30 "me fetches the friend's items" "$EM" task show --home "$T/me" prime-mc --json \
	"\"chunks_held\": $want"
# ... the stranger's do not, and the chunk scan says it left them
wait_for 30 "me's chunk scan leaves the stranger's task" "$EM" status --home "$T/me" --json \
	'"tasks_not_used": 1'
[ "$(held me arith-en)" = 0 ] && ok || bad "me fetched $(held me arith-en) chunks of an untrusted author's task"
run 1 "$EM" eval --home "$T/me" arith-en --model m --exec cat --dry-run
has $err 'item chunks are not here yet'

# --- on demand: task fetch gets them, whoever wrote the task
run 2 "$EM" task fetch --home "$T/me"; has $err 'fetch needs ID or NAME'; one_line
run 2 "$EM" task fetch --home "$T/me" arith-en --frob; has $err "unknown option '--frob'"
run 1 "$EM" task fetch --home "$T/me" no-such-task; has $err 'no task'; one_line
run 0 "$EM" task fetch --home "$T/me" arith-en
has $out 'fetching 1 of 1 chunks of arith-en@1 from peers'
wait_for 30 "task fetch brings the stranger's items" "$EM" task show --home "$T/me" arith-en --json \
	'"chunks_held": 1'
run 0 "$EM" eval --home "$T/me" arith-en --model m --exec cat --dry-run; has $out '240 items'
run 0 "$EM" task fetch --home "$T/me" arith-en --json; has $out '"held": 1'
run 0 "$EM" task fetch --home "$T/me" arith-en; has $out 'all 1 chunk of arith-en@1 is here'

# --- a trusted author's quota: a task over it is not fetched unasked
run 0 "$EM" trust add --home "$T/quota" "$(idof friend)"
start_node quota 4 --peer "127.0.0.1:$(port 2)" --fetch-quota-mb 1
run 0 "$EM" task publish --home "$T/friend" "$T/big/arith-zh/manifest.json" --json
big=$(sed -n 's/.*"chunks": \([0-9]*\).*/\1/p' "$out")
[ "${big:-0}" -ge 5 ] && ok || bad "12000 items took ${big:-0} chunks; the test wants more than 1 MiB"
wait_for 30 "quota fetches the friend's small task" "$EM" task show --home "$T/quota" prime-mc --json \
	"\"chunks_held\": $want"
wait_for 30 "quota leaves the task over the quota" "$EM" status --home "$T/quota" --json \
	'"tasks_over_quota": 1'
[ "$(held quota arith-zh)" = 0 ] && ok || bad "quota fetched $(held quota arith-zh) chunks over the quota"
grep -q 'not fetching the items of arith-zh@1: its author .* over the quota of 1 MiB' "$T/quota.log" &&
	ok || bad "quota did not log the task over its quota"
run 0 "$EM" task fetch --home "$T/quota" arith-zh
wait_for 30 "task fetch passes the quota" "$EM" task show --home "$T/quota" arith-zh --json \
	"\"chunks_held\": $big"

# --- no node running: nothing to ask
stop_node me
run 1 "$EM" task fetch --home "$T/me" arith-en; has $err 'no node is running for'; one_line
stop_all
finish
