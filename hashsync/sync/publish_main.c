/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish_main.c - `hashwall-publish`, the hotline's tool: key generation,
 * building and signing snapshots, deltas and key rotations.  The command
 * line is a contract (docs/sync-protocol.md); keep it.
 */
#include "publish.h"
#include "sync_publish.h"
#include "sync_state.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "common/number.h"
#include "hashsync/hws.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#define DEFAULT_EXPIRES (7 * 86400)

static void usage(FILE *out)
{
	fprintf(out, "usage: hashwall-publish keygen --secret FILE --public FILE\n"
	      "       hashwall-publish snapshot --secret FILE[,FILE...] --set ID --version N --in LIST\n"
	      "                                 [--expires DURATION] --out BUNDLE\n"
	      "       hashwall-publish delta --secret FILE[,FILE...] --set ID --version N --base M\n"
	      "                              [--add LIST] [--remove LIST] [--expires DURATION] --out BUNDLE\n"
	      "       hashwall-publish rotate --secret OLD[,OLD...] --new-secret NEW[,NEW...] --set ID\n"
	      "                               --version N --keys PUB[,PUB...] --threshold K\n"
	      "                               [--expires DURATION] --out BUNDLE\n"
	      "       hashwall-publish push --url URL --token-file FILE [--cacert FILE] [--insecure-http] BUNDLE\n"
	      "       hashwall-publish export --dir DIR BUNDLE...   (also: serve-dir)\n"
	      "LIST: '<algo> <hex> [<category> [<ref>]]' a line, as for hashwall-set build;\n"
	      "algo: %s.\n"
	      "DURATION: N with s, m, h or d (default 7d).  See docs/sync-protocol.md.\n",
	      hwall_algo_names());
}

/* "90", "90s", "15m", "12h", "30d" -> seconds; -1 when malformed. */
static int64_t parse_duration(const char *s)
{
	const char *end;
	uint64_t v;
	int64_t unit = 1;

	if (hwall_parse_u64_prefix(s, 1, 100ull * 365 * 86400, &v, &end) < 0)
		return -1;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	return (int64_t)v * unit;
}

/* Read each secret key file of the comma list @list into @sec. */
static int read_secrets(const char *list, uint8_t (*sec)[SYNC_SECKEY_LEN], unsigned int *n,
			unsigned int max)
{
	char *copy = strdup(list), *save = NULL, why[4200];
	int r = copy ? 0 : -ENOMEM;

	for (char *f = copy ? strtok_r(copy, ",", &save) : NULL; f && r == 0;
	     f = strtok_r(NULL, ",", &save)) {
		if (*n >= max) {
			fprintf(stderr, "hashwall-publish: more than %u keys\n", max);
			r = -E2BIG;
			break;
		}
		r = sync_key_read_secret(f, sec[*n]);
		if (r < 0)
			fprintf(stderr, "hashwall-publish: %s: %s\n", f,
				r == -EINVAL ? "not a hashwall secret key file"
					     : sync_secret_file_why(f, r, why, sizeof(why)));
		else
			(*n)++;
	}
	free(copy);
	return r;
}

static int cmd_keygen(const struct pub_opts *o)
{
	uint8_t pub[SYNC_PUBKEY_LEN], sec[SYNC_SECKEY_LEN];
	int r;

	if (!o->secret || !o->public_path) {
		usage(stderr);
		return PUB_EXIT_USAGE;
	}
	sync_keygen(pub, sec);
	r = sync_key_write_secret(o->secret, sec);
	sodium_memzero(sec, sizeof(sec));
	if (r == 0) {
		r = sync_key_write_public(o->public_path, pub);
		if (r < 0)
			fprintf(stderr, "hashwall-publish: %s: %s\n", o->public_path, hwall_strerror(r));
	} else {
		fprintf(stderr, "hashwall-publish: %s: %s\n", o->secret, hwall_strerror(r));
	}
	if (r == 0) {
		char hex[2 * SYNC_PUBKEY_LEN + 1];
		hwall_hex_format(pub, SYNC_PUBKEY_LEN, hex);
		printf("%s\n", hex);
	}
	return r == 0 ? 0 : PUB_EXIT_FAIL;
}

/* Feed a list file's entries to the payload builder as adds or removes. */
struct list_ctx {
	struct sync_payload_builder *pb;
	bool remove;
};

static int list_cb(const struct hws_entry *e, void *arg)
{
	struct list_ctx *c = arg;
	struct sync_record r = { .remove = c->remove, .algo = e->algo, .digest = e->digest,
				 .category = e->category, .ref = e->ref };

	return sync_payload_builder_add(c->pb, &r);
}

static int add_list(struct sync_payload_builder *pb, const char *path, bool remove)
{
	struct list_ctx c = { .pb = pb, .remove = remove };
	struct hwall_err err = { { 0 } };
	int r = hws_list_parse(path, list_cb, &c, &err);

	if (r < 0)
		fprintf(stderr, "hashwall-publish: %s\n", hwall_err_why(&err, r));
	return r;
}

/* Sign and write the bundle for @m and @pb with @n secrets. */
static int write_bundle(const struct pub_opts *o, const struct sync_manifest *m,
			const struct sync_payload_builder *pb, uint8_t (*sec)[SYNC_SECKEY_LEN],
			unsigned int n)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = sync_publish_build(m, pb, (const uint8_t(*)[SYNC_SECKEY_LEN])sec, n, &buf, &len);

	if (r < 0) {
		fprintf(stderr, "hashwall-publish: building the bundle: %s\n", hwall_strerror(r));
		return PUB_EXIT_FAIL;
	}
	r = hwall_write_atomic(o->out, buf, len, 0666 & ~o->umask);
	free(buf);
	if (r < 0) {
		fprintf(stderr, "hashwall-publish: %s: %s\n", o->out, hwall_strerror(r));
		return PUB_EXIT_FAIL;
	}
	printf("%s %s version %" PRIu64 ": %zu bytes, %u signature(s) -> %s\n", m->set,
	       sync_kind_name(m->kind), m->version, len, n, o->out);
	return 0;
}

/* The manifest fields every kind shares, from the options. */
static int base_manifest(const struct pub_opts *o, enum sync_kind kind, struct sync_manifest *m)
{
	int64_t ttl = o->expires ? parse_duration(o->expires) : DEFAULT_EXPIRES;

	memset(m, 0, sizeof(*m));
	if (!o->secret || !o->set || !o->has_version || !o->out || o->version == 0) {
		usage(stderr);
		return PUB_EXIT_USAGE;
	}
	if (ttl < 0 || strlen(o->set) > SYNC_SET_ID_MAX) {
		fprintf(stderr, "hashwall-publish: bad %s\n", ttl < 0 ? "--expires" : "--set");
		return PUB_EXIT_USAGE;
	}
	strcpy(m->set, o->set);
	m->kind = kind;
	m->version = o->version;
	m->base = o->base;
	m->created = time(NULL);
	m->expires = m->created + ttl;
	return 0;
}

static int cmd_entries(const struct pub_opts *o, enum sync_kind kind)
{
	uint8_t sec[SYNC_MAX_SIGS][SYNC_SECKEY_LEN];
	struct sync_payload_builder *pb = NULL;
	struct sync_manifest m;
	unsigned int n = 0;
	int r = base_manifest(o, kind, &m);

	if (r)
		return r;
	if (kind == SYNC_KIND_SNAPSHOT ? !o->in || o->has_base || o->add || o->remove
				       : !o->has_base || o->in || o->base >= o->version) {
		fprintf(stderr, "hashwall-publish: %s\n", kind == SYNC_KIND_SNAPSHOT
			? "snapshot takes --in LIST (and no --base, --add, --remove)"
			: "delta takes --base M (lower than --version) and --add/--remove lists");
		return PUB_EXIT_USAGE;
	}
	pb = sync_payload_builder_new();
	r = pb ? read_secrets(o->secret, sec, &n, SYNC_MAX_SIGS) : -ENOMEM;
	if (r == 0 && o->in)
		r = add_list(pb, o->in, false);
	if (r == 0 && o->add)
		r = add_list(pb, o->add, false);
	if (r == 0 && o->remove)
		r = add_list(pb, o->remove, true);
	r = r == 0 ? write_bundle(o, &m, pb, sec, n) : PUB_EXIT_FAIL;
	sodium_memzero(sec, sizeof(sec));
	sync_payload_builder_free(pb);
	return r;
}

/* The new root's public keys, from a comma list of public key files. */
static int read_publics(const char *list, struct sync_root *root)
{
	char *copy = strdup(list), *save = NULL;
	int r = copy ? 0 : -ENOMEM;

	root->n_keys = 0;
	for (char *f = copy ? strtok_r(copy, ",", &save) : NULL; f && r == 0;
	     f = strtok_r(NULL, ",", &save)) {
		r = root->n_keys < SYNC_MAX_SIGS ? sync_key_read_public(f, root->keys[root->n_keys]) : -E2BIG;
		if (r < 0)
			fprintf(stderr, "hashwall-publish: %s: %s\n", f, hwall_strerror(r));
		else
			root->n_keys++;
	}
	free(copy);
	return r;
}

static int cmd_rotate(const struct pub_opts *o)
{
	uint8_t sec[2 * SYNC_MAX_SIGS][SYNC_SECKEY_LEN];
	struct sync_manifest m;
	unsigned int n = 0;
	int r = base_manifest(o, SYNC_KIND_ROOT, &m);

	if (r)
		return r;
	if (!o->new_secret || !o->keys || o->threshold == 0) {
		usage(stderr);
		return PUB_EXIT_USAGE;
	}
	m.root.version = m.version;
	m.root.threshold = (unsigned int)o->threshold;
	r = read_publics(o->keys, &m.root);
	if (r == 0 && m.root.threshold > m.root.n_keys) {
		fprintf(stderr, "hashwall-publish: --threshold %u of %u keys\n", m.root.threshold,
			m.root.n_keys);
		return PUB_EXIT_USAGE;
	}
	if (r == 0)
		r = read_secrets(o->secret, sec, &n, SYNC_MAX_SIGS);
	if (r == 0)
		r = read_secrets(o->new_secret, sec, &n, SYNC_MAX_SIGS);
	r = r == 0 ? write_bundle(o, &m, NULL, sec, n) : PUB_EXIT_FAIL;
	sodium_memzero(sec, sizeof(sec));
	return r;
}

static int parse_args(int argc, char **argv, struct pub_opts *o)
{
	static const struct option opts[] = {
		{ "secret", required_argument, NULL, 's' }, { "public", required_argument, NULL, 'p' },
		{ "new-secret", required_argument, NULL, 'S' }, { "set", required_argument, NULL, 'i' },
		{ "version", required_argument, NULL, 'v' }, { "base", required_argument, NULL, 'b' },
		{ "in", required_argument, NULL, 'I' }, { "add", required_argument, NULL, 'a' },
		{ "remove", required_argument, NULL, 'r' }, { "out", required_argument, NULL, 'o' },
		{ "expires", required_argument, NULL, 'e' }, { "url", required_argument, NULL, 'u' },
		{ "token-file", required_argument, NULL, 't' }, { "cacert", required_argument, NULL, 'c' },
		{ "dir", required_argument, NULL, 'd' }, { "keys", required_argument, NULL, 'k' },
		{ "threshold", required_argument, NULL, 'T' }, { "help", no_argument, NULL, 'h' },
		{ "insecure-http", no_argument, NULL, 'H' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->secret = optarg; break;
		case 'p': o->public_path = optarg; break;
		case 'S': o->new_secret = optarg; break;
		case 'i': o->set = optarg; break;
		case 'I': o->in = optarg; break;
		case 'a': o->add = optarg; break;
		case 'r': o->remove = optarg; break;
		case 'o': o->out = optarg; break;
		case 'e': o->expires = optarg; break;
		case 'u': o->url = optarg; break;
		case 't': o->token_file = optarg; break;
		case 'c': o->cacert = optarg; break;
		case 'd': o->dir = optarg; break;
		case 'k': o->keys = optarg; break;
		case 'H': o->insecure_http = true; break;
		case 'v':
		case 'b':
		case 'T': {
			uint64_t *dst = c == 'v' ? &o->version : c == 'b' ? &o->base : &o->threshold;
			if (hwall_parse_u64(optarg, 0, c == 'T' ? SYNC_MAX_SIGS : SYNC_VERSION_MAX, dst) < 0) {
				fprintf(stderr, "hashwall-publish: bad number \"%s\"\n", optarg);
				return PUB_EXIT_USAGE;
			}
			o->has_version |= c == 'v';
			o->has_base |= c == 'b';
			break;
		}
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return PUB_EXIT_USAGE;
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	o->umask = umask(0); /* read by setting it; single-threaded here */
	umask(o->umask);
	return 0;
}

int main(int argc, char **argv)
{
	struct pub_opts o;
	const char *cmd;
	int r;

	if (argc < 2) {
		usage(stderr);
		return PUB_EXIT_USAGE;
	}
	if (sync_crypto_init() < 0) {
		fprintf(stderr, "hashwall-publish: libsodium failed to initialise\n");
		return PUB_EXIT_FAIL;
	}
	cmd = argv[1];
	r = parse_args(argc - 1, argv + 1, &o);
	if (r)
		return r < 0 ? 0 : r;
	if (o.n_args && strcmp(cmd, "push") && strcmp(cmd, "export") && strcmp(cmd, "serve-dir")) {
		fprintf(stderr, "hashwall-publish: unexpected argument \"%s\"\n", o.args[0]);
		return PUB_EXIT_USAGE;
	}
	if (strcmp(cmd, "keygen") == 0)
		return cmd_keygen(&o);
	if (strcmp(cmd, "snapshot") == 0)
		return cmd_entries(&o, SYNC_KIND_SNAPSHOT);
	if (strcmp(cmd, "delta") == 0)
		return cmd_entries(&o, SYNC_KIND_DELTA);
	if (strcmp(cmd, "rotate") == 0)
		return cmd_rotate(&o);
	if (strcmp(cmd, "push") == 0)
		return pub_cmd_push(&o);
	if (strcmp(cmd, "export") == 0 || strcmp(cmd, "serve-dir") == 0)
		return pub_cmd_export(&o);
	fprintf(stderr, "hashwall-publish: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return PUB_EXIT_USAGE;
}
