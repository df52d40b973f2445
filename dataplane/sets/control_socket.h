/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control_socket.h - the local control socket: a unix stream socket served by one
 * control thread, speaking a line protocol (docs/dataplane.md):
 *
 *   load <set-id> <version> <path>  ->  ok loaded ... | err <reason>
 *   unload <set-id>                 ->  ok unloaded <set-id> | err <reason>
 *   allowlist <path>                ->  ok allowlist <n> entries | err <reason>
 *   status                          ->  one JSON line
 *
 * Changes go through dp_setpub (RCU publication); the thread is the only
 * writer besides start-up.  Clients are served one at a time; the socket
 * is created mode 0600.
 */
#ifndef HASHWALL_DATAPLANE_CONTROL_SOCKET_H
#define HASHWALL_DATAPLANE_CONTROL_SOCKET_H

#include <pthread.h>
#include <stddef.h>

#include "dataplane/sets/set_publish.h"

#define DP_CONTROL_LINE_MAX 4352 /* a path of PATH_MAX and the words around it */

struct dp_control {
	struct dp_setpub *live;
	char path[108];
	int listen_fd;
	int stop_fd[2]; /* a pipe: a byte written stops the thread */
	pthread_t thread;
	bool running;
};

/*
 * Answer one request line @line (without its newline) into @out (with a
 * newline).  Exposed for tests; the thread calls it.
 */
void dp_control_handle(struct dp_setpub *live, const char *line, char *out, size_t outlen);

/*
 * Create the socket at @path (a stale socket file is replaced; a path in
 * use by a live server, or another kind of file, is refused) and start the
 * thread.  Returns 0 or -errno with @err saying why.
 */
int dp_control_start(struct dp_control *c, struct dp_setpub *live, const char *path,
		     struct hwall_err *err);

/* Stop the thread, close and remove the socket; accepts a zeroed @c. */
void dp_control_stop(struct dp_control *c);

#endif
