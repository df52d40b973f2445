/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_replay.c - prints the JSON lines a correct `hashwall-dataplane
 * replay --log-objects --set LIST` would print for a hashwall-gen capture,
 * read from its manifest, optionally with one deliberate fault.  It exists
 * to test check_replay itself: with no fault the check must pass, with any
 * fault it must fail.  Never a stand-in for the dataplane in real tests.
 *
 * usage: fake_replay --manifest JSON --set-id ID --set-version N [--fault F]
 * faults: none digest missing incomplete-as-complete extra-match
 *         missing-match plain-client packets counter stats-not-last
 *         missing-resync shared-client
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

struct fake {
	const char *manifest, *set_id, *fault;
	long long set_version;
	cJSON *m;
	unsigned long objects, matches;
	double body_bytes;
	bool done; /* the fault was applied */
	char last_client[32];
	int last_flow;
};

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* Apply fault @name once, at the first place it fits. */
static bool fault(struct fake *f, const char *name)
{
	if (f->done || strcmp(f->fault, name))
		return false;
	f->done = true;
	return true;
}

static const char *client_of(struct fake *f, const cJSON *o, char *buf, size_t n)
{
	const cJSON *flow = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->m, "flows"),
					       (int)jnum(o, "flow"));
	const char *plain = jstr(flow, "client");
	unsigned long h = 5381;

	if (fault(f, "plain-client"))
		return plain;
	for (const char *p = plain; *p; p++)
		h = h * 33 + (unsigned char)*p;
	snprintf(buf, n, "%016lx", h);
	if (f->last_client[0] && f->last_flow != (int)jnum(o, "flow") && fault(f, "shared-client"))
		snprintf(buf, n, "%s", f->last_client);
	snprintf(f->last_client, sizeof(f->last_client), "%s", buf);
	f->last_flow = (int)jnum(o, "flow");
	return buf;
}

static void print_event(struct fake *f, const cJSON *o, bool match, bool complete)
{
	cJSON *e = cJSON_CreateObject(), *d;
	char client[32], *text;

	cJSON_AddStringToObject(e, "event", match ? "match" : "object");
	cJSON_AddStringToObject(e, "server_ip", jstr(o, "server"));
	cJSON_AddNumberToObject(e, "server_port", jnum(o, "server_port"));
	cJSON_AddStringToObject(e, "client", client_of(f, o, client, sizeof(client)));
	cJSON_AddStringToObject(e, "host", jstr(o, "host"));
	cJSON_AddStringToObject(e, "path", jstr(o, "path"));
	cJSON_AddStringToObject(e, "method", jstr(o, "method"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "host_truncated")))
		cJSON_AddTrueToObject(e, "host_truncated");
	cJSON_AddNumberToObject(e, "status", jnum(o, "status"));
	cJSON_AddNumberToObject(e, "size", complete ? jnum(o, "size") : jnum(o, "size") / 2);
	cJSON_AddBoolToObject(e, "complete", complete);
	cJSON_AddBoolToObject(e, "partial", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "partial")));
	d = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(o, "digests"), true);
	if (complete && !match && fault(f, "digest"))
		cJSON_ReplaceItemInObject(d, "md5", cJSON_CreateString("00000000000000000000000000000000"));
	cJSON_AddItemToObject(e, "digests", d);
	if (match) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "known");
		bool extra = !cJSON_IsObject(k);
		cJSON_AddStringToObject(e, "set", f->set_id);
		cJSON_AddNumberToObject(e, "set_version", (double)f->set_version);
		cJSON_AddStringToObject(e, "algo", extra ? "md5" : jstr(k, "algo"));
		cJSON_AddStringToObject(e, "digest", extra ? jstr(d, "md5") : jstr(k, "digest"));
		cJSON_AddNumberToObject(e, "category", extra ? 1 : jnum(k, "category"));
		cJSON_AddNumberToObject(e, "ref", extra ? 1 : jnum(k, "ref"));
	}
	text = cJSON_PrintUnformatted(e);
	puts(text);
	free(text);
	cJSON_Delete(e);
}

static void print_object(struct fake *f, const cJSON *o)
{
	const char *expect = jstr(o, "expect");
	bool complete = !strcmp(expect, "complete") || !strcmp(expect, "resync");
	bool known = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "known"));

	if (!strcmp(expect, "unseen") || !strcmp(expect, "optional") || !strcmp(expect, "abandoned"))
		return;
	if (!strcmp(expect, "incomplete") && fault(f, "incomplete-as-complete"))
		complete = true;
	if (complete && fault(f, "missing"))
		return;
	if (!strcmp(expect, "resync") && fault(f, "missing-resync"))
		return;
	f->objects++;
	f->body_bytes += complete ? jnum(o, "size") : 0;
	print_event(f, o, false, complete);
	if ((known && !fault(f, "missing-match")) ||
	    (!known && complete && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "partial")) &&
	     fault(f, "extra-match"))) {
		f->matches++;
		print_event(f, o, true, complete);
	}
}

static void print_stats(struct fake *f)
{
	static const char *const names[][2] = {
		{ "obj_abandoned_rst", "rst_abandoned" },
		{ "seg_out_of_order", "out_of_order_segments" },
		{ "seg_retransmit_bytes", "retransmitted_bytes" },
		{ "objects_partial", "partial_objects" },
		{ "pkt_ip_fragment", "ip_fragments" },
		{ "flows_timed_out", "idle_timeouts" },
		{ "obj_abandoned_timeout", "idle_timeouts" },
		{ "reasm_gap_acked", "acked_gaps" },
	};
	const cJSON *mins = cJSON_GetObjectItemCaseSensitive(f->m, "min_counters");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		printf("%s\"%s\":%.0f", i ? "," : "{\"event\":\"stats\",", names[i][0],
		       jnum(mins, names[i][1]));
	printf(",\"seg_overlap_conflict\":%.0f,\"flows_midstream\":%.0f,"
	       "\"http_cl_and_te\":%.0f,\"pkt_not_http_port\":%.0f,\"pkt_bad_tcp\":0,\"objects\":%lu,\"matches\":%lu,"
	       "\"seconds\":0.5,\"packets\":%.0f,\"bytes\":%.0f,\"body_bytes\":%.0f,\"gbps\":0.1}\n",
	       fault(f, "counter") ? 0 : jnum(mins, "overlap_conflict"), jnum(mins, "midstream"),
	       jnum(mins, "length_and_chunked"), jnum(mins, "non_http_packets"), f->objects, f->matches,
	       jnum(f->m, "packets") + fault(f, "packets"), jnum(f->m, "frame_bytes"), f->body_bytes);
}

static cJSON *read_manifest(const char *path)
{
	FILE *in = fopen(path, "rb");
	char *text = NULL;
	size_t n = 0, cap = 0, r;
	cJSON *m;

	if (!in)
		return NULL;
	do {
		char *p = cap - n < 65536 ? realloc(text, cap += 1 << 20) : text;
		if (!p)
			break;
		text = p;
		r = fread(text + n, 1, cap - n - 1, in);
		n += r;
	} while (r > 0);
	fclose(in);
	if (text)
		text[n] = '\0';
	m = text ? cJSON_Parse(text) : NULL;
	free(text);
	return m;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "manifest", required_argument, NULL, 'm' },
		{ "set-id", required_argument, NULL, 'i' },
		{ "set-version", required_argument, NULL, 'v' },
		{ "fault", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct fake f = { .set_id = "gen-known", .fault = "none" };
	const cJSON *o;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'm')
			f.manifest = optarg;
		else if (c == 'i')
			f.set_id = optarg;
		else if (c == 'v')
			f.set_version = atoll(optarg);
		else if (c == 'f')
			f.fault = optarg;
		else
			return 2;
	}
	if (!f.manifest || !(f.m = read_manifest(f.manifest))) {
		fprintf(stderr, "fake_replay: --manifest JSON missing or unreadable\n");
		return 2;
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(f.m, "objects"))
		print_object(&f, o);
	if (fault(&f, "stats-not-last"))
		puts("{\"event\":\"stats\",\"packets\":0}");
	print_stats(&f);
	cJSON_Delete(f.m);
	if (strcmp(f.fault, "none") && !f.done) {
		fprintf(stderr, "fake_replay: fault \"%s\" unknown or had no place to go\n", f.fault);
		return 2;
	}
	return 0;
}
