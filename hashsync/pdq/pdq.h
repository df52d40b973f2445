/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq.h - PDQ, Meta's perceptual image hash, and the decoding of untrusted
 * image bytes in front of it.
 *
 * PDQ as in Meta's reference (facebook/ThreatExchange, pdq/cpp/): luminance,
 * a Jarosz tent filter (two box passes per axis) down to 64x64, the 16x16
 * low-frequency block of a 64x64 DCT, one bit per coefficient above the
 * median; a quality figure from the gradients of the 64x64 image; and the
 * hashes of the seven other dihedral transforms (rotations, flips) computed
 * from the same DCT.  Fed the same luminance, pdq_hash_luma() gives the
 * reference's hash bit for bit.
 *
 * Who uses it: `hashwall-set pdq FILE` (an operator checks a hash by hand),
 * the dataplane's PDQ stage (a sandboxed process that hashes served image
 * bodies) and the re-check of new set entries.  docs/pdq.md has the
 * measured distances to the reference and the figures.
 *
 * Content never leaves this library: nothing is printed or written, and
 * every buffer that holds pixels or luminance is allocated by the library,
 * excluded from core dumps (MADV_DONTDUMP) and zeroed before it is freed.
 * The decoders' own internal state (libjpeg's coefficient arrays for
 * progressive JPEGs, libwebp's) is outside that reach: the process that
 * decodes must also disable core dumps (docs/pdq.md).
 *
 * Errors are negative errno values: -EINVAL corrupt or truncated image (or
 * a bad argument), -E2BIG an image whose declared size is over a limit (found
 * before any pixel memory is allocated), -ENOTSUP a format this library does
 * not decode, -ENOMEM.  All functions are thread-safe.
 */
#ifndef HASHWALL_HASHSYNC_PDQ_PDQ_H
#define HASHWALL_HASHSYNC_PDQ_PDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDQ_HASH_BITS 256
#define PDQ_HASH_BYTES 32
#define PDQ_HEX_LEN 64            /* hex digits, without the NUL */
#define PDQ_MATCH_DISTANCE 31     /* Meta's default: a match is <= 31 bits */
#define PDQ_QUALITY_FLOOR 49      /* Meta's default: quality <= 49 is discarded */
#define PDQ_REF_SIDE 512          /* the reference resizes larger images to 512x512 */
#define PDQ_MIN_SIDE 5            /* smaller images hash to zero with quality 0 */

/*
 * A PDQ hash, stored in the order of its hex form: b[0] holds the first two
 * hex digits.  The reference keeps sixteen 16-bit words and prints word 15
 * first; bit k (k = 16 * row + column of the DCT coefficient) is bit k % 16
 * of word k / 16.  pdq_hash_bit() reads bit k.
 */
struct pdq_hash {
	uint8_t b[PDQ_HASH_BYTES];
};

/* The eight dihedral transforms, in the reference's order. */
enum pdq_dihedral {
	PDQ_ORIGINAL,
	PDQ_ROTATE_90,    /* counter-clockwise */
	PDQ_ROTATE_180,
	PDQ_ROTATE_270,   /* counter-clockwise (90 clockwise) */
	PDQ_FLIP_X,       /* mirrored top to bottom */
	PDQ_FLIP_Y,       /* mirrored left to right */
	PDQ_FLIP_PLUS_1,  /* transposed (mirrored about the main diagonal) */
	PDQ_FLIP_MINUS_1, /* mirrored about the anti-diagonal */
	PDQ_DIHEDRAL_COUNT
};

/* Formats pdq_decode() knows, by their magic bytes. */
enum pdq_format {
	PDQ_FORMAT_UNKNOWN,
	PDQ_FORMAT_JPEG,
	PDQ_FORMAT_PNG,
	PDQ_FORMAT_WEBP,
	PDQ_FORMAT_GIF,
	PDQ_FORMAT_COUNT
};

/*
 * What a decode may cost.  Declared dimensions are checked against these
 * before anything is allocated; libjpeg's own memory manager gets
 * max_memory as its cap.  Zero in a field means its default
 * (PDQ_LIMITS_DEFAULT); pass NULL for all defaults.
 */
struct pdq_limits {
	uint32_t max_side;       /* width or height; default 16384 */
	uint64_t max_pixels;     /* width * height; default 40 M */
	uint64_t max_memory;     /* bytes of pixel and decoder buffers; default 256 MiB */
	uint32_t max_jpeg_scans; /* progressive JPEG scans; default 100 */
	uint32_t max_gif_records;/* GIF extension blocks before the first image; default 1024 */
};

#define PDQ_LIMITS_DEFAULT                                                   \
	{                                                                    \
		.max_side = 16384, .max_pixels = 40u * 1000 * 1000,          \
		.max_memory = 256u << 20, .max_jpeg_scans = 100,             \
		.max_gif_records = 1024,                                     \
	}

/*
 * Decoded pixels: 8 bits per sample, 1 (grey) or 3 (RGB) channels, rows
 * packed (stride = width * channels).  Alpha is dropped (the reference
 * hashes the colour values, as ImageMagick hands them over); palettes are
 * expanded; 16-bit samples keep their high byte; a GIF gives its first
 * image.  Release with pdq_image_release().
 */
struct pdq_image {
	uint8_t *pixels;
	uint32_t width;
	uint32_t height;
	unsigned int channels;
	enum pdq_format format;
	size_t alloc_len; /* owned by the library */
};

/*
 * How pdq_hash_image() decodes and hashes.  Zero-initialised: Meta's
 * full-resolution pipeline with a full decode and the default limits.
 */
struct pdq_options {
	struct pdq_limits limits;
	/*
	 * Resize images wider or taller than 512 px to 512x512 by nearest
	 * neighbour first, as the reference's pdq-photo-hasher does (CImg's
	 * default resize).  Without it images are hashed at full resolution,
	 * as Meta's Python binding (pdqhash, used by Hasher-Matcher-Actioner)
	 * and Java port do.  docs/pdq.md compares both with the published
	 * hashes.
	 */
	bool resize_512;
	/* JPEG: decode only the luma plane (Y; no chroma IDCT, upsampling or
	 * colour conversion). */
	bool jpeg_luma_only;
	/* JPEG: decode at the smallest DCT scale M/8 (M = 1..8) that keeps
	 * both sides at or above this many pixels; 0 for full scale. */
	uint32_t jpeg_min_side;
};

/*
 * The dataplane's choice: luma only, DCT scale kept at >= 360 px a side
 * (3/8 for a 1600x1000 photo).  About four times faster than a full
 * decode and a few bits from it; docs/pdq.md has the measurements that
 * chose 360.
 */
#define PDQ_OPTIONS_FAST { .jpeg_luma_only = true, .jpeg_min_side = 360 }

/* What pdq_hash_image() returns. */
struct pdq_result {
	struct pdq_hash hash[PDQ_DIHEDRAL_COUNT]; /* [PDQ_ORIGINAL] is the hash */
	int quality;                              /* 0..100 */
	enum pdq_format format;
	uint32_t width;  /* declared size of the image */
	uint32_t height;
};

/*
 * Hash @width x @height luminance values (row-major, 0..255) as the
 * reference's pdqHash256FromFloatLuma() does.  @ret_quality may be NULL.
 * Images under PDQ_MIN_SIDE on a side give the zero hash and quality 0, as
 * in the reference; a 64x64 input is taken as already downsampled, as in
 * the reference.  Returns 0, -EINVAL (bad size; values that are NaN,
 * infinite or far outside 0..255) or -ENOMEM.
 */
int pdq_hash_luma(const float *luma, int width, int height,
		  struct pdq_hash *ret_hash, int *ret_quality);

/*
 * As pdq_hash_luma(), and the hashes of the seven other dihedral transforms
 * from the same DCT: ret_hashes[PDQ_ROTATE_90] is the hash that the image
 * rotated by 90 degrees would have (up to the downsampling's rounding), so
 * comparing a list entry with all eight finds rotated and mirrored copies.
 */
int pdq_hash_luma_dihedral(const float *luma, int width, int height,
			   struct pdq_hash ret_hashes[PDQ_DIHEDRAL_COUNT],
			   int *ret_quality);

/* The format @buf's first bytes announce; PDQ_FORMAT_UNKNOWN if none. */
enum pdq_format pdq_sniff(const void *buf, size_t len);

/* "jpeg", "png", "webp", "gif" or "unknown". */
const char *pdq_format_name(enum pdq_format format);

/*
 * Decode the image in @len bytes at @buf (sniffed, never trusted from a
 * name) within @lim (NULL: defaults) into *ret_image, at full scale, with
 * the reference's pixels for JPEG (libjpeg defaults: islow IDCT, fancy
 * upsampling).  Errors: -ENOTSUP, -EINVAL, -E2BIG, -ENOMEM.
 */
int pdq_decode(const void *buf, size_t len, const struct pdq_limits *lim,
	       struct pdq_image *ret_image);

/* Zero and free @image's pixels; accepts NULL and released images. */
void pdq_image_release(struct pdq_image *image);

/*
 * Decode @buf and hash it as @opts says (NULL: all defaults): luminance as
 * the reference computes it, PDQ with all eight dihedral hashes and the
 * quality.  Rows stream from the decoder through the hash: no copy of the
 * whole image is made beyond what the decoder itself needs (interlaced PNG
 * and GIF, WebP).  Errors as pdq_decode().
 */
int pdq_hash_image(const void *buf, size_t len, const struct pdq_options *opts,
		   struct pdq_result *ret);

/* Hamming distance, 0..256. */
int pdq_distance(const struct pdq_hash *a, const struct pdq_hash *b);

/* Bit @k (0..255, k = 16 * row + column of the DCT coefficient). */
bool pdq_hash_bit(const struct pdq_hash *h, unsigned int k);

/* Write @h as 64 lowercase hex digits and a NUL into @out. */
void pdq_hash_format(const struct pdq_hash *h, char out[PDQ_HEX_LEN + 1]);

/* Parse exactly 64 hex digits (either case) at @hex, @len bytes long.
 * Returns 0 or -EINVAL. */
int pdq_hash_parse(const char *hex, size_t len, struct pdq_hash *ret_hash);

/*
 * Anonymous pages for image bytes and pixels: excluded from core dumps
 * (MADV_DONTDUMP), zero on arrival.  pdq_buf_free() zeroes the first @len
 * bytes (what the caller asked for) and unmaps; it accepts NULL.
 * pdq_buf_alloc() returns NULL with errno set.  The dataplane's copies of
 * image bodies and the decoder's input buffer live in these too.
 */
void *pdq_buf_alloc(size_t len);
void pdq_buf_free(void *buf, size_t len);

/* "original", "rotate-90", ... as the reference names them. */
const char *pdq_dihedral_name(enum pdq_dihedral d);

#endif
