/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen.h - the scenario functions of hashwall-gen, one per named
 * scenario; gen_scenarios.c puts them in the table.  Each returns 0 or
 * -errno and records its expected objects in the context.
 */
#ifndef HASHWALL_TESTS_GEN_SCEN_H
#define HASHWALL_TESTS_GEN_SCEN_H

#include "gen.h"

/* gen_scen_http.c */
int gen_scen_handshake(struct gen_ctx *ctx);
int gen_scen_keepalive(struct gen_ctx *ctx);
int gen_scen_pipeline(struct gen_ctx *ctx);
int gen_scen_chunked(struct gen_ctx *ctx);
int gen_scen_close(struct gen_ctx *ctx);
int gen_scen_nobody(struct gen_ctx *ctx);
int gen_scen_sizes(struct gen_ctx *ctx);
int gen_scen_partial(struct gen_ctx *ctx);
int gen_scen_clte(struct gen_ctx *ctx);
int gen_scen_ipv6(struct gen_ctx *ctx);
int gen_scen_bigtcp(struct gen_ctx *ctx);
int gen_scen_hosts(struct gen_ctx *ctx);
int gen_scen_vlan(struct gen_ctx *ctx);
int gen_scen_ipopts(struct gen_ctx *ctx);
int gen_scen_nonhttp(struct gen_ctx *ctx);

/* gen_scen_tcp.c */
int gen_scen_ooo(struct gen_ctx *ctx);
int gen_scen_retrans(struct gen_ctx *ctx);
int gen_scen_overlap(struct gen_ctx *ctx);
int gen_scen_midstream(struct gen_ctx *ctx);
int gen_scen_rst(struct gen_ctx *ctx);
int gen_scen_seginv(struct gen_ctx *ctx);
int gen_scen_fragments(struct gen_ctx *ctx);
int gen_scen_idle(struct gen_ctx *ctx);

/* gen_scen_ranges.c */
int gen_scen_ranges(struct gen_ctx *ctx);
int gen_scen_uploads(struct gen_ctx *ctx);

/* gen_scen_coding.c */
int gen_scen_encodings(struct gen_ctx *ctx);

/* gen_scen_loss.c */
int gen_scen_loss(struct gen_ctx *ctx);

/* gen_scen_mixed.c */
int gen_scen_mixed(struct gen_ctx *ctx);

/* gen_scen_hostile.c */
int gen_scen_hostile(struct gen_ctx *ctx);

/* gen_scen_bench.c */
int gen_scen_bench(struct gen_ctx *ctx);
int gen_scen_demo(struct gen_ctx *ctx);

#endif
