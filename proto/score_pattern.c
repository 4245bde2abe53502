/* Extraction patterns, on PCRE2 (see score.h, score_extract). */
#include "score.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* A pattern is a task author's, so a peer's, and every node that runs the
 * task matches it against every output. PCRE2's own limits do not bound
 * that: the match and depth limits count backtracking from one starting
 * point and start again at the next, and a repeat of one character or
 * class ("[ab]*+", "a{5000}") runs without counting at all, so "[ab]*+\d"
 * on 40 KB of "abab..." takes a second and on a megabyte a quarter of an
 * hour. So every pattern is compiled with an automatic callout before each
 * item, and the callout charges the work done since the one before: 1,
 * plus how far the subject position moved, plus what the item about to
 * run can do without moving it if it fails (item_cost: a repeat's least
 * count, a lookbehind's steps back). When the budget, PATTERN_WORK plus
 * PATTERN_WORK_BYTE a subject byte, is spent, the match stops: a few
 * tenths of a second at worst, on a megabyte. Two things do unbounded
 * work between callouts and are refused: a back-reference (it compares a
 * whole captured text) and \X repeated as one item (one cluster may be
 * the whole output). The engine's own limits stay, for memory
 * (PATTERN_HEAP_KIB of backtracking frames) and as a second guard. */
#define PATTERN_WORK		1000000u
#define PATTERN_WORK_BYTE	16u
#define PATTERN_WORK_CALL	8u		/* each pcre2_match() call */
#define PATTERN_MATCH_LIMIT	1000000u
#define PATTERN_DEPTH_LIMIT	100000u
#define PATTERN_HEAP_KIB	16384u		/* 16 MiB */

#define PCRE2_OPTIONS	(PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C | \
    PCRE2_AUTO_CALLOUT)

typedef struct pattern {
	pcre2_code	*re;
	const char	*text;
	size_t		 len;
	int		 crlf;		/* its newline convention has \r\n */
	int		 backref;	/* it holds a back-reference */
	int		 ext;		/* it repeats \X at least twice */
	uint32_t	 lookbehind;	/* steps back a group may take */
	uint32_t	 cost[SCORE_PATTERN_MAX + 1];	/* item_cost() by offset */
} pattern;

typedef struct work {
	const pattern	*p;
	uint64_t	 left;
	size_t		 last;		/* the subject offset at the last callout */
} work;

/* What one item's text ("a{300}", "\\d{2,5}?", "(?<=") costs before it
 * runs: the least count of its repeat, the largest m of any {m in it (so
 * a comment's braces count too, never fewer); for a group, as many steps
 * back as a lookbehind in it may take for each branch, since one that
 * cannot step back far enough fails without a callout. The braces of
 * \x{263a}, \p{Han}, \g{1}, \N{U+41}, \o{17} and \k{name} are an
 * escape's. *ext is set if it repeats \X, whose one step has no bound. */
static uint32_t
item_cost(const pattern *p, const char *s, size_t n, int *ext)
{
	uint32_t least = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t m = 0;

		if (s[i] == '\\') {
			*ext |= i + 1 < n && s[i + 1] == 'X';
			if (i + 2 < n && s[i + 2] == '{' && strchr("xopPgkN", s[i + 1]) != NULL)
				while (i < n && s[i] != '}')
					i++;
			else
				i++;
			continue;
		}
		if (s[i] != '{')
			continue;
		for (i++; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			m = m < 65535 ? m * 10 + (uint32_t)(s[i] - '0') : 65535;
		if (m > least)
			least = m > 65535 ? 65535 : m;
		i--;
	}
	*ext = *ext && least > 1;
	if (n > 0 && s[0] == '(')
		least += p->lookbehind;
	return least;
}

/* 1 if an item's text is a back-reference: \1, \g1, \g{-1}, \k<n>, (?P=n). */
static int
item_backref(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '\\' && ((s[1] >= '1' && s[1] <= '9') || s[1] == 'k'))
		return 1;
	if (n >= 3 && s[0] == '\\' && s[1] == 'g' && s[2] != '<' && s[2] != '\'')
		return 1;	/* \g<1> and \g'1' are calls, not references */
	return n >= 4 && strncmp(s, "(?P=", 4) == 0;
}

static int
enumerate(pcre2_callout_enumerate_block *b, void *arg)
{
	pattern *p = arg;
	size_t at = b->pattern_position, n = b->next_item_length;
	uint32_t c;
	int ext = 0;

	if (at > p->len || n > p->len - at)
		return 0;
	if ((c = item_cost(p, p->text + at, n, &ext)) > p->cost[at])
		p->cost[at] = c;
	p->backref |= item_backref(p->text + at, n);
	p->ext |= ext;
	return 0;
}

/* The steps back all the branches of one lookbehind may take: its
 * longest branch's length for each branch the pattern could have. */
static uint32_t
lookbehind_cost(const pattern *p)
{
	uint32_t most = 0, branches = 1;

	pcre2_pattern_info(p->re, PCRE2_INFO_MAXLOOKBEHIND, &most);
	for (size_t i = 0; i < p->len; i++)
		branches += p->text[i] == '|';
	return most * branches;
}

static void
pattern_free(pattern *p)
{
	pcre2_code_free(p->re);
	p->re = NULL;
}

/* Compiles text into p (pattern_free() it). EM_EFORMAT with the reason in
 * why: PCRE2's message and offset, the length, a back-reference. */
static em_err
pattern_compile(const char *text, pattern *p, char *why, size_t cap)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	uint32_t nl;
	int ec;

	memset(p, 0, sizeof *p);
	p->text = text;
	if ((p->len = strlen(text)) > SCORE_PATTERN_MAX) {
		snprintf(why, cap, "longer than %u bytes", SCORE_PATTERN_MAX);
		return EM_EFORMAT;
	}
	if ((p->re = pcre2_compile((PCRE2_SPTR)text, p->len, PCRE2_OPTIONS, &ec, &off,
	    NULL)) == NULL) {
		if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", ec);
		snprintf(why, cap, "%s at offset %zu", (char *)msg, (size_t)off);
		return ec == PCRE2_ERROR_NOMEMORY ? EM_ENOMEM : EM_EFORMAT;
	}
	p->lookbehind = lookbehind_cost(p);
	if (pcre2_callout_enumerate(p->re, enumerate, p) != 0) {
		snprintf(why, cap, "its items could not be listed");
		pattern_free(p);
		return EM_EFORMAT;
	}
	if (p->backref || p->ext) {
		snprintf(why, cap, p->backref ? "back-references (\\1, \\g{1}, \\k<name>, "
		    "(?P=name)) are not allowed: matching them has no bound" :
		    "\\X repeated (\\X{2}) is not allowed: write (?:\\X){2}");
		pattern_free(p);
		return EM_EFORMAT;
	}
	pcre2_pattern_info(p->re, PCRE2_INFO_NEWLINE, &nl);
	p->crlf = nl == PCRE2_NEWLINE_CRLF || nl == PCRE2_NEWLINE_ANY ||
	    nl == PCRE2_NEWLINE_ANYCRLF;
	return EM_OK;
}

/* The automatic callout before each item: charges the work since the
 * last one, and stops the match when the budget is spent. */
static int
charge(pcre2_callout_block *b, void *arg)
{
	work *w = arg;
	size_t at = b->current_position, moved;
	uint64_t c;

	/* a new starting point: the engine got here by memchr(), not work */
	if (b->callout_flags & PCRE2_CALLOUT_STARTMATCH)
		w->last = at;
	moved = at > w->last ? at - w->last : w->last - at;
	w->last = at;
	c = 1 + (uint64_t)moved;
	if (b->pattern_position <= w->p->len)
		c += w->p->cost[b->pattern_position];
	if (c > w->left)
		return PCRE2_ERROR_MATCHLIMIT;
	w->left -= c;
	return 0;
}

/* The offset after the character at s + at (n bytes in all). */
static PCRE2_SIZE
next_char(const char *s, size_t n, PCRE2_SIZE at, int crlf)
{
	if (crlf && at + 1 < n && s[at] == '\r' && s[at + 1] == '\n')
		return at + 2;
	for (at++; at < n && ((unsigned char)s[at] & 0xc0) == 0x80; at++)
		;
	return at;
}

/* The match context: the engine's limits, and the budget as its callout. */
static pcre2_match_context *
match_context(work *w)
{
	pcre2_match_context *mc = pcre2_match_context_create(NULL);

	if (mc != NULL) {
		pcre2_set_match_limit(mc, PATTERN_MATCH_LIMIT);
		pcre2_set_depth_limit(mc, PATTERN_DEPTH_LIMIT);
		pcre2_set_heap_limit(mc, PATTERN_HEAP_KIB);
		pcre2_set_callout(mc, charge, w);
	}
	return mc;
}

/* The last of p's matches in s (n bytes of valid UTF-8), found left to
 * right without overlap as Python's re.finditer() does; its first group
 * when that took part, else the whole match, in [*so, *eo). EM_ENOTFOUND,
 * EM_ETOOBIG when a limit stopped it, EM_ENOMEM. */
static em_err
last_match(const pattern *p, const char *s, size_t n, size_t *so, size_t *eo)
{
	work w = { p, PATTERN_WORK + (uint64_t)PATTERN_WORK_BYTE * n, 0 };
	pcre2_match_context *mc = match_context(&w);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->re, NULL);
	PCRE2_SIZE at = 0, *ov;
	uint32_t opts = 0;
	em_err err = EM_ENOTFOUND;
	int rc;

	if (mc == NULL || md == NULL) {
		err = EM_ENOMEM;
		goto out;
	}
	ov = pcre2_get_ovector_pointer(md);
	while (at <= n) {
		if (w.left < PATTERN_WORK_CALL) {
			err = EM_ETOOBIG;
			goto out;
		}
		w.left -= PATTERN_WORK_CALL;
		rc = pcre2_match(p->re, (PCRE2_SPTR)s, n, at, opts | PCRE2_NO_UTF_CHECK, md, mc);
		if (rc == PCRE2_ERROR_NOMATCH && opts == 0)
			break;
		if (rc == PCRE2_ERROR_NOMATCH) {
			/* nothing but the empty match here: on by a character */
			opts = 0;
			at = next_char(s, n, at, p->crlf);
			continue;
		}
		if (rc < 0) {
			err = rc == PCRE2_ERROR_NOMEMORY ? EM_ENOMEM : EM_ETOOBIG;
			goto out;
		}
		if (ov[1] < ov[0])
			break;	/* \K past the end, which PCRE2 refuses to compile */
		err = EM_OK;
		*so = rc > 1 && ov[2] != PCRE2_UNSET ? ov[2] : ov[0];
		*eo = rc > 1 && ov[2] != PCRE2_UNSET ? ov[3] : ov[1];
		/* after an empty match, the next one here must not be empty */
		opts = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
		at = ov[1];
	}
out:
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return err;
}

em_err
score_regex_check(const char *pattern_text, char *why, size_t cap)
{
	pattern p;
	em_err err;

	if ((err = pattern_compile(pattern_text, &p, why, cap)) == EM_OK)
		pattern_free(&p);
	return err;
}

em_err
score_extract(const char *output, const char *pattern_text, unsigned flags, char **out)
{
	char why[256], *o = NULL;
	size_t so = 0, eo = 0;
	pattern p;
	em_err err;

	*out = NULL;
	if ((err = pattern_compile(pattern_text, &p, why, sizeof why)) != EM_OK)
		return err;
	if ((err = score_normalize(output, flags & NORM_NFKC, &o)) == EM_OK &&
	    (err = last_match(&p, o, strlen(o), &so, &eo)) == EM_OK &&
	    (*out = strndup(o + so, eo - so)) == NULL)
		err = EM_ENOMEM;
	free(o);
	pattern_free(&p);
	return err;
}

double
score_regex(const char *output, const char *pattern_text, const char *target,
    unsigned flags)
{
	char *got;
	double s;

	if (score_extract(output, pattern_text, flags, &got) != EM_OK)
		return 0;
	s = score_exact(got, target, flags);
	free(got);
	return s;
}
