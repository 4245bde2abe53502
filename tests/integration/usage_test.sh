#!/usr/bin/env bash
# Usage errors, table by table: every command and verb refuses an option
# it does not take, and every bad value, with exit 2 and one line naming
# the command, the flag, the value and what was expected; a verb's own
# help; node.json values refused with the file and the key (exit 1); what
# is not the command line's fault stays exit 1. Nothing needs a network.
# usage: usage_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: usage_test.sh PATH/TO/evalmesh}
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-usage-XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
H=$T/h
ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
"$EM" init --home "$H" --name usage >/dev/null || bad "init"
unset EVALMESH_HOME
set -f	# the tables' words are not file patterns ("[1]")
# em ARGS...: evalmesh, bounded in time; a node listens on this test's
# port only. A row that were accepted would start a node.
em() {
	local listen=()
	if [ "$1" = node ] && [[ " $* " != *" --listen "* ]]; then
		listen=(--listen "127.0.0.1:$(port 0)")
	fi
	timeout 20 "$EM" "$@" "${listen[@]}"
}

# usage_is WHO PATTERN: the last command failed with exactly one line,
# "evalmesh WHO: ... (see 'evalmesh WHO --help')", matching PATTERN.
usage_is() {
	one_line
	has "$err" "^evalmesh $1: .*$2.* \\(see 'evalmesh $1 --help'\\)$"
}

# --- an option a command or verb does not take: "WHO|ARGS..." (--home $H added)
while IFS='|' read -r who args; do
	[ -n "$who" ] || continue
	# shellcheck disable=SC2086
	run 2 em $args --home "$H" --frob && usage_is "$who" "unknown option '--frob'"
done <<'EOF'
init|init
id|id
labs|labs
node|node
status|status
peers|peers
peers add|peers add 127.0.0.1:9
peers remove|peers remove 127.0.0.1:9
task publish|task publish m.json
task list|task list
task show|task show x
eval|eval x --model m --exec cat
model check|model check --endpoint http://127.0.0.1:1
result publish|result publish --task 01234567 --model m --metric a=1 --n 1
results|results
leaderboard|leaderboard
compare|compare t a b
trust add|trust add 01234567
trust list|trust list
trust remove|trust remove 01234567
revoke|revoke 01234567
audit|audit 01234567
verify|verify 01234567
export|export -o x
import|import x
store check|store check
store rebuild|store rebuild
EOF

# --- a flag one verb takes, given to another that does not
while IFS='|' read -r who args; do
	[ -n "$who" ] || continue
	# shellcheck disable=SC2086
	run 2 em $args --home "$H" && usage_is "$who" "unknown option"
done <<'EOF'
trust list|trust list --name X
trust remove|trust remove 01234567 --name X
trust add|trust add 01234567 --json
task list|task list --passphrase-env X
task show|task show x --passphrase-env X
peers add|peers add 127.0.0.1:9 --json
store check|store check --force
store rebuild|store rebuild --json
EOF
# ... and nothing was changed by them
run 0 "$EM" trust list --home "$H" --json; has $out '^\[\]$'

# --- the verb may follow options; a value that reads like a verb is a value
run 0 "$EM" trust --home "$H" --name list add $ID; has $out "trusting $ID as list"
run 0 "$EM" trust --home "$H" list; has $out "$ID  list"
# added again without --name, it keeps its name; --name "" clears it
run 0 "$EM" trust add $ID --home "$H"; has $out "^trusting $ID as list$"
run 0 "$EM" trust list --home "$H"; has $out "^$ID  list$"
run 0 "$EM" trust add $ID --name '' --home "$H"; has $out "^trusting $ID$"
run 0 "$EM" trust list --home "$H"; has $out "^$ID  $"
run 0 "$EM" trust --home "$H" remove $ID; has $out "no longer trusting $ID"
run 2 "$EM" trust --home "$H"; usage_is trust 'expected add, list or remove'
run 2 "$EM" trust --home "$H" --frob; usage_is trust "unknown option '--frob'"
run 2 "$EM" trust frob; usage_is trust "unknown subcommand 'frob'; expected add, list or remove"
run 2 "$EM" trust add; usage_is 'trust add' 'give the NODE_ID'
run 2 "$EM" trust list extra; usage_is 'trust list' "unexpected argument 'extra'"
run 2 "$EM" task show; usage_is 'task show' 'show needs ID or NAME'
run 2 "$EM" result; usage_is result "expected 'publish'"
run 2 "$EM" model frob; usage_is model "unknown subcommand 'frob'"

# --- each verb's own help, and the command's with every verb
while IFS='|' read -r args want; do
	[ -n "$args" ] || continue
	# shellcheck disable=SC2086
	run 0 "$EM" $args --help && has $out "^usage: evalmesh $want"
done <<'EOF'
trust add|trust add NODE_ID \[--name NAME\]
trust list|trust list \[--json\]
trust remove|trust remove NODE_ID \[--home DIR\]$
task publish|task publish MANIFEST.json
task list|task list \[--home DIR\] \[--json\]$
task show|task show ID\|NAME
peers add|peers add HOST:PORT
peers|peers \[--home DIR\] \[--json\]$
result publish|result publish --task TASK
model check|model check --endpoint URL
EOF
run 0 "$EM" trust list --help; grep -q 'trust add' "$out" && bad "trust list --help shows add" || ok
run 0 "$EM" task --help; has $out '^       evalmesh task show ID'; has $out '^show     one task'

# --- bad values: "WHO|ARGS|PATTERN" — exit 2, one line, the flag and the value named
while IFS='|' read -r who args want; do
	[ -n "$who" ] || continue
	# shellcheck disable=SC2086
	run 2 em $args --home "$H" && usage_is "$who" "$want"
done <<'EOF'
eval|eval x --model m --endpoint http://127.0.0.1:1 --concurrency 0|--concurrency '0': expected a whole number from 1 to 1024
eval|eval x --model m --endpoint http://127.0.0.1:1 --concurrency 1025|--concurrency '1025': expected a whole number from 1 to 1024
eval|eval x --model m --endpoint http://127.0.0.1:1 --concurrency 8x|--concurrency '8x': expected a whole number
eval|eval x --model m --endpoint http://127.0.0.1:1 --timeout 0|--timeout '0': expected a whole number from 1 to 3600
eval|eval x --model m --endpoint http://127.0.0.1:1 --retries 21|--retries '21': expected a whole number from 0 to 20
eval|eval x --model m --endpoint http://127.0.0.1:1 --limit 0|--limit '0': expected a whole number from 1 to
eval|eval x --model m --endpoint http://127.0.0.1:1 --patience -1|--patience '-1': expected a whole number from 0 to 86400
eval|eval x --model m --endpoint http://127.0.0.1:1 --max-tokens 0|--max-tokens '0': expected a whole number from 1 to 1048576
eval|eval x --model m --endpoint http://127.0.0.1:1 --max-requests 0|--max-requests '0': expected a whole number from 1 to 1000000000
eval|eval x --model m --endpoint http://127.0.0.1:1 --max-prompt-bytes 67108865|--max-prompt-bytes '67108865': expected a whole number from 1 to 67108864
eval|eval x --model m --endpoint http://127.0.0.1:1 --access semi|--access 'semi': expected open or closed
eval|eval x --model m --endpoint http://127.0.0.1:1 --api frob|--api 'frob': expected chat or completions
eval|eval x --model m --endpoint ftp://127.0.0.1:1|--endpoint 'ftp://127.0.0.1:1': expected an http:// or https:// URL
eval|eval x --model m --endpoint http://|--endpoint 'http://': expected an http:// or https:// URL with a host
eval|eval x --model m --endpoint http://127.0.0.1:1 --extra-body [1]|--extra-body '\[1\]': the extra body must be a JSON object
eval|eval x --model m --endpoint http://127.0.0.1:1 --extra-body {"stream":true}|--extra-body '.*': the extra body may not set "stream"
eval|eval x --model m --endpoint http://127.0.0.1:1 --api-key-env A=B|--api-key-env 'A=B': expected the name of a variable
eval|eval x --model m --exec cat --extra-body {"top_k":1}|--extra-body is for HTTP endpoints, not --exec
eval|eval x --model m --endpoint http://127.0.0.1:1 --api-key-header api-key|--api-key-header needs --api-key-env VAR
eval|eval x --model m --endpoint http://127.0.0.1:1 --api-key-env HOME --api-key-header a:b|--api-key-header "a:b": not an HTTP header name
eval|eval x --model m --endpoint http://127.0.0.1:1 --api-key-env HOME --api-key-header Host|--api-key-header Host: evalmesh sets that header itself
model check|model check --model m --endpoint http://127.0.0.1:1 --api-key-env HOME --api-key-header a(b)|--api-key-header "a\(b\)": not an HTTP header name
node|node --model m --endpoint http://127.0.0.1:1 --api-key-env HOME --api-key-header content-length|--api-key-header content-length: evalmesh sets that header itself
eval|eval x --model m --endpoint http://127.0.0.1:1 --passphrase-env A=B|--passphrase-env 'A=B': expected the name of a variable
node|node --model m --endpoint http://127.0.0.1:1 --concurrency 0|--concurrency '0': expected a whole number from 1 to 1024
node|node --model m --endpoint http://127.0.0.1:1 --eval-jobs 17|--eval-jobs '17': expected a whole number from 1 to 16
node|node --model m --endpoint http://127.0.0.1:1 --access semi|--access 'semi': expected open or closed
node|node --model m --endpoint http://127.0.0.1:1 --api frob|--api 'frob': expected chat or completions
node|node --model m --endpoint http://127.0.0.1:1 --max-tokens 0|--max-tokens '0': expected a whole number from 1 to 1048576
node|node --model m --endpoint ftp://x|--endpoint 'ftp://x': expected an http:// or https:// URL
node|node --model m --exec cat --auto-eval sometimes|--auto-eval 'sometimes': expected trusted, all or off
node|node --model m --exec cat --extra-body {|--extra-body '\{': not JSON
node|node --max-inbound 4097|--max-inbound '4097': expected a whole number from 0 to 4096
node|node --max-outbound x|--max-outbound 'x': expected a whole number from 0 to 256
node|node --handshake-timeout 99|--handshake-timeout '99': expected a whole number from 100 to 600000
node|node --log-level loud|--log-level 'loud': expected error, warn, info or debug
node|node --listen 127.0.0.1|--listen '127.0.0.1': expected HOST:PORT with a numeric host
node|node --advertise bad_host.example:7400|--advertise 'bad_host.example:7400': expected HOST:PORT, the host an address or a name
node|node --peer nowhere|--peer 'nowhere': expected HOST:PORT
node|node --recv-buffer-kb 65537|--recv-buffer-kb '65537': expected a whole number from 0 to 65536
node|node --peer 0.0.0.0:7400|--peer '0.0.0.0:7400': expected the address of one host
node|node --peer [::]:7400|--peer '\[::\]:7400': expected the address of one host
node|node --advertise 0.0.0.0:7400|--advertise '0.0.0.0:7400': expected the address of one host
node|node --model m --endpoint http://x --exec cat|give --endpoint URL or --exec CMD, not both
node|node --endpoint http://127.0.0.1:1|--endpoint needs --model NAME
node|node --revision r|--revision needs --model NAME
node|node --auto-eval off --exec cat|--exec needs --model NAME
model check|model check --endpoint http://127.0.0.1:1 --timeout 3601|--timeout '3601': expected a whole number from 1 to 3600
model check|model check --endpoint http://127.0.0.1:1 --max-tokens 65537|--max-tokens '65537': expected a whole number from 1 to 65536
model check|model check --endpoint http://127.0.0.1:1 --api frob|--api 'frob': expected chat or completions
model check|model check --endpoint http://127.0.0.1:1 --extra-body {"model":"x"}|--extra-body '.*': the extra body may not set "model"
model check|model check --endpoint ftp://x|--endpoint 'ftp://x': expected an http:// or https:// URL
model check|model check --endpoint http://127.0.0.1:99999|--endpoint 'http://127.0.0.1:99999': not a URL curl can use \(Port number
eval|eval x --model m --endpoint http://127.0.0.1:99999|--endpoint 'http://127.0.0.1:99999': not a URL curl can use \(Port number
result publish|result publish --task 01234567 --model m --metric a=1 --n 0|--n '0': expected a whole number from 1 to 1048576
result publish|result publish --task 01234567 --model m --metric a=1 --n 1 --stderr -1|--stderr '-1': expected a non-negative number
result publish|result publish --task 01234567 --model m --metric a=1 --n 1 --access semi|--access 'semi': expected open or closed
result publish|result publish --task 01234567 --model m --metric a=1 --n 1 --weights-hash ab|--weights-hash 'ab': expected 64 hex digits
result publish|result publish --task 01234567 --model m --metric =1 --n 1|--metric '=1': expected NAME=VALUE
result publish|result publish --task 01234567 --model m --metric a=inf --n 1|--metric 'a=inf': expected a finite number
result publish|result publish --task 01234567 --model m --metric a=1 --metric a=2 --n 1|--metric 'a=2': metric 'a' given twice
leaderboard|leaderboard x --min-reporters abc|--min-reporters 'abc': expected a whole number from 0 to 1000000
export|export -o x --author 0123 --since 1|--author '0123': expected a node id
export|export -o x --author 01234567 --since 1.5|--since '1.5': expected a whole number
results|results --author 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0|--author '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\.\.\.': expected a node id
verify|verify 0123|RECORD_ID '0123': expected a record id
revoke|revoke 0123|RECORD_ID '0123': expected a record id
trust add|trust add zz|NODE_ID 'zz': expected a node id
trust remove|trust remove zz|NODE_ID 'zz': expected a node id
peers add|peers add 127.0.0.1|HOST:PORT '127.0.0.1': expected a host \(an address or a name\) and a port
peers add|peers add under_score.example:7400|HOST:PORT 'under_score.example:7400': expected a host
peers add|peers add lead-.example:7400|HOST:PORT 'lead-.example:7400': expected a host
peers add|peers add 1.2.3:7400|HOST:PORT '1.2.3:7400': expected a host
peers remove|peers remove nowhere|HOST:PORT 'nowhere': expected a host \(an address or a name\) and a port
peers add|peers add 0.0.0.0:7400|HOST:PORT '0.0.0.0:7400': expected the address of one host
peers add|peers add 255.255.255.255:7400|HOST:PORT '255.255.255.255:7400': expected the address of one host
peers add|peers add 239.1.2.3:7400|HOST:PORT '239.1.2.3:7400': expected the address of one host
peers add|peers add [fe80::1]:7400|HOST:PORT '\[fe80::1\]:7400': expected the address of one host
peers add|peers add 10.0.0.1:0|HOST:PORT '10.0.0.1:0': expected a host \(an address or a name\) and a port
EOF

# texts signed into records, and values too long: refused, never cut
long=$(printf 'x%.0s' $(seq 1 200))
run 2 "$EM" eval x --model "$long" --exec cat --home "$H"
usage_is eval "--model 'x{64}\\.\\.\\.': longer than 128 bytes"
run 2 em node --model m --exec cat --api-key-env "$long" --home "$H"
usage_is node "--api-key-env 'x{64}\\.\\.\\.': expected the name of a variable: 1 to 127 bytes"
run 2 em node --model m --exec cat --api-key-header "$long" --home "$H"
usage_is node "--api-key-header 'x{64}\\.\\.\\.': expected 1 to 127 bytes"
run 2 em node --model "$(printf 'm\tx')" --exec cat --home "$H"
usage_is node "--model 'm<U\\+0009>x': holds a control character"
run 2 "$EM" trust add $ID --name "$(printf 'n\033]0;x')" --home "$H"; usage_is 'trust add' "--name 'n<U\\+001B>\\]0;x'"
run 2 "$EM" trust add $ID --name "$(printf 'a\tb')" --home "$H"
usage_is 'trust add' "--name 'a<U\\+0009>b': holds a control character .*'trust list' would print it"
grep -q signed "$err" && bad "a trust name is never signed, yet: $(cat "$err")" || ok
run 2 "$EM" revoke 01234567 --reason "$(printf 'a\nb')" --home "$H"; usage_is revoke "--reason 'a<U\\+000A>b'"
run 2 "$EM" init --home "$T/new" --org "$(printf 'o\377')"; usage_is init "--org 'o<0xFF>': not valid UTF-8"
[ ! -e "$T/new" ] && ok || bad "a refused init made $T/new"
run 2 "$EM" results --home ''; usage_is results "--home '': expected a directory"
run 2 "$EM" results --task '' --home "$H"; usage_is results "--task '': expected a task id, NAME or NAME@VERSION"
# the TASK argument of every command that takes one, as --task is
for c in "eval|eval '' --model m --exec cat" "leaderboard|leaderboard ''" "compare|compare '' a b" \
    "task show|task show ''" "task fetch|task fetch ''"; do
	eval "run 2 \"\$EM\" ${c#*|} --home \"\$H\""
	usage_is "${c%%|*}" "TASK '': expected a task id, NAME or NAME@VERSION"
done
run 2 "$EM" leaderboard "$(printf 't\033[2J')" --home "$H"
usage_is leaderboard "TASK 't<U\\+001B>\\[2J': expected a task id, NAME or NAME@VERSION \\(it holds a control character\\)"
run 2 "$EM" result publish --task "$(printf 't\033[2J')" --model m --metric a=1 --n 1 --home "$H"
usage_is 'result publish' "--task 't<U\\+001B>\\[2J': expected a task id, NAME or NAME@VERSION \\(it holds a control character\\)"
run 2 "$EM" results --task "$long$long" --home "$H"; usage_is results "--task 'x{64}\\.\\.\\.': expected a task id, NAME or NAME@VERSION \\(it is longer than 161 bytes\\)"
run 2 "$EM" eval x --model m --exec cat --endpoint "http://h/$(printf 'p%.0s' $(seq 1 1100))" --home "$H"
usage_is eval "--endpoint 'http://h/p+\\.\\.\\.': expected an http:// or https:// URL"

# --- node.json: the same rules, exit 1, the file and the key named
while IFS='|' read -r json want; do
	[ -n "$json" ] || continue
	printf '%s\n' "$json" >"$H/node.json"
	run 1 em node --home "$H" && { one_line; has $err "^evalmesh: $H/node.json: $want"; }
done <<'EOF'
{"model": "m", "exec": "cat", "access": "semi"}|access: expected open or closed
{"model": "m", "exec": "cat", "api": "frob"}|api: expected chat or completions
{"model": "m", "exec": "cat", "auto_eval": "sometimes"}|auto_eval: expected trusted, all or off
{"model": "m", "exec": "cat", "concurrency": 0}|concurrency: expected a whole number from 1 to 1024
{"model": "m", "exec": "cat", "concurrency": "8"}|concurrency: expected a whole number from 1 to 1024
{"model": "m", "exec": "cat", "eval_jobs": 17}|eval_jobs: expected a whole number from 1 to 16
{"model": "m", "exec": "cat", "max_tokens": 1048577}|max_tokens: expected a whole number from 1 to 1048576
{"model": "m\u001b[2J", "exec": "cat"}|model: holds a control character
{"model": "m", "exec": ""}|exec: expected 1 to 1023 bytes
{"model": "m", "endpoint": "ftp://x"}|endpoint: expected an http:// or https:// URL
{"model": "m", "endpoint": ["http://x", 7]}|endpoint: expected a string
{"model": "m", "endpoint": {"a": 1}}|endpoint: expected a URL or a list of up to 16
{"model": "m", "exec": "cat", "api_key_env": "A B"}|api_key_env: expected the name of a variable
{"model": "m", "exec": "cat", "revision": 3}|revision: expected a string
{"endpoint": "http://127.0.0.1:1"}|endpoint: needs "model"
{"auto_eval": "off", "revision": "r"}|revision: needs "model"
{"a\u001b[2J\nb": 1}|'a<U\+001B>\[2J<U\+000A>b': unknown key
EOF
printf '{"model": "m", "exec": "cat", "api_key_env": "%s"}\n' "$long" >"$H/node.json"
run 1 em node --home "$H"; has $err 'node.json: api_key_env: expected the name of a variable: 1 to 127'
# node.json read with bounds: what is not a regular file is never waited
# on or read (a FIFO would hang), nor a file past 64 KiB
rm -f "$H/node.json"; mkfifo "$H/node.json"
run 1 em node --home "$H"; one_line; has $err "^evalmesh: $H/node.json: not a regular file"
rm -f "$H/node.json"; mkdir "$H/node.json"
run 1 em node --home "$H"; one_line; has $err "^evalmesh: $H/node.json: not a regular file"
rmdir "$H/node.json"; head -c 70000 /dev/zero | tr '\0' ' ' >"$H/node.json"
run 1 em node --home "$H"; one_line; has $err "^evalmesh: $H/node.json: larger than 65536 bytes"
# settings that do not go together, with node.json taking part: its fault too (1)
printf '{"model": "m"}\n' >"$H/node.json"
run 1 em node --home "$H"; one_line; has $err "give --endpoint URL or --exec CMD .*$H/node.json"
# a bad flag is the command line's whatever the file says
run 2 em node --home "$H" --access semi; usage_is node "--access 'semi'"
rm -f "$H/node.json"

# --- not the command line's fault: exit 1
run 1 "$EM" import "$T/missing" --home "$H"; has $err 'cannot read'; one_line
run 1 "$EM" eval x --model m --endpoint http://127.0.0.1:1 --api-key-env EM_NO_SUCH_VAR --home "$H"
has $err '^evalmesh: --api-key-env EM_NO_SUCH_VAR: that variable is not set$'
run 1 "$EM" verify ffffffff --home "$H"; has $err 'no record'; one_line
run 1 "$EM" results --home "$T/nohome"; has $err 'not found'; one_line
run 1 "$EM" task publish "$T/none.json" --home "$H"; has $err 'cannot read'; one_line
run 1 "$EM" export -o "$T/no/such/dir/x" --home "$H"
has $err "cannot export to '.*/no/such/dir/x': No such file or directory"; one_line	# not "input/output error"

finish
