/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbh_lanes.c - the multi-buffer MD5 and SHA-1 kernels (see mbh_kernel.h).
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

#include "dataplane/mbhash/mbh_kernel.h"

#define MBH_CAT2(a, b) a##b
#define MBH_CAT(a, b) MBH_CAT2(a, b)

#if MBH_LANES_ISA == 512

#define LANES 16
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
	for (int i = 0; i < 16; i += 2) {
		t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
		t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
	}
	/* Groups of four lanes: u[4g + j] holds words j, j+4, j+8, j+12 (one
	 * per quarter) of lanes 4g..4g+3. */
	for (int g = 0; g < 4; g++) {
		VEC *a = &t[4 * g];

		u[4 * g + 0] = _mm512_unpacklo_epi64(a[0], a[2]);
		u[4 * g + 1] = _mm512_unpackhi_epi64(a[0], a[2]);
		u[4 * g + 2] = _mm512_unpacklo_epi64(a[1], a[3]);
		u[4 * g + 3] = _mm512_unpackhi_epi64(a[1], a[3]);
	}
	/* A 4x4 transpose of the quarters across the four groups. */
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

	for (int i = 0; i < 8; i += 2) {
		t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
		t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
	}
	for (int g = 0; g < 2; g++) {
		VEC *a = &t[4 * g];

		u[4 * g + 0] = _mm256_unpacklo_epi64(a[0], a[2]);
		u[4 * g + 1] = _mm256_unpackhi_epi64(a[0], a[2]);
		u[4 * g + 2] = _mm256_unpacklo_epi64(a[1], a[3]);
		u[4 * g + 3] = _mm256_unpackhi_epi64(a[1], a[3]);
	}
	for (int j = 0; j < 4; j++) {
		r[j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x20);
		r[j + 4] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x31);
	}
}

/* r[0..7] = lanes' words 0-7, r[8..15] = words 8-15. */
static inline __attribute__((always_inline)) void transpose(VEC r[16])
{
	VEC lo[8], hi[8];

	for (int i = 0; i < 8; i++) {
		lo[i] = r[2 * i];
		hi[i] = r[2 * i + 1];
	}
	transpose8(lo);
	transpose8(hi);
	for (int i = 0; i < 8; i++) {
		r[i] = lo[i];
		r[8 + i] = hi[i];
	}
}

#else
#error "MBH_LANES_ISA must be 512 or 256"
#endif

/* m[j] = word j of the block at ptr[i] + off, for every lane i. */
static inline __attribute__((always_inline)) void load_block(VEC m[16], const uint8_t *const *ptr, size_t off)
{
#if LANES == 16
	for (int i = 0; i < LANES; i++)
		m[i] = LOAD(ptr[i] + off);
#else
	/* Each lane's block is two rows of 8 words: m[2i] words 0-7, m[2i+1] 8-15. */
	for (int i = 0; i < LANES; i++) {
		m[2 * i] = LOAD(ptr[i] + off);
		m[2 * i + 1] = LOAD(ptr[i] + off + 32);
	}
#endif
	transpose(m);
}

/* The number of steps a call runs: the shortest lane's run. */
static inline __attribute__((always_inline)) size_t lanes_steps(const uint32_t *left)
{
	uint32_t n = left[0];

	for (int i = 1; i < LANES; i++)
		n = left[i] < n ? left[i] : n;
	return n;
}

static inline __attribute__((always_inline)) void lanes_advance(const uint8_t **ptr,
								uint32_t *left, size_t n)
{
	for (int i = 0; i < LANES; i++) {
		ptr[i] += n * MBH_BLOCK;
		left[i] -= (uint32_t)n;
	}
}

/* ---- MD5 (RFC 1321 section 3.4) ---- */

/* a = b + ((a + f(b, c, d) + x + k) <<< s) */
#define MD5_STEP(f, a, b, c, d, x, s, k)                                               \
	do {                                                                           \
		a = ADD(ADD(a, SET1(k)), x);                                           \
		a = ADD(a, FN_##f(b, c, d));                                           \
		a = ADD(ROL(a, s), b);                                                 \
	} while (0)

#define MD5_ROUNDS(a, b, c, d, m)                                                      \
	do {                                                                           \
		MD5_STEP(F, a, b, c, d, m[0], 7, 0xd76aa478);                      \
		MD5_STEP(F, d, a, b, c, m[1], 12, 0xe8c7b756);                     \
		MD5_STEP(F, c, d, a, b, m[2], 17, 0x242070db);                     \
		MD5_STEP(F, b, c, d, a, m[3], 22, 0xc1bdceee);                     \
		MD5_STEP(F, a, b, c, d, m[4], 7, 0xf57c0faf);                      \
		MD5_STEP(F, d, a, b, c, m[5], 12, 0x4787c62a);                     \
		MD5_STEP(F, c, d, a, b, m[6], 17, 0xa8304613);                     \
		MD5_STEP(F, b, c, d, a, m[7], 22, 0xfd469501);                     \
		MD5_STEP(F, a, b, c, d, m[8], 7, 0x698098d8);                      \
		MD5_STEP(F, d, a, b, c, m[9], 12, 0x8b44f7af);                     \
		MD5_STEP(F, c, d, a, b, m[10], 17, 0xffff5bb1);                    \
		MD5_STEP(F, b, c, d, a, m[11], 22, 0x895cd7be);                    \
		MD5_STEP(F, a, b, c, d, m[12], 7, 0x6b901122);                     \
		MD5_STEP(F, d, a, b, c, m[13], 12, 0xfd987193);                    \
		MD5_STEP(F, c, d, a, b, m[14], 17, 0xa679438e);                    \
		MD5_STEP(F, b, c, d, a, m[15], 22, 0x49b40821);                    \
		MD5_STEP(G, a, b, c, d, m[1], 5, 0xf61e2562);                       \
		MD5_STEP(G, d, a, b, c, m[6], 9, 0xc040b340);                       \
		MD5_STEP(G, c, d, a, b, m[11], 14, 0x265e5a51);                     \
		MD5_STEP(G, b, c, d, a, m[0], 20, 0xe9b6c7aa);                      \
		MD5_STEP(G, a, b, c, d, m[5], 5, 0xd62f105d);                       \
		MD5_STEP(G, d, a, b, c, m[10], 9, 0x02441453);                      \
		MD5_STEP(G, c, d, a, b, m[15], 14, 0xd8a1e681);                     \
		MD5_STEP(G, b, c, d, a, m[4], 20, 0xe7d3fbc8);                      \
		MD5_STEP(G, a, b, c, d, m[9], 5, 0x21e1cde6);                       \
		MD5_STEP(G, d, a, b, c, m[14], 9, 0xc33707d6);                      \
		MD5_STEP(G, c, d, a, b, m[3], 14, 0xf4d50d87);                      \
		MD5_STEP(G, b, c, d, a, m[8], 20, 0x455a14ed);                      \
		MD5_STEP(G, a, b, c, d, m[13], 5, 0xa9e3e905);                      \
		MD5_STEP(G, d, a, b, c, m[2], 9, 0xfcefa3f8);                       \
		MD5_STEP(G, c, d, a, b, m[7], 14, 0x676f02d9);                      \
		MD5_STEP(G, b, c, d, a, m[12], 20, 0x8d2a4c8a);                     \
		MD5_STEP(H, a, b, c, d, m[5], 4, 0xfffa3942);                    \
		MD5_STEP(H, d, a, b, c, m[8], 11, 0x8771f681);                   \
		MD5_STEP(H, c, d, a, b, m[11], 16, 0x6d9d6122);                  \
		MD5_STEP(H, b, c, d, a, m[14], 23, 0xfde5380c);                  \
		MD5_STEP(H, a, b, c, d, m[1], 4, 0xa4beea44);                    \
		MD5_STEP(H, d, a, b, c, m[4], 11, 0x4bdecfa9);                   \
		MD5_STEP(H, c, d, a, b, m[7], 16, 0xf6bb4b60);                   \
		MD5_STEP(H, b, c, d, a, m[10], 23, 0xbebfbc70);                  \
		MD5_STEP(H, a, b, c, d, m[13], 4, 0x289b7ec6);                   \
		MD5_STEP(H, d, a, b, c, m[0], 11, 0xeaa127fa);                   \
		MD5_STEP(H, c, d, a, b, m[3], 16, 0xd4ef3085);                   \
		MD5_STEP(H, b, c, d, a, m[6], 23, 0x04881d05);                   \
		MD5_STEP(H, a, b, c, d, m[9], 4, 0xd9d4d039);                    \
		MD5_STEP(H, d, a, b, c, m[12], 11, 0xe6db99e5);                  \
		MD5_STEP(H, c, d, a, b, m[15], 16, 0x1fa27cf8);                  \
		MD5_STEP(H, b, c, d, a, m[2], 23, 0xc4ac5665);                   \
		MD5_STEP(I, a, b, c, d, m[0], 6, 0xf4292244);                       \
		MD5_STEP(I, d, a, b, c, m[7], 10, 0x432aff97);                      \
		MD5_STEP(I, c, d, a, b, m[14], 15, 0xab9423a7);                     \
		MD5_STEP(I, b, c, d, a, m[5], 21, 0xfc93a039);                      \
		MD5_STEP(I, a, b, c, d, m[12], 6, 0x655b59c3);                      \
		MD5_STEP(I, d, a, b, c, m[3], 10, 0x8f0ccc92);                      \
		MD5_STEP(I, c, d, a, b, m[10], 15, 0xffeff47d);                     \
		MD5_STEP(I, b, c, d, a, m[1], 21, 0x85845dd1);                      \
		MD5_STEP(I, a, b, c, d, m[8], 6, 0x6fa87e4f);                       \
		MD5_STEP(I, d, a, b, c, m[15], 10, 0xfe2ce6e0);                     \
		MD5_STEP(I, c, d, a, b, m[6], 15, 0xa3014314);                      \
		MD5_STEP(I, b, c, d, a, m[13], 21, 0x4e0811a1);                     \
		MD5_STEP(I, a, b, c, d, m[4], 6, 0xf7537e82);                       \
		MD5_STEP(I, d, a, b, c, m[11], 10, 0xbd3af235);                     \
		MD5_STEP(I, c, d, a, b, m[2], 15, 0x2ad7d2bb);                      \
		MD5_STEP(I, b, c, d, a, m[9], 21, 0xeb86d391);                      \
	} while (0)

static size_t md5_lanes(uint32_t *st, const uint8_t **ptr, uint32_t *left)
{
	size_t nblocks = lanes_steps(left);
	VEC a = LOAD(st + 0 * LANES), b = LOAD(st + 1 * LANES);
	VEC c = LOAD(st + 2 * LANES), d = LOAD(st + 3 * LANES);

	for (size_t blk = 0; blk < nblocks; blk++) {
		VEC m[16];
		VEC a0 = a, b0 = b, c0 = c, d0 = d;

		load_block(m, ptr, blk * MBH_BLOCK);
		MD5_ROUNDS(a, b, c, d, m);
		a = ADD(a, a0);
		b = ADD(b, b0);
		c = ADD(c, c0);
		d = ADD(d, d0);
	}
	STORE(st + 0 * LANES, a);
	STORE(st + 1 * LANES, b);
	STORE(st + 2 * LANES, c);
	STORE(st + 3 * LANES, d);
	lanes_advance(ptr, left, nblocks);
	return nblocks;
}

#if LANES == 16
/* Word j of every lane straight from memory: two gathers of 8 lanes each,
 * the addresses as 64-bit offsets from lane 0's pointer. */
static size_t md5_lanes_gather(uint32_t *st, const uint8_t **ptr, uint32_t *left)
{
	size_t nblocks = lanes_steps(left);
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
		MD5_ROUNDS(a, b, c, d, m);
		a = ADD(a, a0);
		b = ADD(b, b0);
		c = ADD(c, c0);
		d = ADD(d, d0);
	}
	STORE(st + 0 * LANES, a);
	STORE(st + 1 * LANES, b);
	STORE(st + 2 * LANES, c);
	STORE(st + 3 * LANES, d);
	lanes_advance(ptr, left, nblocks);
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
	size_t nblocks = lanes_steps(left);
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
	lanes_advance(ptr, left, nblocks);
	return nblocks;
}

#define KERNEL(algo) MBH_CAT(MBH_CAT(mbh_, algo), MBH_CAT(_, VARIANT))
#define STR2(x) #x
#define STR(x) STR2(x)

const struct mbh_kernel KERNEL(md5) = {
	.name = "md5-" STR(VARIANT), .lanes = LANES, .blocks = md5_lanes
};
const struct mbh_kernel KERNEL(sha1) = {
	.name = "sha1-" STR(VARIANT), .lanes = LANES, .blocks = sha1_lanes
};
#if LANES == 16
const struct mbh_kernel mbh_md5_avx512_gather = {
	.name = "md5-avx512-gather", .lanes = LANES, .blocks = md5_lanes_gather
};
#endif
