#!/usr/bin/env bash
# contrib/llama/build.sh [CACHE_DIR]: builds llama.cpp's llama-server and a
# tiny random-weight model for it, for the tests and for trying evalmesh
# against a real OpenAI-compatible server.
#
# The source comes from the npm registry: the package node-llama-cpp
# carries llama.cpp as a git bundle (llama/gitRelease.bundle). `npm pack`
# only downloads the tarball (no install scripts run); it is the one step
# that uses the network. Configure and compile run in a network namespace
# with no network when unshare allows it (root), so a build that tried to
# download something (the web UI, TLS libraries) fails instead.
#
# What is built: the target llama-server only; CPU only, no -march=native
# (x86-64 with AVX2/FMA/F16C, llama.cpp's default when GGML_NATIVE is off),
# llama/ggml linked statically, libstdc++/libgcc too, no OpenMP, no TLS, no
# embedded web UI. Into CACHE_DIR, outside the checkout, by default
#   ${XDG_CACHE_HOME:-$HOME/.cache}/evalmesh/llama-v0.4.0
# (or $EM_LLAMA_CACHE):
#   bin/llama-server   the server
#   tiny.gguf          the model contrib/llama/tiny_model.py writes
#   src/               the llama.cpp checkout (gguf-py, vocabularies)
#   complete           the stamp, written last: a cache whose stamp matches
#                      what this script would write is reused as it is
#
#   contrib/llama/build.sh --where   prints the cache folder and exits
# Environment: EM_LLAMA_JOBS (compile jobs; default nproc).
set -euo pipefail

NLC_VERSION=3.21.1
# The tarball's sha512 (the registry's dist.integrity, in hex) and the
# commit its bundle holds: what we built and tested with.
NLC_SHA512=13737412fd956b4c33c9dbd7605c0cf47bf2a34ecfa168edf13ffd18c738dc2bedf18915fcd53fb5852010c0b582b4cfbf6a3d3d18d08b41b759be4ffdac2232
LLAMA_TAG=v0.4.0
LLAMA_COMMIT=80fb11ac73e66d89eae2c6a91d8a77428fa733ed
CMAKE_FLAGS=(
	# -O1: a quarter less compiling (18 CPU-minutes instead of 24 here) for a
	# server whose model is tiny; the same outputs run to run
	-DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O1 -DNDEBUG" "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG"
	-DBUILD_SHARED_LIBS=OFF
	"-DCMAKE_EXE_LINKER_FLAGS=-static-libgcc -static-libstdc++"
	-DGGML_NATIVE=OFF -DGGML_OPENMP=OFF -DGGML_CCACHE=OFF -DGGML_BLAS=OFF
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF
	-DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON
	-DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF
	-DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_BUILD_LIBRESSL=OFF
	-DLLAMA_LLGUIDANCE=OFF
)

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${EM_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evalmesh/llama-$LLAMA_TAG}}
if [ "$cache" = --where ]; then
	echo "${EM_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evalmesh/llama-$LLAMA_TAG}"
	exit 0
fi
case $cache in -*) echo "usage: contrib/llama/build.sh [CACHE_DIR | --where]" >&2; exit 2;; esac
log=$cache/build.log
step=start

die() { echo "llama build: $step failed: $*" >&2; exit 1; }
say() { echo "== llama: $*"; }
# quietly CMD...: runs CMD with its output in the log; on failure, the
# log's tail and a one-line error naming the step.
quietly() {
	if ! "$@" >>"$log" 2>&1; then
		tail -n 20 "$log" | sed 's/^/  | /' >&2
		die "$1 exited non-zero (full log: $log)"
	fi
}
# offline CMD...: CMD in a network namespace with no network, when this
# machine can make one (root); otherwise as it is.
offline() {
	if unshare -n true 2>/dev/null; then unshare -n -- "$@"; else "$@"; fi
}
netnote() { unshare -n true 2>/dev/null && echo ", without network" || true; }

expected_stamp() {
	echo "node-llama-cpp $NLC_VERSION"
	echo "llama.cpp $LLAMA_TAG $LLAMA_COMMIT"
	echo "cmake ${CMAKE_FLAGS[*]}"
	echo "model $(sha256sum "$here/tiny_model.py" | cut -d' ' -f1)"
}

deps() {
	step="installing packages"
	local pkgs=(cmake g++ make git python3 python3-numpy python3-yaml) missing=() p
	command -v npm >/dev/null || pkgs+=(npm)
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
			|| missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages; run: sudo apt-get install -y ${missing[*]}"
	fi
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	quietly apt-get update -qq
	quietly apt-get install -y -qq "${missing[@]}"
}

fetch_source() {
	[ "$(git -C "$cache/src" rev-parse HEAD 2>/dev/null)" = "$LLAMA_COMMIT" ] && return 0
	local dl=$cache/dl tgz info
	rm -rf "$dl" "$cache/src" "$cache/src.tmp"
	mkdir -p "$dl"
	step="fetching node-llama-cpp@$NLC_VERSION (npm pack)"
	say "fetching node-llama-cpp@$NLC_VERSION from the npm registry (35 MB)"
	quietly npm pack --ignore-scripts --silent --pack-destination "$dl" \
		"node-llama-cpp@$NLC_VERSION"
	tgz=$dl/node-llama-cpp-$NLC_VERSION.tgz
	[ -f "$tgz" ] || die "npm pack wrote no $tgz"
	step="checking the tarball"
	[ "$(sha512sum "$tgz" | cut -d' ' -f1)" = "$NLC_SHA512" ] \
		|| die "$tgz is not the tarball the registry published as $NLC_VERSION (sha512 differs)"
	step="unpacking the tarball"
	quietly tar -xzf "$tgz" -C "$dl" package/llama/gitRelease.bundle \
		package/llama/llama.cpp.info.json
	info=$(tr -d ' \n' <"$dl/package/llama/llama.cpp.info.json")
	case $info in *\"tag\":\"$LLAMA_TAG\"*) ;; *) die "the package carries not llama.cpp $LLAMA_TAG: $info";; esac
	step="cloning the llama.cpp bundle"
	say "cloning llama.cpp $LLAMA_TAG from the bundle"
	quietly git clone -q --no-checkout "$dl/package/llama/gitRelease.bundle" "$cache/src.tmp"
	quietly git -C "$cache/src.tmp" -c advice.detachedHead=false checkout -q "$LLAMA_COMMIT"
	mv "$cache/src.tmp" "$cache/src"
	rm -rf "$dl"
}

build_server() {
	local flags="${CMAKE_FLAGS[*]}"
	if [ -x "$cache/bin/llama-server" ] && [ "$(cat "$cache/bin/.flags" 2>/dev/null)" = "$flags" ]; then
		return 0
	fi
	step="configuring llama.cpp (cmake)"
	say "configuring$(netnote) (log: $log)"
	[ "$(cat "$cache/build/.flags" 2>/dev/null)" = "$flags" ] || rm -rf "$cache/build"
	mkdir -p "$cache/build"
	quietly offline cmake -S "$cache/src" -B "$cache/build" "${CMAKE_FLAGS[@]}"
	echo "$flags" >"$cache/build/.flags"
	step="compiling llama-server"
	say "compiling llama-server with ${EM_LLAMA_JOBS:-$(nproc)} jobs$(netnote) (about 18 CPU-minutes)"
	local t0=$SECONDS
	set +o pipefail
	offline cmake --build "$cache/build" --target llama-server -j "${EM_LLAMA_JOBS:-$(nproc)}" 2>&1 \
		| tee -a "$log" | grep --line-buffered -E '^\[ *[0-9]+%\]' | sed -u 's/^/  /'
	local rc=${PIPESTATUS[0]}
	set -o pipefail
	if [ "$rc" -ne 0 ]; then
		grep -E -A3 'error|Error' "$log" | tail -n 20 | sed 's/^/  | /' >&2
		die "cmake --build exited $rc (full log: $log)"
	fi
	say "compiled in $((SECONDS - t0)) s"
	step="installing the binary"
	mkdir -p "$cache/bin"
	cp "$cache/build/bin/llama-server" "$cache/bin/llama-server.tmp"
	mv "$cache/bin/llama-server.tmp" "$cache/bin/llama-server"
	echo "$flags" >"$cache/bin/.flags"
	step="running llama-server --version"
	quietly "$cache/bin/llama-server" --version
	rm -rf "$cache/build"
}

make_model() {
	step="writing the tiny model (tiny_model.py)"
	say "writing the tiny model"
	# Debian's python3, whose numpy deps() installed (not one first in PATH)
	quietly env PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$here/tiny_model.py" \
		--gguf-py "$cache/src/gguf-py" --vocab "$cache/src/models/ggml-vocab-llama-spm.gguf" \
		"$cache/tiny.gguf"
}

main() {
	mkdir -p "$cache" 2>/dev/null || { echo "llama build: cannot create $cache" >&2; exit 1; }
	if [ -f "$cache/complete" ] && [ "$(cat "$cache/complete")" = "$(expected_stamp)" ] \
		&& [ -x "$cache/bin/llama-server" ] && [ -s "$cache/tiny.gguf" ]; then
		say "cache complete: $cache"
		return 0
	fi
	rm -f "$cache/complete"
	: >"$log"
	deps
	fetch_source
	build_server
	make_model
	step="writing the stamp"
	expected_stamp >"$cache/complete.tmp"
	mv "$cache/complete.tmp" "$cache/complete"
	say "ready: $cache/bin/llama-server, $cache/tiny.gguf ($(du -sh "$cache" | cut -f1) in all)"
}
main
