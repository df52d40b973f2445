#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# replay_memory.sh - a replay of one pass on one worker streams its capture:
# its peak memory (max RSS) does not grow with the capture's size.  Two
# bench captures of 64 MB and 256 MB (both past the size where the streamed
# replay's fixed mbuf pool is full size; the larger some 140,000 frames
# more, 550 MB more if held in memory at 4 KiB an mbuf) are streamed: the
# larger may take at most 48 MB more.  The smaller is also loaded (--loop
# 2), which must take more than streaming it, and report the same objects
# per pass.  Prints the figures.
#
# usage: replay_memory.sh DATAPLANE GEN
set -euo pipefail

dp=$1 gen=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hw-replay-mem-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0

"$gen" --scenario bench --bench-bytes 64000000 --out "$tmp/small.pcap" >/dev/null
"$gen" --scenario bench --bench-bytes 256000000 --out "$tmp/large.pcap" >/dev/null

# rss_kb PCAP ARGS...: the replay's max RSS in KiB; its stats line in $tmp/stats.
rss_kb() {
	local pcap=$1
	shift
	/usr/bin/time -f '%M' -o "$tmp/rss" "$dp" replay --pcap "$pcap" "$@" 2>/dev/null |
		grep '"event":"stats"' >"$tmp/stats"
	cat "$tmp/rss"
}

objects() { grep -o '"objects_complete":[0-9]*' "$tmp/stats"; }

small=$(rss_kb "$tmp/small.pcap")
small_objects=$(objects)
large=$(rss_kb "$tmp/large.pcap")
loaded=$(rss_kb "$tmp/small.pcap" --loop 2)
loaded_objects=$(objects | awk -F: '{ print "\"objects_complete\":" $2 / 2 }')
echo "max RSS: streamed 64 MB $small KiB, streamed 256 MB $large KiB, loaded 64 MB $loaded KiB"
if ((large - small > 48 * 1024)); then
	echo "FAIL: streaming grew by $(((large - small) / 1024)) MiB for 4 times the capture"
	fails=$((fails + 1))
fi
if ((loaded - small < 32 * 1024)); then
	echo "FAIL: loading the capture took less than 32 MiB more than streaming it: not a test"
	fails=$((fails + 1))
fi
if [[ $small_objects != "$loaded_objects" ]]; then
	echo "FAIL: streamed $small_objects, loaded (per pass) $loaded_objects"
	fails=$((fails + 1))
fi
exit $((fails > 0))
