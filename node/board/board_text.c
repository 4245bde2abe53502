/* The words a board is shown in (board.h): its flags, one vocabulary for
 * every command, and what its reporters' runs cut. */
#include "board.h"

#include <stdio.h>

static const struct {
	uint32_t	 bit;
	const char	*word;
} flag_words[BOARD_FLAG_WORDS] = {
	{ RESULT_EQUIVOCATED, "equivocating-author" },
	{ RESULT_DISPUTED, "disputed" },
	{ RESULT_REVOKED, "revoked" },
	{ RESULT_FAILED_AUDIT, "failed-audit" },
	{ RESULT_AUDITED, "audited" },
	{ RESULT_AUDIT_UNVERIFIED, "audit-unverified" },
	{ RESULT_AUDIT_UNANSWERED, "audit-unanswered" },
	{ RESULT_AUDIT_PENDING, "audit-pending" },
};

_Static_assert(sizeof "equivocating-author,disputed,revoked,failed-audit,audited,"
    "audit-unverified,audit-unanswered,audit-pending" <= BOARD_FLAGS_LEN,
    "BOARD_FLAGS_LEN holds every word");

size_t
board_flag_words(uint32_t flags, const char *words[static BOARD_FLAG_WORDS])
{
	size_t n = 0;

	for (size_t i = 0; i < BOARD_FLAG_WORDS; i++)
		if (flags & flag_words[i].bit)
			words[n++] = flag_words[i].word;
	return n;
}

const char *
board_flags(uint32_t flags, char *buf, size_t cap)
{
	const char *w[BOARD_FLAG_WORDS];
	size_t n = board_flag_words(flags, w), len = 0;

	if (cap == 0)
		return buf;
	snprintf(buf, cap, "%s", n ? "" : "-");
	for (size_t i = 0; i < n && len < cap; i++) {
		int k = snprintf(buf + len, cap - len, "%s%s", i ? "," : "", w[i]);

		if (k < 0)
			break;
		len += (size_t)k;
	}
	return buf;
}

const char *
board_cuts(const board_row *r, char *buf, size_t cap)
{
	static const char *const what[BOARD_CUTS] = { "truncated", "empty", "refused", "failed" };
	size_t len = 0;

	buf[0] = '\0';
	for (int k = 0; k < BOARD_CUTS && len < cap; k++) {
		int w;

		if (r->cut[k] == 0)
			continue;
		w = snprintf(buf + len, cap - len, "%s%llu/%llu %s", len ? ", " : "",
		    (unsigned long long)r->cut[k], (unsigned long long)r->items_sum, what[k]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	if (len == 0)
		snprintf(buf, cap, "-");
	return buf;
}
