/* tests/unit/recon_side.h — an in-memory key set, one side of a
 * reconciliation (recon.h's array host), for the recon tests. Include
 * once, after cmocka and testutil.h. */
#ifndef EM_RECON_SIDE_H
#define EM_RECON_SIDE_H

typedef struct side {
	recon_array	 arr;		/* first: the host's ctx is the side */
	uint8_t		*keys;
	size_t		 n;
	uint8_t		*lack;		/* keys the peer lacks, as told */
	size_t		 n_lack, cap_lack;
} side;

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, RECON_KEY);
}

static void
on_lacks(void *ctx, const uint8_t key[static RECON_KEY])
{
	side *s = ctx;

	if (s->n_lack == s->cap_lack) {
		s->cap_lack = s->cap_lack ? 2 * s->cap_lack : 64;
		s->lack = realloc(s->lack, s->cap_lack * RECON_KEY);
		assert_non_null(s->lack);
	}
	memcpy(s->lack + s->n_lack++ * RECON_KEY, key, RECON_KEY);
}

static recon_host
host_of(side *s)
{
	recon_host h = { .ctx = s, .seek = recon_array_seek, .next = recon_array_next,
	    .count = recon_array_count, .lacks = on_lacks };

	return h;
}

/* Sorts the keys and points the array at them. */
static void
side_sort(side *s)
{
	qsort(s->keys, s->n, RECON_KEY, cmp_key);
	s->arr.keys = s->keys;
	s->arr.n = s->n;
}

/* n random keys from the stream *rng. */
static void
side_random(side *s, size_t n, uint64_t *rng)
{
	memset(s, 0, sizeof *s);
	s->keys = malloc(n * RECON_KEY + 1);
	assert_non_null(s->keys);
	for (size_t i = 0; i < n * RECON_KEY / 8; i++) {
		uint64_t x = tu_next(rng);

		memcpy(s->keys + 8 * i, &x, 8);
	}
	s->n = n;
	side_sort(s);
}

static void
side_free(side *s)
{
	free(s->keys);
	free(s->lack);
	memset(s, 0, sizeof *s);
}

#endif
