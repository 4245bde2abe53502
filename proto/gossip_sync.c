/* Anti-entropy: summaries of what each author's feed holds (see gossip.h). */
#include "gossip_impl.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_entry(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Our summary, sorted by author. *entries is the caller's to free(). */
static uint32_t
our_summary(gossip *g, uint8_t **entries)
{
	uint32_t n;

	if ((*entries = malloc((size_t)WIRE_SUMMARY_MAX * WIRE_SUMMARY_ENTRY)) == NULL)
		return 0;
	n = g->h.summary(g->h.ctx, *entries, WIRE_SUMMARY_MAX);
	if (n > WIRE_SUMMARY_MAX)
		n = WIRE_SUMMARY_MAX;
	qsort(*entries, n, WIRE_SUMMARY_ENTRY, cmp_entry);
	return n;
}

/* Sends peer our summary; a reply to its own is an answer to its ask,
 * charged to its answer budget at now (and not sent if over it: the next
 * round makes up for it). */
static void
send_summary(gossip *g, uint32_t peer, int reply, uint64_t now)
{
	wire_msg m;
	uint8_t *entries;

	m.type = WIRE_SUMMARY;
	m.u.summary.reply = reply;
	m.u.summary.n = our_summary(g, &entries);
	m.u.summary.entries = entries;
	if (entries != NULL && (!reply ||
	    gossip_answer(g, peer, (size_t)m.u.summary.n * WIRE_SUMMARY_ENTRY, now)))
		gp_send(g, peer, &m);
	free(entries);
}

void
sync_start(gossip *g, uint64_t now)
{
	uint32_t i = (uint32_t)(g->h.rand(g->h.ctx) % g->n_peers);

	/* jitter keeps nodes from falling into step */
	g->next_ae = now + g->o.ae_ms / 2 + g->h.rand(g->h.ctx) % (g->o.ae_ms + 1);
	send_summary(g, g->peers[i].handle, 0, now);
}

static void
push_fn(void *arg, const uint8_t *rec, size_t len)
{
	batch_add(arg, rec, len);
}

/* Entries must come sorted by author, each author once: then both lists
 * are walked together, in time linear in their lengths. */
static int
sorted(const uint8_t *e, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (memcmp(e + (size_t)(i - 1) * WIRE_SUMMARY_ENTRY,
		    e + (size_t)i * WIRE_SUMMARY_ENTRY, 32) >= 0)
			return 0;
	return 1;
}

/* Walks ours and theirs together: pushes what they lack, and says whether
 * they hold something we lack. */
static int
compare_push(gossip *g, batch *b, const uint8_t *ours, uint32_t no,
    const uint8_t *theirs, uint32_t nt)
{
	uint32_t i = 0, k = 0;
	int we_lack = 0;

	while (i < no || k < nt) {
		uint8_t a[32], ta[32];
		uint64_t oc = 0, om = 0, tc = 0, tm = 0;
		int c;

		if (i < no)
			wire_entry(ours, i, a, &oc, &om);
		if (k < nt)
			wire_entry(theirs, k, ta, &tc, &tm);
		c = i >= no ? 1 : k >= nt ? -1 : memcmp(a, ta, 32);
		if (c < 0) {			/* an author they do not know */
			g->h.feed(g->h.ctx, a, 1, om, b->budget, push_fn, b);
			i++;
		} else if (c > 0) {		/* an author we do not know */
			we_lack = 1;
			k++;
		} else {
			if (om > tc)
				g->h.feed(g->h.ctx, a, tc + 1, om, b->budget, push_fn, b);
			if (tm > oc)
				we_lack = 1;
			i++;
			k++;
		}
	}
	return we_lack;
}

/* Whether peer's summary at now is within what an honest node sends:
 * one per round (every 0.5-1.5 ae_ms) and one in reply to each of ours,
 * so at most two per half round; SUMMARY_RATE per ae_ms, with a burst,
 * leaves room for jitter. Each summary costs us a walk of every author. */
static int
summary_due(gossip *g, uint32_t peer, uint64_t now)
{
	gpeer *p = gp_find(g, peer);
	uint32_t per_s = SUMMARY_RATE * 1000 / (g->o.ae_ms ? g->o.ae_ms : 1);

	return p != NULL && bucket_take(&p->sums, per_s ? per_s : 1, SUMMARY_BURST, 1, now);
}

void
sync_recv(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now)
{
	uint8_t *ours;
	uint32_t no;
	batch b;

	if (!summary_due(g, peer, now)) {
		gossip_penalize(g, peer, PENALTY_FLOOD, "summaries more often than a node sends them");
		return;
	}
	if (!sorted(m->u.summary.entries, m->u.summary.n)) {
		gossip_penalize(g, peer, PENALTY_MALFORMED, "unsorted summary");
		return;
	}
	no = our_summary(g, &ours);
	if (ours == NULL)
		return;
	batch_init(&b, g, peer, WIRE_SYNC, g->o.ae_records, now);
	if (compare_push(g, &b, ours, no, m->u.summary.entries, m->u.summary.n) &&
	    !m->u.summary.reply)
		send_summary(g, peer, 1, now);
	batch_send(&b);
	free(ours);
	g->last_sync = now;
}
