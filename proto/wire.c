#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "pack.h"

/* A bin holding n fixed-size items, n at most max. */
static em_err
fixed_list(mpr *r, size_t item, uint32_t max, const uint8_t **p, uint32_t *n)
{
	size_t len;
	em_err err;

	if ((err = mpr_bin(r, p, &len, (size_t)max * item)) != EM_OK)
		return err;
	if (len % item != 0)
		return EM_EFORMAT;
	*n = (uint32_t)(len / item);
	return EM_OK;
}

static em_err
decode_peers(mpr *r, wire_msg *m)
{
	em_err err;

	if ((err = mpr_array(r, &m->u.peers.n, WIRE_PEERS_MAX)) != EM_OK)
		return err;
	for (uint32_t i = 0; i < m->u.peers.n; i++) {
		wire_peer *p = &m->u.peers.p[i];

		if ((err = mpr_array_exact(r, 2)) != EM_OK ||
		    (err = mpr_str(r, p->addr, sizeof p->addr)) != EM_OK)
			return err;
		if ((p->has_id = !mpr_nil(r)) && (err = mpr_bin_fixed(r, p->id, 32)) != EM_OK)
			return err;
	}
	return EM_OK;
}

static em_err
decode_records(mpr *r, wire_msg *m)
{
	uint64_t how;
	em_err err;

	if ((err = mpr_uint(r, &how, WIRE_GRAFT)) != EM_OK)
		return err;
	m->u.records.how = (int)how;
	if ((err = mpr_array(r, &m->u.records.n, WIRE_RECORDS_MAX)) != EM_OK)
		return err;
	for (uint32_t i = 0; i < m->u.records.n; i++)
		if ((err = mpr_bin(r, &m->u.records.rec[i], &m->u.records.len[i],
		    REC_MAX)) != EM_OK)
			return err;
	return EM_OK;
}

/* The fields after the type; arity is checked by the caller. */
static em_err
decode_body(mpr *r, wire_msg *m)
{
	uint64_t v;
	em_err err;

	switch (m->type) {
	case WIRE_HELLO:
		if ((err = mpr_uint(r, &v, UINT32_MAX)) != EM_OK)
			return err;
		m->u.hello.version = (uint32_t)v;
		if ((err = mpr_uint(r, &v, UINT32_MAX)) != EM_OK)
			return err;
		m->u.hello.caps = (uint32_t)v;
		return mpr_str(r, m->u.hello.listen, sizeof m->u.hello.listen);
	case WIRE_PEERS:
		return decode_peers(r, m);
	case WIRE_HAVE:
	case WIRE_WANT:
		return fixed_list(r, 32, WIRE_IDS_MAX, &m->u.ids.ids, &m->u.ids.n);
	case WIRE_RECORDS:
		return decode_records(r, m);
	case WIRE_PING:
	case WIRE_PONG:
		return mpr_uint(r, &m->u.nonce, UINT64_MAX);
	case WIRE_BYE:
		return mpr_str(r, m->u.reason, sizeof m->u.reason);
	case WIRE_CHUNK_WANT:
		if ((err = fixed_list(r, 32, WIRE_CHUNK_WANTS_MAX, &m->u.ids.ids, &m->u.ids.n)) != EM_OK)
			return err;
		return m->u.ids.n == 0 ? EM_EFORMAT : EM_OK;
	case WIRE_CHUNK:
		if ((err = mpr_bin_fixed(r, m->u.chunk.hash, 32)) != EM_OK)
			return err;
		return mpr_bin(r, &m->u.chunk.data, &m->u.chunk.len, WIRE_CHUNK_MAX);
	case WIRE_RECON:
		if ((err = mpr_uint(r, &v, 1)) != EM_OK)
			return err;
		m->u.recon.started = (int)v;
		return mpr_bin(r, &m->u.recon.data, &m->u.recon.len, WIRE_RECON_MAX);
	default:
		return mpr_bin_fixed(r, m->u.author, 32);	/* prune */
	}
}

static const uint8_t arity[] = {
	[WIRE_HELLO] = 4, [WIRE_PEERS] = 2, [WIRE_HAVE] = 2, [WIRE_WANT] = 2,
	[WIRE_RECORDS] = 3, [WIRE_PING] = 2, [WIRE_PONG] = 2,
	[WIRE_BYE] = 2, [WIRE_PRUNE] = 2, [WIRE_CHUNK_WANT] = 2, [WIRE_CHUNK] = 3,
	[WIRE_RECON] = 3,
};

int
wire_type_known(unsigned t)
{
	return t >= WIRE_HELLO && t <= WIRE_TYPE_LAST && arity[t] != 0;
}

em_err
wire_decode(const uint8_t *buf, size_t len, wire_msg *out)
{
	uint32_t n;
	uint64_t type;
	mpr r;
	em_err err;

	if (len > WIRE_MSG_MAX)
		return EM_ETOOBIG;
	mpr_init(&r, buf, len);
	if ((err = mpr_array(&r, &n, 8)) != EM_OK ||
	    (n >= 1 && (err = mpr_uint(&r, &type, UINT8_MAX)) != EM_OK))
		return err;
	if (n < 1 || !wire_type_known((unsigned)type) || n != arity[type])
		return EM_EFORMAT;
	out->type = (uint8_t)type;
	if ((err = decode_body(&r, out)) != EM_OK)
		return err;
	return mpr_done(&r) ? EM_OK : EM_ETRAILING;
}

static void
encode_body(pack *p, const wire_msg *m)
{
	msgpack_packer *pk = &p->pk;

	switch (m->type) {
	case WIRE_HELLO:
		msgpack_pack_uint32(pk, m->u.hello.version);
		msgpack_pack_uint32(pk, m->u.hello.caps);
		pack_str(p, m->u.hello.listen);
		break;
	case WIRE_PEERS:
		msgpack_pack_array(pk, m->u.peers.n);
		for (uint32_t i = 0; i < m->u.peers.n; i++) {
			msgpack_pack_array(pk, 2);
			pack_str(p, m->u.peers.p[i].addr);
			if (m->u.peers.p[i].has_id)
				pack_bin(p, m->u.peers.p[i].id, 32);
			else
				msgpack_pack_nil(pk);
		}
		break;
	case WIRE_HAVE:
	case WIRE_WANT:
	case WIRE_CHUNK_WANT:
		pack_bin(p, m->u.ids.ids, (size_t)m->u.ids.n * 32);
		break;
	case WIRE_CHUNK:
		pack_bin(p, m->u.chunk.hash, 32);
		pack_bin(p, m->u.chunk.data, m->u.chunk.len);
		break;
	case WIRE_RECON:
		msgpack_pack_uint8(pk, m->u.recon.started ? 1 : 0);
		pack_bin(p, m->u.recon.data, m->u.recon.len);
		break;
	case WIRE_RECORDS:
		msgpack_pack_uint8(pk, (uint8_t)m->u.records.how);
		msgpack_pack_array(pk, m->u.records.n);
		for (uint32_t i = 0; i < m->u.records.n; i++)
			pack_bin(p, m->u.records.rec[i], m->u.records.len[i]);
		break;
	case WIRE_PING:
	case WIRE_PONG:
		msgpack_pack_uint64(pk, m->u.nonce);
		break;
	case WIRE_BYE:
		pack_str(p, m->u.reason);
		break;
	default:
		pack_bin(p, m->u.author, 32);
		break;
	}
}

em_err
wire_encode(const wire_msg *m, uint8_t **out, size_t *len)
{
	wire_msg check;
	pack p;
	em_err err;

	*out = NULL;
	*len = 0;
	if (!wire_type_known(m->type))
		return EM_EFORMAT;
	pack_init(&p);
	msgpack_pack_array(&p.pk, arity[m->type]);
	msgpack_pack_uint8(&p.pk, m->type);
	encode_body(&p, m);
	if ((err = pack_finish(&p, out, len)) != EM_OK)
		return err;
	/* What we send must pass our own decoder (limits included). */
	if ((err = wire_decode(*out, *len, &check)) != EM_OK) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return err;
}
