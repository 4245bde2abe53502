/* proto/body_audit.h — the challenge and response bodies (body.h), for
 * body.c and body_enc.c only. */
#ifndef EM_BODY_AUDIT_H
#define EM_BODY_AUDIT_H

#include "body.h"
#include "mpr.h"
#include "pack.h"

/* A reader step of body.c and body_audit.c: names its field first (in
 * r->field), so an error can say where, and returns the step's error
 * (into a local err) if it fails. */
#define TRY(r, name, call)						\
	do {								\
		(r)->field = (name);					\
		if ((err = (call)) != EM_OK)				\
			return err;					\
	} while (0)

/* Decodes a body of kind out->kind (REC_CHALLENGE or REC_RESPONSE) from
 * r into out's union, naming each field in r->field as it goes. The
 * errors of body_decode. */
em_err	body_audit_decode(mpr *r, body_any *out);

/* Packs b (REC_CHALLENGE or REC_RESPONSE; only read) into pp. */
void	body_audit_pack(pack *pp, const body_any *b);

#endif
