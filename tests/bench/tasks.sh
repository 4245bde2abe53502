#!/usr/bin/env bash
# What task records whose items never come cost a node that evaluates
# everything (--auto-eval all): N of them by AUTHORS authors are imported
# into a fresh home, a node started on it with no peers, and once its
# status accounts for every task (each one looked at), its resident memory,
# the CPU it uses while nothing happens over SECONDS, and how long status
# takes are printed. With BASELINE (another evalmesh build), the same for
# it on a copy of the home, the two side by side.
# usage: tasks.sh EVALMESH MKBUNDLE [N [AUTHORS [SECONDS [BASELINE]]]]
set -u
EM=${1:?usage: tasks.sh EVALMESH MKBUNDLE [N [AUTHORS [SECONDS [BASELINE]]]]}
MK=${2:?usage: tasks.sh EVALMESH MKBUNDLE [N [AUTHORS [SECONDS [BASELINE]]]]}
N=${3:-20000} AUTHORS=${4:-1} SECS=${5:-20} BASE=${6:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-tasks-XXXXXX")
# a port per run below the kernel's ephemeral range, as lib.sh picks them
lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
PORT=${PORT_BASE:-$((10000 + ($$ * 7) % (${lo:-32768} - 10000 - 200)))}
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

"$MK" --tasks "$N" "$T/tasks.bundle" "$AUTHORS" || exit 1
"$EM" init --home "$T/h" --name bench >/dev/null || exit 1
"$EM" import --home "$T/h" "$T/tasks.bundle" >/dev/null || exit 1

# tasks the node's status accounts for: every state counted (this build),
# or one entry per task (a build that lists every job)
seen() {
	"$1" status --home "$2" --json 2>/dev/null | python3 -c '
import json, sys
try:
    a = json.load(sys.stdin).get("auto_eval", {})
except ValueError:
    print(-1); sys.exit()
c = a.get("counts")
print(sum(c.values()) if c else len(a.get("tasks", [])))'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() {	# measure LABEL EVALMESH HOME
	local label=$1 em=$2 home=$3 i t0 t1 c0 c1 rss ms
	"$em" node --home "$home" --listen "127.0.0.1:$PORT" --log-level error --model m \
		--exec cat --auto-eval all 2>"$home.log" &
	PID=$!
	for ((i = 0; i < 600; i++)); do
		[ "$(seen "$em" "$home")" -ge "$N" ] && break
		sleep 0.5
	done
	[ "$(seen "$em" "$home")" -ge "$N" ] || { echo "$label: status never showed $N tasks"; return 1; }
	c0=$(cpu_ticks "$PID")
	sleep "$SECS"
	c1=$(cpu_ticks "$PID")
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
	t0=$(date +%s%N)
	"$em" status --home "$home" --json >/dev/null
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	printf '%-9s %6d tasks, %5d authors: RSS %7.1f MB, CPU %5.1f%% over %d s idle, status %5d ms\n' \
		"$label" "$N" "$AUTHORS" "$(echo "$rss / 1024" | bc -l)" \
		"$(echo "($c1 - $c0) * 100 / $(getconf CLK_TCK) / $SECS" | bc -l)" "$SECS" "$ms"
	kill "$PID"; wait "$PID" 2>/dev/null; PID=
}

[ -n "$BASE" ] && cp -a "$T/h" "$T/base"
measure this "$EM" "$T/h" || exit 1
[ -z "$BASE" ] || measure baseline "$BASE" "$T/base" || exit 1
