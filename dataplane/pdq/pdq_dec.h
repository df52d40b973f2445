/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_dec.h - the PDQ stage's handle on its decoder process: start it, send
 * it a body, wait for the hash within a deadline, and when it dies or
 * hangs, kill it, reap it, count it and start a new one for the next body.
 *
 * The process is hashwall-pdq-decode (pdq_decoder.c) run through
 * posix_spawn with an empty environment and one end of a socket pair as
 * its standard input; it closes everything else and sandboxes itself
 * (pdq_sandbox.h) before reading.  Its replies are checked as untrusted
 * input (pdq_proto.h).  Nothing here ever takes the dataplane down: a
 * decoder that crashes on every body costs one restart per body.
 * Single-threaded: the stage thread owns the handle.
 */
#ifndef HASHWALL_DATAPLANE_PDQ_DEC_H
#define HASHWALL_DATAPLANE_PDQ_DEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hashsync/pdq/pdq.h"

struct dp_pdq_dec {
	char *path;
	uint32_t timeout_ms, memory_mib;
	uint64_t max_bytes;
	pid_t pid; /* 0: not running */
	int fd;    /* our end of the socket pair; -1 when not running */
	uint64_t starts;      /* processes started */
	int last_status;      /* waitpid() status of the last one reaped */
};

/*
 * Set up @d to run the decoder at @path (copied) with @memory_mib of
 * address space, bodies up to @max_bytes, @timeout_ms per body.  Starts
 * nothing yet.  Returns 0 or -ENOMEM.
 */
int dp_pdq_dec_init(struct dp_pdq_dec *d, const char *path, uint32_t timeout_ms,
		    uint32_t memory_mib, uint64_t max_bytes);

/* Stop the process (end of input, then SIGKILL if it lingers) and free
 * @d; accepts a zeroed @d. */
void dp_pdq_dec_fini(struct dp_pdq_dec *d);

/*
 * Hash the @len bytes at @buf (at most max_bytes) in the decoder.
 * Returns 0 with *ret_res set; -EINVAL, -E2BIG, -ENOTSUP or -ENOMEM when
 * the decoder refused the image; -ECHILD when the decoder died or sent
 * something that is not a reply (it is killed); -ETIMEDOUT when it took
 * longer than the deadline (it is killed); -errno when it cannot be
 * started.  After -ECHILD or -ETIMEDOUT the next call starts a new one.
 */
int dp_pdq_dec_hash(struct dp_pdq_dec *d, const void *buf, size_t len,
		    struct pdq_result *ret_res);

/* The decoder beside the running executable: DIR(/proc/self/exe)/NAME,
 * into @out of @cap bytes.  Returns 0 or -errno. */
int dp_pdq_dec_default_path(char *out, size_t cap);

#define DP_PDQ_DECODER_NAME "hashwall-pdq-decode"

#endif
