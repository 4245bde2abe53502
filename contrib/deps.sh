#!/usr/bin/env bash
# The Debian packages evalmesh builds and tests with. Installs the missing
# ones when run as root; otherwise prints the apt-get line and fails.
#   contrib/deps.sh          build + test packages (gcc, cmake, libraries, python3)
#   contrib/deps.sh --asan   also clang and its sanitizer/fuzzer runtime
set -euo pipefail
pkgs=(build-essential cmake pkg-config libuv1-dev libsodium-dev libmsgpack-dev
      liblmdb-dev libcmocka-dev libjansson-dev libcsv-dev libutf8proc-dev libpcre2-dev libcurl4-openssl-dev
      python3 curl)
[ "${1:-}" = --asan ] && pkgs+=(clang libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "evalmesh: missing packages; run:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "== installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
