// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfw_tlstap.bpf.c - the TLS plaintext tap (docs/tls-tap.md).
 *
 * uprobes on OpenSSL 3's SSL_read, SSL_read_ex, SSL_write, SSL_write_ex
 * remember the call's SSL object and buffer per thread; programs on the
 * socket layer's sock_send_length/sock_recv_length tracepoints, run by the
 * same thread inside the TLS call, tie the SSL object to its socket
 * (addresses, ports, cookie); the uretprobes
 * copy the plaintext that the call moved into the ring buffer in records of
 * at most TLSTAP_CHUNK bytes, each with its stream offset.  uprobes on
 * SSL_shutdown and SSL_free end the connection.
 *
 * The web server never waits for this program: when the ring is full a
 * record is dropped and counted (ring_full), the stream offset still
 * advances and user space sees a hole of that length.
 */
#include <linux/bpf.h>
#include <linux/in6.h>
#include <linux/ptrace.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tlstap_shared.h"

/* libbpf's BPF_PROG/BPF_KPROBE wrappers name a ctx these programs need not read. */
#pragma clang diagnostic ignored "-Wunused-parameter"

char LICENSE[] SEC("license") = "GPL";

/* Only processes of this cgroup (v2 id) when not 0 (set before load). */
const volatile __u64 tlstap_cgroup_id = 0;

/* The kernel's socket, as far as this program reads it (CO-RE: the field
 * offsets come from the running kernel's BTF at load time). */
struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
} __attribute__((preserve_access_index));

#define AF_INET 2
#define AF_INET6 10

/* A TLS call in progress on one thread. */
struct tlstap_call {
	__u64 ssl;
	__u64 buf;
	__u64 lenp; /* _ex: where the byte count is written; 0 otherwise */
	__u32 dir;
	__u32 pad;
};

struct tlstap_conn_key {
	__u64 ssl;
	__u32 tgid;
	__u32 pad;
};

struct tlstap_conn {
	__u64 off[TLSTAP_DIR_COUNT];
	__u64 cookie;
	__u16 local_port, peer_port;
	__u8 family;
	__u8 pad[3];
	__u8 local[16], peer[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TLSTAP_RING_DEFAULT);
} tlstap_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct tlstap_call);
} tlstap_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLSTAP_CONNS_DEFAULT);
	__type(key, struct tlstap_conn_key);
	__type(value, struct tlstap_conn);
} tlstap_conns SEC(".maps");

/* Local TCP ports of the servers followed (1: followed); a TLS object on
 * another socket is the host's own client side (curl, a proxy's upstream). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tlstap_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TLSTAP_REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} tlstap_counters SEC(".maps");

/* One record being built: header and the largest chunk. */
struct tlstap_scratch {
	__u8 bytes[sizeof(struct tlstap_rec) + TLSTAP_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tlstap_scratch);
} tlstap_scratch SEC(".maps");

static __always_inline void count_n(__u32 reason, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&tlstap_counters, &reason);

	if (v)
		*v += n;
}

static __always_inline int wanted(void)
{
	return !tlstap_cgroup_id || bpf_get_current_cgroup_id() == tlstap_cgroup_id;
}

/* Whether @c is a server-side connection (or its socket is not known yet). */
static __always_inline int server_side(const struct tlstap_conn *c)
{
	__u32 port = c->local_port;
	__u8 *v;

	if (!c->family)
		return 1;
	v = bpf_map_lookup_elem(&tlstap_ports, &port);
	return v && *v;
}

static __always_inline int call_enter(__u64 ssl, __u64 buf, __u64 lenp, __u32 dir)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tlstap_call c = { .ssl = ssl, .buf = buf, .lenp = lenp, .dir = dir };

	if (!wanted())
		return 0;
	bpf_map_update_elem(&tlstap_calls, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline struct tlstap_conn *conn_get(__u64 ssl, __u32 tgid)
{
	struct tlstap_conn_key k = { .ssl = ssl, .tgid = tgid };
	struct tlstap_conn zero = { 0 };
	struct tlstap_conn *c = bpf_map_lookup_elem(&tlstap_conns, &k);

	if (c)
		return c;
	bpf_map_update_elem(&tlstap_conns, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tlstap_conns, &k);
}

/* The socket a TLS call of this thread uses: remember it for the call's
 * connection (once: the first socket call tells it). */
static __always_inline void note_socket(struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tlstap_call *call = bpf_map_lookup_elem(&tlstap_calls, &id);
	struct tlstap_conn *c;
	__u64 cookie;
	__u16 family;

	if (!call)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return; /* TLS over a unix socket: not a served connection */
	c = conn_get(call->ssl, id >> 32);
	if (!c)
		return;
	cookie = bpf_get_socket_cookie(sk);
	if (c->cookie == cookie)
		return;
	c->cookie = cookie;
	c->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	c->peer_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		__be32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 p = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memset(c->local, 0, 16);
		__builtin_memset(c->peer, 0, 16);
		c->local[10] = c->local[11] = c->peer[10] = c->peer[11] = 0xff;
		__builtin_memcpy(&c->local[12], &l, 4);
		__builtin_memcpy(&c->peer[12], &p, 4);
		c->family = 4;
	} else {
		BPF_CORE_READ_INTO(&c->local, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&c->peer, sk, __sk_common.skc_v6_daddr);
		c->family = 6;
		/* An IPv4 client on a dual-stack socket arrives IPv4-mapped. */
		if (c->peer[10] == 0xff && c->peer[11] == 0xff && !c->peer[0])
			c->family = 4;
	}
}

/* The socket layer's send and receive tracepoints (sock_sendmsg_nosec,
 * sock_recvmsg_nosec, Linux 6.3+): BTF-typed raw tracepoints, which need
 * neither kprobes nor ftrace trampolines. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(tlstap_sock_send, struct sock *sk, int ret, int flags)
{
	note_socket(sk);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tlstap_sock_recv, struct sock *sk, int ret, int flags)
{
	note_socket(sk);
	return 0;
}

static __always_inline void rec_header(struct tlstap_rec *r, __u64 ssl, __u32 tgid,
				       const struct tlstap_conn *c, __u8 kind, __u8 dir)
{
	r->ssl = ssl;
	r->tgid = tgid;
	r->kind = kind;
	r->dir = dir;
	r->ts_ns = bpf_ktime_get_ns();
	r->cookie = c->cookie;
	r->family = c->family;
	r->local_port = c->local_port;
	r->peer_port = c->peer_port;
	__builtin_memcpy(r->local, c->local, 16);
	__builtin_memcpy(r->peer, c->peer, 16);
}

struct emit_ctx {
	struct tlstap_rec *r; /* the scratch record; its data follow */
	__u64 buf;
	__u64 len;
	__u64 off; /* stream offset of buf[0] */
};

/* bpf_loop body: record @i of the call. */
static long emit_chunk(__u32 i, void *arg)
{
	struct emit_ctx *e = arg;
	__u64 done = (__u64)i * TLSTAP_CHUNK;
	__u32 n;

	if (done >= e->len)
		return 1;
	n = e->len - done > TLSTAP_CHUNK ? TLSTAP_CHUNK : (__u32)(e->len - done);
	e->r->off = e->off + done;
	e->r->len = n;
	if (n == 0 || n > TLSTAP_CHUNK)
		return 1;
	if (bpf_probe_read_user(e->r->data, n, (const void *)(e->buf + done)) < 0) {
		count_n(TLSTAP_R_read_fault, 1);
		return 0;
	}
	if (bpf_ringbuf_output(&tlstap_ring, e->r, sizeof(*e->r) + n, 0) < 0) {
		count_n(TLSTAP_R_ring_full, 1);
		return 0;
	}
	count_n(TLSTAP_R_records, 1);
	count_n(TLSTAP_R_bytes, n);
	return 0;
}

static __always_inline int call_exit(int ret, int ex)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tlstap_call *call = bpf_map_lookup_elem(&tlstap_calls, &id);
	__u32 zero = 0, dir;
	struct tlstap_conn *c;
	struct emit_ctx e;
	__u64 len = 0, lenp, max;

	if (!call)
		return 0;
	count_n(TLSTAP_R_returns, 1);
	dir = call->dir & 1;
	lenp = call->lenp;
	e.buf = call->buf;
	if (ex) {
		if (ret == 1 && lenp)
			bpf_probe_read_user(&len, sizeof(len), (const void *)lenp);
	} else if (ret > 0) {
		len = (__u64)ret;
	}
	c = len ? conn_get(call->ssl, id >> 32) : 0;
	if (!len)
		goto out;
	if (!c) {
		count_n(TLSTAP_R_conn_full, 1);
		goto out;
	}
	if (!server_side(c)) {
		count_n(TLSTAP_R_not_server, 1);
		goto out;
	}
	e.r = bpf_map_lookup_elem(&tlstap_scratch, &zero);
	if (!e.r)
		goto out;
	count_n(TLSTAP_R_calls, 1);
	if (!c->family)
		count_n(TLSTAP_R_no_socket, 1);
	rec_header(e.r, call->ssl, id >> 32, c, TLSTAP_DATA, dir);
	e.off = c->off[dir];
	c->off[dir] += len;
	max = (__u64)TLSTAP_CALL_CHUNKS * TLSTAP_CHUNK;
	if (len > max) {
		count_n(TLSTAP_R_call_too_large, len - max);
		len = max;
	}
	e.len = len;
	bpf_loop(TLSTAP_CALL_CHUNKS, emit_chunk, &e, 0);
out:
	bpf_map_delete_elem(&tlstap_calls, &id);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(tlstap_read_enter, void *ssl, void *buf)
{
	return call_enter((__u64)ssl, (__u64)buf, 0, TLSTAP_DIR_IN);
}

SEC("uprobe")
int BPF_KPROBE(tlstap_read_ex_enter, void *ssl, void *buf, __u64 num, void *readbytes)
{
	(void)num;
	return call_enter((__u64)ssl, (__u64)buf, (__u64)readbytes, TLSTAP_DIR_IN);
}

SEC("uprobe")
int BPF_KPROBE(tlstap_write_enter, void *ssl, const void *buf)
{
	return call_enter((__u64)ssl, (__u64)buf, 0, TLSTAP_DIR_OUT);
}

SEC("uprobe")
int BPF_KPROBE(tlstap_write_ex_enter, void *ssl, const void *buf, __u64 num, void *written)
{
	(void)num;
	return call_enter((__u64)ssl, (__u64)buf, (__u64)written, TLSTAP_DIR_OUT);
}

SEC("uretprobe")
int BPF_KRETPROBE(tlstap_rw_exit, int ret) /* int: the upper half of the register is not the value's */
{
	return call_exit(ret, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(tlstap_rw_ex_exit, int ret)
{
	return call_exit(ret, 1);
}

/* SSL_shutdown (@kind TLSTAP_SHUTDOWN: the object may still be read
 * from) or SSL_free (TLSTAP_CLOSE: forgotten) of a followed connection. */
static __always_inline int conn_end(void *ssl, __u8 kind)
{
	struct tlstap_conn_key k = { .ssl = (__u64)ssl, .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct tlstap_conn *c = bpf_map_lookup_elem(&tlstap_conns, &k);
	struct tlstap_rec *r;

	if (!c)
		return 0;
	if (!server_side(c))
		goto out;
	r = bpf_ringbuf_reserve(&tlstap_ring, sizeof(*r), 0);
	if (r) {
		rec_header(r, k.ssl, k.tgid, c, kind, 0);
		r->off = c->off[TLSTAP_DIR_OUT];
		r->len = 0;
		r->pad = 0;
		bpf_ringbuf_submit(r, 0);
		count_n(TLSTAP_R_closes, 1);
	} else {
		count_n(TLSTAP_R_close_lost, 1);
	}
out:
	if (kind == TLSTAP_CLOSE)
		bpf_map_delete_elem(&tlstap_conns, &k);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(tlstap_shutdown, void *ssl)
{
	return conn_end(ssl, TLSTAP_SHUTDOWN);
}

SEC("uprobe")
int BPF_KPROBE(tlstap_free, void *ssl)
{
	return conn_end(ssl, TLSTAP_CLOSE);
}
