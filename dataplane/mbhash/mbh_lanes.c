/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbh_lanes.c - the multi-buffer MD5 and SHA-1 kernels (see mbh_int.h).
 * meson compiles this file once per instruction set, with MBH_LANES_ISA
 * set and that set's target flags: 512 (-mavx512f -mavx512bw -mavx512vl,
 * 16 lanes) and 256 (-mavx2, 8 lanes); mbh.c runs a variant only where
 * the CPU has it.  One vector register holds one 32-bit word of all lanes.
 *
 * The rounds are written once over a few primitives.  With AVX-512 each
 * boolean function is one vpternlogd (immediate = the truth table of
 * f(x, y, z), bit x<<2 | y<<1 | z) and a rotate is one vprold; AVX2 has
 * neither and spends two or three instructions on each.
 *
 * Lane data: a block step loads the next 64 bytes of each lane and
 * transposes the words in registers (16x16: 64 shuffles; 8x8: 24).  The
 * AVX-512 md5 kernel also exists reading word j of all lanes with
 * vpgatherqd; the benchmark measures both (docs/mbhash.md).
 */
#include <immintrin.h>

#include "dataplane/mbhash/mbh_int.h"

#define MBH_CAT2(a, b) a##b
#define MBH_CAT(a, b) MBH_CAT2(a, b)

#if MBH_LANES_ISA == 512

#define LANES 16
#define REP(k) k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k
#define MD5_GROUPS 1
#define VARIANT avx512
#define VEC __m512i
#define LOAD(p) _mm512_loadu_si512((const void *)(p))
#define STORE(p, v) _mm512_storeu_si512((void *)(p), v)
#define SET1(k) _mm512_set1_epi32((int)(k))
#define ADD(a, b) _mm512_add_epi32(a, b)
#define XOR(a, b) _mm512_xor_si512(a, b)
#define ROL(x, n) _mm512_rol_epi32(x, n)
#define BSWAP(x) _mm512_shuffle_epi8(x, bswap_mask)
#define BSWAP_MASK() _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203)
/* Truth tables for vpternlogd(x, y, z). */
#define FN_F(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0xca)   /* x ? y : z */
#define FN_G(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0xe4)   /* z ? x : y */
#define FN_H(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0x96)   /* x ^ y ^ z */
#define FN_I(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0x39)   /* y ^ (x | ~z) */
#define FN_MAJ(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0xe8) /* majority */
#define XOR4(a, b, c, d) XOR(_mm512_ternarylogic_epi32(a, b, c, 0x96), d)

/* Rows r[i] = the 16 words of lane i -> r[j] = word j of lanes 0..15. */
static inline __attribute__((always_inline)) void transpose(VEC r[16])
{
	VEC t[16], u[16];

	/* Pairs of lanes, 32-bit interleave within each 128-bit quarter. */
#pragma GCC unroll 16
	for (int i = 0; i < 16; i += 2) {
		t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
		t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
	}
	/* Groups of four lanes: u[4g + j] holds words j, j+4, j+8, j+12 (one
	 * per quarter) of lanes 4g..4g+3. */
#pragma GCC unroll 4
	for (int g = 0; g < 4; g++) {
		VEC *a = &t[4 * g];

		u[4 * g + 0] = _mm512_unpacklo_epi64(a[0], a[2]);
		u[4 * g + 1] = _mm512_unpackhi_epi64(a[0], a[2]);
		u[4 * g + 2] = _mm512_unpacklo_epi64(a[1], a[3]);
		u[4 * g + 3] = _mm512_unpackhi_epi64(a[1], a[3]);
	}
	/* A 4x4 transpose of the quarters across the four groups. */
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++) {
		VEC v0 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x44);
		VEC v1 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xee);
		VEC v2 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x44);
		VEC v3 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xee);

		r[j] = _mm512_shuffle_i32x4(v0, v2, 0x88);
		r[j + 4] = _mm512_shuffle_i32x4(v0, v2, 0xdd);
		r[j + 8] = _mm512_shuffle_i32x4(v1, v3, 0x88);
		r[j + 12] = _mm512_shuffle_i32x4(v1, v3, 0xdd);
	}
}

#elif MBH_LANES_ISA == 256

#define LANES 8
#define REP(k) k, k, k, k, k, k, k, k
/* Without vpternlogd and vprold a step is a chain of 6 dependent
 * instructions: two groups of 8 lanes in one kernel keep the ports busy. */
#define MD5_GROUPS 2
#define VARIANT avx2
#define VEC __m256i
#define LOAD(p) _mm256_loadu_si256((const void *)(p))
#define STORE(p, v) _mm256_storeu_si256((void *)(p), v)
#define SET1(k) _mm256_set1_epi32((int)(k))
#define ADD(a, b) _mm256_add_epi32(a, b)
#define XOR(a, b) _mm256_xor_si256(a, b)
#define AND(a, b) _mm256_and_si256(a, b)
#define OR(a, b) _mm256_or_si256(a, b)
#define ROL(x, n) OR(_mm256_slli_epi32(x, n), _mm256_srli_epi32(x, 32 - (n)))
#define BSWAP(x) _mm256_shuffle_epi8(x, bswap_mask)
#define BSWAP_MASK()                                                                   \
	_mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, \
			 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12)
#define FN_F(x, y, z) XOR(z, AND(x, XOR(y, z)))
#define FN_G(x, y, z) XOR(y, AND(z, XOR(x, y)))
#define FN_H(x, y, z) XOR(XOR(x, y), z)
#define FN_I(x, y, z) XOR(y, OR(x, XOR(z, SET1(0xffffffff))))
/* b == c: c; else d, bit by bit */
#define FN_MAJ(x, y, z) XOR(y, AND(XOR(x, y), XOR(y, z)))
#define XOR4(a, b, c, d) XOR(XOR(a, b), XOR(c, d))

/* Rows r[i] = the 8 words of lane i -> r[j] = word j of lanes 0..7;
 * called for words 0-7 and 8-15 of a block. */
static inline __attribute__((always_inline)) void transpose8(VEC r[8])
{
	VEC t[8], u[8];

#pragma GCC unroll 8
	for (int i = 0; i < 8; i += 2) {
		t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
		t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
	}
#pragma GCC unroll 2
	for (int g = 0; g < 2; g++) {
		VEC *a = &t[4 * g];

		u[4 * g + 0] = _mm256_unpacklo_epi64(a[0], a[2]);
		u[4 * g + 1] = _mm256_unpackhi_epi64(a[0], a[2]);
		u[4 * g + 2] = _mm256_unpacklo_epi64(a[1], a[3]);
		u[4 * g + 3] = _mm256_unpackhi_epi64(a[1], a[3]);
	}
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++) {
		r[j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x20);
		r[j + 4] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x31);
	}
}

/* r[0..7] = lanes' words 0-7, r[8..15] = words 8-15. */
static inline __attribute__((always_inline)) void transpose(VEC r[16])
{
	VEC lo[8], hi[8];

#pragma GCC unroll 8
	for (int i = 0; i < 8; i++) {
		lo[i] = r[2 * i];
		hi[i] = r[2 * i + 1];
	}
	transpose8(lo);
	transpose8(hi);
#pragma GCC unroll 8
	for (int i = 0; i < 8; i++) {
		r[i] = lo[i];
		r[8 + i] = hi[i];
	}
}

#else
#error "MBH_LANES_ISA must be 512 or 256"
#endif

/* m[j] = word j of the block at ptr[i] + off, for every lane i. */
static inline __attribute__((always_inline)) void load_block(VEC m[16], const uint8_t *const *ptr,
							     size_t off)
{
#if LANES == 16
#pragma GCC unroll 16
	for (int i = 0; i < LANES; i++)
		m[i] = LOAD(ptr[i] + off);
#else
	/* Each lane's block is two rows of 8 words: m[2i] words 0-7, m[2i+1] 8-15. */
#pragma GCC unroll 8
	for (int i = 0; i < LANES; i++) {
		m[2 * i] = LOAD(ptr[i] + off);
		m[2 * i + 1] = LOAD(ptr[i] + off + 32);
	}
#endif
	transpose(m);
}

/* The number of steps a call runs: the shortest of @lanes runs. */
static inline __attribute__((always_inline)) size_t lanes_steps(const uint32_t *left,
								unsigned int lanes)
{
	uint32_t n = left[0];

	for (unsigned int i = 1; i < lanes; i++)
		n = left[i] < n ? left[i] : n;
	return n;
}

static inline __attribute__((always_inline)) void lanes_advance(const uint8_t **ptr, uint32_t *left,
								unsigned int lanes, size_t n)
{
	for (unsigned int i = 0; i < lanes; i++) {
		ptr[i] += n * MBH_BLOCK;
		left[i] -= (uint32_t)n;
	}
}

/* ---- MD5 (RFC 1321 section 3.4) ---- */

/* The sines of RFC 1321 section 3.4, each splatted over a vector: an
 * operand of vpaddd straight from L1 (as a broadcast of an immediate it
 * cost two more instructions on the vector ports per step). */
#define KV(k) { REP(k) }
static const uint32_t md5_kv[64][LANES] __attribute__((aligned(64))) = {
	KV(0xd76aa478), KV(0xe8c7b756), KV(0x242070db), KV(0xc1bdceee),
	KV(0xf57c0faf), KV(0x4787c62a), KV(0xa8304613), KV(0xfd469501),
	KV(0x698098d8), KV(0x8b44f7af), KV(0xffff5bb1), KV(0x895cd7be),
	KV(0x6b901122), KV(0xfd987193), KV(0xa679438e), KV(0x49b40821),
	KV(0xf61e2562), KV(0xc040b340), KV(0x265e5a51), KV(0xe9b6c7aa),
	KV(0xd62f105d), KV(0x02441453), KV(0xd8a1e681), KV(0xe7d3fbc8),
	KV(0x21e1cde6), KV(0xc33707d6), KV(0xf4d50d87), KV(0x455a14ed),
	KV(0xa9e3e905), KV(0xfcefa3f8), KV(0x676f02d9), KV(0x8d2a4c8a),
	KV(0xfffa3942), KV(0x8771f681), KV(0x6d9d6122), KV(0xfde5380c),
	KV(0xa4beea44), KV(0x4bdecfa9), KV(0xf6bb4b60), KV(0xbebfbc70),
	KV(0x289b7ec6), KV(0xeaa127fa), KV(0xd4ef3085), KV(0x04881d05),
	KV(0xd9d4d039), KV(0xe6db99e5), KV(0x1fa27cf8), KV(0xc4ac5665),
	KV(0xf4292244), KV(0x432aff97), KV(0xab9423a7), KV(0xfc93a039),
	KV(0x655b59c3), KV(0x8f0ccc92), KV(0xffeff47d), KV(0x85845dd1),
	KV(0x6fa87e4f), KV(0xfe2ce6e0), KV(0xa3014314), KV(0x4e0811a1),
	KV(0xf7537e82), KV(0xbd3af235), KV(0x2ad7d2bb), KV(0xeb86d391),
};

/* a = b + ((a + f(b, c, d) + x + K[t]) <<< s) */
#define MD5_STEP1(f, a, b, c, d, x, s, t)                                              \
	do {                                                                           \
		a = ADD(ADD(a, LOAD(md5_kv[t])), x);                                   \
		a = ADD(a, FN_##f(b, c, d));                                           \
		a = ADD(ROL(a, s), b);                                                 \
	} while (0)

#if MD5_GROUPS == 1
/* Word x of the message m[]. */
#define MD5_STEP(f, a, b, c, d, x, s, t) MD5_STEP1(f, a, b, c, d, m[x], s, t)
#else
/* The same step in two independent groups of lanes (a..d over m[], a2..d2
 * over n[]): the out-of-order core overlaps the two dependency chains. */
#define MD5_STEP(f, a, b, c, d, x, s, t)                                               \
	do {                                                                           \
		MD5_STEP1(f, a, b, c, d, m[x], s, t);                                  \
		MD5_STEP1(f, a##2, b##2, c##2, d##2, n[x], s, t);                      \
	} while (0)
#endif

#define MD5_ROUNDS(a, b, c, d)                                                      \
	do {                                                                           \
		MD5_STEP(F, a, b, c, d, 0, 7, 0);                      \
		MD5_STEP(F, d, a, b, c, 1, 12, 1);                     \
		MD5_STEP(F, c, d, a, b, 2, 17, 2);                     \
		MD5_STEP(F, b, c, d, a, 3, 22, 3);                     \
		MD5_STEP(F, a, b, c, d, 4, 7, 4);                      \
		MD5_STEP(F, d, a, b, c, 5, 12, 5);                     \
		MD5_STEP(F, c, d, a, b, 6, 17, 6);                     \
		MD5_STEP(F, b, c, d, a, 7, 22, 7);                     \
		MD5_STEP(F, a, b, c, d, 8, 7, 8);                      \
		MD5_STEP(F, d, a, b, c, 9, 12, 9);                     \
		MD5_STEP(F, c, d, a, b, 10, 17, 10);                    \
		MD5_STEP(F, b, c, d, a, 11, 22, 11);                    \
		MD5_STEP(F, a, b, c, d, 12, 7, 12);                     \
		MD5_STEP(F, d, a, b, c, 13, 12, 13);                    \
		MD5_STEP(F, c, d, a, b, 14, 17, 14);                    \
		MD5_STEP(F, b, c, d, a, 15, 22, 15);                    \
		MD5_STEP(G, a, b, c, d, 1, 5, 16);                       \
		MD5_STEP(G, d, a, b, c, 6, 9, 17);                       \
		MD5_STEP(G, c, d, a, b, 11, 14, 18);                     \
		MD5_STEP(G, b, c, d, a, 0, 20, 19);                      \
		MD5_STEP(G, a, b, c, d, 5, 5, 20);                       \
		MD5_STEP(G, d, a, b, c, 10, 9, 21);                      \
		MD5_STEP(G, c, d, a, b, 15, 14, 22);                     \
		MD5_STEP(G, b, c, d, a, 4, 20, 23);                      \
		MD5_STEP(G, a, b, c, d, 9, 5, 24);                       \
		MD5_STEP(G, d, a, b, c, 14, 9, 25);                      \
		MD5_STEP(G, c, d, a, b, 3, 14, 26);                      \
		MD5_STEP(G, b, c, d, a, 8, 20, 27);                      \
		MD5_STEP(G, a, b, c, d, 13, 5, 28);                      \
		MD5_STEP(G, d, a, b, c, 2, 9, 29);                       \
		MD5_STEP(G, c, d, a, b, 7, 14, 30);                      \
		MD5_STEP(G, b, c, d, a, 12, 20, 31);                     \
		MD5_STEP(H, a, b, c, d, 5, 4, 32);                    \
		MD5_STEP(H, d, a, b, c, 8, 11, 33);                   \
		MD5_STEP(H, c, d, a, b, 11, 16, 34);                  \
		MD5_STEP(H, b, c, d, a, 14, 23, 35);                  \
		MD5_STEP(H, a, b, c, d, 1, 4, 36);                    \
		MD5_STEP(H, d, a, b, c, 4, 11, 37);                   \
		MD5_STEP(H, c, d, a, b, 7, 16, 38);                   \
		MD5_STEP(H, b, c, d, a, 10, 23, 39);                  \
		MD5_STEP(H, a, b, c, d, 13, 4, 40);                   \
		MD5_STEP(H, d, a, b, c, 0, 11, 41);                   \
		MD5_STEP(H, c, d, a, b, 3, 16, 42);                   \
		MD5_STEP(H, b, c, d, a, 6, 23, 43);                   \
		MD5_STEP(H, a, b, c, d, 9, 4, 44);                    \
		MD5_STEP(H, d, a, b, c, 12, 11, 45);                  \
		MD5_STEP(H, c, d, a, b, 15, 16, 46);                  \
		MD5_STEP(H, b, c, d, a, 2, 23, 47);                   \
		MD5_STEP(I, a, b, c, d, 0, 6, 48);                       \
		MD5_STEP(I, d, a, b, c, 7, 10, 49);                      \
		MD5_STEP(I, c, d, a, b, 14, 15, 50);                     \
		MD5_STEP(I, b, c, d, a, 5, 21, 51);                      \
		MD5_STEP(I, a, b, c, d, 12, 6, 52);                      \
		MD5_STEP(I, d, a, b, c, 3, 10, 53);                      \
		MD5_STEP(I, c, d, a, b, 10, 15, 54);                     \
		MD5_STEP(I, b, c, d, a, 1, 21, 55);                      \
		MD5_STEP(I, a, b, c, d, 8, 6, 56);                       \
		MD5_STEP(I, d, a, b, c, 15, 10, 57);                     \
		MD5_STEP(I, c, d, a, b, 6, 15, 58);                      \
		MD5_STEP(I, b, c, d, a, 13, 21, 59);                     \
		MD5_STEP(I, a, b, c, d, 4, 6, 60);                       \
		MD5_STEP(I, d, a, b, c, 11, 10, 61);                     \
		MD5_STEP(I, c, d, a, b, 2, 15, 62);                      \
		MD5_STEP(I, b, c, d, a, 9, 21, 63);                      \
	} while (0)

#define MD5_LANES (LANES * MD5_GROUPS)

static size_t md5_lanes(uint32_t *st, const uint8_t **ptr, uint32_t *left)
{
	size_t nblocks = lanes_steps(left, MD5_LANES);
	VEC a = LOAD(st + 0 * MD5_LANES), b = LOAD(st + 1 * MD5_LANES);
	VEC c = LOAD(st + 2 * MD5_LANES), d = LOAD(st + 3 * MD5_LANES);
#if MD5_GROUPS == 2
	VEC a2 = LOAD(st + 0 * MD5_LANES + LANES), b2 = LOAD(st + 1 * MD5_LANES + LANES);
	VEC c2 = LOAD(st + 2 * MD5_LANES + LANES), d2 = LOAD(st + 3 * MD5_LANES + LANES);
#endif

	for (size_t blk = 0; blk < nblocks; blk++) {
		VEC m[16];
		VEC a0 = a, b0 = b, c0 = c, d0 = d;
#if MD5_GROUPS == 2
		VEC n[16];
		VEC a20 = a2, b20 = b2, c20 = c2, d20 = d2;

		load_block(n, ptr + LANES, blk * MBH_BLOCK);
#endif
		load_block(m, ptr, blk * MBH_BLOCK);
		MD5_ROUNDS(a, b, c, d);
		a = ADD(a, a0);
		b = ADD(b, b0);
		c = ADD(c, c0);
		d = ADD(d, d0);
#if MD5_GROUPS == 2
		a2 = ADD(a2, a20);
		b2 = ADD(b2, b20);
		c2 = ADD(c2, c20);
		d2 = ADD(d2, d20);
#endif
	}
	STORE(st + 0 * MD5_LANES, a);
	STORE(st + 1 * MD5_LANES, b);
	STORE(st + 2 * MD5_LANES, c);
	STORE(st + 3 * MD5_LANES, d);
#if MD5_GROUPS == 2
	STORE(st + 0 * MD5_LANES + LANES, a2);
	STORE(st + 1 * MD5_LANES + LANES, b2);
	STORE(st + 2 * MD5_LANES + LANES, c2);
	STORE(st + 3 * MD5_LANES + LANES, d2);
#endif
	lanes_advance(ptr, left, MD5_LANES, nblocks);
	return nblocks;
}

#if LANES == 16
/* Word j of every lane straight from memory: two gathers of 8 lanes each,
 * the addresses as 64-bit offsets from lane 0's pointer. */
static size_t md5_lanes_gather(uint32_t *st, const uint8_t **ptr, uint32_t *left)
{
	size_t nblocks = lanes_steps(left, LANES);
	VEC a = LOAD(st + 0 * LANES), b = LOAD(st + 1 * LANES);
	VEC c = LOAD(st + 2 * LANES), d = LOAD(st + 3 * LANES);
	const uint8_t *base = ptr[0];
	long long off[LANES];
	VEC lo, hi;

	for (int i = 0; i < LANES; i++)
		off[i] = (long long)(ptr[i] - base);
	lo = LOAD(&off[0]);
	hi = LOAD(&off[8]);
	for (size_t blk = 0; blk < nblocks; blk++) {
		VEC m[16];
		VEC a0 = a, b0 = b, c0 = c, d0 = d;
		const uint8_t *p = base + blk * MBH_BLOCK;

		for (int j = 0; j < 16; j++) {
			__m256i l = _mm512_i64gather_epi32(lo, (const void *)(p + 4 * j), 1);
			__m256i h = _mm512_i64gather_epi32(hi, (const void *)(p + 4 * j), 1);

			m[j] = _mm512_inserti64x4(_mm512_castsi256_si512(l), h, 1);
		}
		MD5_ROUNDS(a, b, c, d);
		a = ADD(a, a0);
		b = ADD(b, b0);
		c = ADD(c, c0);
		d = ADD(d, d0);
	}
	STORE(st + 0 * LANES, a);
	STORE(st + 1 * LANES, b);
	STORE(st + 2 * LANES, c);
	STORE(st + 3 * LANES, d);
	lanes_advance(ptr, left, LANES, nblocks);
	return nblocks;
}
#endif

/* ---- SHA-1 (FIPS 180-4 section 6.1.2) ---- */

/* e += (a <<< 5) + f(b, c, d) + k + w; b <<<= 30.  The callers rotate
 * the names instead of moving registers. */
#define SHA1_ROUND(f, a, b, c, d, e, k, wt)                                            \
	do {                                                                           \
		e = ADD(e, ADD(wt, k));                                                \
		e = ADD(e, FN_##f(b, c, d));                                           \
		e = ADD(e, ROL(a, 5));                                                 \
		b = ROL(b, 30);                                                        \
	} while (0)

/* W[t] = (W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) <<< 1, in a ring of 16. */
#define W(t)                                                                           \
	(w[(t) & 15] = ROL(XOR4(w[((t) - 3) & 15], w[((t) - 8) & 15], w[((t) - 14) & 15], \
				w[(t) & 15]),                                          \
			   1))
#define WIN(t) (w[t])

/* Five rounds, after which the names are back where they started. */
#define SHA1_5(f, k, wf, t)                                                            \
	do {                                                                           \
		SHA1_ROUND(f, a, b, c, d, e, k, wf((t) + 0));                          \
		SHA1_ROUND(f, e, a, b, c, d, k, wf((t) + 1));                          \
		SHA1_ROUND(f, d, e, a, b, c, k, wf((t) + 2));                          \
		SHA1_ROUND(f, c, d, e, a, b, k, wf((t) + 3));                          \
		SHA1_ROUND(f, b, c, d, e, a, k, wf((t) + 4));                          \
	} while (0)

/* Twenty rounds with the schedule computed on the way. */
#define SHA1_20(f, k, t)                                                               \
	do {                                                                           \
		SHA1_5(f, k, W, (t) + 0);                                              \
		SHA1_5(f, k, W, (t) + 5);                                              \
		SHA1_5(f, k, W, (t) + 10);                                             \
		SHA1_5(f, k, W, (t) + 15);                                             \
	} while (0)

static size_t sha1_lanes(uint32_t *st, const uint8_t **ptr, uint32_t *left)
{
	size_t nblocks = lanes_steps(left, LANES);
	const VEC bswap_mask = BSWAP_MASK();
	VEC a = LOAD(st + 0 * LANES), b = LOAD(st + 1 * LANES);
	VEC c = LOAD(st + 2 * LANES), d = LOAD(st + 3 * LANES);
	VEC e = LOAD(st + 4 * LANES);

	for (size_t blk = 0; blk < nblocks; blk++) {
		VEC w[16];
		VEC a0 = a, b0 = b, c0 = c, d0 = d, e0 = e;
		VEC k;

		load_block(w, ptr, blk * MBH_BLOCK);
		for (int i = 0; i < 16; i++)
			w[i] = BSWAP(w[i]);
		k = SET1(0x5a827999);
		SHA1_5(F, k, WIN, 0);
		SHA1_5(F, k, WIN, 5);
		SHA1_5(F, k, WIN, 10);
		SHA1_ROUND(F, a, b, c, d, e, k, w[15]);
		SHA1_ROUND(F, e, a, b, c, d, k, W(16));
		SHA1_ROUND(F, d, e, a, b, c, k, W(17));
		SHA1_ROUND(F, c, d, e, a, b, k, W(18));
		SHA1_ROUND(F, b, c, d, e, a, k, W(19));
		k = SET1(0x6ed9eba1);
		SHA1_20(H, k, 20);
		k = SET1(0x8f1bbcdc);
		SHA1_20(MAJ, k, 40);
		k = SET1(0xca62c1d6);
		SHA1_20(H, k, 60);
		a = ADD(a, a0);
		b = ADD(b, b0);
		c = ADD(c, c0);
		d = ADD(d, d0);
		e = ADD(e, e0);
	}
	STORE(st + 0 * LANES, a);
	STORE(st + 1 * LANES, b);
	STORE(st + 2 * LANES, c);
	STORE(st + 3 * LANES, d);
	STORE(st + 4 * LANES, e);
	lanes_advance(ptr, left, LANES, nblocks);
	return nblocks;
}

#define KERNEL(algo) MBH_CAT(MBH_CAT(mbh_, algo), MBH_CAT(_, VARIANT))
#define STR2(x) #x
#define STR(x) STR2(x)

const struct mbh_kernel KERNEL(md5) = {
	.name = "md5-" STR(VARIANT), .lanes = MD5_LANES, .blocks = md5_lanes
};
const struct mbh_kernel KERNEL(sha1) = {
	.name = "sha1-" STR(VARIANT), .lanes = LANES, .blocks = sha1_lanes
};
#if LANES == 16
const struct mbh_kernel mbh_md5_avx512_gather = {
	.name = "md5-avx512-gather", .lanes = LANES, .blocks = md5_lanes_gather
};
#endif
