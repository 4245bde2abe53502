/* proto/record.h — the signed record envelope.
 *
 * A record is a MessagePack array of seven:
 *   [format_version, kind, author(32), seq, timestamp_ms, body(bin), signature(64)]
 * The signature is Ed25519 by author over
 *   "evalmesh/record/v1" || network_id(32) || the encoded bytes before the
 *   signature element (array header included),
 * so a record verifies only in the network it was signed for, and nothing is
 * ever re-encoded to be checked: stores keep and forward the exact bytes.
 * The record id is BLAKE2b-256 of the whole encoding, signature included.
 * seq starts at 1 and counts an author's records. */
#ifndef EM_RECORD_H
#define EM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "err.h"
#include "ident.h"

#define REC_VERSION	1
#define REC_MAX		(512 * 1024)		/* a whole record */
#define REC_BODY_MAX	(REC_MAX - 256)		/* room for the envelope */

typedef struct rec_env {
	uint8_t		 version;
	uint8_t		 kind;		/* enum rec_kind */
	uint8_t		 author[32];
	uint64_t	 seq;
	uint64_t	 ts;		/* ms since the epoch, as the author said */
	const uint8_t	*body;		/* borrowed from bytes */
	size_t		 body_len;
	const uint8_t	*sig;		/* borrowed from bytes, 64 bytes */
	const uint8_t	*bytes;		/* the whole signed encoding, borrowed */
	size_t		 len;
	size_t		 signed_len;	/* bytes[0..signed_len) are signed */
	uint8_t		 id[32];
} rec_env;

/* Where a decode failed: the field and the byte offset in the record. */
typedef struct rec_why {
	const char	*field;		/* a static string: "result.t_end" */
	size_t		 offset;
} rec_why;

/* Decodes the envelope of buf[0..len) and checks its body is well formed
 * for its kind; computes the id. Does not check the signature. env
 * borrows from buf (buf must outlive it); after a failure it is partly
 * filled and env->bytes is NULL. why (may be NULL) says where a failure
 * was. Errors: EM_ETOOBIG (len above REC_MAX, a field above its limit),
 * EM_ETRUNC, EM_EFORMAT, EM_ETRAILING, EM_EVERSION, EM_EKIND, EM_EUTF8,
 * EM_ERANGE (seq 0, a value outside its field's range). */
em_err rec_parse(const uint8_t *buf, size_t len, rec_env *env, rec_why *why);

/* Points env, which describes the bytes at env->bytes, at copy instead: an
 * exact copy of those env->len bytes, which env then borrows (for a
 * record lent for a call and kept: no second parse). */
void	rec_rebase(rec_env *env, const uint8_t *copy);

/* EM_OK if env's signature verifies in the network netid, else EM_ESIG;
 * EM_ENOMEM when a signed part above 4 KiB finds no memory for the
 * message it is checked as. */
em_err rec_verify(const rec_env *env, const uint8_t netid[static 32]);

/* rec_parse, then rec_verify: the whole check for bytes from outside.
 * Their errors; env and why as for rec_parse (why->field "signature" when
 * rec_verify failed). */
em_err rec_open(const uint8_t *buf, size_t len, const uint8_t netid[static 32],
    rec_env *env, rec_why *why);

/* The author of an encoded record, read from its fixed place without
 * parsing the rest (for records already known to be well formed, such as
 * duplicates). EM_EFORMAT if the envelope does not start as ours does. */
em_err rec_author(const uint8_t *buf, size_t len, uint8_t author[static 32]);

/* Builds and signs a record of kind with seq (from 1) and ts (ms since
 * the epoch) around body[0..body_len) (copied), then parses it as a peer
 * would. On success *out (yours, free()) holds the encoding, *len its
 * size, and env (may be NULL) describes it, borrowing from *out; on
 * failure *out is NULL. Errors: EM_ETOOBIG (a body above REC_BODY_MAX),
 * EM_ENOMEM, or rec_parse's error for what was built (EM_EKIND for an
 * unknown kind, EM_EFORMAT and the like for a body its kind refuses,
 * EM_ERANGE for seq 0). */
em_err rec_seal(const ident *signer, const uint8_t netid[static 32],
    uint8_t kind, uint64_t seq, uint64_t ts, const uint8_t *body,
    size_t body_len, uint8_t **out, size_t *len, rec_env *env);

/* Writes the exact message env's signature covers (tag, network id, signed
 * prefix) to out. Returns its length, or 0 (nothing written) if cap is
 * too small: it takes 50 + env->signed_len bytes. */
size_t rec_message(const rec_env *env, const uint8_t netid[static 32],
    uint8_t *out, size_t cap);

/* Decodes env's body into b, which borrows from env's bytes. Never fails
 * for an env rec_parse gave; else body_decode's errors. */
em_err rec_body(const rec_env *env, body_any *b);

/* A one-line description of err at why (NULL: none), e.g. "truncated
 * data in result.metrics[].value at byte 210", written to buf (cut to
 * cap bytes). Returns buf. */
const char *rec_strerror(em_err err, const rec_why *why, char *buf, size_t cap);

#endif
