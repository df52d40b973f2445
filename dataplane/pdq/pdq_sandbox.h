/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_sandbox.h - what the decoder process gives up before it reads the
 * first untrusted byte (docs/pdq.md, "The decoder process").
 *
 * No core dumps (RLIMIT_CORE 0, PR_SET_DUMPABLE 0: nobody may ptrace or
 * read its memory either), an address-space cap (RLIMIT_AS), no files
 * (RLIMIT_NOFILE and RLIMIT_FSIZE 0), no new privileges, and a seccomp
 * filter that lets through only what decoding in memory needs: read and
 * write on the descriptors it already has, memory management without
 * PROT_EXEC, futex, exit.  Anything else (open, socket, execve, fork,
 * ptrace, an mmap or mprotect asking for executable memory, another
 * architecture's system call numbers) kills the process with SIGSYS.
 */
#ifndef HASHWALL_DATAPLANE_PDQ_SANDBOX_H
#define HASHWALL_DATAPLANE_PDQ_SANDBOX_H

#include <stdint.h>

/*
 * Enter the sandbox, for good, capping the address space at @as_bytes
 * (0: no cap).  Returns 0, or -errno (-ENOSYS on an architecture without
 * a filter here): the caller must then exit, never decode.
 */
int dp_pdq_sandbox_enter(uint64_t as_bytes);

#endif
