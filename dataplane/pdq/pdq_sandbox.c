/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_sandbox.c - resource limits and the seccomp filter of the decoder
 * process (see pdq_sandbox.h).  The filter is classic BPF over struct
 * seccomp_data, as the kernel's Documentation/userspace-api/seccomp_filter.rst
 * describes; no library.
 */
#include "dataplane/pdq/pdq_sandbox.h"

#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef SANDBOX_ARCH

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LD_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch))
/* The low 32 bits of argument @n (little-endian on both architectures). */
#define LD_ARG(n) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[n]))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* Allow system call @nr: jump to the ALLOW at the end when it matches. */
#define ALLOW_NR(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET(SECCOMP_RET_ALLOW)

static struct sock_filter filter[] = {
	LD_ARCH,
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0),
	RET(SECCOMP_RET_KILL_PROCESS),
	LD_NR,
#ifdef __x86_64__
	/* x32 numbers are the x86_64 ones with bit 30 set: not ours. */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1),
	RET(SECCOMP_RET_KILL_PROCESS),
#endif
	ALLOW_NR(__NR_read),
	ALLOW_NR(__NR_write),
	ALLOW_NR(__NR_munmap),
	ALLOW_NR(__NR_mremap),
	ALLOW_NR(__NR_madvise),
	ALLOW_NR(__NR_brk),
	ALLOW_NR(__NR_futex),
	ALLOW_NR(__NR_getrandom), /* glibc seeds malloc's tcache with it */
	ALLOW_NR(__NR_rt_sigreturn),
	ALLOW_NR(__NR_sigaltstack), /* longjmp checks (__longjmp_chk, sanitizers) */
	ALLOW_NR(__NR_exit),
	ALLOW_NR(__NR_exit_group),
	/* mmap and mprotect, never executable. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 0, 4),
	LD_ARG(2),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
	RET(SECCOMP_RET_KILL_PROCESS),
	RET(SECCOMP_RET_ALLOW),
	RET(SECCOMP_RET_KILL_PROCESS),
};

static int limit(int resource, rlim_t v)
{
	struct rlimit rl = { v, v };

	return setrlimit(resource, &rl) < 0 ? -errno : 0;
}

int dp_pdq_sandbox_enter(uint64_t as_bytes)
{
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };
	int r;

	if ((r = limit(RLIMIT_CORE, 0)) < 0 || (r = limit(RLIMIT_NOFILE, 0)) < 0 ||
	    (r = limit(RLIMIT_FSIZE, 0)) < 0 || (r = limit(RLIMIT_NPROC, 0)) < 0)
		return r;
	if (DP_PDQ_SANDBOX_AS_CAP && as_bytes && (r = limit(RLIMIT_AS, (rlim_t)as_bytes)) < 0)
		return r;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -errno;
	return 0;
}

#else

int dp_pdq_sandbox_enter(uint64_t as_bytes)
{
	(void)as_bytes;
	return -ENOSYS;
}

#endif
