#include "bundle.h"

#include <string.h>

#include "bytes.h"
#include "record.h"

#define MAGIC "EMBUNDL1"

void
bundle_header(uint8_t out[static BUNDLE_HDR_LEN], const uint8_t netid[static 32])
{
	memcpy(out, MAGIC, 8);
	memcpy(out + 8, netid, 32);
}

void
bundle_frame(uint8_t out[static BUNDLE_FRAME_LEN], uint32_t len)
{
	be_put(out, len, 4);
}

void
bundle_trailer(uint8_t out[static BUNDLE_TRAILER_LEN], uint64_t count)
{
	be_put(out, 0, 4);
	be_put(out + 4, count, 8);
}

em_err
bundle_open(bundle_reader *br, const uint8_t *buf, size_t len,
    const uint8_t **netid)
{
	memset(br, 0, sizeof *br);
	if (len < 8 || memcmp(buf, MAGIC, 8) != 0)
		return len < 8 && memcmp(buf, MAGIC, len) == 0 ? EM_ETRUNC : EM_EFORMAT;
	if (len < BUNDLE_HDR_LEN)
		return EM_ETRUNC;
	*netid = buf + 8;
	br->p = buf + BUNDLE_HDR_LEN;
	br->left = len - BUNDLE_HDR_LEN;
	br->offset = BUNDLE_HDR_LEN;
	br->total = len;
	return EM_OK;
}

em_err
bundle_next(bundle_reader *br, const uint8_t **rec, size_t *len)
{
	uint64_t n;

	*rec = NULL;
	*len = 0;
	br->offset = br->total - br->left;
	if (br->left < BUNDLE_FRAME_LEN)
		return EM_ETRUNC;
	n = be_get(br->p, 4);
	if (n == 0) {
		if (br->left < BUNDLE_TRAILER_LEN)
			return EM_ETRUNC;
		if (be_get(br->p + 4, 8) != br->seen)
			return EM_EFORMAT;
		if (br->left > BUNDLE_TRAILER_LEN)
			return EM_ETRAILING;
		br->p += BUNDLE_TRAILER_LEN;
		br->left = 0;
		return EM_OK;
	}
	if (n > REC_MAX)
		return EM_ETOOBIG;
	if (n > br->left - BUNDLE_FRAME_LEN)
		return EM_ETRUNC;
	*rec = br->p + BUNDLE_FRAME_LEN;
	*len = (size_t)n;
	br->p += BUNDLE_FRAME_LEN + n;
	br->left -= BUNDLE_FRAME_LEN + n;
	br->seen++;
	return EM_OK;
}
