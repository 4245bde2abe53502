#!/usr/bin/env bash
# Read commands never write, so they work on a read-only home (issue 14).
# On main before h-store, even 'id' failed there with "database error", and
# 'leaderboard' opened a write transaction to keep its digest. The home is
# made read-only by a read-only bind mount (root only: the test skips,
# saying why, when it cannot mount); a write command on it fails with one
# line naming the problem.   usage: rdonly_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: rdonly_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-rdonly-XXXXXX")
. "$(dirname "$0")/lib.sh"
RO=$T/ro
trap 'umount "$RO" 2>/dev/null; rm -rf "$T"' EXIT

for n in a b; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"; done
for i in 1 2 3; do
	"$EM" result publish --home "$T/a" --task $TASK --model "m$i" \
		--metric accuracy=0.$((i + 3)) --n 100 >/dev/null || bad "publish a $i"
	"$EM" result publish --home "$T/b" --task $TASK --model "m$i" \
		--metric accuracy=0.$((i + 4)) --n 100 >/dev/null || bad "publish b $i"
done
"$EM" export --home "$T/b" -o "$T/b.bundle" >/dev/null || bad "export b"
"$EM" import --home "$T/a" "$T/b.bundle" >/dev/null || bad "import b"
"$EM" trust add "$(idof b)" --name b --home "$T/a" >/dev/null || bad "trust b"
"$EM" peers add 127.0.0.1:7 --home "$T/a" >/dev/null || bad "peers add"
mkdir -p "$T/m"
printf '{"name": "ro-task", "version": "1", "metric": "exact_match", "prompt": "{q}", "target": "a", "items": "items.jsonl"}\n' >"$T/m/task.json"
printf '{"id": "1", "q": "1+1", "a": "2"}\n' >"$T/m/items.jsonl"
"$EM" task publish --home "$T/a" "$T/m/task.json" >/dev/null || bad "task publish"
rid=$("$EM" results --home "$T/a" --json | sed -n 's/.*"id": "\([0-9a-f]\{64\}\)".*/\1/p' | head -1)
sum_before=$(cd "$T/a" && find . -type f -exec md5sum {} + | sort)

mkdir "$RO"
if ! mount --bind "$T/a" "$RO" 2>"$T/mount.err" ||
    ! mount -o remount,ro,bind "$RO" 2>>"$T/mount.err"; then
	umount "$RO" 2>/dev/null
	echo "SKIP: cannot make a read-only bind mount here ($(head -1 "$T/mount.err")): needs root"
	exit 77
fi
touch "$RO/x" 2>/dev/null && { bad "the bind mount is writable"; rm -f "$RO/x"; }

for cmd in "id" "status" "results" "results --json" "leaderboard" "leaderboard $TASK" \
    "leaderboard $TASK --trusted --json" "compare $TASK m1 m3" "task list" "task show ro-task" \
    "verify $rid" "peers" "trust list"; do
	# shellcheck disable=SC2086
	run 0 "$EM" $cmd --home "$RO" || sed 's/^/  | /' "$err" | head -3
done
run 0 "$EM" export --home "$RO" -o "$T/ro.bundle"
run 0 "$EM" store check --home "$RO"
# a write command fails with one line and writes nothing
run 1 "$EM" result publish --home "$RO" --task $TASK --model m9 --metric accuracy=0.5 --n 10
one_line; has "$err" "to write: [Rr]ead-only file system"
umount "$RO"
sum_after=$(cd "$T/a" && find . -type f -exec md5sum {} + | sort)
[ "$sum_before" = "$sum_after" ] && ok || bad "the home changed under read commands"

echo "rdonly: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
