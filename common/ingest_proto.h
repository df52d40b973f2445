/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ingest_proto.h - constants of the dataplane-to-controld ingest protocol
 * (docs/ingest-protocol.md), shared by the server (control/ingest.c) and
 * the dataplane-side client library (common/ingest_client.c).
 *
 * A unix SOCK_SEQPACKET socket; every record is one JSON object:
 *   client: {"type":"hello","proto":1,"dataplane":ID,"epoch":E}
 *   server: {"type":"welcome","proto":1,"acked":N}
 *   client: {"type":"event","seq":N,"event":{...match event...}}
 *   server: {"type":"ack","seq":N}          cumulative: every seq <= N
 *   client: {"type":"stats","counters":{"name":N,...},"sets":[...]}  (never acked)
 *   server: {"type":"error","message":TEXT} then closes
 */
#ifndef HASHWALL_COMMON_INGEST_PROTO_H
#define HASHWALL_COMMON_INGEST_PROTO_H

#define HWALL_INGEST_PROTO 1
#define HWALL_INGEST_MSG_MAX 65536u   /* bytes of one record, either way */
#define HWALL_INGEST_STATS_MAX 256    /* counters kept from one stats message */
#define HWALL_INGEST_SETS_MAX 64      /* loaded sets kept from one stats message */
/* How far the first event of a connection may lie beyond the acknowledged
 * mark: no client queues more unacknowledged events than this (its
 * queue_max), so no honest client sends a number further ahead. */
#define HWALL_INGEST_SEQ_WINDOW (1u << 20)

#endif
