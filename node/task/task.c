/* realpath(3) is XSI: items_inside */
#define _XOPEN_SOURCE 700
/* Task manifests: checking one, from a file or from a task record. */
#include "task.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "name.h"
#include "score.h"
#include "utf8.h"

static const char *const metric_names[] = {
	[METRIC_EXACT] = "exact_match", [METRIC_CHOICE] = "multiple_choice",
	[METRIC_NUMERIC] = "numeric", [METRIC_REGEX] = "regex", [METRIC_F1] = "f1",
};

/* Every key a manifest may have, and the longest text each may hold. */
static const struct { const char *key; size_t max; } known[] = {
	{ "name", BODY_NAME_MAX }, { "version", BODY_SHORT_MAX },
	{ "metric", 0 }, { "prompt", TASK_TEMPLATE_MAX }, { "target", TASK_FIELD_MAX },
	{ "items", 4096 }, { "system", TASK_TEMPLATE_MAX }, { "choices", TASK_FIELD_MAX },
	{ "normalize", 0 }, { "extract", SCORE_PATTERN_MAX }, { "tolerance", 0 }, { "fewshot", 0 },
	{ "max_tokens", 0 }, { "temperature", 0 }, { "language", BODY_SHORT_MAX },
	{ "description", 4096 }, { "license", BODY_NAME_MAX },
};

em_err
task_why(em_err err, char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return err;
}

const char *
task_metric_name(enum task_metric m)
{
	return metric_names[m];
}

int
task_metric_known(const char *name)
{
	for (size_t i = 0; i < sizeof metric_names / sizeof metric_names[0]; i++)
		if (strcmp(name, metric_names[i]) == 0)
			return 1;
	return 0;
}

/* Writes a one-line reason to why and returns err. */
static int
field_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > TASK_FIELD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

/* Finds the {field} placeholders of a template: "{{" and "}}" are literal
 * braces; anything else with a brace is an error. */
static em_err
placeholders(task_spec *s, const char *key, const char *t, char *why, size_t cap)
{
	for (const char *p = t; *p; p++) {
		const char *end;
		unsigned k;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		if (*p == '}')
			return task_why(EM_EFORMAT, why, cap, "%s: '}' at byte %zu has no '{' (write '}}' for a brace)",
			    key, (size_t)(p - t));
		if (*p != '{')
			continue;
		if ((end = strchr(p + 1, '}')) == NULL || !field_name_ok(p + 1, (size_t)(end - p - 1)))
			return task_why(EM_EFORMAT, why, cap, "%s: '{' at byte %zu does not start a {field} of letters, "
			    "digits and '_' (write '{{' for a brace)", key, (size_t)(p - t));
		for (k = 0; k < s->n_fields; k++)
			if (strlen(s->fields[k]) == (size_t)(end - p - 1) &&
			    memcmp(s->fields[k], p + 1, (size_t)(end - p - 1)) == 0)
				break;
		if (k == s->n_fields) {
			if (s->n_fields == TASK_FIELDS_MAX)
				return task_why(EM_EFORMAT, why, cap, "%s: more than %d different fields", key, TASK_FIELDS_MAX);
			memcpy(s->fields[k], p + 1, (size_t)(end - p - 1));
			s->fields[k][end - p - 1] = '\0';
			s->n_fields++;
		}
		p = end;
	}
	return EM_OK;
}

const char *
task_json_why(const json_error_t *je)
{
	static _Thread_local char cut[sizeof je->text];
	char *near;

	switch (json_error_code(je)) {
	case json_error_null_character:	return "a \\u0000 (NUL) character is not allowed";
	case json_error_invalid_utf8:	return "not valid UTF-8";
	default:
		/* jansson quotes the text where it stopped ("... near 'root'"):
		 * a file named as items may be one the author should never see
		 * quoted (a symlink, once), so the reason goes without it */
		snprintf(cut, sizeof cut, "%s", je->text);
		if ((near = strstr(cut, " near '")) != NULL)
			*near = '\0';
		return cut;
	}
}

static em_err
text(json_t *m, const char *key, size_t max, int need, const char **out, char *why,
    size_t cap)
{
	json_t *v = json_object_get(m, key);

	*out = NULL;
	if (v == NULL)
		return need ? task_why(EM_EFORMAT, why, cap, "%s: missing (required)", key) : EM_OK;
	if (!json_is_string(v))
		return task_why(EM_EFORMAT, why, cap, "%s: expected a string", key);
	if (json_string_length(v) > max)
		return task_why(EM_EFORMAT, why, cap, "%s: longer than %zu bytes", key, max);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return task_why(EM_EFORMAT, why, cap, "%s: holds a NUL character", key);
	/* every node prints a task's manifest: lines and tabs, nothing that
	 * rewrites a terminal line or hides in it */
	if (!utf8_printable_lines((const uint8_t *)json_string_value(v), json_string_length(v)))
		return task_why(EM_EFORMAT, why, cap, "%s: holds a control or invisible character "
		    "(only line breaks and tabs are allowed)", key);
	if (need && json_string_length(v) == 0)
		return task_why(EM_EFORMAT, why, cap, "%s: empty", key);
	*out = json_string_value(v);
	return EM_OK;
}

/* A task's name and version are printed by every node and read back as
 * NAME@VERSION: one line each, no '@' in the name. */
static em_err
shown(const char *name, const char *version, char *why, size_t cap)
{
	if (!utf8_printable((const uint8_t *)name, strlen(name)))
		return task_why(EM_EFORMAT, why, cap, "name: holds a control character");
	if (!utf8_printable((const uint8_t *)version, strlen(version)))
		return task_why(EM_EFORMAT, why, cap, "version: holds a control character");
	if (strchr(name, '@') != NULL)
		return task_why(EM_EFORMAT, why, cap, "name: holds '@' (NAME@VERSION names a task)");
	return EM_OK;
}

/* An author's name or version is about to be signed: the name rule
 * (name.h), and in NFC in the manifest, the form the record and the task
 * id take. *out is the value, and then the one in m. */
static em_err
signed_name(json_t *m, const char *key, size_t max, const char **out, char *why, size_t cap)
{
	char inner[160], nfc[NAME_KEY_CAP(BODY_NAME_MAX)];

	if (name_check(*out, inner, sizeof inner) != EM_OK)
		return task_why(EM_EFORMAT, why, cap, "%s: %s", key, inner);
	if (name_nfc(*out, nfc, sizeof nfc) != EM_OK || strlen(nfc) > max)
		return task_why(EM_EFORMAT, why, cap, "%s: longer than %zu bytes in Unicode NFC, "
		    "the form it is signed in", key, max);
	if (strcmp(nfc, *out) != 0 && json_object_set_new(m, key, json_string(nfc)) != 0)
		return task_why(EM_ENOMEM, why, cap, "out of memory");
	*out = json_string_value(json_object_get(m, key));
	return EM_OK;
}

static em_err
number(json_t *m, const char *key, double lo, double hi, int whole, double *out,
    char *why, size_t cap)
{
	json_t *v = json_object_get(m, key);
	double d;

	if (v == NULL)
		return EM_OK;	/* keeps the default in *out */
	if (!json_is_number(v) || (whole && !json_is_integer(v)))
		return task_why(EM_EFORMAT, why, cap, "%s: expected %s", key, whole ? "a whole number" : "a number");
	d = json_number_value(v);
	if (!(d >= lo && d <= hi))
		return task_why(EM_EFORMAT, why, cap, "%s: %g is outside %g..%g", key, d, lo, hi);
	*out = d;
	return EM_OK;
}

static em_err
metric_and_norm(task_spec *s, json_t *m, char *why, size_t cap)
{
	const char *metric;
	json_t *norm = json_object_get(m, "normalize"), *v;
	size_t i;
	em_err err;

	if ((err = text(m, "metric", 32, 1, &metric, why, cap)) != EM_OK)
		return err;
	for (i = 0; i < sizeof metric_names / sizeof metric_names[0]; i++)
		if (strcmp(metric, metric_names[i]) == 0)
			break;
	if (i == sizeof metric_names / sizeof metric_names[0])
		return task_why(EM_EFORMAT, why, cap, "metric: unknown metric '%.32s' (expected exact_match, "
		    "multiple_choice, numeric, regex or f1)", metric);
	s->metric = (enum task_metric)i;
	s->norm = NORM_NFKC | NORM_COLLAPSE_SPACE;	/* when not given */
	if (norm == NULL)
		return EM_OK;
	if (!json_is_array(norm) || json_array_size(norm) > 4)
		return task_why(EM_EFORMAT, why, cap, "normalize: expected a list of up to 4 of nfkc, lower, "
		    "strip_punct, collapse_space");
	s->norm = 0;
	json_array_foreach(norm, i, v) {
		unsigned f = json_is_string(v) ? score_norm_flag(json_string_value(v)) : 0;

		if (f == 0)
			return task_why(EM_EFORMAT, why, cap, "normalize: item %zu: expected one of nfkc, lower, "
			    "strip_punct, collapse_space", i + 1);
		s->norm |= f;
	}
	return EM_OK;
}

/* The checks shared by file manifests and canonical ones; m is borrowed
 * and gains a reference in s. */
static em_err
spec_from(json_t *m, task_spec *s, int from_file, char *why, size_t cap)
{
	const char *name, *version, *target, *choices, *dummy;
	const char *k;
	json_t *v;
	double d;
	em_err err;

	memset(s, 0, sizeof *s);
	if (!json_is_object(m))
		return task_why(EM_EFORMAT, why, cap, "the manifest is not a JSON object");
	json_object_foreach(m, k, v) {
		size_t i;

		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(k, known[i].key) == 0)
				break;
		if (i == sizeof known / sizeof known[0] || (!from_file && strcmp(k, "items") == 0))
			return task_why(EM_EFORMAT, why, cap, "%.64s: unknown key", k);
		if (known[i].max && (err = text(m, k, known[i].max, 0, &dummy, why, cap)) != EM_OK)
			return err;
	}
	if ((err = text(m, "name", BODY_NAME_MAX, 1, &name, why, cap)) ||
	    (err = text(m, "version", BODY_SHORT_MAX, 1, &version, why, cap)) ||
	    (err = shown(name, version, why, cap)) ||
	    (from_file && (err = signed_name(m, "name", BODY_NAME_MAX, &name, why, cap))) ||
	    (from_file && (err = signed_name(m, "version", BODY_SHORT_MAX, &version, why, cap))) ||
	    (err = text(m, "prompt", TASK_TEMPLATE_MAX, 1, &s->prompt, why, cap)) ||
	    (err = text(m, "target", TASK_FIELD_MAX, 1, &target, why, cap)) ||
	    (err = text(m, "system", TASK_TEMPLATE_MAX, 0, &s->system, why, cap)) ||
	    (err = text(m, "choices", TASK_FIELD_MAX, 0, &choices, why, cap)) ||
	    (err = text(m, "extract", SCORE_PATTERN_MAX, 0, &s->extract, why, cap)) ||
	    (from_file && (err = text(m, "items", 4096, 1, &dummy, why, cap))) ||
	    (err = metric_and_norm(s, m, why, cap)))
		return err;
	if (s->extract != NULL && s->extract[0] == '\0')
		return task_why(EM_EFORMAT, why, cap, "extract: empty (leave it out, or give a pattern)");
	strcpy(s->name, name);
	strcpy(s->version, version);
	if (!field_name_ok(target, strlen(target)))
		return task_why(EM_EFORMAT, why, cap, "target: '%.64s' is not a field name (letters, digits, '_')", target);
	strcpy(s->target, target);
	if (choices != NULL) {
		if (!field_name_ok(choices, strlen(choices)))
			return task_why(EM_EFORMAT, why, cap, "choices: '%.64s' is not a field name", choices);
		strcpy(s->choices, choices);
	} else if (s->metric == METRIC_CHOICE) {
		return task_why(EM_EFORMAT, why, cap, "choices: missing (multiple_choice needs the item field "
		    "that lists the options)");
	}
	if (s->extract != NULL) {
		char re[256];

		if (score_regex_check(s->extract, re, sizeof re) != EM_OK)
			return task_why(EM_EFORMAT, why, cap, "extract: not a valid regular expression: %s", re);
	} else if (s->metric == METRIC_REGEX) {
		return task_why(EM_EFORMAT, why, cap, "extract: missing (the regex metric needs a pattern)");
	}
	if ((err = placeholders(s, "prompt", s->prompt, why, cap)) ||
	    (s->system && (err = placeholders(s, "system", s->system, why, cap))))
		return err;
	d = 0;
	if ((err = number(m, "tolerance", 0, 1e300, 0, &d, why, cap)))
		return err;
	/* an author's key that their metric ignores is a mistake to say (a
	 * peer's task is taken as published) */
	if (from_file && json_object_get(m, "tolerance") != NULL && s->metric != METRIC_NUMERIC)
		return task_why(EM_EFORMAT, why, cap, "tolerance: only the numeric metric uses it");
	s->tolerance = d;
	d = 0;
	if ((err = number(m, "fewshot", 0, TASK_FEWSHOT_MAX, 1, &d, why, cap)))
		return err;
	s->fewshot = (unsigned)d;
	d = TASK_MAX_TOKENS_DEFAULT;
	if ((err = number(m, "max_tokens", 1, 65536, 1, &d, why, cap)))
		return err;
	s->max_tokens = (unsigned)d;
	d = 0;
	if ((err = number(m, "temperature", 0, 2, 0, &d, why, cap)))
		return err;
	s->temperature = d;
	s->manifest = json_incref(m);
	return EM_OK;
}

em_err
task_spec_parse(const uint8_t *bytes, size_t len, task_spec *s, char *why,
    size_t cap)
{
	json_error_t je;
	json_t *m;
	em_err err;

	memset(s, 0, sizeof *s);
	if (len > BODY_MANIFEST_MAX)
		return task_why(EM_EFORMAT, why, cap, "manifest: larger than %d bytes", BODY_MANIFEST_MAX);
	if (!utf8_valid(bytes, len))
		return task_why(EM_EFORMAT, why, cap, "manifest: not valid UTF-8");
	if ((m = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return task_why(EM_EFORMAT, why, cap, "manifest: not JSON: %s", task_json_why(&je));
	err = spec_from(m, s, 0, why, cap);
	json_decref(m);
	return err;
}

void
task_spec_free(task_spec *s)
{
	json_decref(s->manifest);
	memset(s, 0, sizeof *s);
}

/* The line of a file where "key" first appears, for error messages. */
static int
key_line(const char *textbuf, const char *why)
{
	char key[TASK_FIELD_MAX + 4];
	const char *colon = strchr(why, ':'), *at;
	int line = 1;

	if (colon == NULL || (size_t)(colon - why) > TASK_FIELD_MAX)
		return 1;
	snprintf(key, sizeof key, "\"%.*s\"", (int)(colon - why), why);
	if ((at = strstr(textbuf, key)) == NULL)
		return 1;
	for (const char *p = textbuf; p < at; p++)
		line += *p == '\n';
	return line;
}

/* Reads a whole text file of at most max bytes into a NUL-terminated buffer. */
static em_err
slurp(const char *path, size_t max, char **out, size_t *len, char *why, size_t cap)
{
	em_err err = file_read(path, max, (uint8_t **)out, len);

	if (err == EM_ETOOBIG)
		return task_why(err, why, cap, "%s: larger than %zu bytes", path, max);
	if (err != EM_OK)
		return task_why(err, why, cap, "%s: cannot read: %s", path, file_strerror(err));
	return EM_OK;
}

/* Whether the items path stays in the manifest's directory: not absolute,
 * no ".." part. A manifest may come from someone else, and publishing it
 * must not read (and quote, in an error) a file of the publisher's that
 * its author named. */
static int
items_path_ok(const char *items)
{
	if (items[0] == '/')
		return 0;
	for (const char *p = items; *p != '\0'; p += strcspn(p, "/"), p += *p == '/')
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return 0;
	return 1;
}

/* The items path, relative to the manifest's directory. */
static em_err
items_path(const char *manifest_path, const char *items, char *out, size_t cap)
{
	const char *slash = strrchr(manifest_path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, cap, "%s", items);
	else
		n = snprintf(out, cap, "%.*s/%s", (int)(slash - manifest_path), manifest_path, items);
	return n < 0 || (size_t)n >= cap ? EM_ETOOBIG : EM_OK;
}

/* Whether the file at ipath, symbolic links followed, is inside the
 * directory of manifest_path (followed too): what items_path_ok checks
 * of the text, checked of where it leads. 1 if so; 0 if not, or if
 * either cannot be resolved (then the read says why). */
static int
items_inside(const char *manifest_path, const char *ipath)
{
	char dir[PATH_MAX], real[PATH_MAX], *slash;
	size_t n;

	if (snprintf(dir, sizeof dir, "%s", manifest_path) >= (int)sizeof dir)
		return 0;
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (realpath(dir, real) == NULL)
		return 0;
	snprintf(dir, sizeof dir, "%s", real);
	if (realpath(ipath, real) == NULL)
		return errno == ENOENT;	/* not there: the read says so */
	n = strlen(dir);
	return strncmp(real, dir, n) == 0 && (real[n] == '/' || (n == 1 && dir[0] == '/'));
}

em_err
task_load(const char *path, task_built *t, char *why, size_t cap)
{
	char *buf, ipath[4200], inner[TASK_WHY_MAX];
	json_error_t je;
	json_t *m;
	size_t len = 0;
	em_err err;

	memset(t, 0, sizeof *t);
	if ((err = slurp(path, BODY_MANIFEST_MAX, &buf, &len, why, cap)) != EM_OK)
		return err;
	if (!utf8_valid((const uint8_t *)buf, len)) {
		free(buf);
		return task_why(EM_EFORMAT, why, cap, "%s: not valid UTF-8", path);
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		free(buf);
		return task_why(EM_EFORMAT, why, cap, "%s: starts with a byte order mark (U+FEFF); "
		    "save it as UTF-8 without one", path);
	}
	if ((m = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		free(buf);
		return task_why(EM_EFORMAT, why, cap, "%s:%d: not valid JSON: %s", path, je.line,
		    task_json_why(&je));
	}
	if ((err = spec_from(m, &t->spec, 1, inner, sizeof inner)) != EM_OK) {
		task_why(EM_EFORMAT, why, cap, "%s:%d: %s", path, key_line(buf, inner), inner);
		goto out;
	}
	if (!items_path_ok(json_string_value(json_object_get(m, "items")))) {
		err = task_why(EM_EFORMAT, why, cap, "%s:%d: items: must be a path inside the "
		    "manifest's directory (not absolute, no '..')", path, key_line(buf, "items:"));
		goto out;
	}
	if (items_path(path, json_string_value(json_object_get(m, "items")), ipath,
	    sizeof ipath) != EM_OK) {
		err = task_why(EM_EFORMAT, why, cap, "%s:%d: items: path too long", path, key_line(buf, "items:"));
		goto out;
	}
	if (!items_inside(path, ipath)) {
		err = task_why(EM_EFORMAT, why, cap, "%s:%d: items: leads outside the manifest's "
		    "directory (through a symbolic link)", path, key_line(buf, "items:"));
		goto out;
	}
	/* The canonical manifest: everything but the local path, keys sorted. */
	json_object_del(t->spec.manifest, "items");
	if (task_json_dump(t->spec.manifest, JSON_COMPACT | JSON_SORT_KEYS, &t->manifest) != EM_OK) {
		err = task_why(EM_ENOMEM, why, cap, "%s: out of memory", path);
		goto out;
	}
	t->manifest_len = strlen(t->manifest);
	if (t->manifest_len > BODY_MANIFEST_MAX) {
		err = task_why(EM_EFORMAT, why, cap, "%s: the manifest is larger than %d bytes", path, BODY_MANIFEST_MAX);
		goto out;
	}
	if ((err = task_items_file(ipath, t, why, cap)) == EM_OK && t->spec.fewshot > 0 &&
	    t->spec.fewshot >= t->n_items)
		err = task_why(EM_EFORMAT, why, cap, "%s:%d: fewshot: %u examples need at least %u "
		    "items (an item is never its own example); the task has %zu", path,
		    key_line(buf, "fewshot:"), t->spec.fewshot, t->spec.fewshot + 1, t->n_items);
out:
	json_decref(m);
	free(buf);
	if (err != EM_OK)
		task_built_free(t);
	return err;
}

em_err
task_json_dump(const json_t *v, size_t flags, char **out)
{
	/* json_dumpb writes into our buffer, not a growing one of its own:
	 * no write of it can fail, so none is lost (jansson #655) */
	size_t n = json_dumpb(v, NULL, 0, flags);

	*out = NULL;
	if (n == 0 || (*out = malloc(n + 1)) == NULL)
		return EM_ENOMEM;
	if (json_dumpb(v, *out, n, flags) != n) {
		free(*out);
		*out = NULL;
		return EM_ENOMEM;
	}
	(*out)[n] = '\0';
	return EM_OK;
}

void
task_built_body(const task_built *t, body_task *out)
{
	memset(out, 0, sizeof *out);
	strcpy(out->name, t->spec.name);
	strcpy(out->version, t->spec.version);
	memcpy(out->items_root, t->items_root, 32);
	out->n_items = t->n_items;
	out->manifest = (const uint8_t *)t->manifest;
	out->manifest_len = t->manifest_len;
	out->n_chunks = (uint32_t)t->n_chunks;
	out->chunks = t->chunk_hashes;
}

void
task_built_free(task_built *t)
{
	task_spec_free(&t->spec);
	free(t->manifest);
	free(t->items_path);
	free(t->chunk_hashes);
	memset(t, 0, sizeof *t);
}
