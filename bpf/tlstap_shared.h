/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tlstap_shared.h - what the TLS tap's eBPF program (bpfw_tlstap.bpf.c) and
 * its user-space reader (dataplane/tlstap/) both use: the ring-buffer
 * record, the chunk size and the one table of tap counters.
 *
 * The program sits on OpenSSL's SSL_read/SSL_write (and _ex) in the web
 * server's process: every call that moved plaintext becomes one or more
 * records of at most TLSTAP_CHUNK bytes, each carrying the stream offset
 * of its first byte, so a record the kernel could not queue (ring full)
 * shows up in user space as a hole of known length, never as silently
 * missing bytes.  A connection is the SSL object (pointer) within its
 * process; its TCP socket (addresses, ports, cookie) is learnt from the
 * socket send/receive the same thread makes inside the TLS call.
 *
 * Included by BPF code and by user space: __u8.. types only, no libc.
 */
#ifndef HASHWALL_BPF_TLSTAP_SHARED_H
#define HASHWALL_BPF_TLSTAP_SHARED_H

#include <linux/types.h>

#define TLSTAP_CHUNK 16384        /* plaintext bytes per record at most */
#define TLSTAP_CALL_CHUNKS 4096   /* records per TLS call (64 MiB); beyond: a hole */
#define TLSTAP_CONNS_DEFAULT 65536 /* connections followed at once (LRU) */
#define TLSTAP_RING_DEFAULT (8u << 20)

enum tlstap_kind {
	TLSTAP_DATA,     /* plaintext of one direction */
	TLSTAP_SHUTDOWN, /* SSL_shutdown: the server sends nothing more (its FIN) */
	TLSTAP_CLOSE,    /* SSL_free: the connection ended */
	TLSTAP_KIND_COUNT
};

enum tlstap_dir {
	TLSTAP_DIR_IN,  /* SSL_read: what the peer (client) sent */
	TLSTAP_DIR_OUT, /* SSL_write: what this process (server) sends */
	TLSTAP_DIR_COUNT
};

/* One ring-buffer record: the header, then @len plaintext bytes. */
struct tlstap_rec {
	__u64 ssl;     /* SSL * in process @tgid */
	__u64 off;     /* stream offset of the first data byte in direction @dir */
	__u64 cookie;  /* socket cookie; 0 while the socket is not known */
	__u64 ts_ns;   /* bpf_ktime_get_ns() */
	__u32 tgid;
	__u32 len;     /* data bytes after the header */
	__u8 kind;     /* enum tlstap_kind */
	__u8 dir;      /* enum tlstap_dir */
	__u8 family;   /* 4, 6, or 0 while the socket is not known */
	__u8 pad;
	__u16 local_port; /* host order: the server's port */
	__u16 peer_port;  /* host order: the client's port */
	__u8 local[16];   /* IPv6, or IPv4-mapped (::ffff:a.b.c.d) */
	__u8 peer[16];
	__u8 data[];
};

/* X(name, description): every counter of the tap program. */
#define TLSTAP_REASON_TABLE(X)                                                         \
	X(returns, "TLS read/write calls probed (entry and return), data or not")    \
	X(calls, "TLS read/write calls that moved plaintext")                        \
	X(records, "records queued to user space")                                   \
	X(bytes, "plaintext bytes queued")                                           \
	X(ring_full, "records lost: the ring buffer was full (a hole in the stream)") \
	X(read_fault, "records lost: the buffer could not be read from user memory") \
	X(call_too_large, "bytes of a call beyond TLSTAP_CALL_CHUNKS records (a hole)") \
	X(no_socket, "records sent before the connection's socket was known")        \
	X(conn_full, "calls not followed: the connection table could not take it")   \
	X(not_server, "calls on sockets whose local port is not a server port (clients)") \
	X(closes, "connection ends (SSL_shutdown, SSL_free) reported")               \
	X(close_lost, "connection ends lost: the ring buffer was full")

enum tlstap_reason {
#define TLSTAP_X_ENUM(name, desc) TLSTAP_R_##name,
	TLSTAP_REASON_TABLE(TLSTAP_X_ENUM)
#undef TLSTAP_X_ENUM
	TLSTAP_REASON_COUNT
};

#endif
