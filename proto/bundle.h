/* proto/bundle.h — a bundle: signed records in a file, for air-gapped moves.
 *
 * Layout: "EMBUNDL1" | network id (32) | frames | 00000000 | count (u64 BE)
 * where each frame is a record's length (u32 BE, 1..REC_MAX) and its exact
 * signed bytes. The zero length and count close the bundle, so a truncated
 * file is told apart from a short one; nothing may follow the count.
 * Records are not trusted because they are in a bundle: each is opened
 * (rec_open) by whoever imports it. */
#ifndef EM_BUNDLE_H
#define EM_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define BUNDLE_HDR_LEN		40
#define BUNDLE_FRAME_LEN	4
#define BUNDLE_TRAILER_LEN	12

void bundle_header(uint8_t out[static BUNDLE_HDR_LEN], const uint8_t netid[static 32]);
void bundle_frame(uint8_t out[static BUNDLE_FRAME_LEN], uint32_t len);
void bundle_trailer(uint8_t out[static BUNDLE_TRAILER_LEN], uint64_t count);

typedef struct bundle_reader {
	const uint8_t	*p;
	size_t		 left;
	uint64_t	 seen;		/* frames returned so far */
	size_t		 offset;	/* of the current frame in the file */
	size_t		 total;
} bundle_reader;

/* Checks the magic; *netid borrows the network id from buf. EM_EFORMAT if
 * buf is not a bundle, EM_ETRUNC if shorter than a header. */
em_err bundle_open(bundle_reader *br, const uint8_t *buf, size_t len,
    const uint8_t **netid);

/* The next record frame: *rec borrows from the buffer. At the end, returns
 * EM_OK with *rec NULL after checking the trailer. EM_ETRUNC (file cut
 * short), EM_ETOOBIG (frame above REC_MAX), EM_EFORMAT (count disagrees),
 * EM_ETRAILING (bytes after the trailer). */
em_err bundle_next(bundle_reader *br, const uint8_t **rec, size_t *len);

#endif
