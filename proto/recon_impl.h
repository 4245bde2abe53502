/* proto/recon_impl.h — shared by recon.c and recon_msg.c only. */
#ifndef EM_RECON_IMPL_H
#define EM_RECON_IMPL_H

#include "recon.h"

enum recon_mode { MODE_SKIP = 0, MODE_FP = 1, MODE_IDS = 2, MODE_NEED = 3 };

#define HEAD_END	63		/* blen meaning: the end of the key space */
#define RANGE_HEAD_MAX	(1 + RECON_KEY)	/* a head and the longest bound */
/* What cutting an answer short costs at most: a pending skip written out,
 * then one FP range to the end. */
#define FOLD_BYTES	(RANGE_HEAD_MAX + RANGE_HEAD_MAX + RECON_FP)
#define FOLD_RANGES	2

typedef struct rbound {
	uint8_t	k[RECON_KEY];	/* as a key: its bytes, then zeros */
	uint8_t	len;		/* bytes on the wire, 1..32 (0: all zeros) */
	uint8_t	inf;		/* the end of the key space */
} rbound;

/* One range of a message; pointers borrow from the message. */
typedef struct rrange {
	int		 mode;		/* enum recon_mode */
	rbound		 lo, hi;
	const uint8_t	*fp;		/* FP: RECON_FP bytes */
	const uint8_t	*ids;		/* IDS, NEED: n * RECON_PREFIX bytes */
	uint32_t	 n;
} rrange;

typedef struct rreader {
	const uint8_t	*p;
	size_t		 left;
	rbound		 lo;		/* the next range's lower bound */
	int		 prev;		/* the previous range's mode, -1 if none */
	uint32_t	 ranges;
	const char	*why;		/* set with an error */
} rreader;

typedef struct rwriter {
	uint8_t		*p;
	size_t		 len, cap;
	uint32_t	 ranges;
	int		 skip;		/* a skip up to skip_hi is pending */
	rbound		 skip_hi;
	int		 asks;		/* an FP or IDS range was written */
} rwriter;

void	bound_zero(rbound *b);
void	bound_end(rbound *b);
/* The shortest bound above a and at most c (a < c). */
void	bound_between(rbound *b, const uint8_t a[static RECON_KEY],
    const uint8_t c[static RECON_KEY]);
/* 1 if key lies below the bound. */
int	key_below(const uint8_t key[static RECON_KEY], const rbound *b);

/* Checks the version byte: EM_EVERSION, EM_ETRUNC. */
em_err	rd_init(rreader *rd, const uint8_t *msg, size_t len);
/* The next range into *g and *got = 1, or *got = 0 at the end; errors
 * name the rule broken in rd->why. */
em_err	rd_next(rreader *rd, rrange *g, int *got);

void	wr_init(rwriter *w, uint8_t *buf, size_t cap);
/* 1 if bytes more in ranges more fit, leaving room to fold. */
int	wr_room(const rwriter *w, size_t bytes, uint32_t ranges);
void	wr_skip(rwriter *w, const rbound *hi);
void	wr_fp(rwriter *w, const rbound *hi, const uint8_t fp[static RECON_FP]);
void	wr_list(rwriter *w, int mode, const rbound *hi, const uint8_t *ids,
    uint32_t n);
/* Drops a pending skip (the end is an implied skip); the length. */
size_t	wr_finish(rwriter *w);

#endif
