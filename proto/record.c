#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mpr.h"
#include "pack.h"

#define TAG		"evalmesh/record/v1"
#define TAG_LEN		(sizeof TAG - 1)
#define SIG_LEN		IDENT_SIG_LEN
#define STACK_MSG	4096	/* signed messages up to this size avoid malloc */

static em_err
parse_env(mpr *r, rec_env *env)
{
	uint64_t v;
	em_err err;

	r->field = "envelope";
	if ((err = mpr_array_exact(r, 7)) != EM_OK)
		return err;
	r->field = "version";
	if ((err = mpr_uint(r, &v, UINT8_MAX)) != EM_OK)
		return err;
	if (v != REC_VERSION)
		return EM_EVERSION;
	env->version = (uint8_t)v;
	r->field = "kind";
	if ((err = mpr_uint(r, &v, UINT8_MAX)) != EM_OK)
		return err;
	if (body_kind_name((uint8_t)v) == NULL)
		return EM_EKIND;
	env->kind = (uint8_t)v;
	r->field = "author";
	if ((err = mpr_bin_fixed(r, env->author, 32)) != EM_OK)
		return err;
	r->field = "seq";
	if ((err = mpr_uint(r, &env->seq, UINT64_MAX)) != EM_OK)
		return err;
	if (env->seq == 0)
		return EM_ERANGE;
	r->field = "timestamp";
	if ((err = mpr_uint(r, &env->ts, UINT64_MAX)) != EM_OK)
		return err;
	r->field = "body";
	if ((err = mpr_bin(r, &env->body, &env->body_len, REC_BODY_MAX)) != EM_OK)
		return err;
	env->signed_len = mpr_offset(r);
	r->field = "signature";
	{
		size_t siglen;

		if ((err = mpr_bin(r, &env->sig, &siglen, SIG_LEN)) != EM_OK)
			return err == EM_ETOOBIG ? EM_EFORMAT : err;
		if (siglen != SIG_LEN)
			return EM_EFORMAT;
	}
	return mpr_done(r) ? EM_OK : EM_ETRAILING;
}

em_err
rec_parse(const uint8_t *buf, size_t len, rec_env *env, rec_why *why)
{
	rec_why w = { "record", 0 };
	mpr r;
	body_any b;
	em_err err;

	memset(env, 0, sizeof *env);
	if (len > REC_MAX) {
		err = EM_ETOOBIG;
		goto out;
	}
	mpr_init(&r, buf, len);
	err = parse_env(&r, env);
	w.field = r.field;
	w.offset = mpr_offset(&r);
	if (err != EM_OK)
		goto out;
	if ((err = body_decode(env->kind, env->body, env->body_len, &b,
	    &w.field, &w.offset)) != EM_OK) {
		w.offset += (size_t)(env->body - buf);
		goto out;
	}
	env->bytes = buf;
	env->len = len;
	hash_blake2b(env->id, buf, len);
out:
	if (why != NULL)
		*why = w;
	return err;
}

void
rec_rebase(rec_env *env, const uint8_t *copy)
{
	/* body and sig lie inside bytes: the same offsets in the copy */
	if (env->body != NULL)
		env->body = copy + (env->body - env->bytes);
	if (env->sig != NULL)
		env->sig = copy + (env->sig - env->bytes);
	env->bytes = copy;
}

static size_t
message(const uint8_t netid[static 32], const uint8_t *prefix, size_t plen,
    uint8_t *out, size_t cap)
{
	size_t len = TAG_LEN + 32 + plen;

	if (len > cap)
		return 0;
	memcpy(out, TAG, TAG_LEN);
	memcpy(out + TAG_LEN, netid, 32);
	memcpy(out + TAG_LEN + 32, prefix, plen);
	return len;
}

size_t
rec_message(const rec_env *env, const uint8_t netid[static 32], uint8_t *out,
    size_t cap)
{
	return message(netid, env->bytes, env->signed_len, out, cap);
}

em_err
rec_author(const uint8_t *buf, size_t len, uint8_t author[static 32])
{
	/* fixarray 7, version and kind as fixints, then bin8 of 32 */
	if (len < 37 || buf[0] != 0x97 || buf[1] != REC_VERSION || buf[2] > 0x7f ||
	    buf[3] != 0xc4 || buf[4] != 32)
		return EM_EFORMAT;
	memcpy(author, buf + 5, 32);
	return EM_OK;
}

/* Calls fn over the signed message: tag || netid || signed prefix. */
static em_err
with_message(const uint8_t netid[static 32], const uint8_t *prefix, size_t plen,
    em_err (*fn)(const uint8_t *msg, size_t len, void *ctx), void *ctx)
{
	uint8_t stack[STACK_MSG], *msg = stack;
	size_t len = TAG_LEN + 32 + plen;
	em_err err;

	if (len > sizeof stack && (msg = malloc(len)) == NULL)
		return EM_ENOMEM;
	message(netid, prefix, plen, msg, len);
	err = fn(msg, len, ctx);
	if (msg != stack)
		free(msg);
	return err;
}

static em_err
verify_cb(const uint8_t *msg, size_t len, void *ctx)
{
	const rec_env *env = ctx;

	return ident_verify(env->author, msg, len, env->sig);
}

em_err
rec_verify(const rec_env *env, const uint8_t netid[static 32])
{
	return with_message(netid, env->bytes, env->signed_len, verify_cb,
	    (void *)(uintptr_t)env);
}

em_err
rec_open(const uint8_t *buf, size_t len, const uint8_t netid[static 32],
    rec_env *env, rec_why *why)
{
	em_err err;

	if ((err = rec_parse(buf, len, env, why)) != EM_OK)
		return err;
	if ((err = rec_verify(env, netid)) != EM_OK && why != NULL) {
		why->field = "signature";
		why->offset = env->signed_len;
	}
	return err;
}

struct sign_ctx {
	const ident	*signer;
	uint8_t		*sig;
};

static em_err
sign_cb(const uint8_t *msg, size_t len, void *ctx)
{
	struct sign_ctx *sc = ctx;

	ident_sign(sc->signer, msg, len, sc->sig);
	return EM_OK;
}

em_err
rec_seal(const ident *signer, const uint8_t netid[static 32], uint8_t kind,
    uint64_t seq, uint64_t ts, const uint8_t *body_bytes, size_t body_len,
    uint8_t **out, size_t *len, rec_env *env)
{
	uint8_t sig[SIG_LEN];
	struct sign_ctx sc = { signer, sig };
	rec_env tmp;
	pack p;
	em_err err;

	*out = NULL;
	*len = 0;
	if (body_len > REC_BODY_MAX)
		return EM_ETOOBIG;
	pack_init(&p);
	msgpack_pack_array(&p.pk, 7);
	msgpack_pack_uint8(&p.pk, REC_VERSION);
	msgpack_pack_uint8(&p.pk, kind);
	pack_bin(&p, ident_pk(signer), 32);
	msgpack_pack_uint64(&p.pk, seq);
	msgpack_pack_uint64(&p.pk, ts);
	pack_bin(&p, body_bytes, body_len);
	if (!p.failed &&
	    (err = with_message(netid, (const uint8_t *)p.sb.data, p.sb.size,
	    sign_cb, &sc)) != EM_OK)
		p.failed = 1;
	pack_bin(&p, sig, SIG_LEN);
	if ((err = pack_finish(&p, out, len)) != EM_OK)
		return err;
	/* Parse what we made: a record we would refuse from a peer is a bug
	 * in our caller (a bad body), reported rather than signed and sent. */
	if ((err = rec_parse(*out, *len, env ? env : &tmp, NULL)) != EM_OK) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return err;
}

em_err
rec_body(const rec_env *env, body_any *b)
{
	return body_decode(env->kind, env->body, env->body_len, b, NULL, NULL);
}

const char *
rec_strerror(em_err err, const rec_why *why, char *buf, size_t cap)
{
	if (why == NULL || why->field == NULL || err == EM_ESIG || err == EM_ENOMEM)
		snprintf(buf, cap, "%s", em_strerror(err));
	else
		snprintf(buf, cap, "%s in %s at byte %zu", em_strerror(err),
		    why->field, why->offset);
	return buf;
}
