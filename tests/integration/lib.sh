# tests/integration/lib.sh — helpers shared by the integration tests.
# Source it after setting EM (the evalmesh binary) and T (a scratch dir).
# Every process started here is stopped by pid on exit; every wait is
# bounded in time.

pass=0 fail=0
out=$T/out err=$T/err
declare -A NODE_PID=()

ok()   { pass=$((pass + 1)); }
bad()  { echo "FAIL: $*"; fail=$((fail + 1)); }

# run RC CMD...: runs CMD, stdout to $out, stderr to $err, checks the exit code.
run() {
	local want=$1; shift
	"$@" >"$out" 2>"$err"; local rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: exit $rc, wanted $want: $*"; sed 's/^/  | /' "$err" | head -5
		fail=$((fail + 1)); return 1
	fi
	ok
}
# one_line: the last command's error is exactly one line.
one_line() {
	if [ "$(wc -l <"$err")" -eq 1 ]; then ok; else
		echo "FAIL: error is not one line:"; sed 's/^/  | /' "$err"; fail=$((fail + 1)); fi
}
# has FILE PATTERN: the file matches the extended regex.
has() {
	if grep -Eq -- "$2" "$1"; then ok; else
		echo "FAIL: $(basename "$1") lacks /$2/:"; sed 's/^/  | /' "$1" | head -5
		fail=$((fail + 1)); fi
}

# flip_byte FILE OFFSET: inverts one byte in place, so the file always
# differs (writing a fixed byte is a no-op when the byte already holds it).
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# A base port per run, so parallel runs rarely collide; always below the
# kernel's ephemeral range, where the nodes' own outbound connections would
# otherwise take a port a later node means to listen on.
EPHEMERAL_LO=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
EPHEMERAL_LO=${EPHEMERAL_LO:-32768}
PORT_BASE=${PORT_BASE:-$((10000 + ($$ * 7) % (EPHEMERAL_LO - 10000 - 200)))}
port() { echo $((PORT_BASE + $1)); }

# start_node NAME INDEX [ARGS...]: runs a node for home $T/NAME on port INDEX.
start_node() {
	local name=$1 idx=$2; shift 2
	"$EM" node --home "$T/$name" --listen "127.0.0.1:$(port "$idx")" \
		--log-level "${LOG_LEVEL:-debug}" "$@" 2>>"$T/$name.log" &
	NODE_PID[$name]=$!
	wait_for 10 "node $name answers" "$EM" status --home "$T/$name" --json \
		'"running": true'
}
# stop_node NAME: SIGTERM, then the node must exit 0 (a clean stop; under
# the sanitizers a leak or an error at exit shows here too).
stop_node() {	# stop_node NAME [SIGNAL]
	local pid=${NODE_PID[$1]:-} rc
	[ -n "$pid" ] || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null; rc=$?
	unset "NODE_PID[$1]"
	if [ "$rc" -ne 0 ]; then
		bad "node $1 exited $rc after SIG${2:-TERM}"; tail -5 "$T/$1.log" | sed 's/^/  | /'
	fi
}
stop_all() { for n in "${!NODE_PID[@]}"; do stop_node "$n"; done; }

# wait_for SECONDS WHAT CMD... PATTERN: until CMD's output matches PATTERN.
wait_for() {
	local secs=$1 what=$2; shift 2
	local pat=${*: -1} cmd=("${@:1:$#-1}") i
	for ((i = 0; i < secs * 10; i++)); do
		if "${cmd[@]}" 2>/dev/null | grep -Eq -- "$pat"; then return 0; fi
		sleep 0.1
	done
	echo "FAIL: timed out after ${secs}s waiting for: $what"; fail=$((fail + 1))
	return 1
}

digest() { "$EM" status --home "$T/$1" --json | sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p'; }
records() { "$EM" status --home "$T/$1" --json | sed -n 's/.*"records": \([0-9]*\).*/\1/p'; }
idof() { "$EM" id --home "$T/$1" --json | sed -n 's/.*"id": "\(.*\)".*/\1/p'; }	# node NAME's id

# converged SECONDS NAME...: until all nodes show one digest.
converged() {
	local secs=$1 i n first same; shift
	for ((i = 0; i < secs * 5; i++)); do
		first=$(digest "$1"); same=1
		for n in "$@"; do [ "$(digest "$n")" = "$first" ] || { same=0; break; }; done
		[ $same = 1 ] && { ok; return 0; }
		sleep 0.2
	done
	echo "FAIL: not converged after ${secs}s:"
	for n in "$@"; do echo "  $n: $(records "$n") records, digest $(digest "$n")"; done
	fail=$((fail + 1)); return 1
}

TASK=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
publish() {	# publish NAME N: N results signed by node NAME
	local i
	for ((i = 0; i < $2; i++)); do
		"$EM" result publish --home "$T/$1" --task $TASK --model "m-$1" \
			--metric accuracy=0.$((RANDOM % 100)) --n 100 >/dev/null || bad "publish at $1"
	done
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# The stand-in model server (contrib/model-server), on a free port.
# start_server NAME ARGS...: starts it and sets URL_<NAME>; stop_server
# NAME; stop_servers stops them all (call it from the script's EXIT trap);
# served NAME: the requests it counted.
LIB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
declare -A SRV_PID=()
start_server() {
	local name=$1 i; shift
	rm -f "$T/$name.port"
	python3 "$LIB_SRC/contrib/model-server/server.py" --port-file "$T/$name.port" "$@" \
		2>>"$T/$name.log" &
	SRV_PID[$name]=$!
	for ((i = 0; i < 100; i++)); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
	[ -s "$T/$name.port" ] || { bad "model server $name did not start"; cat "$T/$name.log"; return 1; }
	printf -v "URL_$name" 'http://127.0.0.1:%s' "$(cat "$T/$name.port")"
}
stop_server() {
	kill "${SRV_PID[$1]}" 2>/dev/null; wait "${SRV_PID[$1]}" 2>/dev/null; unset "SRV_PID[$1]"
}
stop_servers() { for n in "${!SRV_PID[@]}"; do stop_server "$n"; done; }
served() {
	curl -s "$(eval echo "\$URL_$1")/stats" | sed -n 's/.*"requests": \([0-9]*\).*/\1/p'
}
