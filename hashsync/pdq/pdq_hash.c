/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_hash.c - luminance to PDQ hash: the algorithm itself.
 *
 * Follows Meta's reference (pdq/cpp/hashing/pdqhashing.cpp and
 * downscaling/downscaling.cpp, described in pdq/README.md and the hashing
 * document): Jarosz tent filter (a box filter along rows then down columns,
 * twice), decimation to 64x64 at pixel centres, the quality figure, the
 * 16x16 low-frequency block of the 64x64 DCT, median threshold, and the
 * dihedral transforms as sign changes and transposes of that block.
 *
 * Every value goes through the reference's own sequence of single
 * precision operations (and meson.build forbids contracting them into
 * fused multiply-adds), so that the same luminance gives the same bits.
 * What differs is only the order in which independent values are
 * computed: rows are streamed (struct pdq_stream in pdq_int.h), so a
 * 40-megapixel image needs a few hundred kilobytes, not two float copies.
 */
#include "pdq_int.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DS 64 /* downsampled side */
#define HS 16 /* hashed DCT block side */

/*
 * Rows 1..16 of the 64-point DCT-II matrix (row 0, the DC term, is not
 * hashed), and its transpose for the second pass.  The reference computes
 * sqrt(2/64) in double and keeps it as a float, multiplies that float by a
 * double cosine and rounds the product to float: so do we.
 */
static float dct_rows[HS][DS];
static float dct_cols[DS][HS];
static pthread_once_t dct_once = PTHREAD_ONCE_INIT;

static void dct_init(void)
{
	const double pi = 3.14159265358979323846;
	const float scale = (float)sqrt(2.0 / (double)DS);

	for (int i = 0; i < HS; i++)
		for (int j = 0; j < DS; j++) {
			double arg = (pi / 2.0 / (double)DS) * (double)(i + 1) * (double)(2 * j + 1);
			dct_rows[i][j] = (float)((double)scale * cos(arg));
			dct_cols[j][i] = dct_rows[i][j];
		}
}

/* Window of one box pass: half of the input pixels per output pixel,
 * rounded up (the reference's computeJaroszFilterWindowSize()). */
static int jarosz_window(int old_side)
{
	return (old_side + 2 * DS - 1) / (2 * DS);
}

/*
 * Four floats side by side, for GCC's and clang's vector extensions: each
 * lane is an ordinary IEEE single-precision operation, so the lanes
 * compute exactly what the scalar code would.  Loads and stores go through
 * memcpy (no alignment assumed).
 */
typedef float v4f __attribute__((vector_size(4 * sizeof(float))));

#define VLOAD(v, p) memcpy(&(v), (p), sizeof(v4f))
#define VSTORE(p, v) memcpy((p), &(v), sizeof(v4f))

/* One step of box_block() on both halves of a block row. */
#define BOX_ADD(sum, p)                                                      \
	do {                                                                 \
		v4f a_, b_;                                                  \
		VLOAD(a_, (p));                                              \
		VLOAD(b_, (p) + 4);                                          \
		sum[0] += a_;                                                \
		sum[1] += b_;                                                \
	} while (0)
#define BOX_SUB(sum, p)                                                      \
	do {                                                                 \
		v4f a_, b_;                                                  \
		VLOAD(a_, (p));                                              \
		VLOAD(b_, (p) + 4);                                          \
		sum[0] -= a_;                                                \
		sum[1] -= b_;                                                \
	} while (0)
#define BOX_OUT(p, sum, cur)                                                 \
	do {                                                                 \
		v4f a_ = sum[0] / (float)(cur), b_ = sum[1] / (float)(cur);  \
		VSTORE((p), a_);                                             \
		VSTORE((p) + 4, b_);                                         \
	} while (0)

/*
 * The reference's box1DFloat() along PDQ_BLOCK (8) rows at once, stored
 * interleaved (in[k * 8 + c] is pixel k of row c): a running float sum
 * that first fills half a window (phase 1), writes while it grows to the
 * full window (2), slides (3) and shrinks at the end (4), each output being
 * the sum divided by the current window size.
 */
static void box_block(const float *in, float *out, int n, int window)
{
	v4f sum[2] = { { 0 }, { 0 } };
	int half = (window + 2) / 2;
	int li = 0, ri = 0, oi = 0, cur = 0;

	for (; ri < half - 1; ri++, cur++)
		BOX_ADD(sum, in + ri * PDQ_BLOCK);
	for (; ri < window; ri++, oi++) {
		cur++;
		BOX_ADD(sum, in + ri * PDQ_BLOCK);
		BOX_OUT(out + oi * PDQ_BLOCK, sum, cur);
	}
	for (; ri < n; ri++, li++, oi++) {
		BOX_ADD(sum, in + ri * PDQ_BLOCK);
		BOX_SUB(sum, in + li * PDQ_BLOCK);
		BOX_OUT(out + oi * PDQ_BLOCK, sum, cur);
	}
	for (; oi < n; li++, oi++) {
		cur--;
		BOX_SUB(sum, in + li * PDQ_BLOCK);
		BOX_OUT(out + oi * PDQ_BLOCK, sum, cur);
	}
}

static void colbox_init(struct pdq_colbox *cb, int n, float *sum)
{
	cb->n = n;
	cb->window = jarosz_window(n);
	cb->half = (cb->window + 2) / 2;
	cb->pushed = 0;
	cb->cur = 0;
	cb->sum = sum;
}

/*
 * One step of a column filter over @width columns, four at a time: add
 * @add (if any), subtract @sub (if any), write sum / @cur to @out (if any).
 */
static void colbox_step(float *sum, const float *add, const float *sub, float *out,
			int cur, int width)
{
	int c = 0;

	for (; c + 4 <= width; c += 4) {
		v4f s, v;
		VLOAD(s, sum + c);
		if (add) {
			VLOAD(v, add + c);
			s += v;
		}
		if (sub) {
			VLOAD(v, sub + c);
			s -= v;
		}
		VSTORE(sum + c, s);
		if (out) {
			v = s / (float)cur;
			VSTORE(out + c, v);
		}
	}
	for (; c < width; c++) {
		if (add)
			sum[c] += add[c];
		if (sub)
			sum[c] -= sub[c];
		if (out)
			out[c] = sum[c] / (float)cur;
	}
}

/*
 * box_block()'s filter down @width columns, fed one row at a time: @add is
 * row number cb->pushed, @sub the row one window earlier (read only once
 * pushed >= window).  Returns true when @out received an output row.
 */
static bool colbox_push(struct pdq_colbox *cb, const float *add, const float *sub,
			float *out, int width)
{
	int ri = cb->pushed++;

	if (ri < cb->window)
		cb->cur++;
	colbox_step(cb->sum, add, ri < cb->window ? NULL : sub,
		    ri < cb->half - 1 ? NULL : out, cb->cur, width);
	return ri >= cb->half - 1;
}

/* Phase 4, after all n rows: half - 1 more outputs, the k-th subtracting
 * row n - window + k. */
static void colbox_drain(struct pdq_colbox *cb, const float *sub, float *out, int width)
{
	cb->cur--;
	colbox_step(cb->sum, NULL, sub, out, cb->cur, width);
}

/* Decimation at pixel centres: the input row or column that output @i
 * reads (the reference's decimateFloat(), in double). */
static int sample_index(int i, int n)
{
	return (int)(((i + 0.5) * n) / DS);
}

/*
 * Quality: the sum of quantised neighbour differences of the 64x64 image
 * (as percentages of full scale, truncated), scaled by 1/90 and capped at
 * 100: low for flat or blurred images whose hash is mostly noise.
 */
static int quality_metric(const float a[DS][DS])
{
	int sum = 0;

	for (int i = 0; i < DS - 1; i++)
		for (int j = 0; j < DS; j++) {
			int d = (int)(((a[i][j] - a[i + 1][j]) * 100) / 255);
			sum += abs(d);
		}
	for (int i = 0; i < DS; i++)
		for (int j = 0; j < DS - 1; j++) {
			int d = (int)(((a[i][j] - a[i][j + 1]) * 100) / 255);
			sum += abs(d);
		}
	return sum / 90 > 100 ? 100 : sum / 90;
}

/*
 * out = D a D^T restricted to frequencies 1..16 on both axes, each sum
 * accumulated over k = 0..63 in order as the reference does; the loops
 * run over the independent index innermost.
 */
static void dct_64_to_16(const float a[DS][DS], float out[HS][HS])
{
	float t[HS][DS];

	for (int i = 0; i < HS; i++) {
		for (int j = 0; j < DS; j++)
			t[i][j] = 0.0f;
		for (int k = 0; k < DS; k++)
			for (int j = 0; j < DS; j++)
				t[i][j] += dct_rows[i][k] * a[k][j];
	}
	for (int i = 0; i < HS; i++) {
		for (int j = 0; j < HS; j++)
			out[i][j] = 0.0f;
		for (int k = 0; k < DS; k++)
			for (int j = 0; j < HS; j++)
				out[i][j] += t[i][k] * dct_cols[k][j];
	}
	explicit_bzero(t, sizeof(t));
}

static void swap_f(float *a, float *b)
{
	float t = *a;
	*a = *b;
	*b = t;
}

/*
 * The 128th smallest of 256 values (the lower median, which the
 * reference's Torben search returns), by quickselect on a copy.  The
 * values are finite (checked by the caller), so comparisons are total.
 */
static float median_256(const float in[HS * HS])
{
	float v[HS * HS], m;
	int lo = 0, hi = HS * HS - 1, k = HS * HS / 2 - 1;

	memcpy(v, in, sizeof(v));
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, i = lo, j = hi;
		/* median of three as pivot: no quadratic case on sorted input */
		if (v[mid] < v[lo])
			swap_f(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap_f(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap_f(&v[hi], &v[mid]);
		float pivot = v[mid];
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
				swap_f(&v[i++], &v[j--]);
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	m = v[k];
	explicit_bzero(v, sizeof(v));
	return m;
}

/*
 * How each dihedral transform acts on the DCT block: an optional
 * transpose, and a sign change of the coefficients whose frequency is odd
 * along an axis that is mirrored (frequency = index + 1).  The signs are
 * decided on the source indices, as in the reference's dct16OriginalTo*().
 */
static const struct {
	bool transpose;
	bool odd_rows; /* negate when row frequency i + 1 is odd */
	bool odd_cols; /* negate when column frequency j + 1 is odd */
} dihedral_ops[PDQ_DIHEDRAL_COUNT] = {
	[PDQ_ORIGINAL] = { false, false, false },
	[PDQ_ROTATE_90] = { true, false, true },
	[PDQ_ROTATE_180] = { false, true, true },
	[PDQ_ROTATE_270] = { true, true, false },
	[PDQ_FLIP_X] = { false, true, false },
	[PDQ_FLIP_Y] = { false, false, true },
	[PDQ_FLIP_PLUS_1] = { true, false, false },
	[PDQ_FLIP_MINUS_1] = { true, true, true },
};

static void dihedral_apply(const float a[HS][HS], enum pdq_dihedral d, float out[HS][HS])
{
	for (int i = 0; i < HS; i++)
		for (int j = 0; j < HS; j++) {
			int flips = (dihedral_ops[d].odd_rows && !(i & 1)) +
				    (dihedral_ops[d].odd_cols && !(j & 1));
			float v = (flips & 1) ? -a[i][j] : a[i][j];
			if (dihedral_ops[d].transpose)
				out[j][i] = v;
			else
				out[i][j] = v;
		}
}

/* One bit per coefficient: set when above the median.  Bit k lives in
 * reference word k / 16 at bit k % 16; word 15 is printed first. */
static void bits_from_dct(const float dct[HS][HS], struct pdq_hash *ret)
{
	float med = median_256(&dct[0][0]);

	memset(ret, 0, sizeof(*ret));
	for (int i = 0; i < HS; i++)
		for (int j = 0; j < HS; j++)
			if (dct[i][j] > med)
				ret->b[(HS - 1 - i) * 2 + (j < 8)] |= (uint8_t)(1u << (j & 7));
}

/* Luminance is 0..255; anything within +-65536 keeps the quality sum
 * within an int, and NaN or infinity would make the median meaningless. */
static bool in_range(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] >= -65536.0f && v[i] <= 65536.0f))
			return false;
	return true;
}

/* From the 64x64 image to the hashes and the quality. */
static int hash_small(const float small[DS][DS], struct pdq_hash *ret_hashes,
		      int nhashes, int *ret_quality)
{
	float dct[HS][HS], tmp[HS][HS];
	int quality;

	if (!in_range(&small[0][0], DS * DS))
		return -EINVAL;
	pthread_once(&dct_once, dct_init);
	quality = quality_metric(small);
	dct_64_to_16(small, dct);
	bits_from_dct(dct, &ret_hashes[0]);
	for (int d = 1; d < nhashes && d < PDQ_DIHEDRAL_COUNT; d++) {
		dihedral_apply(dct, (enum pdq_dihedral)d, tmp);
		bits_from_dct(tmp, &ret_hashes[d]);
	}
	explicit_bzero(dct, sizeof(dct));
	explicit_bzero(tmp, sizeof(tmp));
	if (ret_quality)
		*ret_quality = quality;
	return 0;
}

/*
 * The stream: committed rows collect in @in; every PDQ_BLOCK rows the
 * first row filter writes them into @ring, the first column filter (c1)
 * reads them from there and writes its output rows into @mid; every
 * PDQ_BLOCK of those the second row filter runs and keeps its output at
 * the 64 sampled columns in @narrow.  The second column filter (c2) and
 * the row sampling run in pdq_stream_finish().  A 64x64 input skips the
 * filters, as in the reference (it takes such input as already
 * downsampled): its rows go straight into @narrow.
 */
static bool stream_direct(const struct pdq_stream *st)
{
	return st->rows == DS && st->cols == DS;
}

static bool stream_too_small(const struct pdq_stream *st)
{
	return st->rows < PDQ_MIN_SIDE || st->cols < PDQ_MIN_SIDE;
}

int pdq_stream_init(struct pdq_stream *st, int rows, int cols)
{
	size_t ring_rows, in_len, n;
	float *p;

	memset(st, 0, sizeof(*st));
	if (rows <= 0 || cols <= 0 || rows > (1 << 24) || cols > (1 << 24))
		return -EINVAL;
	st->rows = rows;
	st->cols = cols;
	st->win_rows = jarosz_window(cols);
	ring_rows = (size_t)jarosz_window(rows) + PDQ_BLOCK + 1;
	/* in, ring, mid, tin, tout: rows of @cols; c1 and c2 sums; narrow,
	 * narrow2 */
	in_len = (4 * PDQ_BLOCK + ring_rows + 1) * (size_t)cols;
	n = in_len + DS + 2 * (size_t)rows * DS;
	st->mem = pdq_buf_alloc(n * sizeof(float));
	if (!st->mem)
		return -ENOMEM;
	st->mem_len = n * sizeof(float);
	st->ring_rows = (int)ring_rows;
	p = st->mem;
	st->in = p, p += PDQ_BLOCK * (size_t)cols;
	st->ring = p, p += ring_rows * cols;
	st->mid = p, p += PDQ_BLOCK * (size_t)cols;
	st->tin = p, p += PDQ_BLOCK * (size_t)cols;
	st->tout = p, p += PDQ_BLOCK * (size_t)cols;
	colbox_init(&st->c1, rows, p), p += cols;
	colbox_init(&st->c2, rows, p), p += DS;
	st->narrow = p, p += (size_t)rows * DS;
	st->narrow2 = p;
	for (int j = 0; j < DS; j++)
		st->col_idx[j] = sample_index(j, cols);
	return 0;
}

float *pdq_stream_slot(struct pdq_stream *st)
{
	if (stream_direct(st))
		return st->narrow + (size_t)(st->next_row < DS ? st->next_row : DS - 1) * DS;
	return st->in + (size_t)st->in_rows * st->cols;
}

/* Transpose the 4x4 tile in @v (four rows of four) in place.
 * __builtin_shufflevector: clang, and GCC since 12 (Debian 12's). */
static void transpose4(v4f v[4])
{
	v4f t0 = __builtin_shufflevector(v[0], v[1], 0, 4, 1, 5);
	v4f t1 = __builtin_shufflevector(v[0], v[1], 2, 6, 3, 7);
	v4f t2 = __builtin_shufflevector(v[2], v[3], 0, 4, 1, 5);
	v4f t3 = __builtin_shufflevector(v[2], v[3], 2, 6, 3, 7);

	v[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
	v[1] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
	v[2] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
	v[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

/*
 * Rows to the interleaved layout of box_block() and back.  @rows[c] is row
 * c of the block (NULL past @count: zeros in, nothing out); @il holds
 * @cols groups of PDQ_BLOCK.  Four rows and four columns at a time.
 */
static void interleave(float *il, float *const *rows, int count, int cols)
{
	static const float zero[4];

	for (int c0 = 0; c0 < PDQ_BLOCK; c0 += 4) {
		int k = 0;
		for (; k + 4 <= cols; k += 4) {
			v4f v[4];
			for (int i = 0; i < 4; i++)
				VLOAD(v[i], c0 + i < count ? rows[c0 + i] + k : zero);
			transpose4(v);
			for (int j = 0; j < 4; j++)
				VSTORE(il + (size_t)(k + j) * PDQ_BLOCK + c0, v[j]);
		}
		for (; k < cols; k++)
			for (int i = 0; i < 4; i++)
				il[(size_t)k * PDQ_BLOCK + c0 + i] =
					c0 + i < count ? rows[c0 + i][k] : 0.0f;
	}
}

static void deinterleave(float *const *rows, const float *il, int count, int cols)
{
	for (int c0 = 0; c0 < count; c0 += 4) {
		int k = 0;
		for (; k + 4 <= cols; k += 4) {
			v4f v[4];
			for (int j = 0; j < 4; j++)
				VLOAD(v[j], il + (size_t)(k + j) * PDQ_BLOCK + c0);
			transpose4(v);
			for (int i = 0; i < 4 && c0 + i < count; i++)
				VSTORE(rows[c0 + i] + k, v[i]);
		}
		for (; k < cols; k++)
			for (int i = 0; i < 4 && c0 + i < count; i++)
				rows[c0 + i][k] = il[(size_t)k * PDQ_BLOCK + c0 + i];
	}
}

/* The row filter over @count rows (at most PDQ_BLOCK), @cols apart from
 * @first on: interleave into @st->tin, filter into @st->tout. */
static void filter_rows(struct pdq_stream *st, float *first, int count)
{
	float *rows[PDQ_BLOCK] = { NULL };

	for (int c = 0; c < count; c++)
		rows[c] = first + (size_t)c * st->cols;
	interleave(st->tin, rows, count, st->cols);
	box_block(st->tin, st->tout, st->cols, st->win_rows);
}

/* Second row filter over the rows in @mid; keep the sampled columns. */
static void flush_mid(struct pdq_stream *st)
{
	const float (*tout)[PDQ_BLOCK] = (const float (*)[PDQ_BLOCK])st->tout;

	filter_rows(st, st->mid, st->mid_rows);
	for (int k = 0; k < st->mid_rows; k++) {
		float *dst = st->narrow + (size_t)(st->mid_first + k) * DS;
		for (int j = 0; j < DS; j++)
			dst[j] = tout[st->col_idx[j]][k];
	}
	st->mid_first += st->mid_rows;
	st->mid_rows = 0;
}

static float *mid_slot(struct pdq_stream *st)
{
	if (st->mid_rows == PDQ_BLOCK)
		flush_mid(st);
	return st->mid + (size_t)st->mid_rows * st->cols;
}

static float *ring_row(struct pdq_stream *st, int r)
{
	return st->ring + (size_t)(r % st->ring_rows) * st->cols;
}

/* First row filter over the rows in @in into the ring, then each row
 * through c1. */
static void flush_in(struct pdq_stream *st)
{
	float *dst[PDQ_BLOCK] = { NULL };
	int first = st->next_row - st->in_rows;

	filter_rows(st, st->in, st->in_rows);
	for (int k = 0; k < st->in_rows; k++)
		dst[k] = ring_row(st, first + k);
	deinterleave(dst, st->tout, st->in_rows, st->cols);
	for (int k = 0; k < st->in_rows; k++) {
		int r = first + k;
		const float *sub = r >= st->c1.window ? ring_row(st, r - st->c1.window) : NULL;
		if (colbox_push(&st->c1, ring_row(st, r), sub, mid_slot(st), st->cols))
			st->mid_rows++;
	}
	st->in_rows = 0;
}

void pdq_stream_commit(struct pdq_stream *st)
{
	if (st->next_row >= st->rows)
		return;
	st->next_row++;
	if (stream_direct(st) || stream_too_small(st))
		return;
	if (++st->in_rows == PDQ_BLOCK)
		flush_in(st);
}

/* After the last row: drain c1, the second row and column filters, and
 * sample the rows into @small. */
static void stream_drain(struct pdq_stream *st, float small[DS][DS])
{
	struct pdq_colbox *c1 = &st->c1, *c2 = &st->c2;
	int oi = 0;

	flush_in(st);
	for (int k = 0; k < c1->half - 1; k++) {
		float *dst = mid_slot(st);
		colbox_drain(c1, ring_row(st, st->rows - c1->window + k), dst, st->cols);
		st->mid_rows++;
	}
	flush_mid(st);
	for (int r = 0; r < st->rows; r++) {
		const float *sub = r >= c2->window ? st->narrow + (size_t)(r - c2->window) * DS : NULL;
		if (colbox_push(c2, st->narrow + (size_t)r * DS, sub, st->narrow2 + (size_t)oi * DS, DS))
			oi++;
	}
	for (int k = 0; k < c2->half - 1; k++, oi++)
		colbox_drain(c2, st->narrow + (size_t)(st->rows - c2->window + k) * DS,
			     st->narrow2 + (size_t)oi * DS, DS);
	for (int i = 0; i < DS; i++)
		memcpy(small[i], st->narrow2 + (size_t)sample_index(i, st->rows) * DS,
		       sizeof(small[i]));
}

int pdq_stream_finish(struct pdq_stream *st, struct pdq_hash *ret_hashes, int nhashes,
		      int *ret_quality)
{
	float small[DS][DS];
	int r;

	if (st->next_row != st->rows || nhashes < 1)
		return -EINVAL;
	if (stream_too_small(st)) {
		memset(ret_hashes, 0, sizeof(*ret_hashes) * (size_t)nhashes);
		if (ret_quality)
			*ret_quality = 0;
		return 0;
	}
	if (stream_direct(st))
		memcpy(small, st->narrow, sizeof(small));
	else
		stream_drain(st, small);
	r = hash_small(small, ret_hashes, nhashes, ret_quality);
	explicit_bzero(small, sizeof(small));
	return r;
}

void pdq_stream_release(struct pdq_stream *st)
{
	pdq_buf_free(st->mem, st->mem_len);
	st->mem = NULL;
	st->mem_len = 0;
}

static int hash_luma(const float *luma, int width, int height,
		     struct pdq_hash *ret_hashes, int nhashes, int *ret_quality)
{
	struct pdq_hash hashes[PDQ_DIHEDRAL_COUNT];
	struct pdq_stream st;
	int quality, r;

	if (!luma || !ret_hashes)
		return -EINVAL;
	r = pdq_stream_init(&st, height, width);
	if (r < 0)
		return r;
	for (int y = 0; y < height; y++) {
		memcpy(pdq_stream_slot(&st), luma + (size_t)y * width, sizeof(float) * (size_t)width);
		pdq_stream_commit(&st);
	}
	r = pdq_stream_finish(&st, hashes, nhashes, &quality);
	pdq_stream_release(&st);
	if (r < 0)
		return r;
	memcpy(ret_hashes, hashes, sizeof(*hashes) * (size_t)nhashes);
	if (ret_quality)
		*ret_quality = quality;
	return 0;
}

int pdq_hash_luma(const float *luma, int width, int height,
		  struct pdq_hash *ret_hash, int *ret_quality)
{
	return hash_luma(luma, width, height, ret_hash, 1, ret_quality);
}

int pdq_hash_luma_dihedral(const float *luma, int width, int height,
			   struct pdq_hash ret_hashes[PDQ_DIHEDRAL_COUNT],
			   int *ret_quality)
{
	return hash_luma(luma, width, height, ret_hashes, PDQ_DIHEDRAL_COUNT, ret_quality);
}
