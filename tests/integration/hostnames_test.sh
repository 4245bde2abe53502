#!/usr/bin/env bash
# Peers by host name (issue 16): a node given `--peer NAME:PORT` and
# `peers add NAME:PORT` resolves the name off its loop on every dial and
# connects; `peers remove` forgets an address and closes what the node
# dialed there; a name that does not resolve is a log line and a backoff,
# not a stop. Names come from an /etc/hosts of the test's own, bind-
# mounted in a mount namespace of its own (root only: the test skips,
# saying why, where it cannot make one), so no DNS is asked.
#   usage: hostnames_test.sh PATH/TO/evalmesh
set -u
EM=${1:?usage: hostnames_test.sh PATH/TO/evalmesh}
if [ -z "${EM_HOSTS_NS:-}" ]; then
	if ! unshare --mount true 2>/dev/null; then
		echo "SKIP: cannot make a mount namespace here (needs root): no /etc/hosts of the test's own"
		exit 77
	fi
	EM_HOSTS_NS=1 exec unshare --mount "$0" "$@"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/evalmesh-hostnames-XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_all; rm -rf "$T"' EXIT
# the namespace is private to this process tree: mounts here stay here
mount --make-rprivate / 2>/dev/null
printf '127.0.0.1 localhost\n127.0.0.1 lab-b.example lab-c.example\n' >"$T/hosts"
if ! mount --bind "$T/hosts" /etc/hosts; then
	echo "SKIP: cannot bind-mount a hosts file of the test's own"
	exit 77
fi
getent hosts lab-b.example | grep -q '^127\.0\.0\.1' && ok || bad "the test's hosts file is not read"

for n in a b c; do "$EM" init --home "$T/$n" --name "$n" >/dev/null || bad "init $n"; done
start_node b 2
start_node c 3 --recv-buffer-kb 0	# the kernel's own buffer: still a peer like any
# --peer by name
start_node a 1 --peer "lab-b.example:$(port 2)"
wait_for 20 "a connects to b by name" "$EM" peers --home "$T/a" "connected .*$(idof b | cut -c1-16)" ||
	bad "a did not connect to lab-b.example"
# peers add by name, to the running node
run 0 "$EM" peers add "lab-c.example:$(port 3)" --home "$T/a"; has "$out" "the node is dialing it"
wait_for 20 "a connects to c by name" "$EM" peers --home "$T/a" "lab-c.example:$(port 3) .*connected"
run 0 "$EM" peers --home "$T/a"; has "$out" "lab-c.example:$(port 3) .*connected"
# a name that does not resolve: said, backed off, the node runs on
run 0 "$EM" peers add "nowhere.invalid:$(port 4)" --home "$T/a"
wait_for 20 "a says it cannot resolve" grep -h "nowhere.invalid" "$T/a.log" "cannot resolve its name" ||
	bad "no line about a name that does not resolve"
run 0 "$EM" status --home "$T/a"; has "$out" "running +yes"
# peers remove: forgotten, and the connection a made closed
run 0 "$EM" peers remove "lab-c.example:$(port 3)" --home "$T/a"; has "$out" "removed lab-c.example"
run 0 "$EM" peers --home "$T/a" --json
grep -q "lab-c.example" "$out" && bad "a still lists lab-c.example after peers remove" || ok
run 1 "$EM" peers remove "lab-c.example:$(port 3)" --home "$T/a"; has "$err" "not a known peer"; one_line
stop_node a
# offline: the store forgot it too; remove works without a node
run 0 "$EM" peers --home "$T/a" --json
grep -q "lab-c.example" "$out" && bad "the store still holds lab-c.example" || ok
run 0 "$EM" peers remove "nowhere.invalid:$(port 4)" --home "$T/a"; has "$out" "removed"
stop_all
echo "hostnames: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
