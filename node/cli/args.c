#include "args.h"

#include <stdio.h>
#include <string.h>

static const opt help_opt = { "help", OPT_FLAG, 0 };

static long
find(const args_parsed *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->n_opts; i++)
		if (strlen(a->opts[i].name) == len &&
		    strncmp(a->opts[i].name, name, len) == 0)
			return (long)i;
	if (strlen(help_opt.name) == len && strncmp(help_opt.name, name, len) == 0)
		return (long)a->n_opts;
	return -1;
}

static long
find_letter(const args_parsed *a, const char *w)
{
	if (w[1] == '\0' || w[2] != '\0')
		return -1;
	for (size_t i = 0; i < a->n_opts; i++)
		if (a->opts[i].letter == w[1])
			return (long)i;
	return -1;
}

static em_err
take(args_parsed *a, long i, const char *value, const char *name, char *why, size_t cap)
{
	const opt *o = (size_t)i == a->n_opts ? &help_opt : &a->opts[i];

	if (a->got[i].n > 0 && o->kind != OPT_MULTI) {
		snprintf(why, cap, "option --%s given more than once", name);
		return EM_EINVAL;
	}
	if (a->got[i].n == ARGS_REPEAT_MAX) {
		snprintf(why, cap, "option --%s given more than %d times", name,
		    ARGS_REPEAT_MAX);
		return EM_EINVAL;
	}
	a->got[i].v[a->got[i].n++] = value;
	return EM_OK;
}

em_err
args_parse(args_parsed *a, const opt *opts, size_t n_opts, int argc, char **argv,
    size_t max_pos, char *why, size_t cap)
{
	int only_pos = 0;

	memset(a, 0, sizeof *a);
	if (n_opts >= ARGS_OPTS_MAX) {
		snprintf(why, cap, "too many options defined");
		return EM_EINVAL;
	}
	a->opts = opts;
	a->n_opts = n_opts;
	for (int k = 0; k < argc; k++) {
		const char *w = argv[k], *name, *eq, *value = NULL;
		size_t len;
		long i;

		if (!only_pos && strcmp(w, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (only_pos || w[0] != '-' || w[1] == '\0') {
			if (a->n_pos == max_pos || a->n_pos == ARGS_POS_MAX) {
				snprintf(why, cap, "unexpected argument '%.64s'", w);
				return EM_EINVAL;
			}
			a->pos[a->n_pos++] = w;
			continue;
		}
		if (strcmp(w, "-h") == 0)
			w = "--help";
		if (w[1] != '-') {
			if ((i = find_letter(a, w)) < 0) {
				snprintf(why, cap, "unknown option '%.64s'", w);
				return EM_EINVAL;
			}
			name = opts[i].name;
		} else {
			name = w + 2;
		}
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if ((i = find(a, name, len)) < 0) {
			snprintf(why, cap, "unknown option '--%.*s'", (int)(len > 64 ? 64 : len), name);
			return EM_EINVAL;
		}
		if ((size_t)i < n_opts && opts[i].kind != OPT_FLAG) {
			if (eq != NULL)
				value = eq + 1;
			else if (k + 1 < argc)
				value = argv[++k];
			else {
				snprintf(why, cap, "option --%.*s needs a value", (int)len, name);
				return EM_EINVAL;
			}
		} else if (eq != NULL) {
			snprintf(why, cap, "option --%.*s takes no value", (int)len, name);
			return EM_EINVAL;
		} else {
			value = "1";
		}
		if (take(a, i, value, (size_t)i < n_opts ? opts[i].name : "help", why, cap) != EM_OK)
			return EM_EINVAL;
	}
	return EM_OK;
}

const char *
args_get(const args_parsed *a, const char *name)
{
	long i = find(a, name, strlen(name));

	if (i < 0 || a->got[i].n == 0)
		return NULL;
	return a->got[i].v[a->got[i].n - 1];
}

size_t
args_all(const args_parsed *a, const char *name, const char *const **vals)
{
	long i = find(a, name, strlen(name));

	if (i < 0)
		return 0;
	*vals = a->got[i].v;
	return a->got[i].n;
}

int
args_help(const args_parsed *a)
{
	return a->got[a->n_opts].n > 0;
}

/* The option a word names ("--home", "--home=x", "-o"), or NULL. */
static const opt *
named(const char *w, const opt *opts, size_t n_opts)
{
	size_t len;

	if (w[1] != '-') {
		for (size_t i = 0; i < n_opts && w[2] == '\0'; i++)
			if (opts[i].letter == w[1])
				return &opts[i];
		return NULL;
	}
	len = strcspn(w + 2, "=");
	for (size_t i = 0; i < n_opts; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, w + 2, len) == 0)
			return &opts[i];
	return NULL;
}

int
args_first_pos(int argc, char *const *argv, const opt *opts, size_t n_opts)
{
	for (int k = 0; k < argc; k++) {
		const char *w = argv[k];
		const opt *o;

		if (strcmp(w, "--") == 0)
			return k + 1 < argc ? k + 1 : -1;
		if (w[0] != '-' || w[1] == '\0')
			return k;
		/* "--name value": the value is not the word looked for */
		if ((o = named(w, opts, n_opts)) != NULL && o->kind != OPT_FLAG &&
		    strchr(w, '=') == NULL)
			k++;
	}
	return -1;
}
