/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbh_impl.c - which implementation a context of the mbhash module runs:
 * names, what this CPU supports, $HASHWALL_MBH_IMPL, the kernels of each
 * implementation and the measured single-stream thresholds (mbh.h,
 * mbh_int.h).
 */
#include "dataplane/mbhash/mbh.h"
#include "dataplane/mbhash/mbh_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Streams at or below which the single-stream path beats a kernel's
 * mostly empty lanes, per implementation and algorithm.  Measured with
 * tests/bench/dataplane/bench_mbhash.c (the "crossover" lines) on the
 * machine of docs/mbhash.md; a value of at least the kernel's lane count
 * means the kernel never wins and is not used.
 */
static const int single_default[MBH_IMPL_COUNT][MBH_ALGO_COUNT] = {
	[MBH_IMPL_AVX2] = { [MBH_MD5] = 2, [MBH_SHA1] = 4 },
	[MBH_IMPL_AVX512] = { [MBH_MD5] = 1, [MBH_SHA1] = 4 },
};

static const char *const impl_names[MBH_IMPL_COUNT] = {
	[MBH_IMPL_AUTO] = "auto",
	[MBH_IMPL_SCALAR] = "scalar",
	[MBH_IMPL_AVX2] = "avx2",
	[MBH_IMPL_AVX512] = "avx512",
};

const char *mbh_impl_name(enum mbh_impl impl)
{
	return (unsigned int)impl < MBH_IMPL_COUNT ? impl_names[impl] : "?";
}

int mbh_impl_parse(const char *name)
{
	for (int i = 0; i < MBH_IMPL_COUNT; i++)
		if (strcmp(name, impl_names[i]) == 0)
			return i;
	return -EINVAL;
}

bool mbh_impl_supported(enum mbh_impl impl)
{
	switch (impl) {
	case MBH_IMPL_SCALAR:
		return true;
#ifdef MBH_HAVE_AVX2
	case MBH_IMPL_AVX2:
		return __builtin_cpu_supports("avx2");
#endif
#ifdef MBH_HAVE_AVX512
	case MBH_IMPL_AVX512:
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl");
#endif
	default:
		return false;
	}
}

int mbh_impl_resolve(enum mbh_impl want, enum mbh_impl *ret_impl)
{
	const char *env;
	int r;

	if (want == MBH_IMPL_AUTO && (env = getenv(MBH_IMPL_ENV)) && *env) {
		if ((r = mbh_impl_parse(env)) < 0)
			return r;
		want = (enum mbh_impl)r;
	}
	if (want == MBH_IMPL_AUTO) {
		want = mbh_impl_supported(MBH_IMPL_AVX512) ? MBH_IMPL_AVX512 :
		       mbh_impl_supported(MBH_IMPL_AVX2)   ? MBH_IMPL_AVX2 :
							     MBH_IMPL_SCALAR;
	}
	if ((unsigned int)want >= MBH_IMPL_COUNT)
		return -EINVAL;
	if (!mbh_impl_supported(want))
		return -ENOTSUP;
	*ret_impl = want;
	return 0;
}

const struct mbh_kernel *mbh_impl_kernel(enum mbh_impl impl, enum mbh_algo algo)
{
	switch (impl) {
#ifdef MBH_HAVE_AVX2
	case MBH_IMPL_AVX2:
		return algo == MBH_MD5 ? &mbh_md5_avx2 : &mbh_sha1_avx2;
#endif
#ifdef MBH_HAVE_AVX512
	case MBH_IMPL_AVX512:
		return algo == MBH_MD5 ? &mbh_md5_avx512 : &mbh_sha1_avx512;
#endif
	default:
		(void)algo;
		return NULL;
	}
}

int mbh_impl_single_default(enum mbh_impl impl, enum mbh_algo algo)
{
	return single_default[impl][algo];
}
