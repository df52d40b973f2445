// SPDX-License-Identifier: GPL-2.0-only
/*
 * hashwall_bpf.c - hashwall-bpf, a small command-line front end of the
 * loader library (bpfw.h): attach/detach/status on the serving interface,
 * blocked URLs and flows, counters, the software mirror, gc and purge.
 * "run" attaches and stays in the foreground like controld would, so tests
 * can kill it and see the blocks hold.  controld links libbpfw directly.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpfw.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/number.h"

#define DEFAULT_TTL 86400

static const char usage[] =
	"usage: hashwall-bpf [-r PIN_ROOT] [-L VERIFIER_LOG_FILE] [-v] COMMAND ...\n"
	"  attach IFACE [auto|native|generic] [no-xdp] [no-tc]\n"
	"  run IFACE [same options]     attach, then stay in the foreground\n"
	"  detach IFACE | status IFACE\n"
	"  block-url URL [TTL_S] | unblock-url URL | list-urls | key URL\n"
	"  block-flow SRC DST [TTL_S] | unblock-flow SRC DST | list-flows\n"
	"      SRC/DST as the packets leave the serving interface:\n"
	"      server first, e.g. 10.0.0.2:80 10.0.0.1:40000 or [fd00::2]:80 ...\n"
	"  counters | mirror IFACE PORT... | mirror off | gc | purge\n";

struct cli {
	struct bpfw *b;
	struct hwall_err err; /* of the failed library call */
	const char *vlog_file;
	int argc;
	char **argv;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Report a library failure once, with the verifier log when there is one. */
static int failed(struct cli *c, int r)
{
	const char *vlog = bpfw_verifier_log(c->b);

	HWALL_LOG(ERR, "bpf.cli", "%s", hwall_err_why(&c->err, r));
	if (vlog[0] && c->vlog_file) {
		FILE *f = fopen(c->vlog_file, "w");

		if (f) {
			fputs(vlog, f);
			fclose(f);
		}
		HWALL_LOG(ERR, "bpf.cli", "verifier log saved to %s", c->vlog_file);
	} else if (vlog[0]) {
		fprintf(stderr, "--- verifier log ---\n%s--- end of verifier log ---\n", vlog);
	}
	return 1;
}

static int bad_usage(void)
{
	fputs(usage, stderr);
	return 2;
}

static int parse_ttl(const char *s, uint32_t *ret)
{
	uint64_t v;

	if (hwall_parse_u64(s, 1, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int parse_attach(struct cli *c, struct bpfw_attach_opts *o)
{
	static const char *const modes[BPFW_XDP_MODE_COUNT] = { "auto", "native", "generic" };

	for (int i = 2; i < c->argc; i++) {
		int known = 0;

		for (int m = 0; m < BPFW_XDP_MODE_COUNT; m++)
			if (!strcmp(c->argv[i], modes[m])) {
				o->xdp_mode = (enum bpfw_xdp_mode)m;
				known = 1;
			}
		if (!strcmp(c->argv[i], "no-xdp"))
			known = o->no_xdp = true;
		if (!strcmp(c->argv[i], "no-tc"))
			known = o->no_tc = true;
		if (!known)
			return -EINVAL;
	}
	return 0;
}

static int cmd_attach(struct cli *c)
{
	struct bpfw_attach_opts o = { 0 };

	if (c->argc < 2 || parse_attach(c, &o))
		return bad_usage();
	if (bpfw_attach(c->b, c->argv[1], &o, &c->err))
		return failed(c, -1);
	printf("attached to %s\n", c->argv[1]);
	return 0;
}

static int cmd_run(struct cli *c)
{
	int r = cmd_attach(c);

	if (r)
		return r;
	fflush(stdout);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();
	return 0;
}

static int cmd_detach(struct cli *c)
{
	if (c->argc != 2)
		return bad_usage();
	return bpfw_detach(c->b, c->argv[1], &c->err) ? failed(c, -1) : 0;
}

static int cmd_status(struct cli *c)
{
	struct bpfw_status st;
	struct bpfw_mirror m = { 0 };
	char name[IF_NAMESIZE] = "-";

	if (c->argc != 2)
		return bad_usage();
	if (bpfw_status(c->b, c->argv[1], &st, &c->err) || bpfw_mirror_get(c->b, &m, &c->err))
		return failed(c, -1);
	printf("interface %s (ifindex %u)\n", c->argv[1], st.ifindex);
	printf("xdp: link %u prog %u (interface runs prog %u)%s\n", st.xdp_link_id,
	       st.xdp_prog_id, st.xdp_iface_prog_id,
	       st.xdp_link_id && st.xdp_prog_id == st.xdp_iface_prog_id ? "" : " NOT ENFORCING URLS");
	printf("tc: ingress prog %u, egress prog %u\n", st.tc_ingress_prog_id, st.tc_egress_prog_id);
	if (m.enabled && !if_indextoname(m.ifindex, name))
		snprintf(name, sizeof(name), "#%u", m.ifindex);
	printf("mirror: %s%s\n", m.enabled ? "on to " : "off", m.enabled ? name : "");
	return 0;
}

static int cmd_block_url(struct cli *c)
{
	uint32_t ttl = DEFAULT_TTL;

	if (c->argc < 2 || c->argc > 3 || (c->argc == 3 && parse_ttl(c->argv[2], &ttl)))
		return bad_usage();
	return bpfw_url_block(c->b, c->argv[1], ttl, &c->err) ? failed(c, -1) : 0;
}

static int cmd_unblock_url(struct cli *c)
{
	if (c->argc != 2)
		return bad_usage();
	return bpfw_url_unblock(c->b, c->argv[1], &c->err) ? failed(c, -1) : 0;
}

static int print_url(uint64_t key, const struct bpfw_url_val *v, void *arg)
{
	uint64_t now = *(uint64_t *)arg;

	printf("%016" PRIx64 " hits %" PRIu64 " %s %" PRId64 " s\n", key, (uint64_t)v->hits,
	       v->expires_ns > now ? "expires in" : "expired",
	       (int64_t)(v->expires_ns > now ? v->expires_ns - now : now - v->expires_ns) /
		       1000000000);
	return 0;
}

static int cmd_list_urls(struct cli *c)
{
	uint64_t now = hwall_mono_ns();

	return bpfw_url_list(c->b, print_url, &now, &c->err) ? failed(c, -1) : 0;
}

static int cmd_key(struct cli *c)
{
	uint64_t key;
	int r;

	if (c->argc != 2)
		return bad_usage();
	r = bpfw_url_key(c->argv[1], &key);
	if (r) {
		HWALL_LOG(ERR, "bpf.cli", "not a blockable http URL '%s': %s", c->argv[1],
		       hwall_strerror(r));
		return 1;
	}
	printf("%016" PRIx64 "\n", key);
	return 0;
}

static int flow_arg(struct cli *c, struct bpfw_flow_key *k)
{
	if (bpfw_flow_parse(c->argv[1], c->argv[2], k)) {
		HWALL_LOG(ERR, "bpf.cli", "bad flow '%s' '%s' (want addr:port or [addr6]:port, "
		       "both of one family)", c->argv[1], c->argv[2]);
		return -EINVAL;
	}
	return 0;
}

static int cmd_block_flow(struct cli *c)
{
	struct bpfw_flow_key k;
	uint32_t ttl = DEFAULT_TTL;

	if (c->argc < 3 || c->argc > 4 || (c->argc == 4 && parse_ttl(c->argv[3], &ttl)))
		return bad_usage();
	if (flow_arg(c, &k))
		return 1;
	return bpfw_flow_block(c->b, &k, ttl, &c->err) ? failed(c, -1) : 0;
}

static int cmd_unblock_flow(struct cli *c)
{
	struct bpfw_flow_key k;

	if (c->argc != 3)
		return bad_usage();
	if (flow_arg(c, &k))
		return 1;
	return bpfw_flow_unblock(c->b, &k, &c->err) ? failed(c, -1) : 0;
}

static int print_flow(const struct bpfw_flow_key *k, const struct bpfw_flow_val *v, void *arg)
{
	uint64_t now = *(uint64_t *)arg;
	char buf[128];

	bpfw_flow_format(k, buf, sizeof(buf));
	printf("%s drops %" PRIu64 " %s\n", buf, (uint64_t)v->drops,
	       v->expires_ns > now ? "active" : "expired");
	return 0;
}

static int cmd_list_flows(struct cli *c)
{
	uint64_t now = hwall_mono_ns();

	return bpfw_flow_list(c->b, print_flow, &now, &c->err) ? failed(c, -1) : 0;
}

static int cmd_counters(struct cli *c)
{
	uint64_t v[BPFW_REASON_COUNT];

	if (bpfw_counters(c->b, v, &c->err))
		return failed(c, -1);
	for (unsigned int i = 0; i < BPFW_REASON_COUNT; i++)
		printf("%-16s %12" PRIu64 "  %s\n", bpfw_reason_name(i), v[i], bpfw_reason_desc(i));
	return 0;
}

static int cmd_mirror(struct cli *c)
{
	uint16_t ports[BPFW_MIRROR_PORTS];
	size_t n = 0;

	if (c->argc == 2 && !strcmp(c->argv[1], "off"))
		return bpfw_mirror_set(c->b, NULL, NULL, 0, &c->err) ? failed(c, -1) : 0;
	if (c->argc < 3 || c->argc - 2 > BPFW_MIRROR_PORTS)
		return bad_usage();
	for (int i = 2; i < c->argc; i++) {
		uint64_t p;

		if (hwall_parse_u64(c->argv[i], 1, 65535, &p) < 0)
			return bad_usage();
		ports[n++] = (uint16_t)p;
	}
	return bpfw_mirror_set(c->b, c->argv[1], ports, n, &c->err) ? failed(c, -1) : 0;
}

static int cmd_gc(struct cli *c)
{
	unsigned int u = 0, f = 0;

	if (bpfw_gc(c->b, &u, &f, &c->err))
		return failed(c, -1);
	printf("removed %u expired URL and %u expired flow entries\n", u, f);
	return 0;
}

static int cmd_purge(struct cli *c)
{
	return bpfw_purge(c->b, &c->err) ? failed(c, -1) : 0;
}

static const struct {
	const char *name;
	int (*fn)(struct cli *c);
} commands[] = {
	{ "attach", cmd_attach },	{ "run", cmd_run },
	{ "detach", cmd_detach },	{ "status", cmd_status },
	{ "block-url", cmd_block_url }, { "unblock-url", cmd_unblock_url },
	{ "list-urls", cmd_list_urls }, { "key", cmd_key },
	{ "block-flow", cmd_block_flow }, { "unblock-flow", cmd_unblock_flow },
	{ "list-flows", cmd_list_flows }, { "counters", cmd_counters },
	{ "mirror", cmd_mirror },	{ "gc", cmd_gc },
	{ "purge", cmd_purge },
};

int main(int argc, char **argv)
{
	struct bpfw_opts bo = { 0 };
	struct cli c = { 0 };
	int opt, verbose = 0, rc = -1;

	while ((opt = getopt(argc, argv, "+r:L:vh")) != -1) {
		switch (opt) {
		case 'r': bo.pin_root = optarg; break;
		case 'L': c.vlog_file = optarg; break;
		case 'v': verbose = 1; break;
		default: return bad_usage();
		}
	}
	if (optind >= argc)
		return bad_usage();
	if (!verbose)
		libbpf_set_print(quiet_libbpf);
	c.argc = argc - optind;
	c.argv = argv + optind;
	c.b = bpfw_new(&bo);
	if (!c.b) {
		HWALL_LOG(ERR, "bpf.cli", "bad pin root '%s'", bo.pin_root ? bo.pin_root : "");
		return 1;
	}
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(commands); i++)
		if (!strcmp(c.argv[0], commands[i].name))
			rc = commands[i].fn(&c);
	bpfw_free(c.b);
	return rc < 0 ? bad_usage() : rc;
}
