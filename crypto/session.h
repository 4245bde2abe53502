/* crypto/session.h — a secure channel over a byte stream.
 *
 * Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b with the network key as the PSK,
 * then encrypted frames. Pure: bytes in, bytes out; the caller moves them.
 *
 * Each side has a fresh X25519 static key per process, bound to its
 * Ed25519 node identity by the handshake payload (as libp2p's Noise does):
 *   payload = node_id(32) || Ed25519 signature by node_id over
 *             "evalmesh/noise-static/v1" || X25519 static public key (64)
 * The initiator sends it as the payload of message 3, the responder as its
 * first transport frame: both only after the PSK is mixed in, so a node
 * without the network key learns neither identity and gets no further
 * than message 3. The session is ready once the peer's payload verified.
 *
 * On the wire every Noise message is a frame: u16 big-endian length, then
 * the message. The handshake frames have exact sizes, checked before any
 * Diffie-Hellman. After the handshake the plaintext of the frames is a
 * stream of application messages, each u32 big-endian length then body;
 * a length above the session's message limit ends the session before any
 * byte of it is kept. Each direction rekeys (Noise REKEY) after every
 * SESSION_REKEY frames, at the same count on both ends.
 *
 * Errors end a session: the caller closes the connection. */
#ifndef EM_SESSION_H
#define EM_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ident.h"

#define SESSION_FRAME_MAX	65535
#define SESSION_REKEY		(1u << 20)

typedef struct session session;

/* A new session; *out is yours: session_free() (NULL on failure). me
 * signs the handshake payload here and is not kept; netkey (the PSK) and
 * expect (NULL: any peer) are copied. With expect the peer must prove that
 * node id, else session_feed fails with EM_EINVAL. msg_max bounds each
 * application message, both ways. The initiator's first message is
 * queued at once (session_pending). EM_ENOMEM. */
em_err	session_new(int initiator, const ident *me, const uint8_t netkey[static 32],
    const uint8_t *expect, size_t msg_max, session **out);
void	session_free(session *s);	/* wipes keys; NULL is fine */

/* For tests: rekey after every n frames (0 counts as 1) instead of
 * SESSION_REKEY. Both ends must use the same n. */
void	session_set_rekey(session *s, uint32_t n);

/* Consumes bytes received from the peer: up to len of in, stopping early
 * once a message is ready (fetch it with session_next, then feed the
 * rest). *used says how many were taken; in is not kept. Errors:
 * EM_ECRYPTO (authentication failed: wrong network key, tampering),
 * EM_ESIG (the identity payload does not verify), EM_EINVAL (not the
 * expected peer, or ourselves), EM_EFORMAT (a frame of the wrong size),
 * EM_ETOOBIG (a message above msg_max), EM_ENOMEM. After an error the
 * session is over: free it. */
em_err	session_feed(session *s, const uint8_t *in, size_t len, size_t *used);

/* The next complete application message: 1 with *msg (borrowed until the
 * next call into the session) and *len, or 0 if none is ready. */
int	session_next(session *s, const uint8_t **msg, size_t *len);

/* Queues msg[0..len) as one application message, framed and encrypted at
 * once (msg is not kept). EM_EINVAL before the handshake is done,
 * EM_ETOOBIG above msg_max, EM_ENOMEM; after an error, frames of the
 * message may be queued already: end the session. */
em_err	session_send(session *s, const uint8_t *msg, size_t len);

/* Bytes waiting to be written to the peer: *len of them at the returned
 * pointer (NULL when none has been queued yet; valid until the next call
 * into the session). Tell the session how many were taken with
 * session_written (more than *len counts as all). */
const uint8_t *session_pending(const session *s, size_t *len);
void	session_written(session *s, size_t n);

/* 1 once the handshake is complete and the peer's payload verified: the
 * peer's node id is then known. session_peer: those 32 bytes, borrowed
 * for as long as s lives, or NULL before. */
int	session_ready(const session *s);
const uint8_t *session_peer(const session *s);

#endif
