/* evalmesh task publish|list|show|fetch — benchmark tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cli.h"
#include "ctl.h"
#include "hex.h"
#include "home.h"
#include "task.h"

static const char about[] =
"publish  checks a task manifest and its JSONL items (errors name the file,\n"
"         line and field), stores the items as content-addressed chunks and\n"
"         signs a task record; a running node announces it, and peers fetch\n"
"         the chunks by hash and check them before use. The task id commits\n"
"         to the manifest and to every item.\n"
"list     the tasks this node holds: id, name, version, metric, items,\n"
"         whether all item chunks are here, and the results held for each.\n"
"show     one task: its manifest, its items' root, who published it.\n"
"fetch    asks the running node for a task's item chunks, whoever wrote it.\n\n"
"The manifest format is in the README (\"Task format\").\n";

static const opt publish_opts[] = {
	{ "home", OPT_VALUE, 0 }, { "passphrase-env", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 },
};
static const opt list_opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };

struct mine {
	const uint8_t	*me;
	uint8_t		 record[32];
	int		 found;
};

/* Whether another author holds NAME@VERSION here (compared by key): a
 * name is never taken over. Publishing anyway would make the name name two
 * tasks on every node that holds both, with nothing but ids to tell them
 * apart, and a version is free text: the author of the second picks
 * another. One's own name is one's own: a second task under it is
 * published, with a note that the name now needs an id. 0, or 1 after the
 * message. */
static int
name_free(home_ctx *h, const task_built *t, const uint8_t tid[static 32])
{
	task_holder hold[TASK_HOLDERS_MAX];
	char idhex[ID_HEX_LEN + 1], who[TASK_AUTHOR_MAX];
	size_t n, own = SIZE_MAX;
	em_err err;

	if ((err = task_holders(h->st, h->pk, t->spec.name, t->spec.version, hold, TASK_HOLDERS_MAX,
	    &n)) != EM_OK)
		return cli_fail("reading tasks: %s", em_strerror(err));
	for (size_t i = 0; i < n && i < TASK_HOLDERS_MAX; i++) {
		if (memcmp(hold[i].id, tid, 32) == 0)
			continue;	/* these very items, by whoever: the same task */
		hex_encode(idhex, hold[i].id, 32);
		if (memcmp(hold[i].author, h->pk, 32) != 0)
			return cli_fail("task %s@%s is already published here by %s as task %.12s; "
			    "a name is never taken over: publish yours under another name or "
			    "version", hold[i].name, hold[i].version,
			    task_author(h->st, hold[i].author, who, sizeof who), idhex);
		own = i;
	}
	if (own != SIZE_MAX) {
		hex_encode(idhex, hold[own].id, 32);
		fprintf(stderr, "evalmesh: note: this node published %s@%s before as task %.12s; "
		    "the name now names both (an id prefix tells them apart)\n", t->spec.name,
		    t->spec.version, idhex);
	}
	return 0;
}

/* A task record of ours, not withdrawn, for this task id. */
static int
mine_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct mine *m = ctx;

	(void)b;
	if (memcmp(env->author, m->me, 32) != 0 || (flags & RESULT_REVOKED))
		return 0;
	memcpy(m->record, env->id, 32);
	m->found = 1;
	return 1;
}

static int
publish_task(home_ctx *h, const char *path, int json)
{
	char why[TASK_WHY_MAX], hex[ID_HEX_LEN + 1], rhex[ID_HEX_LEN + 1];
	uint8_t *enc = NULL, rid[32], tid[32];
	task_built t;
	size_t len;
	body_any b = { .kind = REC_TASK };
	struct mine m = { .me = h->pk };
	em_err err;

	if ((err = task_load(path, &t, why, sizeof why)) != EM_OK)
		return err == EM_ENOMEM ? cli_fail("out of memory") : cli_fail("%s", why);
	task_built_body(&t, &b.u.task);
	body_task_id(&b.u.task, tid);
	/* the same manifest and items again: the task this node published
	 * stands; a second record would say nothing new */
	if (store_tasks(h->st, tid, mine_fn, &m) == EM_OK && m.found) {
		json_t *o;

		hex_encode(hex, tid, 32);
		hex_encode(rhex, m.record, 32);
		o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "task", hex, "record", rhex,
		    "name", t.spec.name, "version", t.spec.version, "items", (json_int_t)t.n_items,
		    "chunks", (json_int_t)t.n_chunks, "already", 1);
		task_built_free(&t);
		if (json)
			return cli_json_print(o);
		json_decref(o);
		printf("task %s@%s is already published by this node\n  id      %s\n"
		    "  record  %s\n", b.u.task.name, b.u.task.version, hex, rhex);
		return 0;
	}
	if (name_free(h, &t, tid) != 0) {
		task_built_free(&t);
		return 1;
	}
	/* chunks first: once the record is stored a node may announce it */
	if ((err = task_built_store(&t, h->st, why, sizeof why)) != EM_OK) {
		task_built_free(&t);
		return err == EM_ENOMEM ? cli_fail("out of memory") :
		    cli_fail("cannot publish the task: %s", why);
	}
	if ((err = body_encode(&b, &enc, &len)) == EM_OK)
		err = store_publish(h->st, h->me, REC_TASK, enc, len, em_wall_ms(em_clock_system()), rid, NULL);
	free(enc);
	if (err != EM_OK) {
		task_built_free(&t);
		return cli_fail("cannot publish the task: %s",
		    home_write_why(h, err, why, sizeof why));
	}
	hex_encode(hex, tid, 32);
	hex_encode(rhex, rid, 32);
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "task", hex, "record", rhex,
		    "name", t.spec.name, "version", t.spec.version,
		    "items", (json_int_t)t.n_items, "chunks", (json_int_t)t.n_chunks);

		task_built_free(&t);
		return cli_json_print(o);
	}
	printf("published task %s@%s\n  id      %s\n  items   %zu in %zu chunk%s\n  record  %s\n",
	    t.spec.name, t.spec.version, hex, t.n_items, t.n_chunks, t.n_chunks == 1 ? "" : "s",
	    rhex);
	task_built_free(&t);
	return 0;
}

struct count { uint64_t n; };

static int
count_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	(void)env;
	(void)b;
	(void)flags;
	((struct count *)ctx)->n++;
	return 0;
}

static uint32_t
chunks_held(store *st, const body_task *t)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->n_chunks; i++)
		n += (uint32_t)store_blob_has(st, t->chunks + 32 * i);
	return n;
}

static json_t *
task_json(store *st, const uint8_t id[static 32], const rec_env *env,
    const body_task *t, json_t *manifest)
{
	struct count c = { 0 };
	const char *metric = json_string_value(json_object_get(manifest, "metric"));
	char who[BODY_NAME_MAX + 1];

	store_results(st, id, NULL, count_fn, &c);
	task_author_name(st, env->author, who, sizeof who);
	return json_pack("{s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:s?, s:o, s:I, s:o*}",
	    "id", cli_json_id(id), "name", t->name, "version", t->version,
	    "metric", metric ? metric : "?", "items", (json_int_t)t->n_items,
	    "chunks", (json_int_t)t->n_chunks, "chunks_held", (json_int_t)chunks_held(st, t),
	    "author", cli_json_id(env->author), "author_name", who[0] ? who : NULL,
	    "record", cli_json_id(env->id),
	    "results", (json_int_t)c.n, "items_root", cli_json_id(t->items_root));
}

/* Records come by task id, then arrival: a task is listed once its
 * records end, under the publisher that ranks highest (task_rank), so a
 * member who signed a lab's task again, and came first, is not shown as
 * its author. */
struct listing {
	store		*st;
	const uint8_t	*self;
	json_t		*arr;
	uint8_t		 last[32];
	uint64_t	 n;
	json_t		*o;		/* the task being listed */
	uint8_t		 author[32];
	unsigned	 rank, publishers;
};

/* The task being listed, printed or kept. */
static void
list_flush(struct listing *l)
{
	char tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP], mt[CLI_SHOW_CAP], who[TASK_AUTHOR_MAX];
	char sw[NAME_SHOW_CAP(TASK_AUTHOR_MAX)];
	json_t *o = l->o;
	long long chunks;

	if (o == NULL)
		return;
	l->o = NULL;
	json_object_set_new(o, "publishers", json_integer(l->publishers));
	if (l->arr != NULL) {
		json_array_append_new(l->arr, o);
		return;
	}
	/* the author's name, version and metric as printed (cli_show), and
	 * who published it: names are told apart by their authors */
	chunks = (long long)json_integer_value(json_object_get(o, "chunks"));
	printf("%-16.16s  %-24s %-10s %-16s %6lld  %-8s %-7lld  %s%s\n",
	    json_string_value(json_object_get(o, "id")),
	    cli_show(json_string_value(json_object_get(o, "name")), tn, sizeof tn),
	    cli_show(json_string_value(json_object_get(o, "version")), tv, sizeof tv),
	    cli_show(json_string_value(json_object_get(o, "metric")), mt, sizeof mt),
	    (long long)json_integer_value(json_object_get(o, "items")),
	    json_integer_value(json_object_get(o, "chunks_held")) == chunks ? "yes" : "fetching",
	    (long long)json_integer_value(json_object_get(o, "results")),
	    cli_show(task_author(l->st, l->author, who, sizeof who), sw, sizeof sw),
	    l->publishers > 1 ? " (+ others)" : "");
	json_decref(o);
}

static int
list_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct listing *l = ctx;
	const body_task *t = &b->u.task;
	unsigned rank = task_rank(l->st, l->self, env->author, flags);
	char who[BODY_NAME_MAX + 1];
	json_t *m;
	uint8_t id[32];

	body_task_id(t, id);
	if (l->n > 0 && memcmp(id, l->last, 32) == 0) {
		l->publishers++;	/* published again: the same task */
		if (rank > l->rank && l->o != NULL) {
			l->rank = rank;
			memcpy(l->author, env->author, 32);
			task_author_name(l->st, env->author, who, sizeof who);
			json_object_set_new(l->o, "author", cli_json_id(env->author));
			json_object_set_new(l->o, "author_name", who[0] ? json_string(who) :
			    json_null());
			json_object_set_new(l->o, "record", cli_json_id(env->id));
		}
		return 0;
	}
	list_flush(l);
	memcpy(l->last, id, 32);
	l->n++;
	l->rank = rank;
	l->publishers = 1;
	memcpy(l->author, env->author, 32);
	m = json_loadb((const char *)t->manifest, t->manifest_len, 0, NULL);
	l->o = task_json(l->st, id, env, t, m);
	json_decref(m);
	return l->o == NULL;
}

static int
list_tasks(home_ctx *h, int json)
{
	struct listing l = { .st = h->st, .self = h->pk, .arr = json ? json_array() : NULL };
	em_err err;

	if (!json)
		printf("%-16s  %-24s %-10s %-16s %6s  %-8s %-7s  %s\n", "ID", "NAME", "VERSION",
		    "METRIC", "ITEMS", "ITEMS?", "RESULTS", "AUTHOR");
	if ((err = store_tasks(h->st, NULL, list_fn, &l)) != EM_OK) {
		json_decref(l.o);
		json_decref(l.arr);
		return cli_fail("reading tasks: %s", em_strerror(err));
	}
	list_flush(&l);
	if (json)
		return cli_json_print(l.arr);
	if (l.n == 0)
		printf("(no tasks yet: 'evalmesh task publish MANIFEST.json', or run a node to "
		    "receive them)\n");
	return 0;
}

/* The manifest as indented JSON, each line shown as a name is (cli_show):
 * JSON writes a line break inside a string as \n, so lines are the
 * dump's own. */
static void
print_manifest(const json_t *m)
{
	char *dump = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS), *line, *next, *buf;

	printf("  manifest    ");
	for (line = dump; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		buf = malloc(NAME_SHOW_CAP(strlen(line)));
		printf("%s\n", buf ? cli_show(line, buf, NAME_SHOW_CAP(strlen(line))) : "?");
		free(buf);
	}
	if (dump == NULL)
		printf("?\n");
	free(dump);
}

static int
show_task(home_ctx *h, const char *text, int json)
{
	char why[TASK_WHY_MAX], hex[ID_HEX_LEN + 1], t[32];
	char tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP], mt[CLI_SHOW_CAP], who[BODY_NAME_MAX + 1];
	char sw[CLI_SHOW_CAP];
	uint8_t id[32];
	task_rec tr;
	rec_env env = { 0 };
	json_t *o;
	em_err err;

	if ((err = task_find(h->st, h->pk, text, id, why, sizeof why)) != EM_OK ||
	    (err = task_rec_load(h->st, h->pk, id, &tr, why, sizeof why)) != EM_OK)
		return cli_fail("%s", why);
	memcpy(env.id, tr.record, 32);
	memcpy(env.author, tr.author, 32);
	o = task_json(h->st, id, &env, &tr.body, tr.spec.manifest);
	if (o == NULL) {
		task_rec_free(&tr);
		return cli_fail("out of memory");
	}
	json_object_set(o, "manifest", tr.spec.manifest);
	json_object_set_new(o, "published", json_string(em_time_iso(tr.ts, t, sizeof t)));
	json_object_set_new(o, "publishers", json_integer(tr.publishers));
	if (tr.flags & RESULT_REVOKED)
		json_object_set_new(o, "revoked", json_true());
	task_rec_free(&tr);
	if (json)
		return cli_json_print(o);
	hex_encode(hex, id, 32);
	printf("task %s@%s\n  id          %s\n",
	    cli_show(json_string_value(json_object_get(o, "name")), tn, sizeof tn),
	    cli_show(json_string_value(json_object_get(o, "version")), tv, sizeof tv), hex);
	printf("  metric      %s\n  items       %lld (root %.16s…)\n  chunks      %lld of %lld here\n",
	    cli_show(json_string_value(json_object_get(o, "metric")), mt, sizeof mt),
	    (long long)json_integer_value(json_object_get(o, "items")),
	    json_string_value(json_object_get(o, "items_root")),
	    (long long)json_integer_value(json_object_get(o, "chunks_held")),
	    (long long)json_integer_value(json_object_get(o, "chunks")));
	task_author_name(h->st, env.author, who, sizeof who);
	printf("  author      %s%s%s%s\n  published   %s\n  results     %lld\n",
	    json_string_value(json_object_get(o, "author")), who[0] ? " \"" : "",
	    cli_show(who, sw, sizeof sw), who[0] ? "\"" : "", t,
	    (long long)json_integer_value(json_object_get(o, "results")));
	if (json_integer_value(json_object_get(o, "publishers")) > 1)
		printf("  publishers  %lld (the author shown: one that has not withdrawn it, "
		    "this node, else a trusted author, else the first here)\n",
		    (long long)json_integer_value(json_object_get(o, "publishers")));
	print_manifest(json_object_get(o, "manifest"));
	json_decref(o);
	return 0;
}

/* What the node said to a fetch ask, as text. */
static void
fetch_text(json_t *r)
{
	long long chunks = (long long)json_integer_value(json_object_get(r, "chunks"));
	long long held = (long long)json_integer_value(json_object_get(r, "held"));
	const char *name = json_string_value(json_object_get(r, "name"));
	const char *id = json_string_value(json_object_get(r, "task"));

	if (held == chunks)
		printf("all %lld chunk%s of %s %s here\n", chunks, chunks == 1 ? "" : "s",
		    name ? name : "?", chunks == 1 ? "is" : "are");
	else
		printf("fetching %lld of %lld chunks of %s from peers; 'evalmesh task show %.16s' "
		    "says when they are here\n", chunks - held, chunks, name ? name : "?",
		    id ? id : "?");
}

static int
fetch(const args_parsed *a)
{
	char why[TASK_WHY_MAX], hex[ID_HEX_LEN + 1];
	json_t *req = NULL, *resp = NULL;
	uint8_t id[32];
	home_ctx h;
	int rc;

	if ((rc = cli_task("task fetch", "TASK", a->pos[0])) != 0)
		return rc;
	if (home_open_read(&h, a))
		return 1;
	if (task_find(h.st, h.pk, a->pos[0], id, why, sizeof why) != EM_OK) {
		home_close(&h);
		return cli_fail("%s", why);
	}
	hex_encode(hex, id, 32);
	if ((req = json_pack("{s:s, s:s}", "cmd", "task_fetch", "task", hex)) == NULL)
		rc = cli_fail("out of memory");
	else if ((rc = ctl_request(h.dir, req, &resp)) == 1)
		rc = cli_fail("no node is running for %s: start 'evalmesh node', which fetches the "
		    "items from its peers", h.dir);
	else if (rc < 0)
		rc = 1;
	else if (json_object_get(resp, "error") != NULL)
		rc = cli_fail("node: %s", json_string_value(json_object_get(resp, "error")));
	else if (args_get(a, "json") != NULL)
		rc = cli_json_print(json_incref(resp));
	else
		fetch_text(resp);
	json_decref(req);
	json_decref(resp);
	home_close(&h);
	return rc;
}

static int
publish(const args_parsed *a)
{
	home_ctx h;
	int rc;

	if (home_open(&h, a, 1))
		return 1;
	rc = publish_task(&h, a->pos[0], args_get(a, "json") != NULL);
	home_close(&h);
	return rc;
}

static int
list(const args_parsed *a)
{
	home_ctx h;
	int rc;

	if (home_open_read(&h, a))
		return 1;
	rc = list_tasks(&h, args_get(a, "json") != NULL);
	home_close(&h);
	return rc;
}

static int
show(const args_parsed *a)
{
	home_ctx h;
	int rc;

	if ((rc = cli_task("task show", "TASK", a->pos[0])) != 0)
		return rc;
	if (home_open_read(&h, a))
		return 1;
	rc = show_task(&h, a->pos[0], args_get(a, "json") != NULL);
	home_close(&h);
	return rc;
}

static const cli_verb verbs[] = {
	{ "import", cmd_task_import_opts, CMD_TASK_IMPORT_N_OPTS, 1, "import needs FILE", cmd_task_import_usage,
	    cmd_task_import_about, cmd_task_import },
	{ "publish", publish_opts, sizeof publish_opts / sizeof publish_opts[0], 1,
	    "publish needs MANIFEST.json",
	    "MANIFEST.json [--home DIR] [--passphrase-env VAR] [--json]",
	    "Checks a task manifest and its JSONL items (errors name the file, line and\n"
	    "field), stores the items as content-addressed chunks and signs a task\n"
	    "record; a running node announces it, and peers fetch the chunks by hash\n"
	    "and check them before use. The task id commits to the manifest and to\n"
	    "every item. The manifest format is in the README (\"Task format\").\n", publish },
	{ "list", list_opts, sizeof list_opts / sizeof list_opts[0], 0, NULL,
	    "[--home DIR] [--json]",
	    "The tasks this node holds: id, name, version, metric, items, whether all\n"
	    "item chunks are here, and the results held for each.\n", list },
	{ "show", list_opts, sizeof list_opts / sizeof list_opts[0], 1, "show needs ID or NAME",
	    "ID|NAME[@VERSION] [--home DIR] [--json]",
	    "One task: its manifest, its items' root, who published it, the results\n"
	    "held for it.\n", show },
	{ "fetch", list_opts, sizeof list_opts / sizeof list_opts[0], 1, "fetch needs ID or NAME",
	    "ID|NAME[@VERSION] [--home DIR] [--json]",
	    "Asks the running node to fetch the task's item chunks from its peers,\n"
	    "whoever published it and whatever its author's quota. A node fetches by\n"
	    "itself only the tasks it will use: its own, its trusted authors', and\n"
	    "those its auto-eval would run. Returns at once: 'evalmesh task show'\n"
	    "says how many chunks are here.\n", fetch },
};

int
cmd_task(int argc, char **argv)
{
	static const cli_verbs c = { "task", verbs, sizeof verbs / sizeof verbs[0], about,
	    "expected publish, list, show or fetch" };

	return cli_verbs_run(&c, argc, argv);
}
