/* The secure channel (see session.h). */
#include "session.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "noise.h"

#define PROLOGUE	"evalmesh/1"
#define BIND_TAG	"evalmesh/noise-static/v1"
#define ID_PAYLOAD	(32 + 64)
#define MSG1_LEN	(32 + NOISE_TAGLEN)				/* e, {} */
#define MSG2_LEN	(32 + 32 + NOISE_TAGLEN + NOISE_TAGLEN)	/* e, {s}, {} */
#define MSG3_LEN	(32 + NOISE_TAGLEN + ID_PAYLOAD + NOISE_TAGLEN)	/* {s}, {id} */
#define ID_FRAME_LEN	(ID_PAYLOAD + NOISE_TAGLEN)

enum phase { HANDSHAKE, AWAIT_ID, READY };

struct session {
	noise_hs	 hs;
	noise_cs	 tx, rx;
	uint32_t	 rekey, tx_frames, rx_frames;
	enum phase	 phase;
	int		 initiator;
	uint8_t		 me[32], peer[32], expect[32];
	uint8_t		 rs[32];		/* the peer's X25519 static key */
	int		 has_expect;
	uint8_t		 bind_sig[64];		/* our payload's signature */
	size_t		 msg_max;
	uint8_t		 in[2 + SESSION_FRAME_MAX];	/* one frame being received */
	size_t		 in_len;
	uint8_t		*plain;			/* decrypted stream, one message at most */
	size_t		 plain_len, plain_cap, plain_off;
	uint8_t		*out;			/* bytes for the peer */
	size_t		 out_len, out_cap;
};

static em_err
out_reserve(session *s, size_t n)
{
	uint8_t *nb;
	size_t cap;

	if (s->out_len + n <= s->out_cap)
		return EM_OK;
	for (cap = s->out_cap ? s->out_cap : 4096; cap < s->out_len + n; cap *= 2)
		;
	if ((nb = realloc(s->out, cap)) == NULL)
		return EM_ENOMEM;
	s->out = nb;
	s->out_cap = cap;
	return EM_OK;
}

/* Appends a frame header for len bytes; the body follows at the end. */
static uint8_t *
frame_start(session *s, size_t len)
{
	uint8_t *p;

	if (out_reserve(s, 2 + len) != EM_OK)
		return NULL;
	p = s->out + s->out_len;
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
	s->out_len += 2 + len;
	return p + 2;
}

static void
payload(const session *s, uint8_t out[static ID_PAYLOAD])
{
	memcpy(out, s->me, 32);
	memcpy(out + 32, s->bind_sig, 64);
}

/* Checks a peer's identity payload against the static key the handshake
 * authenticated. */
static em_err
check_payload(session *s, const uint8_t p[static ID_PAYLOAD])
{
	uint8_t msg[sizeof BIND_TAG - 1 + 32];

	memcpy(msg, BIND_TAG, sizeof BIND_TAG - 1);
	memcpy(msg + sizeof BIND_TAG - 1, s->rs, 32);
	if (crypto_sign_verify_detached(p + 32, msg, sizeof msg, p) != 0)
		return EM_ESIG;
	if (sodium_memcmp(p, s->me, 32) == 0)
		return EM_EINVAL;	/* ourselves */
	if (s->has_expect && sodium_memcmp(p, s->expect, 32) != 0)
		return EM_EINVAL;
	memcpy(s->peer, p, 32);
	return EM_OK;
}

em_err
session_new(int initiator, const ident *me, const uint8_t netkey[static 32],
    const uint8_t *expect, size_t msg_max, session **out)
{
	uint8_t st[32], msg[sizeof BIND_TAG - 1 + 32];
	session *s;
	uint8_t *f;
	size_t n;
	em_err err;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return EM_ENOMEM;
	s->initiator = initiator;
	s->msg_max = msg_max;
	s->rekey = SESSION_REKEY;
	memcpy(s->me, ident_pk(me), 32);
	if ((s->has_expect = expect != NULL))
		memcpy(s->expect, expect, 32);
	/* A fresh static key, vouched for by the node identity. */
	noise_keygen(st);
	noise_hs_init(&s->hs, initiator, (const uint8_t *)PROLOGUE,
	    sizeof PROLOGUE - 1, st, netkey, NULL);
	memcpy(msg, BIND_TAG, sizeof BIND_TAG - 1);
	memcpy(msg + sizeof BIND_TAG - 1, s->hs.s_pub, 32);
	ident_sign(me, msg, sizeof msg, s->bind_sig);
	sodium_memzero(st, sizeof st);
	err = EM_OK;
	if (initiator) {		/* -> e */
		if ((f = frame_start(s, MSG1_LEN)) == NULL)
			err = EM_ENOMEM;
		else
			err = noise_write(&s->hs, NULL, 0, f, MSG1_LEN, &n);
	}
	if (err != EM_OK) {
		session_free(s);
		return err;
	}
	*out = s;
	return EM_OK;
}

void
session_free(session *s)
{
	if (s == NULL)
		return;
	free(s->plain);
	free(s->out);
	sodium_memzero(s, sizeof *s);
	free(s);
}

void
session_set_rekey(session *s, uint32_t n)
{
	s->rekey = n ? n : 1;
}

int
session_ready(const session *s)
{
	return s->phase == READY;
}

const uint8_t *
session_peer(const session *s)
{
	return s->phase == READY ? s->peer : NULL;
}

const uint8_t *
session_pending(const session *s, size_t *len)
{
	*len = s->out_len;
	return s->out;
}

void
session_written(session *s, size_t n)
{
	if (n > s->out_len)
		n = s->out_len;
	if (n > 0)
		memmove(s->out, s->out + n, s->out_len - n);
	s->out_len -= n;
}

/* Encrypts one transport frame of len plaintext bytes. */
static em_err
send_frame(session *s, const uint8_t *p, size_t len)
{
	uint8_t *f = frame_start(s, len + NOISE_TAGLEN);
	em_err err;

	if (f == NULL)
		return EM_ENOMEM;
	if ((err = noise_encrypt(&s->tx, NULL, 0, p, len, f)) != EM_OK)
		return err;
	if (++s->tx_frames % s->rekey == 0)
		noise_rekey(&s->tx);
	return EM_OK;
}

em_err
session_send(session *s, const uint8_t *msg, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
	    (uint8_t)(len >> 8), (uint8_t)len };
	size_t chunk = SESSION_FRAME_MAX - NOISE_TAGLEN, off = 0;
	uint8_t *buf;
	em_err err = EM_OK;

	if (s->phase != READY)
		return EM_EINVAL;
	if (len > s->msg_max)
		return EM_ETOOBIG;
	if ((buf = malloc(4 + len)) == NULL)
		return EM_ENOMEM;
	memcpy(buf, hdr, 4);
	if (len > 0)
		memcpy(buf + 4, msg, len);
	while (off < 4 + len && err == EM_OK) {
		size_t n = 4 + len - off < chunk ? 4 + len - off : chunk;

		err = send_frame(s, buf + off, n);
		off += n;
	}
	free(buf);
	return err;
}

/* 1 when a whole application message is buffered, 0 if not yet, or
 * EM_ETOOBIG when the next one announces more than the limit. */
static int
stream_state(const session *s)
{
	size_t have = s->plain_len - s->plain_off, len;
	const uint8_t *p;

	if (have < 4)
		return 0;
	p = s->plain + s->plain_off;
	len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	if (len > s->msg_max)
		return EM_ETOOBIG;
	return have - 4 >= len;
}

int
session_next(session *s, const uint8_t **msg, size_t *len)
{
	const uint8_t *p;

	if (s->phase != READY || stream_state(s) != 1)
		return 0;
	p = s->plain + s->plain_off;
	*len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	*msg = p + 4;
	s->plain_off += 4 + *len;
	return 1;
}

static em_err
decrypt_frame(session *s, const uint8_t *f, size_t n, uint8_t *out)
{
	em_err err = noise_decrypt(&s->rx, NULL, 0, f, n, out);

	if (err == EM_OK && ++s->rx_frames % s->rekey == 0)
		noise_rekey(&s->rx);
	return err;
}

/* Appends a transport frame's plaintext to the stream. */
static em_err
take_data(session *s, const uint8_t *f, size_t n)
{
	size_t need;

	/* drop what was delivered, then make room for one more frame */
	if (s->plain_off > 0)
		memmove(s->plain, s->plain + s->plain_off, s->plain_len - s->plain_off);
	s->plain_len -= s->plain_off;
	s->plain_off = 0;
	need = s->plain_len + n;
	if (need > s->plain_cap) {
		uint8_t *nb = realloc(s->plain, need);

		if (nb == NULL)
			return EM_ENOMEM;
		s->plain = nb;
		s->plain_cap = need;
	}
	if (decrypt_frame(s, f, n, s->plain + s->plain_len) != EM_OK)
		return EM_ECRYPTO;
	s->plain_len += n - NOISE_TAGLEN;
	return stream_state(s) < 0 ? EM_ETOOBIG : EM_OK;
}

/* The handshake is over: keep the transport keys and the peer's static
 * key, and wipe the rest. */
static void
split(session *s)
{
	noise_split(&s->hs, &s->tx, &s->rx);
	memcpy(s->rs, s->hs.rs, 32);
	noise_hs_wipe(&s->hs);
	s->hs.step = 3;
}

/* Handshake messages, in the order XXpsk3 sends them. */
static em_err
take_handshake(session *s, const uint8_t *f, size_t n)
{
	uint8_t pl[ID_PAYLOAD + NOISE_TAGLEN], *o;
	size_t plen, olen;
	em_err err;

	if (noise_read(&s->hs, f, n, pl, sizeof pl, &plen) != EM_OK)
		return EM_ECRYPTO;
	if (!s->initiator && s->hs.step == 1) {		/* <- e, ee, s, es */
		if ((o = frame_start(s, MSG2_LEN)) == NULL)
			return EM_ENOMEM;
		return noise_write(&s->hs, NULL, 0, o, MSG2_LEN, &olen);
	}
	if (s->initiator) {				/* -> s, se, psk, {id} */
		payload(s, pl);
		if ((o = frame_start(s, MSG3_LEN)) == NULL)
			return EM_ENOMEM;
		if ((err = noise_write(&s->hs, pl, ID_PAYLOAD, o, MSG3_LEN, &olen)) != EM_OK)
			return err;
		split(s);
		s->phase = AWAIT_ID;
		return EM_OK;
	}
	if (plen != ID_PAYLOAD)				/* msg 3 read */
		return EM_EFORMAT;
	split(s);
	if ((err = check_payload(s, pl)) != EM_OK)
		return err;
	s->phase = READY;
	payload(s, pl);
	return send_frame(s, pl, ID_PAYLOAD);		/* our id, now under the PSK */
}

static em_err
take_frame(session *s, const uint8_t *f, size_t n)
{
	uint8_t pl[ID_PAYLOAD];
	em_err err;

	switch (s->phase) {
	case HANDSHAKE:
		return take_handshake(s, f, n);
	case AWAIT_ID:
		if (decrypt_frame(s, f, n, pl) != EM_OK)
			return EM_ECRYPTO;	/* the responder lacks the network key */
		if ((err = check_payload(s, pl)) != EM_OK)
			return err;
		s->phase = READY;
		return EM_OK;
	default:
		return take_data(s, f, n);
	}
}

/* The exact size each frame must have; 0 for a data frame (any size). */
static size_t
expected(const session *s)
{
	if (s->phase == AWAIT_ID)
		return ID_FRAME_LEN;
	if (s->phase == READY)
		return 0;
	if (s->initiator)
		return MSG2_LEN;
	return s->hs.step == 0 ? MSG1_LEN : MSG3_LEN;
}

em_err
session_feed(session *s, const uint8_t *in, size_t len, size_t *used)
{
	em_err err;

	*used = 0;
	while (*used < len) {
		size_t flen, want, take;

		if (s->phase == READY && stream_state(s) == 1)
			break;		/* the caller drains messages first */
		want = s->in_len < 2 ? 2 : 2 + ((size_t)s->in[0] << 8 | s->in[1]);
		take = want - s->in_len < len - *used ? want - s->in_len : len - *used;
		memcpy(s->in + s->in_len, in + *used, take);
		s->in_len += take;
		*used += take;
		if (s->in_len < 2)
			continue;
		flen = (size_t)s->in[0] << 8 | s->in[1];
		/* cheap checks first: the size, before any cryptography */
		if (expected(s) ? flen != expected(s) : flen <= NOISE_TAGLEN)
			return EM_EFORMAT;
		if (s->in_len < 2 + flen)
			continue;
		s->in_len = 0;
		if ((err = take_frame(s, s->in + 2, flen)) != EM_OK)
			return err;
	}
	return EM_OK;
}
