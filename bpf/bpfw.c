// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfw.c - the loader library's life cycle: the handle, the bpffs pins
 * under <pin root>/, loading the programs with the pinned maps reused,
 * attaching them to an interface (XDP bpf_link pinned, TC clsact filters)
 * with atomic replacement, detaching, status and purge.
 *
 * Layout of the pins:
 *   <root>/maps/bpfw_urls, bpfw_flows, bpfw_counters, bpfw_mirror
 *   <root>/links/<ifindex>/xdp      pinned XDP bpf_link
 * TC filters are not pinned: a clsact filter holds its program in the
 * kernel until it is deleted, so it already outlives the loader.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfw_int.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "common/number.h"
#include "tc_enforce.skel.h"
#include "xdp_block.skel.h"

/* The pinned maps and what they must look like (maps.bpf.h). */
static const struct {
	const char *name;
	__u32 type, key_size, value_size;
} map_specs[BPFW_MAP_COUNT] = {
	[BPFW_MAP_URLS] = { "bpfw_urls", BPF_MAP_TYPE_HASH, sizeof(__u64),
			    sizeof(struct bpfw_url_val) },
	[BPFW_MAP_FLOWS] = { "bpfw_flows", BPF_MAP_TYPE_LRU_HASH, sizeof(struct bpfw_flow_key),
			     sizeof(struct bpfw_flow_val) },
	[BPFW_MAP_COUNTERS] = { "bpfw_counters", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
				sizeof(__u64) },
	[BPFW_MAP_MIRROR] = { "bpfw_mirror", BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			      sizeof(struct bpfw_mirror_cfg) },
};

int bpfw_fail(struct hwall_err *err, int r, const char *fmt, ...)
{
	char what[HWALL_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return hwall_err_set(err, r, "%s: %s", what, hwall_strerror(r));
}

uint64_t bpfw_expiry(uint32_t ttl_s)
{
	return hwall_mono_ns() + (uint64_t)ttl_s * 1000000000ull;
}

struct bpfw *bpfw_new(const struct bpfw_opts *opts)
{
	const char *root = opts && opts->pin_root ? opts->pin_root : BPFW_PIN_ROOT;
	struct bpfw *b;

	if (strlen(root) >= sizeof(b->root) - 64 || root[0] != '/') {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	snprintf(b->root, sizeof(b->root), "%s", root);
	b->urls_max = opts && opts->urls_max ? opts->urls_max : BPFW_URLS_DEFAULT;
	b->flows_max = opts && opts->flows_max ? opts->flows_max : BPFW_FLOWS_DEFAULT;
	for (int i = 0; i < BPFW_MAP_COUNT; i++)
		b->map_fd[i] = -1;
	return b;
}

void bpfw_free(struct bpfw *b)
{
	if (!b)
		return;
	for (int i = 0; i < BPFW_MAP_COUNT; i++)
		if (b->map_fd[i] >= 0)
			close(b->map_fd[i]);
	free(b->vlog);
	free(b);
}

const char *bpfw_verifier_log(const struct bpfw *b)
{
	return b && b->vlog ? b->vlog : "";
}

/* Make sure the pin root lives on a bpffs, mounting /sys/fs/bpf when the
 * root is below it and it is not mounted yet (as iproute2 and libxdp do). */
static int ensure_bpffs(struct bpfw *b, struct hwall_err *err)
{
	struct statfs st;
	char dir[sizeof(b->root) + 16];
	int r;

	if (!strncmp(b->root, "/sys/fs/bpf/", 12) &&
	    statfs("/sys/fs/bpf", &st) == 0 && st.f_type != BPF_FS_MAGIC &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") < 0)
		return bpfw_fail(err, hwall_neg_errno(), "cannot mount bpffs on /sys/fs/bpf");
	snprintf(dir, sizeof(dir), "%s/maps", b->root);
	r = hwall_mkdir_p(dir, 0700);
	if (r < 0)
		return bpfw_fail(err, r, "cannot create %s", dir);
	if (statfs(dir, &st) < 0 || st.f_type != BPF_FS_MAGIC)
		return bpfw_fail(err, -ENOTSUP, "%s is not on a bpf filesystem", dir);
	return 0;
}

static void map_path(const struct bpfw *b, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/maps/%s", b->root, name);
}

/* max_entries of the map pinned at @path, 0 when there is none. */
static __u32 pinned_max_entries(const char *path)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

/* Point every map of @obj at its pin: libbpf reuses a pinned map (checking
 * that it is compatible) or creates and pins it. */
static int set_pins(struct bpfw *b, struct bpf_object *obj, struct hwall_err *err)
{
	struct bpf_map *m;
	char path[PATH_MAX];

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);

		__u32 pinned;

		map_path(b, name, path, sizeof(path));
		/* sizes apply when a map is created; a pinned one keeps its own */
		pinned = pinned_max_entries(path);
		if (pinned)
			bpf_map__set_max_entries(m, pinned);
		else if (!strcmp(name, "bpfw_urls"))
			bpf_map__set_max_entries(m, b->urls_max);
		else if (!strcmp(name, "bpfw_flows"))
			bpf_map__set_max_entries(m, b->flows_max);
		if (bpf_map__set_pin_path(m, path))
			return bpfw_fail(err, -ENOMEM, "cannot set pin path %s", path);
	}
	return 0;
}

static int open_opts_log(struct bpfw *b, struct bpf_object_open_opts *oo, struct hwall_err *err)
{
	if (!b->vlog) {
		b->vlog = calloc(1, BPFW_VLOG_SIZE);
		if (!b->vlog)
			return bpfw_fail(err, -ENOMEM, "verifier log buffer");
	}
	b->vlog[0] = 0;
	oo->kernel_log_buf = b->vlog;
	oo->kernel_log_size = BPFW_VLOG_SIZE;
	return 0;
}

/* Load an opened skeleton with the pinned maps; a refusal keeps the
 * verifier log in b->vlog. */
static int load_skel(struct bpfw *b, struct bpf_object_skeleton *sk, struct bpf_object *obj,
		     const char *what, struct hwall_err *err)
{
	int r = set_pins(b, obj, err);

	if (r)
		return r;
	r = bpf_object__load_skeleton(sk);
	if (r < 0)
		return bpfw_fail(err, r, "the kernel refused the %s or its maps (see the verifier "
				 "log; a pinned map of another type under %s/maps also fails "
				 "here)", what, b->root);
	b->vlog[0] = 0;
	return 0;
}

static int load_xdp(struct bpfw *b, struct xdp_block **ret, struct hwall_err *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct xdp_block *s;
	int r;

	HWALL_TRY(open_opts_log(b, &oo, err));
	s = xdp_block__open_opts(&oo);
	if (!s)
		return bpfw_fail(err, hwall_neg_errno(), "cannot open the XDP object");
	r = load_skel(b, s->skeleton, s->obj, "XDP program", err);
	if (r) {
		xdp_block__destroy(s);
		return r;
	}
	*ret = s;
	return 0;
}

static int load_tc(struct bpfw *b, struct tc_enforce **ret, struct hwall_err *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct tc_enforce *s;
	int r;

	HWALL_TRY(open_opts_log(b, &oo, err));
	s = tc_enforce__open_opts(&oo);
	if (!s)
		return bpfw_fail(err, hwall_neg_errno(), "cannot open the TC object");
	r = load_skel(b, s->skeleton, s->obj, "TC programs", err);
	if (r) {
		tc_enforce__destroy(s);
		return r;
	}
	*ret = s;
	return 0;
}

static void close_maps(struct bpfw *b)
{
	for (int i = 0; i < BPFW_MAP_COUNT; i++) {
		if (b->map_fd[i] >= 0)
			close(b->map_fd[i]);
		b->map_fd[i] = -1;
	}
}

/* Open every pinned map, checking it is the map this version expects.
 * -ENOENT (no message) when one is missing. */
static int open_pinned(struct bpfw *b, struct hwall_err *err)
{
	char path[PATH_MAX];

	for (int i = 0; i < BPFW_MAP_COUNT; i++) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd;

		map_path(b, map_specs[i].name, path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			int r = hwall_neg_errno();

			close_maps(b);
			return r == -ENOENT ? r
					    : bpfw_fail(err, r, "cannot open pinned map %s", path);
		}
		b->map_fd[i] = fd;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0 || info.type != map_specs[i].type ||
		    info.key_size != map_specs[i].key_size ||
		    info.value_size != map_specs[i].value_size) {
			close_maps(b);
			return bpfw_fail(err, -EINVAL, "pinned map %s is not the map this version "
					 "uses (remove it: hashwall-bpf purge)", path);
		}
	}
	return 0;
}

int bpfw_maps_open(struct bpfw *b, struct hwall_err *err)
{
	struct xdp_block *s;
	int r;

	if (b->map_fd[0] >= 0)
		return 0;
	HWALL_TRY(ensure_bpffs(b, err));
	r = open_pinned(b, err);
	if (r != -ENOENT)
		return r;
	/* Loading the XDP object creates and pins whichever map is missing. */
	HWALL_TRY(load_xdp(b, &s, err));
	xdp_block__destroy(s);
	return open_pinned(b, err);
}

static void link_path(const struct bpfw *b, unsigned int ifindex, const char *leaf, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/links/%u%s%s", b->root, ifindex, leaf ? "/" : "", leaf ? leaf : "");
}

static int ifindex_of(const char *ifname, unsigned int *ret, struct hwall_err *err)
{
	unsigned int i = ifname ? if_nametoindex(ifname) : 0;

	if (!i)
		return bpfw_fail(err, -ENODEV, "interface '%s' does not exist",
				 ifname ? ifname : "");
	*ret = i;
	return 0;
}

static const __u32 xdp_mode_flags[BPFW_XDP_MODE_COUNT] = {
	[BPFW_XDP_AUTO] = 0,
	[BPFW_XDP_NATIVE] = XDP_FLAGS_DRV_MODE,
	[BPFW_XDP_GENERIC] = XDP_FLAGS_SKB_MODE,
};

/* Create the XDP link of @prog_fd on @ifindex and pin it at @path. */
static int xdp_link_new(const char *ifname, unsigned int ifindex, int prog_fd,
			enum bpfw_xdp_mode mode, const char *path, struct hwall_err *err)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = xdp_mode_flags[mode]);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int fd, r;

	fd = bpf_link_create(prog_fd, (int)ifindex, BPF_XDP, &lo);
	if (fd < 0) {
		r = fd;
		if ((r == -EBUSY || r == -EEXIST) && bpf_xdp_query((int)ifindex, 0, &q) == 0 && q.prog_id)
			return bpfw_fail(err, -EBUSY, "%s already runs XDP program id %u that is not "
					 "hashwall's; remove it or chain both with a libxdp dispatcher",
					 ifname, q.prog_id);
		return bpfw_fail(err, r, "cannot attach XDP to %s (mode %d)", ifname, (int)mode);
	}
	r = bpf_obj_pin(fd, path);
	if (r < 0) {
		r = bpfw_fail(err, hwall_neg_errno(), "cannot pin the XDP link at %s", path);
		bpf_link_detach(fd);
	}
	close(fd);
	return r;
}

/* Attach XDP, or swap the program of the pinned link atomically. */
static int attach_xdp(struct bpfw *b, const char *ifname, unsigned int ifindex, int prog_fd,
		      enum bpfw_xdp_mode mode, struct hwall_err *err)
{
	char path[PATH_MAX];
	int fd, r;

	link_path(b, ifindex, "xdp", path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return xdp_link_new(ifname, ifindex, prog_fd, mode, path, err);
	r = bpf_link_update(fd, prog_fd, NULL);
	close(fd);
	if (r == -ENOLINK) {
		/* the link lost its interface (it was deleted): start over */
		unlink(path);
		return xdp_link_new(ifname, ifindex, prog_fd, mode, path, err);
	}
	return r ? bpfw_fail(err, r, "cannot replace the XDP program on %s", ifname) : 0;
}

static int attach_tc_hook(const char *ifname, unsigned int ifindex,
			  enum bpf_tc_attach_point point, int prog_fd, struct hwall_err *err)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = BPFW_TC_HANDLE, .priority = BPFW_TC_PRIO,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int r = bpf_tc_hook_create(&hook);

	if (r && r != -EEXIST)
		return bpfw_fail(err, r, "cannot create the clsact qdisc on %s", ifname);
	r = bpf_tc_attach(&hook, &to);
	return r ? bpfw_fail(err, r, "cannot attach TC %s to %s",
			     point == BPF_TC_INGRESS ? "ingress" : "egress", ifname) : 0;
}

static __u32 tc_prog_id(unsigned int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = BPFW_TC_HANDLE, .priority = BPFW_TC_PRIO);

	return bpf_tc_query(&hook, &to) == 0 ? to.prog_id : 0;
}

/* Whether anything of ours is attached to @ifindex. */
static bool attached(const struct bpfw *b, unsigned int ifindex)
{
	char path[PATH_MAX];

	link_path(b, ifindex, "xdp", path, sizeof(path));
	return access(path, F_OK) == 0 || tc_prog_id(ifindex, BPF_TC_EGRESS) ||
	       tc_prog_id(ifindex, BPF_TC_INGRESS);
}

static int detach_index(struct bpfw *b, unsigned int ifindex);

int bpfw_attach(struct bpfw *b, const char *ifname, const struct bpfw_attach_opts *opts,
		struct hwall_err *err)
{
	const struct bpfw_attach_opts none = { 0 };
	char path[PATH_MAX];
	struct tc_enforce *tc = NULL;
	struct xdp_block *xdp = NULL;
	unsigned int ifindex = 0;
	bool was_attached;
	int r;

	opts = opts ? opts : &none;
	if ((unsigned int)opts->xdp_mode >= BPFW_XDP_MODE_COUNT)
		return bpfw_fail(err, -EINVAL, "unknown XDP mode %d", (int)opts->xdp_mode);
	HWALL_TRY(ifindex_of(ifname, &ifindex, err));
	HWALL_TRY(bpfw_maps_open(b, err));
	/* links/<ifindex>/ records that the interface is ours (bpfw_purge) */
	link_path(b, ifindex, NULL, path, sizeof(path));
	r = hwall_mkdir_p(path, 0700);
	if (r < 0)
		return bpfw_fail(err, r, "cannot create %s", path);
	/* Load everything before touching the interface, so a refused
	 * program leaves what is attached unchanged. */
	if (!opts->no_xdp)
		HWALL_TRY(load_xdp(b, &xdp, err));
	if (!opts->no_tc && (r = load_tc(b, &tc, err)) < 0)
		goto out_destroy;
	r = 0;
	was_attached = attached(b, ifindex);
	if (xdp)
		r = attach_xdp(b, ifname, ifindex, bpf_program__fd(xdp->progs.bpfw_xdp_block),
			       opts->xdp_mode, err);
	if (!r && tc)
		r = attach_tc_hook(ifname, ifindex, BPF_TC_EGRESS,
				   bpf_program__fd(tc->progs.bpfw_tc_egress), err);
	if (!r && tc)
		r = attach_tc_hook(ifname, ifindex, BPF_TC_INGRESS,
				   bpf_program__fd(tc->progs.bpfw_tc_ingress), err);
	if (r && !was_attached)
		detach_index(b, ifindex); /* all or nothing on a first attach */
out_destroy:
	tc_enforce__destroy(tc);
	xdp_block__destroy(xdp);
	return r;
}

static int detach_tc_hook(unsigned int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = BPFW_TC_HANDLE, .priority = BPFW_TC_PRIO);

	return bpf_tc_detach(&hook, &to);
}

/* Detach everything of ours from @ifindex; 1 when something was. */
static int detach_index(struct bpfw *b, unsigned int ifindex)
{
	char path[PATH_MAX];
	int fd, found = 0;

	link_path(b, ifindex, "xdp", path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_link_detach(fd);
		close(fd);
		unlink(path);
		found = 1;
	}
	link_path(b, ifindex, NULL, path, sizeof(path));
	rmdir(path);
	found |= detach_tc_hook(ifindex, BPF_TC_EGRESS) == 0;
	found |= detach_tc_hook(ifindex, BPF_TC_INGRESS) == 0;
	return found;
}

int bpfw_detach(struct bpfw *b, const char *ifname, struct hwall_err *err)
{
	unsigned int ifindex = 0;

	HWALL_TRY(ifindex_of(ifname, &ifindex, err));
	if (!detach_index(b, ifindex))
		return bpfw_fail(err, -ENOENT, "nothing of hashwall is attached to %s", ifname);
	return 0;
}

int bpfw_status(struct bpfw *b, const char *ifname, struct bpfw_status *ret_status,
		struct hwall_err *err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpfw_status st = { 0 };
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	unsigned int ifindex = 0;
	int fd;

	HWALL_TRY(ifindex_of(ifname, &ifindex, err));
	st.ifindex = ifindex;
	link_path(b, ifindex, "xdp", path, sizeof(path));
	fd = bpf_obj_get(path);
	memset(&info, 0, sizeof(info));
	if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	    info.xdp.ifindex == ifindex) {
		st.xdp_link_id = info.id;
		st.xdp_prog_id = info.prog_id;
	}
	if (fd >= 0)
		close(fd);
	if (bpf_xdp_query((int)ifindex, 0, &q) == 0)
		st.xdp_iface_prog_id = q.prog_id;
	st.tc_egress_prog_id = tc_prog_id(ifindex, BPF_TC_EGRESS);
	st.tc_ingress_prog_id = tc_prog_id(ifindex, BPF_TC_INGRESS);
	*ret_status = st;
	return 0;
}

int bpfw_purge(struct bpfw *b, struct hwall_err *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/links", b->root);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		uint64_t i;

		if (hwall_parse_u64(de->d_name, 1, UINT32_MAX, &i) == 0)
			detach_index(b, (unsigned int)i);
	}
	if (d)
		closedir(d);
	rmdir(path);
	close_maps(b);
	for (int i = 0; i < BPFW_MAP_COUNT; i++) {
		map_path(b, map_specs[i].name, path, sizeof(path));
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/maps", b->root);
	rmdir(path);
	if (rmdir(b->root) < 0 && errno != ENOENT)
		return bpfw_fail(err, hwall_neg_errno(), "cannot remove %s", b->root);
	return 0;
}
