#!/bin/sh
# Runs test_enforce_bpf on a veth pair this script creates (no addresses,
# no traffic) with pins in a private bpffs directory; both are removed on
# any exit.  Skipped (77) when not root.
set -eu
[ "$(id -u)" = 0 ] || { echo "needs root: skipped"; exit 77; }
A="hwc$$a"
B="hwc$$b"
PIN="/sys/fs/bpf/hw-ctl-test-$$"
cleanup() {
	ip link del "$A" 2>/dev/null || true
	rm -rf "$PIN" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip link add "$A" type veth peer name "$B"
ip link set "$A" up
ip link set "$B" up
"$1" "$A" "$PIN"
