#!/usr/bin/env bash
# usage: run_fuzz.sh MAKE_CORPUS FUZZER KIND CORPUS_DIR SECONDS
# Seeds the corpus, then fuzzes for SECONDS; any crash, leak or timeout
# fails the test (libFuzzer exits non-zero and leaves the input beside it).
set -eu
make_corpus=$1 fuzzer=$2 kind=$3 corpus=$4 seconds=$5
"$make_corpus" "$kind" "$corpus"
cd "$(dirname "$corpus")"
exec "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 "$corpus"
