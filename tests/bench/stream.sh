#!/usr/bin/env bash
# tests/bench/stream — the peak resident memory of a large task's three
# steps, against a limit of 100 MB each: `task publish`, `eval --dry-run`
# and `eval` of a task of ITEMS realistic items (mktask: word problems of
# 130 to 290 bytes of mixed English and Chinese, a number as target, 3
# few-shot examples; 245 MB of items at 1,000,000), run against the
# stand-in model server on 127.0.0.1 (answering "I do not know." to
# everything, as fast as it can: 2 worker processes).
#
#   stream.sh EVALMESH MKTASK [ITEMS (1000000)] [LIMIT (0)] [BASELINE [BASE_LIMIT (2000)]]
#
# eval asks every item (LIMIT 0), or with LIMIT the first LIMIT (--limit):
# either way it checks the whole task first, reading every item once; the
# output says which was measured. With BASELINE (another evalmesh build,
# e.g. main's), the same steps for it on a home of its own, and the ratio
# of each figure to the baseline's. A baseline that holds every item asks
# only BASE_LIMIT items: it loads the whole task before its first request
# either way, and holding it is what its figure measures (its few-shot
# pick scanned the task for every item: 8 ms of CPU per item at a million).
# Peak RSS is the kernel's (getrusage of the child: ru_maxrss), mapped
# file pages included. Prints; asserts nothing about memory.
set -u
EM=${1:?usage: stream.sh EVALMESH MKTASK [ITEMS] [LIMIT] [BASELINE [BASE_LIMIT]]}
MK=${2:?usage: stream.sh EVALMESH MKTASK [ITEMS] [LIMIT] [BASELINE [BASE_LIMIT]]}
N=${3:-1000000} LIMIT=${4:-0} BASE=${5:-} BASE_LIMIT=${6:-2000}
MAX_MB=100
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-stream-XXXXXX")
. "$(dirname "$0")/../integration/lib.sh"
trap 'stop_servers; rm -rf "$T"' EXIT

# peak FILE CMD...: runs CMD (stdout to $T/cmd.out, stderr to $T/cmd.err);
# its peak RSS in KiB into FILE, its seconds after it; CMD's exit status
peak() {
	local f=$1; shift
	python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[2], "w") as o, open(sys.argv[3], "w") as e:
    rc = subprocess.call(sys.argv[4:], stdout=o, stderr=e)
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write("%d %.1f\n" % (kib, time.monotonic() - t))
sys.exit(rc)' "$f" "$T/cmd.out" "$T/cmd.err" "$@"
}

"$MK" "$T/task" "$N" || exit 1
start_server m --workers 2 || exit 1
items_mb=$(($(wc -c <"$T/task/items.jsonl") / 1000000))

# steps LABEL EVALMESH LIMIT: the three steps on a home of LABEL's own
steps() {
	local label=$1 em=$2 lim=$3 home=$T/home-$1 what
	"$em" init --home "$home" --name bench >/dev/null || return 1
	peak "$T/$label.publish" "$em" task publish --home "$home" "$T/task/manifest.json" ||
		{ echo "$label: task publish failed:"; cat "$T/cmd.err"; return 1; }
	peak "$T/$label.dry" "$em" eval stream-bench --home "$home" --model m --dry-run ||
		{ echo "$label: eval --dry-run failed:"; cat "$T/cmd.err"; return 1; }
	what="all $N items asked"
	if [ "$lim" -gt 0 ] && [ "$lim" -lt "$N" ]; then
		set -- --limit "$lim"
		what="the task checked ($N items read), the first $lim asked (--limit)"
	else
		set --
	fi
	peak "$T/$label.eval" "$em" eval stream-bench --home "$home" --model m --endpoint "$URL_m" \
		--concurrency 32 --quiet --json "$@" ||
		{ echo "$label: eval failed:"; cat "$T/cmd.err"; return 1; }
	echo "$what" >"$T/$label.what"
	rm -rf "$home"	# a million items' chunks and answers: give the disk back
}

steps this "$EM" "$LIMIT" || exit 1
[ -z "$BASE" ] || steps base "$BASE" "$BASE_LIMIT" || exit 1

printf 'stream: %d items (an items file of %s MB), peak RSS of each step against %d MB\n' \
	"$N" "$items_mb" "$MAX_MB"
for step in publish dry eval; do
	case $step in
	publish) name="task publish" ;;
	dry) name="eval --dry-run" ;;
	eval) name="eval" ;;
	esac
	read -r kib secs <"$T/this.$step"
	line=$(awk -v k="$kib" -v m="$MAX_MB" -v s="$secs" -v n="$name" 'BEGIN {
		printf "  %-15s %8.1f MB  %5.2f of the limit  %7.1f s", n, k / 1024, k / 1024 / m, s }')
	if [ -n "$BASE" ]; then
		read -r bkib bsecs <"$T/base.$step"
		line+=$(awk -v k="$kib" -v b="$bkib" -v s="$bsecs" 'BEGIN {
			printf "   baseline %8.1f MB %7.1f s   ratio %6.3f", b / 1024, s, k / b }')
	fi
	echo "$line"
done
echo "  eval measured: $(cat "$T/this.what"), concurrency 32, against the stand-in server"
[ -z "$BASE" ] || echo "  baseline eval: $(cat "$T/base.what")"
