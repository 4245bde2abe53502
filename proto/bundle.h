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

/* The fixed parts, written to out: the header for network netid, a
 * record's frame (len, 1..REC_MAX), the trailer after count records. */
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

/* Starts reading the bundle in buf[0..len), which br and *netid (the
 * network id, 32 bytes) borrow: buf must outlive both. EM_EFORMAT if buf
 * does not start as a bundle, EM_ETRUNC if it is shorter than a header. */
em_err bundle_open(bundle_reader *br, const uint8_t *buf, size_t len,
    const uint8_t **netid);

/* The next record frame: *rec (borrowed from the buffer) and *len. At
 * the end, after checking the trailer, EM_OK with *rec NULL and *len 0;
 * not to be called again (it would say EM_ETRUNC). Errors: EM_ETRUNC (cut
 * short), EM_ETOOBIG (a frame above REC_MAX), EM_EFORMAT (the count
 * disagrees with the frames read), EM_ETRAILING (bytes after the
 * trailer). br->offset is the failing frame's place in the file. */
em_err bundle_next(bundle_reader *br, const uint8_t **rec, size_t *len);

#endif
