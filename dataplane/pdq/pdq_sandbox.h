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
 * PROT_EXEC, futex, getrandom, sigaltstack (longjmp's check), exit.  Anything else (open, socket, execve, fork,
 * ptrace, an mmap or mprotect asking for executable memory, another
 * architecture's system call numbers) kills the process with SIGSYS.
 */
#ifndef HASHWALL_DATAPLANE_PDQ_SANDBOX_H
#define HASHWALL_DATAPLANE_PDQ_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>

/* AddressSanitizer reserves terabytes of shadow address space before
 * main(): under it no RLIMIT_AS can be set that leaves the allocator room,
 * so sanitizer builds run the decoder without the address-space cap (the
 * filter and the other limits stay). */
#if defined(__SANITIZE_ADDRESS__)
#define DP_PDQ_SANDBOX_AS_CAP false
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_PDQ_SANDBOX_AS_CAP false
#endif
#endif
#ifndef DP_PDQ_SANDBOX_AS_CAP
#define DP_PDQ_SANDBOX_AS_CAP true
#endif

/*
 * Enter the sandbox, for good, capping the address space at @as_bytes
 * (0: no cap; none either when !DP_PDQ_SANDBOX_AS_CAP).  Returns 0, or -errno (-ENOSYS on an architecture without
 * a filter here): the caller must then exit, never decode.
 */
int dp_pdq_sandbox_enter(uint64_t as_bytes);

#endif
