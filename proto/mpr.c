#include "mpr.h"

#include <string.h>

#include "utf8.h"

void
mpr_init(mpr *r, const uint8_t *buf, size_t len)
{
	r->p = buf;
	r->start = buf;
	r->left = len;
	r->field = "";
}

size_t
mpr_offset(const mpr *r)
{
	return (size_t)(r->p - r->start);
}

int
mpr_done(const mpr *r)
{
	return r->left == 0;
}

static em_err
take(mpr *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return EM_ETRUNC;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return EM_OK;
}

/* Big-endian unsigned of width bytes (1, 2, 4 or 8). */
static em_err
take_be(mpr *r, size_t width, uint64_t *v)
{
	const uint8_t *b;
	em_err err;

	if ((err = take(r, width, &b)) != EM_OK)
		return err;
	*v = 0;
	for (size_t i = 0; i < width; i++)
		*v = *v << 8 | b[i];
	return EM_OK;
}

em_err
mpr_array(mpr *r, uint32_t *n, uint32_t max)
{
	const uint8_t *t;
	uint64_t count;
	em_err err;

	if ((err = take(r, 1, &t)) != EM_OK)
		return err;
	if ((*t & 0xf0) == 0x90)
		count = *t & 0x0f;
	else if (*t == 0xdc)
		err = take_be(r, 2, &count);
	else if (*t == 0xdd)
		err = take_be(r, 4, &count);
	else
		return EM_EFORMAT;
	if (err != EM_OK)
		return err;
	/* Each element takes at least one byte, so a count above what is left
	 * is a lie told to make us allocate. */
	if (count > r->left)
		return EM_ETRUNC;
	if (count > max)
		return EM_ETOOBIG;
	*n = (uint32_t)count;
	return EM_OK;
}

em_err
mpr_array_exact(mpr *r, uint32_t n)
{
	uint32_t got;
	em_err err;

	if ((err = mpr_array(r, &got, n)) != EM_OK)
		return err == EM_ETOOBIG ? EM_EFORMAT : err;
	return got == n ? EM_OK : EM_EFORMAT;
}

em_err
mpr_uint(mpr *r, uint64_t *v, uint64_t max)
{
	const uint8_t *t;
	em_err err;

	if ((err = take(r, 1, &t)) != EM_OK)
		return err;
	if (*t < 0x80)
		*v = *t;
	else if (*t >= 0xcc && *t <= 0xcf)
		err = take_be(r, (size_t)1 << (*t - 0xcc), v);
	else if (*t >= 0xe0 || (*t >= 0xd0 && *t <= 0xd3))
		return EM_ERANGE;	/* negative */
	else
		return EM_EFORMAT;
	if (err != EM_OK)
		return err;
	return *v <= max ? EM_OK : EM_ERANGE;
}

em_err
mpr_f64(mpr *r, double *v)
{
	const uint8_t *t;
	uint64_t bits;
	em_err err;

	if ((err = take(r, 1, &t)) != EM_OK)
		return err;
	if (*t == 0xcb) {
		if ((err = take_be(r, 8, &bits)) != EM_OK)
			return err;
		memcpy(v, &bits, sizeof *v);
	} else if (*t == 0xca) {
		uint32_t b32;
		float f;

		if ((err = take_be(r, 4, &bits)) != EM_OK)
			return err;
		b32 = (uint32_t)bits;
		memcpy(&f, &b32, sizeof f);
		*v = f;
	} else {
		return EM_EFORMAT;
	}
	return EM_OK;
}

em_err
mpr_bin(mpr *r, const uint8_t **p, size_t *len, size_t max)
{
	const uint8_t *t;
	uint64_t n;
	em_err err;

	if ((err = take(r, 1, &t)) != EM_OK)
		return err;
	if (*t < 0xc4 || *t > 0xc6)
		return EM_EFORMAT;
	if ((err = take_be(r, (size_t)1 << (*t - 0xc4), &n)) != EM_OK)
		return err;
	if (n > r->left)
		return EM_ETRUNC;
	if (n > max)
		return EM_ETOOBIG;
	*len = (size_t)n;
	return take(r, *len, p);
}

em_err
mpr_bin_fixed(mpr *r, uint8_t *out, size_t n)
{
	const uint8_t *p;
	size_t len;
	em_err err;

	if ((err = mpr_bin(r, &p, &len, n)) != EM_OK)
		return err == EM_ETOOBIG ? EM_EFORMAT : err;
	if (len != n)
		return EM_EFORMAT;
	memcpy(out, p, n);
	return EM_OK;
}

em_err
mpr_str(mpr *r, char *out, size_t cap)
{
	const uint8_t *t, *s;
	uint64_t n;
	em_err err;

	if ((err = take(r, 1, &t)) != EM_OK)
		return err;
	if ((*t & 0xe0) == 0xa0)
		n = *t & 0x1f;
	else if (*t >= 0xd9 && *t <= 0xdb)
		err = take_be(r, (size_t)1 << (*t - 0xd9), &n);
	else
		return EM_EFORMAT;
	if (err != EM_OK)
		return err;
	if (n > r->left)
		return EM_ETRUNC;
	if (n >= cap)
		return EM_ETOOBIG;
	if ((err = take(r, (size_t)n, &s)) != EM_OK)
		return err;
	if (!utf8_valid(s, (size_t)n))
		return EM_EUTF8;
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
	return EM_OK;
}

int
mpr_nil(mpr *r)
{
	if (r->left > 0 && *r->p == 0xc0) {
		r->p++;
		r->left--;
		return 1;
	}
	return 0;
}
