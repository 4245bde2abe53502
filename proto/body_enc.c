/* Encoding of record bodies with msgpack-c's packer (see body.h). */
#include "body.h"

#include <stdlib.h>
#include <string.h>

#include "body_audit.h"
#include "pack.h"

static void
pack_opt_hash(pack *pp, int has, const uint8_t *h)
{
	msgpack_packer *pk = &pp->pk;

	if (has)
		pack_bin(pp, h, 32);
	else
		msgpack_pack_nil(pk);
}

static void
pack_node(pack *pp, const body_node *n)
{
	msgpack_packer *pk = &pp->pk;

	msgpack_pack_array(pk, 3);
	pack_str(pp, n->name);
	pack_str(pp, n->org);
	msgpack_pack_array(pk, n->n_addrs);
	for (uint32_t i = 0; i < n->n_addrs && i < BODY_ADDRS_MAX; i++)
		pack_str(pp, n->addrs[i]);
}

static void
pack_task(pack *pp, const body_task *t)
{
	msgpack_packer *pk = &pp->pk;

	msgpack_pack_array(pk, 6);
	pack_str(pp, t->name);
	pack_str(pp, t->version);
	pack_bin(pp, t->items_root, 32);
	msgpack_pack_uint64(pk, t->n_items);
	pack_bin(pp, t->manifest, t->manifest_len);
	pack_bin(pp, t->chunks, (size_t)t->n_chunks * 32);
}

static void
pack_result(pack *pp, const body_result *r)
{
	msgpack_packer *pk = &pp->pk;

	msgpack_pack_array(pk, 11);
	pack_bin(pp, r->task, 32);
	msgpack_pack_array(pk, 4);
	pack_str(pp, r->model);
	pack_str(pp, r->revision);
	msgpack_pack_uint8(pk, r->access);
	pack_opt_hash(pp, r->has_weights, r->weights);
	msgpack_pack_array(pk, r->has_items ? 5 : 4);
	pack_str(pp, r->adapter);
	pack_str(pp, r->harness_version);
	pack_opt_hash(pp, r->has_prompt_hash, r->prompt_hash);
	pack_str(pp, r->params);
	if (r->has_items) {
		msgpack_pack_array(pk, 5);
		msgpack_pack_uint32(pk, r->items.truncated);
		msgpack_pack_uint32(pk, r->items.empty);
		msgpack_pack_uint32(pk, r->items.refused);
		msgpack_pack_uint32(pk, r->items.failed);
		pack_str(pp, r->items.notes);
	}
	msgpack_pack_array(pk, r->n_metrics);
	for (uint32_t i = 0; i < r->n_metrics && i < BODY_METRICS_MAX; i++) {
		msgpack_pack_array(pk, 2);
		pack_str(pp, r->metrics[i].name);
		msgpack_pack_double(pk, r->metrics[i].value);
	}
	msgpack_pack_uint64(pk, r->n_items);
	if (r->has_stderr)
		msgpack_pack_double(pk, r->std_err);
	else
		msgpack_pack_nil(pk);
	if (r->has_ci) {
		msgpack_pack_array(pk, 2);
		msgpack_pack_double(pk, r->ci_lo);
		msgpack_pack_double(pk, r->ci_hi);
	} else {
		msgpack_pack_nil(pk);
	}
	pack_opt_hash(pp, r->has_merkle, r->merkle);
	if (r->scores != NULL)
		pack_bin(pp, r->scores, r->scores_len);
	else
		msgpack_pack_nil(pk);
	msgpack_pack_uint64(pk, r->t_start);
	msgpack_pack_uint64(pk, r->t_end);
}

static void
pack_ref(pack *pp, uint8_t kind, const body_ref *ref)
{
	msgpack_packer *pk = &pp->pk;

	msgpack_pack_array(pk, kind == REC_ATTEST ? 3 : 2);
	pack_bin(pp, ref->target, 32);
	if (kind == REC_ATTEST)
		msgpack_pack_uint8(pk, ref->verdict);
	pack_str(pp, ref->text);
}

em_err
body_encode(const body_any *b, uint8_t **out, size_t *len)
{
	pack p;
	body_any check;
	em_err err;

	*out = NULL;
	*len = 0;
	if (body_kind_name(b->kind) == NULL)
		return EM_EKIND;
	pack_init(&p);
	switch (b->kind) {
	case REC_NODE:		pack_node(&p, &b->u.node); break;
	case REC_TASK:		pack_task(&p, &b->u.task); break;
	case REC_RESULT:	pack_result(&p, &b->u.result); break;
	case REC_CHALLENGE:
	case REC_RESPONSE:	body_audit_pack(&p, b); break;
	default:		pack_ref(&p, b->kind, &b->u.ref); break;
	}
	if ((err = pack_finish(&p, out, len)) != EM_OK)
		return err;
	/* Decode what we made: a body a peer would refuse is never signed. */
	if ((err = body_decode(b->kind, *out, *len, &check, NULL, NULL)) != EM_OK) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return err;
}
