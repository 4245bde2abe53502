#!/usr/bin/env bash
# A damaged store (issue 14): copies of a real store cut short at many
# sizes, or with random bits flipped, through the commands that read it.
# Each run ends with an exit code and, if not 0, one line on stderr:
# never a signal, never a hang (each run is bounded by timeout, and one
# that runs out is a failure). On main before this test, a data.mdb cut
# to 8 KiB, 64 KiB or half made id, status, results and leaderboard die
# of SIGBUS, and flipped bits made results die of SIGSEGV.
#   usage: damage_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: damage_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-damage-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$T"' EXIT

LIMIT=${DAMAGE_TIMEOUT:-60}	# seconds one command may take on a damaged copy
FLIPS=16			# bits flipped per copy, as in the issue

# --- a real store: profiles, results of two tasks by two authors, a
# revocation, a trusted node and a known peer
"$EM" init --home "$T/a" --name a >/dev/null || bad "init a"
"$EM" init --home "$T/b" --name b >/dev/null || bad "init b"
TASK2=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
for i in $(seq 1 40); do
	"$EM" result publish --home "$T/a" --task $TASK --model "m$((i % 6))" \
		--metric accuracy=0.$((i % 90 + 10)) --n 100 >/dev/null || bad "publish $i"
done
for i in $(seq 1 10); do
	"$EM" result publish --home "$T/b" --task $TASK2 --model "n$i" \
		--metric accuracy=0.5 --n 50 --json >"$out" || bad "publish b $i"
done
rid=$(sed -n 's/.*"id": "\(.*\)".*/\1/p' "$out")
"$EM" revoke --home "$T/b" "$rid" >/dev/null || bad "revoke"
"$EM" export --home "$T/b" -o "$T/b.bundle" >/dev/null || bad "export b"
"$EM" import --home "$T/a" "$T/b.bundle" >/dev/null || bad "import b into a"
"$EM" trust add "$(idof b)" --name b --home "$T/a" >/dev/null || bad "trust b"
"$EM" peers add 127.0.0.1:7 --home "$T/a" >/dev/null || bad "peers add"
run 0 "$EM" store check --home "$T/a"
has "$out" "is sound: 5[0-9] records"
data=$T/a/store/data.mdb
full=$(stat -c %s "$data")
[ "$full" -ge 65536 ] && ok || bad "the store is only $full bytes"

# damage KIND ARG SEED: a copy of a's home at $T/c with its data.mdb cut
# to ARG bytes (cut) or with FLIPS bits flipped in its first ARG bytes
# (flip), from the random stream SEED.
damage() {
	rm -rf "$T/c"
	cp -r "$T/a" "$T/c"
	python3 - "$T/c/store/data.mdb" "$1" "$2" "$3" "$FLIPS" <<'EOF'
import random, sys
path, kind, arg, seed, flips = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
with open(path, 'r+b') as f:
    if kind == 'cut':
        f.truncate(arg)
    else:
        r = random.Random(seed)
        b = bytearray(f.read())
        for _ in range(flips):
            i = r.randrange(min(arg, len(b)))
            b[i] ^= 1 << r.randrange(8)
        f.seek(0)
        f.write(b)
EOF
}

copies=0 signals=0 hangs=0 lines=0 damaged=0
# try NAME CMD...: one command on the damaged copy, judged.
try() {
	local what=$1 rc; shift
	timeout -s KILL "$LIMIT" "$@" --home "$T/c" >"$out" 2>"$err"; rc=$?
	if [ "$rc" -eq 137 ]; then
		hangs=$((hangs + 1)); echo "FAIL: $what ran past ${LIMIT}s on copy $copies ($desc)"
	elif [ "$rc" -gt 128 ]; then
		signals=$((signals + 1))
		echo "FAIL: $what died of signal $((rc - 128)) on copy $copies ($desc)"
	elif [ "$rc" -ne 0 ] && { [ "$(wc -l <"$err")" -ne 1 ] || ! grep -q '^evalmesh' "$err"; }; then
		lines=$((lines + 1)); echo "FAIL: $what exit $rc without one line on copy $copies ($desc):"
		sed 's/^/  | /' "$err" | head -3
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		lines=$((lines + 1)); echo "FAIL: $what exit $rc on copy $copies ($desc)"
	fi
	return "$rc"
}
# judge: every command on the copy now in $T/c
judge() {
	copies=$((copies + 1))
	try "store check" "$EM" store check
	case $? in
	0) has "$out" "is sound" ;;
	1) damaged=$((damaged + 1))
	   grep -Eq "is damaged: .*store rebuild|holds no data.mdb|another network" "$err" && ok ||
		bad "store check's line on copy $copies ($desc): $(cat "$err")" ;;
	esac
	try id "$EM" id
	try status "$EM" status
	try results "$EM" results
	try leaderboard "$EM" leaderboard "$TASK"
	try "leaderboard --trusted" "$EM" leaderboard "$TASK2" --trusted
}

# --- cut short: at every page boundary and between, 0 and a few bytes
pages=$((full / 4096))
for size in 0 1 100 4095 8191 $((full / 2)) $((full - 1)); do
	desc="cut to $size bytes"; damage cut "$size" 0; judge
done
for ((p = 1; p < pages; p++)); do
	for size in $((p * 4096)) $((p * 4096 + 2048)); do
		desc="cut to $size bytes"; damage cut "$size" 0; judge
	done
done
# the issue's own: 8 KiB, 64 KiB and half are damage, named as such
for size in 8192 65536 $((full / 2)); do
	desc="cut to $size bytes"; damage cut "$size" 0
	run 1 "$EM" results --home "$T/c"; one_line
	has "$err" "store '.*/store' is damaged: data.mdb is $size bytes, but its meta page says .* cut short; .*'evalmesh store rebuild'"
done

# --- bits flipped anywhere (100 seeds), and in the meta pages only (20)
for seed in $(seq 1 100); do
	desc="$FLIPS bits flipped, seed $seed"; damage flip "$full" "$seed"; judge
done
for seed in $(seq 101 120); do
	desc="$FLIPS bits flipped in the meta pages, seed $seed"; damage flip 8192 "$seed"; judge
done

[ "$copies" -ge 200 ] && ok || bad "only $copies damaged copies"
[ "$signals" -eq 0 ] && [ "$hangs" -eq 0 ] && [ "$lines" -eq 0 ] && ok ||
	bad "$signals signals, $hangs hangs, $lines runs without their one line"
[ "$damaged" -ge $((pages * 2)) ] && ok || bad "store check found only $damaged of $copies copies damaged"
echo "$copies damaged copies, $damaged found damaged by store check"

# --- a store cut short under a running node: the node stops with the
# line, not a signal (the first read past the end is in its map)
rm -rf "$T/c"; cp -r "$T/a" "$T/c"
"$EM" node --home "$T/c" --listen "127.0.0.1:$(port 1)" --log-level info 2>"$T/c.log" &
pid=$!
wait_for 10 "the node answers" "$EM" status --home "$T/c" --json '"running": true'
truncate -s 8192 "$T/c/store/data.mdb"
# it looks at its store every 200 ms for records other commands stored:
# the first look reads past the cut
for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	bad "the node still runs 30 s after its store was cut short"
	kill -KILL "$pid"; wait "$pid"
else
	wait "$pid"; rc=$?
	[ "$rc" -eq 1 ] && ok || bad "the node exited $rc on a store cut under it"
	tail -1 "$T/c.log" | grep -q "is damaged: .*store rebuild" && ok ||
		bad "the node's last line: $(tail -1 "$T/c.log")"
fi

finish
