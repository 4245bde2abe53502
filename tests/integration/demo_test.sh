#!/usr/bin/env bash
# The README's main command, run as CI runs it: contrib/demo.sh with the
# binary just built. Checks its output: converged, the leaderboards from
# two nodes identical for every task, every model ranked, a paired
# comparison, and nothing left running.   usage: demo_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: demo_test.sh PATH/TO/evalmesh}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-demotest-XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

TMPDIR=$T EVALMESH=$EM timeout 300 "$SRC/contrib/demo.sh" >"$T/demo.out" 2>&1
rc=$?
[ $rc = 0 ] && ok || { bad "demo.sh exited $rc"; tail -20 "$T/demo.out"; }
has "$T/demo.out" 'converged after [0-9]+ s: every node holds 12 results'
[ "$(grep -c 'prints the same leaderboard, byte for byte' "$T/demo.out")" = 3 ] && ok \
	|| bad "not every task's leaderboard was identical on nodes 1 and 4"
for m in atlas-7b@v1.2 borealis-13b@main cirrus-pro@2026-10 delta-3b@v0.9; do
	[ "$(grep -cE "^ +[0-9]+  $m " "$T/demo.out")" = 3 ] && ok || bad "$m is not ranked on every task"
done
has "$T/demo.out" 'cirrus-pro@2026-10 .* closed'
has "$T/demo.out" 'paired over 240 items'
has "$T/demo.out" 'demo: done'
# nothing it started is left: no process runs from its scratch directory
if pgrep -f "$T/evalmesh-demo-" >/dev/null; then bad "demo left processes running"; else ok; fi
[ -z "$(ls -A "$T" | grep evalmesh-demo-)" ] && ok || bad "demo left its scratch directory"
finish
