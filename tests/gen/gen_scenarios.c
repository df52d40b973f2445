/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scenarios.c - the table of named scenarios of hashwall-gen.  "all"
 * runs every scenario marked in_all, in table order; bigtcp, ranges,
 * encodings, uploads, loss, mixed, hostile, bench and demo are only run by name.
 */
#include "gen_scen.h"

#include <string.h>

const struct gen_scenario gen_scenarios[] = {
	{ "handshake", "one GET after a three-way handshake", gen_scen_handshake, true },
	{ "keepalive", "60 objects on one connection", gen_scen_keepalive, true },
	{ "pipeline", "8 pipelined requests, responses sharing segments", gen_scen_pipeline, true },
	{ "chunked", "tiny and huge chunks, extensions, trailers", gen_scen_chunked, true },
	{ "close", "close-delimited bodies (30000, 0, 1 bytes)", gen_scen_close, true },
	{ "nobody", "HEAD, 204, 304, 100 and 103 interim responses", gen_scen_nobody, true },
	{ "sizes", "0, 1, MSS multiples, 4 MiB across a sequence wrap", gen_scen_sizes, true },
	{ "partial", "206 responses", gen_scen_partial, true },
	{ "clte", "Content-Length and chunked both present", gen_scen_clte, true },
	{ "ipv6", "IPv6, with extension headers, on 8080, VLAN", gen_scen_ipv6, true },
	{ "vlan", "802.1Q and QinQ", gen_scen_vlan, true },
	{ "ipopts", "IPv4 options, port 8080", gen_scen_ipopts, true },
	{ "nonhttp", "byte streams on ports 443 and 22", gen_scen_nonhttp, true },
	{ "ooo", "out-of-order segments", gen_scen_ooo, true },
	{ "retrans", "retransmissions with the same data", gen_scen_retrans, true },
	{ "overlap", "overlaps with same data and with different data", gen_scen_overlap, true },
	{ "midstream", "flows picked up mid-stream", gen_scen_midstream, true },
	{ "rst", "RST mid-body from server and client", gen_scen_rst, true },
	{ "seginv", "one response whole, 1-byte, reordered, duplicated", gen_scen_seginv, true },
	{ "fragments", "a data segment as two IPv4 / IPv6 fragments", gen_scen_fragments, true },
	{ "idle", "pauses of 200 s (timed out) and 100 s (not) mid-body", gen_scen_idle, true },
	{ "hosts", "known objects requested without Host, with an empty one, a 300-byte one",
	  gen_scen_hosts, true },
	{ "bigtcp", "BIG TCP super-frames over 64 KiB: IPv4 length 0, IPv6 with and without "
	  "the jumbo option", gen_scen_bigtcp, false },
	{ "ranges", "a file in three ranges over two connections (stitched), ranges without a "
	  "validator, a 206 of a whole file", gen_scen_ranges, false },
	{ "encodings", "gzip, deflate and br bodies (decoded digests known), a br bomb, a corrupt "
	  "gzip body", gen_scen_encodings, false },
	{ "uploads", "a PUT and a chunked POST of known files, each answered 201", gen_scen_uploads,
	  false },
	{ "loss", "packets lost by the capture: a response head, chunk-size lines, requests",
	  gen_scen_loss, false },
	{ "mixed", "randomised flows and delivery plans (use many seeds)", gen_scen_mixed, false },
	{ "hostile", "limits and malformed input, one given-up connection each",
	  gen_scen_hostile, false },
	{ "bench", "benchmark traffic (see --bench-*)", gen_scen_bench, false },
	{ "demo", "README demo: a few objects, two known", gen_scen_demo, false },
	{ NULL, NULL, NULL, false },
};

const struct gen_scenario *gen_scenario_find(const char *name)
{
	for (const struct gen_scenario *s = gen_scenarios; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

int gen_scenario_run(struct gen_ctx *ctx, const struct gen_scenario *s)
{
	ctx->scenario = s->name;
	return s->run(ctx);
}
