/* Encoding of record bodies with msgpack-c's packer (see body.h). */
#include "body.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

static void
pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static void
pack_bin(msgpack_packer *pk, const uint8_t *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

static void
pack_opt_hash(msgpack_packer *pk, int has, const uint8_t *h)
{
	if (has)
		pack_bin(pk, h, 32);
	else
		msgpack_pack_nil(pk);
}

static void
pack_node(msgpack_packer *pk, const body_node *n)
{
	msgpack_pack_array(pk, 3);
	pack_str(pk, n->name);
	pack_str(pk, n->org);
	msgpack_pack_array(pk, n->n_addrs);
	for (uint32_t i = 0; i < n->n_addrs && i < BODY_ADDRS_MAX; i++)
		pack_str(pk, n->addrs[i]);
}

static void
pack_task(msgpack_packer *pk, const body_task *t)
{
	msgpack_pack_array(pk, 6);
	pack_str(pk, t->name);
	pack_str(pk, t->version);
	pack_bin(pk, t->items_root, 32);
	msgpack_pack_uint64(pk, t->n_items);
	pack_bin(pk, t->manifest, t->manifest_len);
	pack_bin(pk, t->chunks, (size_t)t->n_chunks * 32);
}

static void
pack_result(msgpack_packer *pk, const body_result *r)
{
	msgpack_pack_array(pk, 11);
	pack_bin(pk, r->task, 32);
	msgpack_pack_array(pk, 4);
	pack_str(pk, r->model);
	pack_str(pk, r->revision);
	msgpack_pack_uint8(pk, r->access);
	pack_opt_hash(pk, r->has_weights, r->weights);
	msgpack_pack_array(pk, 4);
	pack_str(pk, r->adapter);
	pack_str(pk, r->harness_version);
	pack_opt_hash(pk, r->has_prompt_hash, r->prompt_hash);
	pack_str(pk, r->params);
	msgpack_pack_array(pk, r->n_metrics);
	for (uint32_t i = 0; i < r->n_metrics && i < BODY_METRICS_MAX; i++) {
		msgpack_pack_array(pk, 2);
		pack_str(pk, r->metrics[i].name);
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
	pack_opt_hash(pk, r->has_merkle, r->merkle);
	if (r->scores != NULL)
		pack_bin(pk, r->scores, r->scores_len);
	else
		msgpack_pack_nil(pk);
	msgpack_pack_uint64(pk, r->t_start);
	msgpack_pack_uint64(pk, r->t_end);
}

static void
pack_ref(msgpack_packer *pk, uint8_t kind, const body_ref *ref)
{
	msgpack_pack_array(pk, kind == REC_ATTEST ? 3 : 2);
	pack_bin(pk, ref->target, 32);
	if (kind == REC_ATTEST)
		msgpack_pack_uint8(pk, ref->verdict);
	pack_str(pk, ref->text);
}

/* msgpack-c's sbuffer reports a failed allocation only through the return
 * value of each pack call; this writer remembers it so one check suffices. */
typedef struct packbuf {
	msgpack_sbuffer	sb;
	int		failed;
} packbuf;

static int
packbuf_write(void *data, const char *buf, size_t len)
{
	packbuf *pb = data;

	if (msgpack_sbuffer_write(&pb->sb, buf, len) != 0)
		pb->failed = 1;
	return pb->failed ? -1 : 0;
}

em_err
body_encode(const body *b, uint8_t **out, size_t *len)
{
	packbuf pb = { .failed = 0 };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	body check;
	em_err err;

	*out = NULL;
	*len = 0;
	if (body_kind_name(b->kind) == NULL)
		return EM_EKIND;
	msgpack_sbuffer_init(&pb.sb);
	msgpack_packer_init(&pk, &pb, packbuf_write);
	switch (b->kind) {
	case REC_NODE:		pack_node(&pk, &b->u.node); break;
	case REC_TASK:		pack_task(&pk, &b->u.task); break;
	case REC_RESULT:	pack_result(&pk, &b->u.result); break;
	default:		pack_ref(&pk, b->kind, &b->u.ref); break;
	}
	sb = pb.sb;
	if (pb.failed) {
		msgpack_sbuffer_destroy(&sb);
		return EM_ENOMEM;
	}
	if ((err = body_decode(b->kind, (uint8_t *)sb.data, sb.size, &check,
	    NULL, NULL)) != EM_OK) {
		msgpack_sbuffer_destroy(&sb);
		return err;
	}
	*out = (uint8_t *)sb.data;	/* sbuffer data is malloc'd: free() it */
	*len = sb.size;
	return EM_OK;
}
