#!/usr/bin/env bash
# What another member can make a node's model do with --auto-eval all:
# ten tasks of 3,000 items against a budget of 1,000 requests a day reach
# the model server as at most 1,000 requests, status names the limit and
# how to raise it, and a restart spends nothing more that day; tasks over
# the items, max_tokens or prompt-bytes limit are never run (nor, from an
# author the node does not trust, fetched); bad budget settings are
# refused with one line.   usage: budget_test.sh EVALMESH
set -u
EM=${1:?usage: budget_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-budget-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; stop_servers; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
jnum() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$out" | head -1; }
# the budget's UTC day: a run that crosses midnight is allowed a day more
today() { date -u +%F; }
for n in pub spend strict; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"; done

# --- bad budget settings: one line, the flag or the file's key named
run 2 "$EM" node --home "$T/spend" --model m --exec cat --budget-requests 0
has $err "--budget-requests '0': expected a whole number from 1 to 1000000000"; one_line
run 2 "$EM" node --home "$T/spend" --model m --exec cat --budget-items x
has $err "--budget-items 'x': expected a whole number"; one_line
run 2 "$EM" node --home "$T/spend" --model m --exec cat --max-tokens 9000 --budget-max-tokens 4096
has $err -- '--max-tokens 9000 is over --budget-max-tokens 4096'; one_line
printf '{"model": "m", "exec": "cat", "budget_prompt_bytes": 0}\n' >"$T/spend/node.json"
run 1 "$EM" node --home "$T/spend"; has $err 'node.json: budget_prompt_bytes: expected a whole number'
one_line
printf '{"fetch_quota_mb": -1}\n' >"$T/spend/node.json"
run 1 "$EM" node --home "$T/spend"; has $err 'node.json: fetch_quota_mb: expected a whole number'
rm -f "$T/spend/node.json"

# --- the tasks another member publishes: ten of 3,000 items; one asking
# 8192 tokens an answer; one whose 32 examples make prompts of ~80 KB
python3 - "$T/tasks" <<'EOF' || bad "making the tasks"
import json, os, sys
def task(name, items, **extra):
    d = os.path.join(sys.argv[1], name)
    os.makedirs(d)
    m = {"name": name, "version": "1", "items": "items.jsonl", "metric": "numeric",
         "prompt": "{question}", "target": "answer", **extra}
    json.dump(m, open(os.path.join(d, "manifest.json"), "w"))
    with open(os.path.join(d, "items.jsonl"), "w") as f:
        for i, q in enumerate(items):
            f.write(json.dumps({"id": "%s-%d" % (name, i), "question": q, "answer": i}) + "\n")
for t in range(10):
    task("big-%d" % t, ["Task %d asks: what is %d plus %d?" % (t, i, t) for i in range(3000)])
task("long-answers", ["Tell a long story, number %d." % i for i in range(10)], max_tokens=8192)
task("wide", [("Item %d. " % i) + "x" * 2500 for i in range(40)], fewshot=32)
EOF
for t in big-0 big-1 big-2 big-3 big-4 big-5 big-6 big-7 big-8 big-9 long-answers wide; do
	run 0 "$EM" task publish --home "$T/pub" "$T/tasks/$t/manifest.json"
done
start_server m1
start_server m2
start_node pub 1

# --- 1,000 requests a day, whatever is published
day0=$(today)
start_node spend 2 --peer "127.0.0.1:$(port 1)" --model m --endpoint "$URL_m1" --auto-eval all \
	--budget-requests 1000 --budget-tasks-per-author 20 --eval-jobs 2
wait_for 120 "spend holds a task over the day's requests" "$EM" status --home "$T/spend" \
	'held \(requests per day: 1000 of 1000 requests spent today; raise --budget-requests N'
n=$(served m1) allowed=1000
[ "$(today)" = "$day0" ] || allowed=2000
[ "${n:-0}" -gt 0 ] && [ "$n" -le $allowed ] && ok || bad "the model server saw ${n:-0} requests, the budget is 1000"
run 0 "$EM" status --home "$T/spend" --json
has $out '"requests_per_day": 1000'; has $out '"requests_left": 0'; has $out '"held": 1'
[ $(($(jnum requests_spent) + $(jnum requests_reserved))) = 1000 ] && ok ||
	bad "status: $(jnum requests_spent) spent and $(jnum requests_reserved) reserved, wanted 1000"
run 0 "$EM" status --home "$T/spend"
has $out 'budget +1000 of 1000 requests spent today'
# the other tasks wait for a day with room, and say so
has $out 'big-[0-9]@1 +deferred \(requests per day: 3000 items; 0 of 1000 requests left today'
# over a limit of the task alone: never run
has $out 'long-answers@1 +refused \(max_tokens per request: max_tokens 8192, over the limit of 4096 a request; raise --budget-max-tokens N'
grep -q 'auto-eval: big-[0-9]@1 sent the 1000 requests it was allowed' "$T/spend.log" && ok ||
	bad "spend did not log the cap it reached"
# a restart neither forgets what was spent nor sends more
stop_node spend
start_node spend 2 --peer "127.0.0.1:$(port 1)" --model m --endpoint "$URL_m1" --auto-eval all \
	--budget-requests 1000 --budget-tasks-per-author 20 --eval-jobs 2
wait_for 60 "spend holds the task again" "$EM" status --home "$T/spend" 'held \(requests per day'
run 0 "$EM" status --home "$T/spend" --json; has $out '"requests_spent": 1000'
[ "$(served m1)" = "$n" ] || [ "$(today)" != "$day0" ] && ok ||
	bad "after a restart the model server saw $(served m1) requests, $n before"
stop_node spend

# --- the task's own limits: over them a task is refused, its items not
# fetched from an author this node does not trust, and its model not asked
start_node strict 3 --peer "127.0.0.1:$(port 1)" --model m --endpoint "$URL_m2" --auto-eval all \
	--budget-items 1000 --budget-tasks-per-author 20
wait_for 60 "strict refuses eleven tasks" "$EM" status --home "$T/strict" --json '"refused": 1[12]'
wait_for 60 "strict refuses the wide prompts when their items are here" "$EM" status --home "$T/strict" \
	"wide@1 +refused \\(prompt bytes per request: item [0-9]+'s prompt is [0-9]+ bytes, over the limit of 65536"
run 0 "$EM" status --home "$T/strict"
has $out 'big-[0-9]@1 +refused \(items per task: 3000 items, over the limit of 1000 a task; raise --budget-items N or "budget_items" in node.json\)'
wait_for 30 "strict's chunk scan leaves the refused tasks" "$EM" status --home "$T/strict" --json \
	'"tasks_not_used": 11'
run 0 "$EM" task show --home "$T/strict" big-3 --json; has $out '"chunks_held": 0'
[ "$(served m2)" = 0 ] && ok || bad "strict's model server saw $(served m2) requests for refused tasks"
stop_all
finish
