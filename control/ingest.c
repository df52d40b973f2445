/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ingest.c - the ingest server: SOCK_SEQPACKET listener, batched commits,
 * acknowledgements only after commit (see ingest.h and
 * docs/ingest-protocol.md).
 */
#include "control/ingest.h"
#include "common/ingest_proto.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/json_strict.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DP_SEEN_MAX 32 /* dataplanes remembered for the status endpoint */

/* What the status endpoint shows of one dataplane (guarded by status_lock),
 * and which process holds its epoch. */
struct ingest_peer {
	char id[CTL_DP_MAX + 1];
	char epoch[CTL_DP_MAX + 1];
	pid_t pid;                  /* the process that said hello with the epoch */
	uint64_t hello;             /* when it last said hello (ctl_ingest.hellos) */
	bool connected;
	uint64_t acked;
	cJSON *counters;
	cJSON *sets;
};

struct peer {
	int fd;                     /* -1: free slot */
	pid_t pid;                  /* the peer process (SO_PEERCRED), 0 when unknown */
	bool hello;
	bool sent;                  /* a new event (above the mark) came on this connection */
	char id[CTL_DP_MAX + 1];
	char epoch[CTL_DP_MAX + 1];
	uint64_t last_seq;          /* highest seq received on this connection */
	uint64_t ack_due;           /* highest seq to acknowledge once committed */
	uint64_t ack_sent;
	bool in_batch;              /* has events in the open transaction */
	int info;                   /* index into dps, -1 before hello */
};

struct ctl_ingest {
	struct ctl_ingest_config cfg;
	struct ctl_store *store;
	char *path;
	int listen_fd;
	struct peer peers[CTL_INGEST_PEERS_MAX];
	char *buf;
	bool in_tx;
	uint32_t batch_n;
	pthread_mutex_t status_lock;
	struct ingest_peer dps[DP_SEEN_MAX];
	unsigned int n_dps;
	uint64_t hellos;            /* hellos taken so far */
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

int ctl_ingest_new(const struct ctl_ingest_config *cfg, struct ctl_store *store,
		   struct ctl_ingest **ret_in)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_ingest *in;
	int r;

	if (!cfg->socket_path || strlen(cfg->socket_path) >= sizeof(sa.sun_path) ||
	    !cfg->client_key)
		return -EINVAL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->cfg = *cfg;
	if (!in->cfg.batch_max)
		in->cfg.batch_max = 4096;
	if (!in->cfg.linger_us)
		in->cfg.linger_us = 5000;
	in->store = store;
	in->listen_fd = -1;
	for (int i = 0; i < CTL_INGEST_PEERS_MAX; i++)
		in->peers[i].fd = -1;
	pthread_mutex_init(&in->status_lock, NULL);
	in->buf = malloc(HWALL_INGEST_MSG_MAX + 1);
	in->path = strdup(cfg->socket_path);
	r = -ENOMEM;
	if (!in->buf || !in->path)
		goto out_free;
	memcpy(sa.sun_path, cfg->socket_path, strlen(cfg->socket_path));
	in->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (in->listen_fd < 0)
		goto out_errno;
	unlink(cfg->socket_path); /* a stale socket of an earlier run */
	if (bind(in->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(cfg->socket_path, 0660) < 0 || listen(in->listen_fd, 16) < 0)
		goto out_errno;
	*ret_in = in;
	return 0;

out_errno:
	r = hwall_neg_errno();
out_free:
	ctl_ingest_free(in);
	return r;
}

void ctl_ingest_free(struct ctl_ingest *in)
{
	if (!in)
		return;
	for (int i = 0; i < CTL_INGEST_PEERS_MAX; i++)
		if (in->peers[i].fd >= 0)
			close(in->peers[i].fd);
	if (in->listen_fd >= 0) {
		close(in->listen_fd);
		unlink(in->path);
	}
	for (unsigned int i = 0; i < in->n_dps; i++) {
		cJSON_Delete(in->dps[i].counters);
		cJSON_Delete(in->dps[i].sets);
	}
	pthread_mutex_destroy(&in->status_lock);
	free(in->buf);
	free(in->path);
	free(in);
}

static void send_json(struct peer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Send one small record; a full socket is tolerated (acks are cumulative). */
static void send_json(struct peer *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)send(p->fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void set_connected(struct ctl_ingest *in, struct peer *p, bool connected)
{
	if (p->info < 0)
		return;
	pthread_mutex_lock(&in->status_lock);
	in->dps[p->info].connected = connected;
	in->dps[p->info].acked = p->ack_sent;
	pthread_mutex_unlock(&in->status_lock);
}

static void peer_close(struct ctl_ingest *in, struct peer *p)
{
	set_connected(in, p, false);
	close(p->fd);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->info = -1;
}

/* Refuse a protocol violation: tell the peer why, count, close. */
static int peer_fail(struct ctl_ingest *in, struct peer *p, const char *why)
{
	send_json(p, "{\"type\":\"error\",\"message\":\"%s\"}", why);
	ctl_count(in->cfg.metrics, CTL_CTR_INGEST_PROTOCOL_ERRORS, 1);
	peer_close(in, p);
	return 0;
}

/* The process at the other end of @fd (the one that connected), 0 when unknown. */
static pid_t peer_pid(int fd)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 ? cred.pid : 0;
}

static void accept_peers(struct ctl_ingest *in)
{
	int fd;

	while ((fd = accept4(in->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct peer *p = NULL;
		for (int i = 0; i < CTL_INGEST_PEERS_MAX && !p; i++)
			if (in->peers[i].fd < 0)
				p = &in->peers[i];
		if (!p) {
			ctl_count(in->cfg.metrics, CTL_CTR_INGEST_REFUSED, 1);
			close(fd);
			continue;
		}
		memset(p, 0, sizeof(*p));
		p->fd = fd;
		p->info = -1;
		p->pid = peer_pid(fd);
		ctl_count(in->cfg.metrics, CTL_CTR_INGEST_CONNECTIONS, 1);
	}
}

/* A store failure mid-batch: roll everything back and close the peers
 * whose events were in it, so that they reconnect and resend. */
static void abort_batch(struct ctl_ingest *in)
{
	ctl_store_rollback(in->store);
	ctl_count(in->cfg.metrics, CTL_CTR_INGEST_COMMIT_FAILURES, 1);
	if (in->cfg.after_rollback)
		in->cfg.after_rollback(in->cfg.hook_ctx);
	in->in_tx = false;
	in->batch_n = 0;
	for (int i = 0; i < CTL_INGEST_PEERS_MAX; i++)
		if (in->peers[i].fd >= 0 && in->peers[i].in_batch)
			peer_close(in, &in->peers[i]);
}

/* Commit the open batch and send acknowledgements.  On failure, roll back
 * and close the peers whose events were in it: they resend. */
static int flush(struct ctl_ingest *in)
{
	int r = 0;

	if (in->in_tx) {
		r = ctl_store_commit(in->store);
		if (r < 0) {
			abort_batch(in);
			return r;
		}
		ctl_count(in->cfg.metrics, CTL_CTR_INGEST_COMMITS, 1);
		in->in_tx = false;
		in->batch_n = 0;
		if (in->cfg.after_commit)
			in->cfg.after_commit(in->cfg.hook_ctx);
	}
	for (int i = 0; i < CTL_INGEST_PEERS_MAX; i++) {
		struct peer *p = &in->peers[i];
		if (p->fd < 0)
			continue;
		p->in_batch = false;
		if (p->ack_due > p->ack_sent) {
			send_json(p, "{\"type\":\"ack\",\"seq\":%llu}", (unsigned long long)p->ack_due);
			p->ack_sent = p->ack_due;
			set_connected(in, p, true);
		}
	}
	return r;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CTL_DP_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

/* A slot for a dataplane not seen yet, with status_lock held: a free one,
 * else the one of the dataplane gone longest that no connection uses
 * (there are more slots than connections), so that peers saying hello
 * with made-up ids cannot leave a real dataplane without one. */
static int slot_new(struct ctl_ingest *in)
{
	int k = -1;

	if (in->n_dps < DP_SEEN_MAX)
		return (int)in->n_dps++;
	for (unsigned int i = 0; i < in->n_dps; i++) {
		bool used = in->dps[i].connected;
		for (int j = 0; j < CTL_INGEST_PEERS_MAX && !used; j++)
			used = in->peers[j].fd >= 0 && in->peers[j].info == (int)i;
		if (!used && (k < 0 || in->dps[i].hello < in->dps[k].hello))
			k = (int)i;
	}
	if (k >= 0) {
		cJSON_Delete(in->dps[k].counters);
		cJSON_Delete(in->dps[k].sets);
	}
	return k;
}

/* The dp_info slot of (id, epoch) held by process @pid, created when new
 * (-1 only when every slot is in use, which the peer limit rules out). */
static int dp_slot(struct ctl_ingest *in, const char *id, const char *epoch, pid_t pid)
{
	int k = -1;

	pthread_mutex_lock(&in->status_lock);
	for (unsigned int i = 0; i < in->n_dps && k < 0; i++)
		if (strcmp(in->dps[i].id, id) == 0)
			k = (int)i;
	if (k < 0 && (k = slot_new(in)) >= 0)
		memset(&in->dps[k], 0, sizeof(in->dps[k]));
	if (k >= 0) {
		snprintf(in->dps[k].id, sizeof(in->dps[k].id), "%s", id);
		snprintf(in->dps[k].epoch, sizeof(in->dps[k].epoch), "%s", epoch);
		in->dps[k].pid = pid;
		in->dps[k].hello = ++in->hellos;
		in->dps[k].connected = true;
	}
	pthread_mutex_unlock(&in->status_lock);
	return k;
}

/*
 * Whether (@id, @epoch) is held by another process than @p's: a live
 * connection of it from another process, or, connected or not, the
 * process that said hello with it first in this run.  An epoch is one
 * process's (the client draws it at start), so only that process may
 * continue its sequence numbers; anyone else could make controld
 * acknowledge numbers the dataplane has not sent yet, and drop them as
 * duplicates when they come.
 */
static bool epoch_held(struct ctl_ingest *in, const struct peer *p, const char *id,
		       const char *epoch)
{
	bool held = false;

	for (int i = 0; i < CTL_INGEST_PEERS_MAX; i++) {
		const struct peer *o = &in->peers[i];
		if (o != p && o->fd >= 0 && o->hello && o->pid != p->pid &&
		    strcmp(o->id, id) == 0 && strcmp(o->epoch, epoch) == 0)
			return true;
	}
	pthread_mutex_lock(&in->status_lock);
	for (unsigned int i = 0; i < in->n_dps && !held; i++)
		held = in->dps[i].pid != p->pid && strcmp(in->dps[i].id, id) == 0 &&
		       strcmp(in->dps[i].epoch, epoch) == 0;
	pthread_mutex_unlock(&in->status_lock);
	return held;
}

static int on_hello(struct ctl_ingest *in, struct peer *p, const cJSON *msg)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "dataplane");
	const cJSON *epoch = cJSON_GetObjectItemCaseSensitive(msg, "epoch");
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(msg, "proto");
	uint64_t mark;

	if (p->hello)
		return peer_fail(in, p, "second hello");
	if (!cJSON_IsNumber(proto) || proto->valuedouble != HWALL_INGEST_PROTO)
		return peer_fail(in, p, "unsupported protocol version");
	if (!cJSON_IsString(id) || !valid_id(id->valuestring) || !cJSON_IsString(epoch) ||
	    !valid_id(epoch->valuestring))
		return peer_fail(in, p, "hello needs dataplane and epoch (1-63 printable chars)");
	if (epoch_held(in, p, id->valuestring, epoch->valuestring))
		return peer_fail(in, p, "this dataplane epoch belongs to another process");
	/* The mark must reflect committed state only. */
	if (flush(in) < 0 || p->fd < 0)
		return 0;
	/* The same process again (it reconnected before its old connection's
	 * end was read here) replaces its stale connection. */
	for (int i = 0; i < CTL_INGEST_PEERS_MAX; i++) {
		struct peer *o = &in->peers[i];
		if (o != p && o->fd >= 0 && o->hello && strcmp(o->id, id->valuestring) == 0 &&
		    strcmp(o->epoch, epoch->valuestring) == 0)
			peer_close(in, o);
	}
	if (ctl_store_peer_mark(in->store, id->valuestring, epoch->valuestring, &mark) < 0)
		return peer_fail(in, p, "store unavailable");
	p->hello = true;
	snprintf(p->id, sizeof(p->id), "%s", id->valuestring);
	snprintf(p->epoch, sizeof(p->epoch), "%s", epoch->valuestring);
	p->last_seq = p->ack_due = p->ack_sent = mark;
	p->info = dp_slot(in, p->id, p->epoch, p->pid);
	set_connected(in, p, true);
	send_json(p, "{\"type\":\"welcome\",\"proto\":%d,\"acked\":%llu}", HWALL_INGEST_PROTO,
		  (unsigned long long)mark);
	return 0;
}

/* Record one parsed event in the open transaction; @flow (NULL: none)
 * goes only to the on_flow hook. */
static int record_event(struct ctl_ingest *in, struct peer *p, struct ctl_event *ev,
			uint64_t seq, const struct ctl_flow *flow)
{
	struct ctl_record_result res;
	int r;

	if (ctl_event_pseudo(ev, in->cfg.client_key))
		ctl_count(in->cfg.metrics, CTL_CTR_INGEST_PLAIN_CLIENT, 1);
	r = ctl_store_record(in->store, ev, p->id, p->epoch, seq, &res);
	if (r == 0 && in->cfg.on_record && !res.duplicate && !res.allowlisted && !res.known)
		r = in->cfg.on_record(in->cfg.hook_ctx, in->store, ev, &res);
	if (r == 0 && flow && in->cfg.on_flow && !res.duplicate && !res.allowlisted)
		in->cfg.on_flow(in->cfg.hook_ctx, in->store, ev, &res, flow);
	if (r < 0)
		return r;
	ctl_count(in->cfg.metrics, res.duplicate     ? CTL_CTR_INGEST_DUPLICATES
				   : res.allowlisted ? CTL_CTR_INGEST_ALLOWLISTED
						     : CTL_CTR_INGEST_EVENTS, 1);
	ctl_count(in->cfg.metrics, CTL_CTR_INGEST_NORMALISED,
		  ev->normalised && !res.duplicate && !res.allowlisted);
	ctl_count(in->cfg.metrics, CTL_CTR_CANDIDATES_CREATED, res.created);
	ctl_count(in->cfg.metrics, CTL_CTR_CANDIDATES_REOPENED, res.reopened);
	ctl_count(in->cfg.metrics, CTL_CTR_CANDIDATES_RETROACTIVE, res.created && ev->retroactive);
	ctl_count(in->cfg.metrics, CTL_CTR_INGEST_RETRO_KNOWN, res.known);
	return 0;
}

static int on_event(struct ctl_ingest *in, struct peer *p, cJSON *msg)
{
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(msg, "seq");
	cJSON *obj = cJSON_GetObjectItemCaseSensitive(msg, "event");
	struct ctl_flow flow;
	struct ctl_event ev;
	uint64_t s;
	int r, has_flow;

	if (!p->hello)
		return peer_fail(in, p, "event before hello");
	if (!cJSON_IsNumber(seq) || seq->valuedouble < 1 || seq->valuedouble > 9007199254740992.0 ||
	    seq->valuedouble != floor(seq->valuedouble))
		return peer_fail(in, p, "seq must be a positive integer");
	s = (uint64_t)seq->valuedouble;
	if (s <= p->last_seq && s > p->ack_sent)
		return peer_fail(in, p, "seq went backwards");
	/* Not beyond what the peer can have sent: one more than the last
	 * number on this connection, or, for its first event, at most a full
	 * client queue past the acknowledged mark (more than one only when
	 * the store lost events it had acknowledged: a restored database). */
	if (s > p->last_seq && p->sent && s != p->last_seq + 1)
		return peer_fail(in, p, "seq skipped ahead");
	if (s > p->last_seq && !p->sent && s - p->last_seq > HWALL_INGEST_SEQ_WINDOW)
		return peer_fail(in, p, "seq too far ahead of the acknowledged mark");
	if (s > p->last_seq + 1)
		ctl_count(in->cfg.metrics, CTL_CTR_INGEST_SEQ_GAPS, 1);
	if (s > p->last_seq) {
		p->last_seq = s;
		p->sent = true;
	}
	if (!in->in_tx) {
		r = ctl_store_begin(in->store);
		if (r < 0)
			return r;
		in->in_tx = true;
	}
	p->in_batch = true;
	in->batch_n++;
	/* The flow leaves the record first: nothing past this line that
	 * parses, stores or logs the event can see the client address. */
	has_flow = ctl_event_take_flow(obj, &flow, NULL);
	if (has_flow < 0)
		ctl_count(in->cfg.metrics, CTL_CTR_INGEST_FLOW_INVALID, 1);
	r = ctl_event_parse(obj, now_s(), &ev, NULL);
	if (r < 0) {
		/* Refused for good: acknowledged (and the mark raised) so that it
		 * is not resent forever, counted, never stored. */
		ctl_count(in->cfg.metrics, CTL_CTR_INGEST_INVALID, 1);
		r = ctl_store_peer_advance(in->store, p->id, p->epoch, s, now_s());
	} else {
		r = record_event(in, p, &ev, s, has_flow > 0 ? &flow : NULL);
	}
	ctl_flow_wipe(&flow);
	if (r == 0 && s > p->ack_due)
		p->ack_due = s;
	return r;
}

/* The optional "sets" of a stats record: [{"id","version","created","expires"}]. */
static bool sets_ok(const cJSON *sets)
{
	const cJSON *e;

	if (!sets)
		return true;
	if (!cJSON_IsArray(sets) || cJSON_GetArraySize(sets) > HWALL_INGEST_SETS_MAX)
		return false;
	cJSON_ArrayForEach(e, sets) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		const char *keys[] = { "version", "created", "expires" };
		if (!cJSON_IsString(id) || !valid_id(id->valuestring))
			return false;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, keys[k]);
			if (v && !cJSON_IsNumber(v))
				return false;
		}
	}
	return true;
}

static int on_stats(struct ctl_ingest *in, struct peer *p, const cJSON *msg)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(msg, "counters");
	const cJSON *sets = cJSON_GetObjectItemCaseSensitive(msg, "sets");
	cJSON *copy, *sets_copy;

	if (!p->hello || !cJSON_IsObject(c) || cJSON_GetArraySize(c) > HWALL_INGEST_STATS_MAX ||
	    !sets_ok(sets))
		return peer_fail(in, p, "stats needs hello, counters and well-formed sets");
	if (p->info < 0)
		return 0; /* no status slot: best effort, as stats are */
	for (const cJSON *e = c->child; e; e = e->next)
		if (!cJSON_IsNumber(e) || !valid_id(e->string))
			return peer_fail(in, p, "counters must be name: number");
	copy = cJSON_Duplicate(c, true);
	sets_copy = sets ? cJSON_Duplicate(sets, true) : NULL;
	ctl_count(in->cfg.metrics, CTL_CTR_INGEST_STATS, 1);
	pthread_mutex_lock(&in->status_lock);
	cJSON_Delete(in->dps[p->info].counters);
	cJSON_Delete(in->dps[p->info].sets);
	in->dps[p->info].counters = copy;
	in->dps[p->info].sets = sets_copy;
	pthread_mutex_unlock(&in->status_lock);
	return 0;
}

/* Handle one record; returns -EIO when the store failed. */
static int on_message(struct ctl_ingest *in, struct peer *p, const char *buf, size_t len)
{
	cJSON *msg = NULL;
	const cJSON *type;
	struct hwall_json_fault fault;
	int r = 0;

	/* Strict (common/json_strict.h): a record that two parsers could read
	 * differently is a protocol error, like one that is not JSON. */
	if (hwall_json_parse_strict(buf, len, 0, &msg, &fault) < 0)
		msg = NULL;
	type = cJSON_GetObjectItemCaseSensitive(msg, "type");

	if (!cJSON_IsString(type))
		peer_fail(in, p, "record is not a strict JSON object with a type");
	else if (strcmp(type->valuestring, "event") == 0)
		r = on_event(in, p, msg);
	else if (strcmp(type->valuestring, "hello") == 0)
		on_hello(in, p, msg);
	else if (strcmp(type->valuestring, "stats") == 0)
		on_stats(in, p, msg);
	else
		peer_fail(in, p, "unknown record type");
	cJSON_Delete(msg);
	return r;
}

/* Read records from @p until it would block or the batch is full. */
static int read_peer(struct ctl_ingest *in, struct peer *p)
{
	int r;

	while (p->fd >= 0 && in->batch_n < in->cfg.batch_max) {
		ssize_t n = recv(p->fd, in->buf, HWALL_INGEST_MSG_MAX + 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			peer_close(in, p);
			return 0;
		}
		if ((size_t)n > HWALL_INGEST_MSG_MAX) {
			explicit_bzero(in->buf, HWALL_INGEST_MSG_MAX + 1);
			peer_fail(in, p, "record too large");
			return 0;
		}
		r = on_message(in, p, in->buf, (size_t)n);
		/* An event's flow holds a client address: keep no copy around. */
		explicit_bzero(in->buf, (size_t)n);
		if (r < 0)
			return -EIO;
	}
	return 0;
}

/* Wait up to @timeout_ms, accept, and read what arrived.  Returns 0, the
 * number of peers that had data (> 0), or -EIO when the store failed. */
static int read_round(struct ctl_ingest *in, int timeout_ms)
{
	struct pollfd pfd[CTL_INGEST_PEERS_MAX + 1];
	struct peer *who[CTL_INGEST_PEERS_MAX + 1];
	nfds_t n = 0;
	int r = 0, active = 0;

	pfd[n] = (struct pollfd){ .fd = in->listen_fd, .events = POLLIN };
	who[n++] = NULL;
	for (int i = 0; i < CTL_INGEST_PEERS_MAX; i++) {
		if (in->peers[i].fd < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = in->peers[i].fd, .events = POLLIN };
		who[n++] = &in->peers[i];
	}
	if (poll(pfd, n, timeout_ms) <= 0)
		return 0;
	if (pfd[0].revents & POLLIN)
		accept_peers(in);
	for (nfds_t i = 1; i < n && r == 0; i++) {
		if (pfd[i].revents && who[i]->fd == pfd[i].fd) {
			active++;
			r = read_peer(in, who[i]);
		}
	}
	return r < 0 ? r : active;
}

int ctl_ingest_run(struct ctl_ingest *in, int timeout_ms)
{
	uint64_t deadline;
	int r = read_round(in, timeout_ms);

	/* Group commit: while events keep coming, keep reading for up to
	 * linger_us before the commit, so that one fsync covers many. */
	deadline = hwall_mono_us() + in->cfg.linger_us;
	while (r > 0 && in->in_tx && in->batch_n < in->cfg.batch_max && hwall_mono_us() < deadline)
		r = read_round(in, 1);
	if (r < 0)
		abort_batch(in);
	return flush(in) < 0 || r < 0 ? -EIO : 0;
}

cJSON *ctl_ingest_status(struct ctl_ingest *in)
{
	cJSON *arr = cJSON_CreateArray();

	pthread_mutex_lock(&in->status_lock);
	for (unsigned int i = 0; arr && i < in->n_dps; i++) {
		const struct ingest_peer *d = &in->dps[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "dataplane", d->id);
		cJSON_AddStringToObject(o, "epoch", d->epoch);
		cJSON_AddBoolToObject(o, "connected", d->connected);
		cJSON_AddNumberToObject(o, "acked", (double)d->acked);
		cJSON_AddItemToObject(o, "counters", d->counters ? cJSON_Duplicate(d->counters, true)
								  : cJSON_CreateObject());
		cJSON_AddItemToObject(o, "sets", d->sets ? cJSON_Duplicate(d->sets, true)
							 : cJSON_CreateArray());
		cJSON_AddItemToArray(arr, o);
	}
	pthread_mutex_unlock(&in->status_lock);
	return arr;
}
