#!/usr/bin/env bash
# A whole evalmesh network on this machine, in one command.
#
#   contrib/demo.sh
#
# On a fresh Debian 12 machine it installs what is missing (as root) and
# builds; then it starts four nodes on 127.0.0.1, each with its own home,
# identity and model (a stand-in model server with its own accuracy; one
# model is closed), joined in a sparse mesh (a line: 1-2-3-4). Node 1
# publishes the three shipped tasks; every node evaluates them with its own
# model by itself and publishes signed results; the demo waits until gossip
# has converged (every node holds the same records: checked, not slept),
# prints the leaderboards from node 1 and node 4 and shows that they are
# identical, then stops everything it started.
#
# EVALMESH=path/to/evalmesh uses that binary and skips installing and
# building (the test suite does this). DEMO_KEEP=1 keeps the scratch
# directory with every node's home and log.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '\n== %s\n' "$*"; }

if [ -z "${EVALMESH:-}" ]; then
	say "checking packages"
	"$ROOT/contrib/deps.sh"
	say "building (the first time: about a minute on 2 cores; then seconds)"
	b0=$SECONDS
	cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$ROOT/build.log" 2>&1 ||
		{ tail -20 "$ROOT/build.log"; exit 1; }
	# one line per tenth done, and the compiler's words if it fails
	cmake --build "$ROOT/build" -j "$(nproc 2>/dev/null || echo 2)" 2>&1 | tee -a "$ROOT/build.log" |
		awk '/^\[ *[0-9]+%\]/ { p = int(substr($0, 2, index($0, "%") - 2) / 10) * 10
			if (p > last) { printf "   %3d%%\n", p; fflush(); last = p } }' ||
		{ echo "demo: the build failed; the end of $ROOT/build.log:"; tail -20 "$ROOT/build.log"; exit 1; }
	echo "   built in $((SECONDS - b0)) s (log: $ROOT/build.log)"
	EVALMESH=$ROOT/build/node/evalmesh
fi
EM=$EVALMESH
t0=$SECONDS
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-demo-XXXXXX")
PIDS=()
cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ "${DEMO_KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
		echo "demo: homes and logs kept in $T"
	else
		rm -rf "$T"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Four labs: a model each (name, revision, access, accuracy).
NAMES=(atlas-7b borealis-13b cirrus-pro delta-3b)
REVS=(v1.2 main 2026-10 v0.9)
ACCESS=(open open closed open)
ACC=(0.91 0.83 0.88 0.62)
N=${#NAMES[@]}

# Ports below the kernel's ephemeral range, spread by our pid.
lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
BASE=$((20000 + ($$ % 200) * 40))
[ $((BASE + 10)) -lt "$lo" ] || BASE=20000

wait_until() {	# wait_until SECONDS WHAT CMD...: until CMD succeeds
	local secs=$1 what=$2 i; shift 2
	for ((i = 0; i < secs * 5; i++)); do "$@" && return 0; sleep 0.2; done
	echo "demo: timed out after ${secs}s waiting for $what" >&2
	return 1
}

say "starting $N model servers (stand-ins for each lab's own model)"
for ((i = 0; i < N; i++)); do
	python3 "$ROOT/contrib/model-server/server.py" --port-file "$T/model$i.port" \
		--accuracy "${ACC[$i]}" --seed "lab$i" --model "${NAMES[$i]}" 2>"$T/model$i.log" &
	PIDS+=($!)
done
for ((i = 0; i < N; i++)); do wait_until 20 "model server $i" test -s "$T/model$i.port"; done
for ((i = 0; i < N; i++)); do
	printf '  lab %d: %-13s %-8s %-6s accuracy %s, http://127.0.0.1:%s\n' $((i + 1)) \
		"${NAMES[$i]}" "${REVS[$i]}" "${ACCESS[$i]}" "${ACC[$i]}" "$(cat "$T/model$i.port")"
done

say "creating $N nodes, each with its own home and identity"
for ((i = 0; i < N; i++)); do
	"$EM" init --home "$T/node$((i + 1))" --name "lab-$((i + 1))" --org "Lab $((i + 1))" >/dev/null
	printf '  node %d: %s\n' $((i + 1)) \
		"$("$EM" id --home "$T/node$((i + 1))" --json | sed -n 's/.*"id": "\(.*\)".*/\1/p')"
done

say "starting the nodes in a sparse mesh (1-2-3-4), each evaluating new tasks by itself"
for ((i = 0; i < N; i++)); do
	peer=()
	[ $i -gt 0 ] && peer=(--peer "127.0.0.1:$((BASE + i - 1))")
	"$EM" node --home "$T/node$((i + 1))" --listen "127.0.0.1:$((BASE + i))" "${peer[@]}" \
		--model "${NAMES[$i]}" --revision "${REVS[$i]}" --access "${ACCESS[$i]}" \
		--endpoint "http://127.0.0.1:$(cat "$T/model$i.port")" --auto-eval all \
		--log-level info 2>"$T/node$((i + 1)).log" &
	PIDS+=($!)
done
running() { "$EM" status --home "$T/node$1" --json 2>/dev/null | grep -q '"running": true'; }
for ((i = 1; i <= N; i++)); do wait_until 20 "node $i" running $i; done

say "node 1 publishes the shipped tasks"
for t in arith-en arith-zh prime-mc; do
	"$EM" task publish --home "$T/node1" "$ROOT/contrib/tasks/$t/manifest.json" | head -1 | sed 's/^/  /'
done
TASKS=3 WANT=$((TASKS * N))

say "every node evaluates every task with its own model; waiting for gossip to converge"
results() { { "$EM" leaderboard --home "$T/node$1" --json || true; } \
	| awk '/"results":/ {gsub(/[^0-9]/, "", $2); s += $2} END {print s + 0}'; }
digest() { { "$EM" status --home "$T/node$1" --json || true; } \
	| sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p'; }
converged() {
	local i d1
	d1=$(digest 1)
	for ((i = 1; i <= N; i++)); do
		[ "$(results $i)" = "$WANT" ] && [ "$(digest $i)" = "$d1" ] || return 1
	done
}
start=$(date +%s)
last=
for ((k = 0; k < 450; k++)); do
	converged && break
	line=""
	for ((i = 1; i <= N; i++)); do line+=" node$i=$(results $i)/$WANT"; done
	if [ "$line" != "$last" ]; then echo "  results held:$line"; last=$line; fi
	sleep 0.2
done
converged || { echo "demo: gossip did not converge in 90 s" >&2; exit 1; }
echo "  converged after $(($(date +%s) - start)) s: every node holds $WANT results and the same records (digest $(digest 1 | cut -c1-16))"

for t in arith-en arith-zh prime-mc; do
	say "leaderboard for $t, from node 1"
	"$EM" leaderboard --home "$T/node1" "$t" | tee "$T/board1-$t.txt"
	"$EM" leaderboard --home "$T/node4" "$t" >"$T/board4-$t.txt"
	if cmp -s "$T/board1-$t.txt" "$T/board4-$t.txt"; then
		echo "-- node 4 prints the same leaderboard, byte for byte"
	else
		echo "demo: node 4's leaderboard for $t differs:" >&2
		diff "$T/board1-$t.txt" "$T/board4-$t.txt" >&2 || true
		exit 1
	fi
done

say "comparing the two best open models on arith-zh, from node 3"
"$EM" compare --home "$T/node3" arith-zh "${NAMES[0]}" "${NAMES[1]}"

say "stopping the nodes and model servers"
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS=()
echo "demo: done in $((SECONDS - t0)) s: $N labs compared on $TASKS tasks; no model, item or output left its lab"
