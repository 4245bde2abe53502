/* The highest seq signed per author, kept in a file outside the store so
 * that a store which lost records never hands out a seq again (store.h,
 * "Sequence numbers"). */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "hex.h"

#define LINE_LEN_MAX	(ID_HEX_LEN + 1 + 20 + 1)
#define FILE_MAX	(STORE_SEQ_AUTHORS * LINE_LEN_MAX)

struct seqs {
	size_t		n;
	uint8_t		author[STORE_SEQ_AUTHORS][32];
	uint64_t	seq[STORE_SEQ_AUTHORS];
};

/* One line at p, "<64 lowercase hex> <decimal>\n", before e; *next is
 * set past it. */
static em_err
parse_line(const char *p, const char *e, uint8_t author[static 32], uint64_t *seq,
    const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	char hex[ID_HEX_LEN + 1];
	uint64_t v = 0;

	if (nl == NULL || nl - p < ID_HEX_LEN + 2 || nl - p > LINE_LEN_MAX - 1 ||
	    p[ID_HEX_LEN] != ' ')
		return EM_EFORMAT;
	memcpy(hex, p, ID_HEX_LEN);
	hex[ID_HEX_LEN] = '\0';
	for (size_t i = 0; i < ID_HEX_LEN; i++)
		if (hex[i] >= 'A' && hex[i] <= 'F')
			return EM_EFORMAT;	/* we write lowercase */
	if (hex_decode(author, 32, hex) != EM_OK)
		return EM_EFORMAT;
	for (const char *q = p + ID_HEX_LEN + 1; q < nl; q++) {
		if (*q < '0' || *q > '9' || v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
			return EM_EFORMAT;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	*seq = v;
	*next = nl + 1;
	return EM_OK;
}

static em_err
seqs_read(const char *path, struct seqs *s)
{
	uint8_t *buf = NULL;
	size_t len;
	const char *p, *e;
	em_err err;

	s->n = 0;
	if ((err = file_read(path, FILE_MAX, &buf, &len)) == EM_ENOTFOUND)
		return EM_OK;
	if (err != EM_OK)
		return err == EM_ETOOBIG || err == EM_EINVAL ? EM_EFORMAT : err;
	p = (const char *)buf;
	e = p + len;
	if (len == 0)	/* written whole or not at all (file_replace): cut to nothing */
		err = EM_EFORMAT;
	while (p < e) {
		if (s->n == STORE_SEQ_AUTHORS) {
			err = EM_EFORMAT;
			break;
		}
		if ((err = parse_line(p, e, s->author[s->n], &s->seq[s->n], &p)) != EM_OK)
			break;
		for (size_t i = 0; i < s->n && err == EM_OK; i++)
			if (memcmp(s->author[i], s->author[s->n], 32) == 0)
				err = EM_EFORMAT;	/* one line per author */
		if (err != EM_OK)
			break;
		s->n++;
	}
	free(buf);
	return err;
}

static size_t
seqs_find(const struct seqs *s, const uint8_t author[static 32])
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (memcmp(s->author[i], author, 32) == 0)
			break;
	return i;
}

int
st_seq_floor(store *st, const uint8_t author[static 32], uint64_t *seq)
{
	struct seqs s;
	size_t i;
	em_err err;

	*seq = 0;
	if (st->seq_file == NULL)
		return EM_OK;
	if ((err = seqs_read(st->seq_file, &s)) != EM_OK)
		return err;
	if ((i = seqs_find(&s, author)) < s.n)
		*seq = s.seq[i];
	return EM_OK;
}

int
st_seq_raise(store *st, const uint8_t author[static 32], uint64_t seq)
{
	char text[FILE_MAX + 1], hex[ID_HEX_LEN + 1];
	struct seqs s;
	size_t i, len = 0;
	em_err err;

	if (st->seq_file == NULL)
		return EM_OK;
	if ((err = seqs_read(st->seq_file, &s)) != EM_OK)
		return err;
	if ((i = seqs_find(&s, author)) == s.n) {
		if (s.n == STORE_SEQ_AUTHORS)
			return EM_ETOOBIG;
		memcpy(s.author[s.n++], author, 32);
		s.seq[i] = 0;
	}
	if (s.seq[i] >= seq)
		return EM_OK;
	s.seq[i] = seq;
	for (i = 0; i < s.n; i++) {
		hex_encode(hex, s.author[i], 32);
		len += (size_t)snprintf(text + len, sizeof text - len, "%s %llu\n", hex,
		    (unsigned long long)s.seq[i]);
	}
	/* durable before the record is: the file's rename and its directory */
	if ((err = file_replace(st->seq_file, 0600, (const uint8_t *)text, len)) != EM_OK ||
	    (err = file_sync_dir(st->seq_file)) != EM_OK)
		return err == EM_EINVAL ? EM_EIO : err;	/* EM_ENOSPC stays itself */
	memcpy(st->signer, s.author, s.n * 32);
	memcpy(st->signer_seq, s.seq, s.n * sizeof s.seq[0]);
	st->n_signers = s.n;
	return EM_OK;
}

void
st_seq_load(store *st)
{
	struct seqs s;

	st->n_signers = 0;
	if (st->seq_file == NULL || st->rdonly || seqs_read(st->seq_file, &s) != EM_OK)
		return;
	memcpy(st->signer, s.author, s.n * 32);
	memcpy(st->signer_seq, s.seq, s.n * sizeof s.seq[0]);
	st->n_signers = s.n;
}

void
st_seq_seen(store *st, const uint8_t author[static 32], uint64_t seq)
{
	for (size_t i = 0; i < st->n_signers; i++) {
		if (memcmp(st->signer[i], author, 32) != 0)
			continue;
		/* our own record from a peer, signed before what this home
		 * remembers (a file restored from an old copy) */
		if (seq > st->signer_seq[i] && st_seq_raise(st, author, seq) == EM_OK)
			st->signer_seq[i] = seq;
		return;
	}
}

em_err
store_seq_file(store *st, const uint8_t author[static 32], uint64_t *seq)
{
	return (em_err)st_seq_floor(st, author, seq);
}
