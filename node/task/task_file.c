/* A task's items from its JSONL file: checked in one pass, stored in a
 * second, one chunk held at a time (task.h, task_built). */
#include "task_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "merkle.h"

/* Canonical item lines packed into chunks of at most TASK_CHUNK_MAX
 * bytes, a line never split: each chunk, once the next line does not fit
 * in it or the lines end, goes to seal (k counted from 0). */
struct chunker {
	uint8_t	*buf;
	size_t	 len;
	size_t	 n;		/* chunks started */
	em_err	(*seal)(void *ctx, size_t k, const uint8_t *chunk, size_t len);
	void	*ctx;
};

/* EM_ETOOBIG when the line would start chunk BODY_CHUNKS_MAX + 1; else
 * what seal says. */
static em_err
chunker_add(struct chunker *c, const char *line, size_t len)
{
	em_err err;

	if (c->n == 0 || c->len + len + 1 > TASK_CHUNK_MAX) {
		if (c->n > 0 && (err = c->seal(c->ctx, c->n - 1, c->buf, c->len)) != EM_OK)
			return err;
		if (c->n == BODY_CHUNKS_MAX)
			return EM_ETOOBIG;
		if (c->buf == NULL && (c->buf = malloc(TASK_CHUNK_MAX)) == NULL)
			return EM_ENOMEM;
		c->len = 0;
		c->n++;
	}
	memcpy(c->buf + c->len, line, len);
	c->buf[c->len + len] = '\n';
	c->len += len + 1;
	return EM_OK;
}

static em_err
chunker_end(struct chunker *c)
{
	return c->n > 0 ? c->seal(c->ctx, c->n - 1, c->buf, c->len) : EM_OK;
}

/* Opens the items file: a regular file (a FIFO would be waited on for
 * ever, /dev/zero read for ever) of at most TASK_ITEMS_FILE_MAX bytes. */
static em_err
items_open(const char *path, FILE **f, char *why, size_t cap)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*f = NULL;
	if (fd < 0)
		return task_why(EM_EIO, why, cap, "%s: cannot open the items file: %s", path,
		    strerror(errno));
	if (fstat(fd, &sb) != 0) {
		em_err err = task_why(EM_EIO, why, cap, "%s: %s", path, strerror(errno));

		close(fd);
		return err;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > TASK_ITEMS_FILE_MAX) {
		close(fd);
		if (!S_ISREG(sb.st_mode))
			return task_why(EM_EFORMAT, why, cap, "%s: not a regular file", path);
		return task_why(EM_ETOOBIG, why, cap, "%s: larger than %d MiB", path,
		    TASK_ITEMS_FILE_MAX >> 20);
	}
	if ((*f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return task_why(EM_ENOMEM, why, cap, "%s: out of memory", path);
	}
	return EM_OK;
}

/* The items file being read, a line at a time. */
struct lines {
	const char	*path;
	FILE		*f;
	char		*line;
	size_t		 cap, no;	/* the buffer's size; the line's number */
};

/* The next line that is not blank, without its line break, into
 * l->line: its length, 0 at the end of the file (ferror tells a read
 * that failed), or -1 after a message for a line that cannot be an item. */
static ssize_t
next_line(struct lines *l, char *why, size_t cap)
{
	ssize_t n;

	while ((n = getline(&l->line, &l->cap, l->f)) >= 0) {
		l->no++;
		while (n > 0 && (l->line[n - 1] == '\n' || l->line[n - 1] == '\r'))
			l->line[--n] = '\0';
		if (n == 0)
			continue;	/* blank lines are allowed */
		if ((size_t)n > TASK_LINE_MAX || memchr(l->line, '\0', (size_t)n) != NULL) {
			task_why(EM_EFORMAT, why, cap, "%s:%zu: %s", l->path, l->no,
			    (size_t)n > TASK_LINE_MAX ? "a line too long to be an item" :
			    "holds a NUL byte (is this a text file?)");
			return -1;
		}
		return n;
	}
	return 0;
}

/* The first pass: every item checked, its id's key kept, its hash added
 * to the root, its canonical line to a chunk that is hashed and dropped. */
struct check {
	task_built	*t;
	struct lines	 l;
	struct chunker	 ch;
	task_ids	 ids;
	merkle_acc	 root;
};

static em_err
check_seal(void *ctx, size_t k, const uint8_t *chunk, size_t len)
{
	struct check *c = ctx;

	hash_blake2b(c->t->chunk_hashes + 32 * k, chunk, len);
	c->t->n_chunks = k + 1;
	return EM_OK;
}

/* One item line: checked, canonical, its id kept, into the root and a
 * chunk. */
static em_err
check_line(struct check *c, size_t n, char *why, size_t cap)
{
	char inner[TASK_WHY_MAX], *canon;
	uint8_t h[32];
	json_t *item;
	size_t len;
	em_err err;

	if (c->t->n_items >= BODY_ITEMS_MAX)
		return task_why(EM_EFORMAT, why, cap, "%s:%zu: more than %u items", c->l.path, c->l.no,
		    BODY_ITEMS_MAX);
	if ((err = task_line_parse(&c->t->spec, c->l.line, n, &item, inner, sizeof inner)) != EM_OK)
		return task_why(err, why, cap, "%s:%zu: %s", c->l.path, c->l.no, inner);
	(void)task_json_dump(item, JSON_COMPACT | JSON_SORT_KEYS, &canon);	/* NULL: no memory */
	len = canon ? strlen(canon) : 0;
	if (canon != NULL && len > TASK_ITEM_MAX)
		err = task_why(EM_EFORMAT, why, cap, "%s:%zu: longer than %d bytes", c->l.path,
		    c->l.no, TASK_ITEM_MAX);
	else if (canon == NULL || task_ids_add(&c->ids, item, (uint32_t)c->l.no) != EM_OK)
		err = task_why(EM_ENOMEM, why, cap, "%s:%zu: out of memory", c->l.path, c->l.no);
	json_decref(item);
	if (err == EM_OK) {
		merkle_item(h, (const uint8_t *)canon, len);
		merkle_acc_add(&c->root, h);
		if ((err = chunker_add(&c->ch, canon, len)) == EM_ETOOBIG)
			task_why(EM_EFORMAT, why, cap, "%s:%zu: the items need more than %d chunks",
			    c->l.path, c->l.no, BODY_CHUNKS_MAX);
		else if (err != EM_OK)
			task_why(err, why, cap, "%s:%zu: out of memory", c->l.path, c->l.no);
		else
			c->t->n_items++;
	}
	free(canon);
	return err;
}

/* After the last line: items there, ids unique, the last chunk sealed. */
static em_err
check_end(struct check *c, char *why, size_t cap)
{
	uint32_t a, b;
	em_err err;

	if (ferror(c->l.f))
		return task_why(EM_EIO, why, cap, "%s: cannot read the items file", c->l.path);
	if (c->t->n_items == 0)
		return task_why(EM_EFORMAT, why, cap, "%s: no items", c->l.path);
	if ((err = task_ids_dup(&c->ids, &a, &b)) == EM_EEXIST)
		return task_why(EM_EFORMAT, why, cap, "%s:%u: id already used on line %u", c->l.path,
		    b, a);
	chunker_end(&c->ch);
	merkle_acc_root(&c->root, c->t->items_root);
	return EM_OK;
}

em_err
task_items_file(const char *path, task_built *t, char *why, size_t cap)
{
	struct check c = { .t = t, .l = { .path = path },
	    .ch = { .seal = check_seal, .ctx = &c } };
	ssize_t n;
	em_err err;

	merkle_acc_start(&c.root);
	if ((err = items_open(path, &c.l.f, why, cap)) != EM_OK)
		return err;
	if ((t->items_path = strdup(path)) == NULL ||
	    (t->chunk_hashes = malloc(32 * BODY_CHUNKS_MAX)) == NULL) {
		err = task_why(EM_ENOMEM, why, cap, "%s: out of memory", path);
		goto out;
	}
	while ((n = next_line(&c.l, why, cap)) > 0)
		if ((err = check_line(&c, (size_t)n, why, cap)) != EM_OK)
			goto out;
	err = n < 0 ? EM_EFORMAT : check_end(&c, why, cap);
out:
	fclose(c.l.f);
	free(c.l.line);
	free(c.ch.buf);
	task_ids_free(&c.ids);
	return err;
}

/* The second pass: the chunks built again, each stored once it is the
 * one the first pass hashed. */
struct put {
	const task_built	*t;
	store			*st;
	em_err			 store_err;	/* the store's, when it failed */
};

static em_err
put_seal(void *ctx, size_t k, const uint8_t *chunk, size_t len)
{
	struct put *p = ctx;
	uint8_t h[32];

	hash_blake2b(h, chunk, len);
	if (k >= p->t->n_chunks || memcmp(h, p->t->chunk_hashes + 32 * k, 32) != 0)
		return EM_EIO;
	return (p->store_err = store_blob_put(p->st, h, chunk, len));
}

/* One line as the first pass made it canonical, into a chunk; EM_EIO
 * when it no longer parses. */
static em_err
put_line(struct chunker *ch, const char *line, size_t n)
{
	json_t *item = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL);
	char *canon;
	em_err err;

	if (item == NULL)
		return EM_EIO;
	err = task_json_dump(item, JSON_COMPACT | JSON_SORT_KEYS, &canon);
	json_decref(item);
	if (err != EM_OK)
		return err;
	err = chunker_add(ch, canon, strlen(canon));
	free(canon);
	return err == EM_ETOOBIG ? EM_EIO : err;
}

em_err
task_built_store(const task_built *t, store *st, char *why, size_t cap)
{
	struct put p = { t, st, EM_OK };
	struct chunker ch = { .seal = put_seal, .ctx = &p };
	struct lines l = { .path = t->items_path };
	char inner[TASK_WHY_MAX];
	ssize_t n;
	em_err err;

	if ((err = items_open(t->items_path, &l.f, why, cap)) != EM_OK)
		return err;
	while ((n = next_line(&l, inner, sizeof inner)) > 0 &&
	    (err = put_line(&ch, l.line, (size_t)n)) == EM_OK)
		;
	if (err == EM_OK && (n < 0 || ferror(l.f)))
		err = EM_EIO;
	if (err == EM_OK && (err = chunker_end(&ch)) == EM_OK && ch.n != t->n_chunks)
		err = EM_EIO;
	if (p.store_err != EM_OK)
		task_why(err, why, cap, "%s", em_strerror(err));
	else if (err == EM_EIO)
		task_why(err, why, cap, "%s: the items file changed while it was being published; "
		    "publish it again", t->items_path);
	else if (err != EM_OK)
		task_why(err, why, cap, "%s: out of memory", t->items_path);
	fclose(l.f);
	free(l.line);
	free(ch.buf);
	return err;
}
