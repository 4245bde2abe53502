/* evalmesh export — write signed records to a bundle file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "file.h"
#include "hex.h"
#include "home.h"

static const char help[] =
"usage: evalmesh export [--author ID] [--since SEQ] -o FILE [--home DIR]\n\n"
"Writes the exact signed bytes of stored records to a bundle FILE, for an\n"
"air-gapped node to check and import ('evalmesh import FILE'). Records come\n"
"in feed order (author, then sequence number), equivocation evidence\n"
"included. FILE is replaced atomically.\n\n"
"  --author ID   only this author's records (id or unique prefix)\n"
"  --since SEQ   with --author: only sequence numbers from SEQ on\n"
"  -o, --output FILE  where to write the bundle\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "author", OPT_VALUE, 0 },
	{ "since", OPT_VALUE, 0 }, { "output", OPT_VALUE, 'o' },
};

/* The bundle grows in memory and is written at once, atomically. */
struct out {
	uint8_t		*buf;
	size_t		 len, cap;
	uint64_t	 n;
	int		 oom;
};

static void
append(struct out *o, const uint8_t *p, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 1 << 16;
		uint8_t *nb;

		while (cap < o->len + n)
			cap *= 2;
		if ((nb = realloc(o->buf, cap)) == NULL) {
			o->oom = 1;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static int
visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct out *o = ctx;
	uint8_t frame[BUNDLE_FRAME_LEN];

	(void)b;
	(void)flags;
	bundle_frame(frame, (uint32_t)env->len);
	append(o, frame, sizeof frame);
	append(o, env->bytes, env->len);
	o->n++;
	return o->oom;
}

int
cmd_export(int argc, char **argv)
{
	const char *au, *since, *path;
	uint8_t author[32], hdr[BUNDLE_HDR_LEN], tr[BUNDLE_TRAILER_LEN];
	uint64_t from = 0;
	struct out o = { NULL, 0, 0, 0, 0 };
	args_parsed a;
	home_ctx h;
	em_err err;
	int rc, e = 0;

	if ((rc = cli_args("export", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 0)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	au = args_get(&a, "author");
	since = args_get(&a, "since");
	if ((path = args_get(&a, "output")) == NULL || *path == '\0')
		return cli_usage("export", "-o FILE is required");
	if (since != NULL && au == NULL)
		return cli_usage("export", "--since needs --author");
	if ((rc = cli_number("export", &a, "since", 0, UINT64_MAX, 0, &from)) != 0 ||
	    (au && (rc = cli_id("export", "--author", au, "node")) != 0))
		return rc;
	if (home_open_read(&h, &a))
		return 1;
	if (au && home_resolve(&h, SPACE_AUTHOR, au, author, "author")) {
		home_close(&h);
		return 1;
	}
	bundle_header(hdr, h.netid);
	append(&o, hdr, sizeof hdr);
	err = store_records(h.st, au ? author : NULL, from, visit, &o);
	home_close(&h);
	bundle_trailer(tr, o.n);
	append(&o, tr, sizeof tr);
	if (err == EM_OK && o.oom)
		err = EM_ENOMEM;
	if (err == EM_OK && (err = file_replace(path, 0644, o.buf, o.len)) == EM_EIO)
		e = errno;	/* what the file system said: "No such file or directory" */
	free(o.buf);
	if (err != EM_OK)
		return cli_fail("cannot export to '%s': %s", path, e ? strerror(e) : em_strerror(err));
	printf("exported %llu records to %s\n", (unsigned long long)o.n, path);
	return 0;
}
