/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_proto.c - checking the decoder's replies (see pdq_proto.h).
 */
#include "dataplane/pdq/pdq_proto.h"

#include <errno.h>
#include <string.h>

int dp_pdq_reply_parse(const void *buf, size_t len, struct pdq_result *ret_res)
{
	struct dp_pdq_reply r;

	if (len != sizeof(r))
		return -EPROTO;
	memcpy(&r, buf, sizeof(r));
	if (r.magic != DP_PDQ_REPLY_MAGIC)
		return -EPROTO;
	switch (r.status) {
	case 0:
		break;
	case -EINVAL:
	case -E2BIG:
	case -ENOTSUP:
	case -ENOMEM:
		return r.status;
	default:
		return -EPROTO;
	}
	if (r.quality > 100 || r.format == PDQ_FORMAT_UNKNOWN || r.format >= PDQ_FORMAT_COUNT)
		return -EPROTO;
	memset(ret_res, 0, sizeof(*ret_res));
	for (int d = 0; d < PDQ_DIHEDRAL_COUNT; d++)
		memcpy(ret_res->hash[d].b, r.hash[d], PDQ_HASH_BYTES);
	ret_res->quality = (int)r.quality;
	ret_res->format = (enum pdq_format)r.format;
	ret_res->width = r.width;
	ret_res->height = r.height;
	return 0;
}
