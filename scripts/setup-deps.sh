#!/usr/bin/env bash
# setup-deps.sh - install every Debian 12 package hashwall needs to build,
# test and run.  Idempotent and non-interactive; prints nothing when all is
# already present.  Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
	# build
	build-essential meson ninja-build pkg-config git
	clang llvm libclang-rt-14-dev   # BPF programs, libFuzzer, sanitizers
	# libraries
	libdpdk-dev dpdk libpcap-dev libnuma-dev
	libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev
	libxxhash-dev xxhash
	libcjson-dev libcunit1-dev
	libsodium-dev libssl-dev openssl
	libsqlite3-dev sqlite3
	libmicrohttpd-dev libcurl4-openssl-dev curl
	libpq-dev postgresql-15   # the fleet: central store (tests start their own server)
	libjpeg62-turbo-dev libspng-dev libwebp-dev libgif-dev   # PDQ image decoders
	libbrotli-dev   # Content-Encoding br (zlib1g-dev: gzip, deflate)
	libnghttp2-dev   # HTTP/2: HPACK (dataplane/http2.c)
	# tests and operations
	iproute2 tcpdump ethtool procps psmisc python3 ca-certificates
	time   # /usr/bin/time: peak memory of a streamed replay
	imagemagick   # PDQ tests: re-encoded, resized and cropped variants
	nginx apache2 nghttp2-client   # TLS tap e2e and bench: HTTPS servers, h2load
	chromium chromium-driver python3-selenium   # the console's browser test
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "setup-deps: run as root (missing: ${missing[*]})" >&2; exit 1; }
	SUDO=(sudo)
fi
echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
