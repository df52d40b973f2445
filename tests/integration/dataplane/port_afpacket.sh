#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# port_afpacket.sh - run port_afpacket (a net_af_packet port started from
# hw/virtual-af-packet.json) inside a network namespace this script creates,
# on a veth pair inside it.  IPv6 is off on the veths so that the kernel's
# own router and neighbour solicitations stay out of the counts.  The
# namespace (and the veths in it) is removed on exit, also on failure.
# Needs root; skips (exit 77) without it.
#
# usage: port_afpacket.sh PORT_AFPACKET HW_PROFILE_DIR
set -euo pipefail

PROG=$(realpath "$1")
HWDIR=$(realpath "$2")
NS=hwafp$$

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
	echo "skip: needs root and iproute2"
	exit 77
fi
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add hwafp0 type veth peer name hwafp1
ip -n "$NS" link set hwafp0 up
ip -n "$NS" link set hwafp1 up
ip netns exec "$NS" "$PROG" "$HWDIR" hwafp0 hwafp1
