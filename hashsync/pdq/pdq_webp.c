/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_webp.c - WebP decoding with libwebp (Debian's libwebp7) from a memory
 * buffer into one RGB buffer of ours, then row by row into a sink.
 *
 * Still images, lossy or lossless; for an animation the first frame (its
 * own rectangle, found with libwebpdemux).  Alpha is dropped without
 * compositing, as for PNG.  The declared size (canvas and frame) is checked
 * before anything is allocated; libwebp refuses sides over 16383 itself.
 * libwebp's own working memory (for lossless images, a copy of the image)
 * is allocated by libwebp and not zeroed: see docs/pdq.md.
 */
#include "pdq_int.h"

#include <errno.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>

static int from_vp8(VP8StatusCode st)
{
	switch (st) {
	case VP8_STATUS_OK:
		return 0;
	case VP8_STATUS_OUT_OF_MEMORY:
		return -ENOMEM;
	case VP8_STATUS_UNSUPPORTED_FEATURE:
		return -ENOTSUP;
	default:
		return -EINVAL;
	}
}

/* Decode one frame's bitstream into our buffer, hand its rows over. */
static int decode_frame(const uint8_t *data, size_t len, const struct pdq_limits *lim,
			struct pdq_sink *sink)
{
	WebPDecoderConfig cfg;
	struct pdq_geom geom = { .channels = 3 };
	size_t stride, size;
	uint8_t *px;
	int r;

	if (!WebPInitDecoderConfig(&cfg))
		return -EINVAL;
	r = from_vp8(WebPGetFeatures(data, len, &cfg.input));
	if (r < 0)
		return r;
	r = pdq_check_size(lim, (uint64_t)cfg.input.width, (uint64_t)cfg.input.height, 3);
	if (r < 0)
		return r;
	geom.width = geom.src_width = (uint32_t)cfg.input.width;
	geom.height = geom.src_height = (uint32_t)cfg.input.height;
	stride = (size_t)geom.width * 3;
	size = stride * geom.height;
	px = pdq_buf_alloc(size);
	if (!px)
		return -ENOMEM;
	cfg.output.colorspace = MODE_RGB;
	cfg.output.is_external_memory = 1;
	cfg.output.u.RGBA.rgba = px;
	cfg.output.u.RGBA.stride = (int)stride;
	cfg.output.u.RGBA.size = size;
	r = from_vp8(WebPDecode(data, len, &cfg));
	if (r == 0)
		r = sink->begin(sink, &geom);
	for (uint32_t y = 0; r == 0 && y < geom.height; y++)
		sink->row(sink, y, px + y * stride);
	WebPFreeDecBuffer(&cfg.output);
	pdq_buf_free(px, size);
	return r;
}

/* An animation: the canvas must fit the limits, then its first frame. */
static int decode_first_frame(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
			      struct pdq_sink *sink)
{
	WebPData data = { buf, len };
	WebPIterator it;
	WebPDemuxer *dmx = WebPDemux(&data);
	int r;

	if (!dmx)
		return -EINVAL;
	r = pdq_check_size(lim, WebPDemuxGetI(dmx, WEBP_FF_CANVAS_WIDTH),
			   WebPDemuxGetI(dmx, WEBP_FF_CANVAS_HEIGHT), 3);
	if (r == 0 && !WebPDemuxGetFrame(dmx, 1, &it))
		r = -EINVAL;
	if (r == 0) {
		r = it.complete ? decode_frame(it.fragment.bytes, it.fragment.size, lim, sink)
				: -EINVAL;
		WebPDemuxReleaseIterator(&it);
	}
	WebPDemuxDelete(dmx);
	return r;
}

int pdq_decode_webp(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		    struct pdq_sink *sink)
{
	WebPBitstreamFeatures f;
	int r = from_vp8(WebPGetFeatures(buf, len, &f));

	if (r < 0)
		return r;
	if (f.has_animation)
		return decode_first_frame(buf, len, lim, sink);
	return decode_frame(buf, len, lim, sink);
}
