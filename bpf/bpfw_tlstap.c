// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfw_tlstap.c - load the TLS tap, attach its uprobes to libssl (every
 * process, or the given PIDs) and its programs to the socket layer's
 * send/receive tracepoints, and read its ring buffer (bpfw_tlstap.h).
 */
#include "bpfw_tlstap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfw_int.h"
#include "bpfw_tlstap.skel.h"
#include "common/clock.h"

/* One uprobe: the function, whether it is the return probe, the program. */
struct tap_probe {
	const char *func;
	bool ret;
	size_t prog_off; /* offset of the program pointer in the skeleton's progs */
};

#define PROG(name) offsetof(struct bpfw_tlstap, progs.name)
static const struct tap_probe probes[] = {
	{ "SSL_read", false, PROG(tlstap_read_enter) },
	{ "SSL_read", true, PROG(tlstap_rw_exit) },
	{ "SSL_read_ex", false, PROG(tlstap_read_ex_enter) },
	{ "SSL_read_ex", true, PROG(tlstap_rw_ex_exit) },
	{ "SSL_write", false, PROG(tlstap_write_enter) },
	{ "SSL_write", true, PROG(tlstap_rw_exit) },
	{ "SSL_write_ex", false, PROG(tlstap_write_ex_enter) },
	{ "SSL_write_ex", true, PROG(tlstap_rw_ex_exit) },
	{ "SSL_shutdown", false, PROG(tlstap_shutdown) },
	{ "SSL_free", false, PROG(tlstap_free) },
};
#undef PROG

#define N_PROBES (sizeof(probes) / sizeof(probes[0]))
#define LINKS_MAX (N_PROBES * BPFW_TAP_PIDS_MAX + 2)

static const char *const reason_names[TLSTAP_REASON_COUNT] = {
#define TLSTAP_X_NAME(name, desc) #name,
	TLSTAP_REASON_TABLE(TLSTAP_X_NAME)
#undef TLSTAP_X_NAME
};

struct bpfw_tap {
	struct bpfw_tlstap *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[LINKS_MAX];
	unsigned int n_links;
	bpfw_tap_record_fn fn;
	void *ctx;
};

const char *bpfw_tap_reason_name(unsigned int r)
{
	return r < TLSTAP_REASON_COUNT ? reason_names[r] : "?";
}

unsigned int bpfw_tap_links(const struct bpfw_tap *t)
{
	return t ? t->n_links : 0;
}

int bpfw_tap_cgroup_id(const char *path, uint64_t *ret_id)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret_id = (uint64_t)st.st_ino;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct bpfw_tap *t = ctx;

	if (size < sizeof(struct tlstap_rec))
		return 0;
	return t->fn(t->ctx, data, size);
}

static int add_link(struct bpfw_tap *t, struct bpf_link *l, const char *what, pid_t pid,
		    const char *lib, struct hwall_err *err)
{
	int r = -errno;

	if (!l)
		return bpfw_fail(err, r ? r : -EINVAL, "cannot attach %s to %s (pid %d)", what, lib,
				 (int)pid);
	t->links[t->n_links++] = l;
	return 0;
}

static int attach_uprobes(struct bpfw_tap *t, const char *lib, pid_t pid, struct hwall_err *err)
{
	for (size_t i = 0; i < N_PROBES; i++) {
		struct bpf_program *p = *(struct bpf_program **)((char *)t->skel + probes[i].prog_off);
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = probes[i].func,
			    .retprobe = probes[i].ret);

		HWALL_TRY(add_link(t, bpf_program__attach_uprobe_opts(p, pid, lib, 0, &uo),
				   probes[i].func, pid, lib, err));
	}
	return 0;
}

static int attach_all(struct bpfw_tap *t, const struct bpfw_tap_opts *o, const char *lib,
		      struct hwall_err *err)
{
	HWALL_TRY(add_link(t, bpf_program__attach(t->skel->progs.tlstap_sock_send),
			   "tp_btf/sock_send_length", 0, "the kernel", err));
	HWALL_TRY(add_link(t, bpf_program__attach(t->skel->progs.tlstap_sock_recv),
			   "tp_btf/sock_recv_length", 0, "the kernel", err));
	if (o->n_pids == 0)
		return attach_uprobes(t, lib, -1, err);
	for (unsigned int i = 0; i < o->n_pids; i++)
		HWALL_TRY(attach_uprobes(t, lib, o->pids[i], err));
	return 0;
}

static int set_ports(struct bpfw_tap *t, const struct bpfw_tap_opts *o, struct hwall_err *err)
{
	int fd = bpf_map__fd(t->skel->maps.tlstap_ports);
	uint8_t on = 1;

	for (unsigned int i = 0; i < (o->n_ports ? o->n_ports : 1); i++) {
		uint32_t port = o->n_ports ? o->ports[i] : 443;

		if (bpf_map_update_elem(fd, &port, &on, BPF_ANY) < 0)
			return bpfw_fail(err, -errno, "cannot set server port %u", port);
	}
	return 0;
}

static int load(struct bpfw_tap *t, const struct bpfw_tap_opts *o, struct hwall_err *err)
{
	uint32_t ring = o->ring_bytes ? o->ring_bytes : TLSTAP_RING_DEFAULT;
	int r;

	if (ring < 4096 || (ring & (ring - 1)))
		return hwall_err_set(err, -EINVAL, "ring size %u is not a power of two >= 4096", ring);
	if (o->n_ports > BPFW_TAP_PORTS_MAX)
		return hwall_err_set(err, -EINVAL, "at most %d ports", BPFW_TAP_PORTS_MAX);
	if (o->n_pids > BPFW_TAP_PIDS_MAX)
		return hwall_err_set(err, -EINVAL, "at most %d PIDs", BPFW_TAP_PIDS_MAX);
	t->skel = bpfw_tlstap__open();
	if (!t->skel)
		return bpfw_fail(err, -errno, "cannot open the tap's BPF object");
	t->skel->rodata->tlstap_cgroup_id = o->cgroup_id;
	bpf_map__set_max_entries(t->skel->maps.tlstap_ring, ring);
	if (o->max_conns)
		bpf_map__set_max_entries(t->skel->maps.tlstap_conns, o->max_conns);
	r = bpfw_tlstap__load(t->skel);
	if (r < 0)
		return bpfw_fail(err, r, "the kernel refused the tap's programs");
	r = set_ports(t, o, err);
	if (r < 0)
		return r;
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.tlstap_ring), on_sample, t, NULL);
	if (!t->rb)
		return bpfw_fail(err, -errno, "cannot map the tap's ring buffer");
	return 0;
}

struct bpfw_tap *bpfw_tap_open(const struct bpfw_tap_opts *opts, bpfw_tap_record_fn fn, void *ctx,
			       struct hwall_err *err)
{
	const char *lib = opts->libssl ? opts->libssl : BPFW_TAP_LIBSSL_DEFAULT;
	struct bpfw_tap *t;
	int r;

	if (access(lib, R_OK) < 0) {
		r = bpfw_fail(err, -errno, "TLS library %s", lib);
		errno = -r;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fn = fn;
	t->ctx = ctx;
	r = load(t, opts, err);
	if (r == 0)
		r = attach_all(t, opts, lib, err);
	if (r < 0) {
		bpfw_tap_close(t);
		errno = -r;
		return NULL;
	}
	return t;
}

void bpfw_tap_close(struct bpfw_tap *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < t->n_links; i++)
		bpf_link__destroy(t->links[i]);
	ring_buffer__free(t->rb);
	bpfw_tlstap__destroy(t->skel);
	free(t);
}

int bpfw_tap_poll(struct bpfw_tap *t, int timeout_ms)
{
	int r = ring_buffer__poll(t->rb, timeout_ms);

	return r == -EINTR ? 0 : r;
}

int bpfw_tap_counters(const struct bpfw_tap *t, uint64_t ret[TLSTAP_REASON_COUNT])
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(t->skel->maps.tlstap_counters);
	uint64_t *v;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t k = 0; k < TLSTAP_REASON_COUNT; k++) {
		ret[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, v) < 0) {
			free(v);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++)
			ret[k] += v[c];
	}
	free(v);
	return 0;
}

/* The entry of @key in the blocked-URL map, live at @now_ns. */
static int url_key_live(int fd, uint64_t key, uint64_t now_ns)
{
	struct bpfw_url_val v;

	if (bpf_map_lookup_elem(fd, &key, &v) < 0)
		return errno == ENOENT ? 0 : -errno;
	return now_ns < v.expires_ns;
}

int bpfw_tap_url_blocked(struct bpfw *b, const char *url, struct hwall_err *err)
{
	char path_only[BPFW_HOST_MAX + BPFW_PATH_MAX + 8];
	const char *q = strchr(url, '?');
	uint64_t now = hwall_mono_ns(), key;
	size_t n = q ? (size_t)(q - url) : strlen(url);
	int r;

	HWALL_TRY(bpfw_maps_open(b, err));
	if (n >= sizeof(path_only))
		return -ENAMETOOLONG;
	memcpy(path_only, url, n);
	path_only[n] = '\0';
	HWALL_TRY(bpfw_url_key(path_only, &key));
	r = url_key_live(b->map_fd[BPFW_MAP_URLS], key, now);
	if (r != 0 || !q)
		return r;
	HWALL_TRY(bpfw_url_key(url, &key));
	return url_key_live(b->map_fd[BPFW_MAP_URLS], key, now);
}
