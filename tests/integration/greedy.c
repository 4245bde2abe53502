/* tests/integration/greedy — a member with the network key that asks a
 * node for more than it can use, for the node's tests.
 *
 *   greedy MODE HOST PORT NETKEY_FILE SRC_IP BUNDLE SECS
 *
 * Connects from SRC_IP, completes the handshake, and asks for what BUNDLE
 * (an export of the node's own records) names, for at most SECS seconds,
 * reading all the while. It prints one line: what it asked, the bytes it
 * received on the socket and in how many ms, and whether the node closed
 * the connection; the test judges the figures. Modes:
 *   wants      a want for 1,024 of the bundle's record ids, then, once
 *              they have all come, the next: as greedy as a peer can be
 *              without asking for more than it is sent
 *   wantflood  a want for 1,024 ids every 20 ms, answered or not
 *   chunks     the first task chunk of the bundle, eight times a message,
 *              every 10 ms (the same chunk again and again)
 * Exit 0 if it ran (connected and finished the handshake), 2 if not.
 * Every wait is bounded by SECS plus a few seconds. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "body.h"
#include "bundle.h"
#include "file.h"
#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "session.h"
#include "wire.h"

#define IDS_MAX		200000

typedef struct peer {
	int		 fd;
	session		*s;
	int		 closed;	/* the node hung up */
	uint64_t	 bytes;		/* received on the socket */
	uint64_t	 records;	/* in records messages */
	uint64_t	 how[3];	/* ... of them come as WIRE_SYNC, _PUSH, _GRAFT */
	uint64_t	 chunks;	/* chunk messages with bytes */
} peer;

static long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
dial(const char *host, int port, const char *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET }, from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, src, &from.sin_addr);
	inet_pton(AF_INET, host, &sa.sin_addr);
	sa.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&from, sizeof from) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
flush(peer *p)
{
	size_t len;
	const uint8_t *q = session_pending(p->s, &len);

	while (len > 0) {
		ssize_t n = write(p->fd, q, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		session_written(p->s, (size_t)n);
		q = session_pending(p->s, &len);
	}
	return 0;
}

static int
send_msg(peer *p, const wire_msg *m)
{
	uint8_t *enc;
	size_t len;
	em_err err;

	if (wire_encode(m, &enc, &len) != EM_OK)
		return -1;
	err = session_send(p->s, enc, len);
	free(enc);
	return err == EM_OK ? flush(p) : -1;
}

/* Counts what a message from the node carries. */
static void
count(peer *p, const uint8_t *msg, size_t len)
{
	static wire_msg m;	/* large for the stack */

	if (wire_decode(msg, len, &m) != EM_OK)
		return;
	if (m.type == WIRE_RECORDS) {
		p->records += m.u.records.n;
		if (m.u.records.how <= WIRE_GRAFT)
			p->how[m.u.records.how] += m.u.records.n;
	}
	else if (m.type == WIRE_CHUNK && m.u.chunk.len > 0)
		p->chunks++;
}

/* Reads what the node sends for up to ms (0: what is there now). 0, or -1
 * once the node has closed the connection or the session fails. */
static int
pump(peer *p, long ms)
{
	long end = ms_now() + ms;
	static uint8_t buf[1 << 16];

	do {
		struct pollfd pf = { p->fd, POLLIN, 0 };
		long left = end - ms_now();
		size_t off = 0, used;
		ssize_t n;

		if (poll(&pf, 1, left > 0 ? (int)left : 0) <= 0)
			continue;
		if ((n = read(p->fd, buf, sizeof buf)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			p->closed = 1;
			return -1;
		}
		p->bytes += (uint64_t)n;
		while (off < (size_t)n) {
			const uint8_t *msg;
			size_t mlen;

			if (session_feed(p->s, buf + off, (size_t)n - off, &used) != EM_OK) {
				p->closed = 1;
				return -1;
			}
			off += used;
			while (session_next(p->s, &msg, &mlen))
				count(p, msg, mlen);
		}
		if (flush(p) != 0) {
			p->closed = 1;
			return -1;
		}
	} while (ms_now() < end);
	return 0;
}

/* The ids of the bundle's records into ids (up to IDS_MAX), and the
 * first chunk hash of its first task into chunk (*has_chunk). */
static int
load(const char *path, uint8_t (*ids)[32], size_t *n, uint8_t chunk[32], int *has_chunk)
{
	uint8_t *buf = NULL;
	size_t len;
	const uint8_t *netid, *rec;
	size_t rlen;
	bundle_reader br;

	*n = 0;
	*has_chunk = 0;
	if (file_read(path, 1u << 30, &buf, &len) != EM_OK ||
	    bundle_open(&br, buf, len, &netid) != EM_OK) {
		free(buf);
		return -1;
	}
	while (bundle_next(&br, &rec, &rlen) == EM_OK && rec != NULL && *n < IDS_MAX) {
		rec_env env;
		body_any b;

		hash_blake2b(ids[(*n)++], rec, rlen);
		if (!*has_chunk && rec_parse(rec, rlen, &env, NULL) == EM_OK &&
		    env.kind == REC_TASK && rec_body(&env, &b) == EM_OK && b.u.task.n_chunks > 0) {
			memcpy(chunk, b.u.task.chunks, 32);
			*has_chunk = 1;
		}
	}
	free(buf);
	return 0;
}

static int
handshake(peer *p)
{
	long end = ms_now() + 5000;

	if (flush(p) != 0)
		return 0;
	while (!session_ready(p->s) && ms_now() < end && !p->closed)
		pump(p, 5);
	return session_ready(p->s);
}

/* A want for n ids from ids, starting at *next (wrapping). */
static int
want(peer *p, uint8_t (*ids)[32], size_t n_ids, size_t *next, uint32_t n)
{
	static uint8_t batch[WIRE_IDS_MAX][32];
	wire_msg m = { .type = WIRE_WANT };

	for (uint32_t i = 0; i < n; i++) {
		memcpy(batch[i], ids[*next], 32);
		*next = (*next + 1) % n_ids;
	}
	m.u.ids.n = n;
	m.u.ids.ids = &batch[0][0];
	return send_msg(p, &m);
}

/* Asks as mode says until SECS after start (when it connected: the
 * node's budget for it cannot begin before), or until the node hangs up. */
static void
run(const char *mode, peer *p, uint8_t (*ids)[32], size_t n_ids,
    const uint8_t chunk[32], long start, long secs)
{
	long end = start + secs * 1000;
	uint32_t n = n_ids < WIRE_IDS_MAX ? (uint32_t)n_ids : WIRE_IDS_MAX;
	size_t next = 0;
	uint64_t asks = 0;

	while (ms_now() < end && !p->closed) {
		if (strcmp(mode, "wants") == 0) {
			uint64_t goal = p->records + n;
			long give_up = ms_now() + 5000;

			if (want(p, ids, n_ids, &next, n) != 0)
				break;
			asks += n;
			while (p->records < goal && ms_now() < give_up && ms_now() < end &&
			    pump(p, 20) == 0)
				;
		} else if (strcmp(mode, "wantflood") == 0) {
			if (want(p, ids, n_ids, &next, n) != 0)
				break;
			asks += n;
			pump(p, 20);
		} else {
			wire_msg m = { .type = WIRE_CHUNK_WANT };
			uint8_t same[WIRE_CHUNK_WANTS_MAX][32];

			for (int i = 0; i < WIRE_CHUNK_WANTS_MAX; i++)
				memcpy(same[i], chunk, 32);
			m.u.ids.n = WIRE_CHUNK_WANTS_MAX;
			m.u.ids.ids = &same[0][0];
			if (send_msg(p, &m) != 0)
				break;
			asks += WIRE_CHUNK_WANTS_MAX;
			pump(p, 10);
		}
	}
	if (!p->closed)
		pump(p, 0);
	printf("%s: asked %llu, received %llu bytes (%llu records, %llu chunks) in %ld ms; "
	    "records by sync %llu, push %llu, want %llu; closed by the node: %s\n", mode,
	    (unsigned long long)asks, (unsigned long long)p->bytes,
	    (unsigned long long)p->records, (unsigned long long)p->chunks, ms_now() - start,
	    (unsigned long long)p->how[WIRE_SYNC], (unsigned long long)p->how[WIRE_PUSH],
	    (unsigned long long)p->how[WIRE_GRAFT],
	    p->closed ? "yes" : "no");
}

int
main(int argc, char **argv)
{
	uint8_t netkey[32], chunk[32];
	uint8_t (*ids)[32] = NULL;
	size_t n_ids = 0;
	int has_chunk = 0, rc = 2;
	ident *me = NULL;
	peer p = { .fd = -1 };
	const char *mode;
	long secs, start;

	if (argc != 8) {
		fprintf(stderr, "usage: greedy wants|wantflood|chunks HOST PORT NETKEY_FILE "
		    "SRC_IP BUNDLE SECS\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);	/* a node hanging up is an outcome */
	mode = argv[1];
	secs = atol(argv[7]);
	hash_init();
	if (strcmp(mode, "wants") != 0 && strcmp(mode, "wantflood") != 0 &&
	    strcmp(mode, "chunks") != 0) {
		fprintf(stderr, "greedy: unknown mode '%s'\n", mode);
		goto out;
	}
	if (netkey_read(argv[4], 0, netkey) != EM_OK) {
		fprintf(stderr, "greedy: cannot read the network key %s\n", argv[4]);
		goto out;
	}
	if ((ids = calloc(IDS_MAX, sizeof *ids)) == NULL ||
	    load(argv[6], ids, &n_ids, chunk, &has_chunk) != 0 || n_ids == 0 ||
	    (strcmp(mode, "chunks") == 0 && !has_chunk)) {
		fprintf(stderr, "greedy: %s holds no records (or no task chunk)\n", argv[6]);
		goto out;
	}
	if (ident_generate(&me) != EM_OK ||
	    session_new(1, me, netkey, NULL, 2 * WIRE_MSG_MAX, &p.s) != EM_OK)
		goto out;
	start = ms_now();
	if ((p.fd = dial(argv[2], atoi(argv[3]), argv[5])) < 0) {
		fprintf(stderr, "greedy: cannot connect: %s\n", strerror(errno));
		goto out;
	}
	if (!handshake(&p)) {
		fprintf(stderr, "greedy: the handshake did not finish\n");
		goto out;
	}
	run(mode, &p, ids, n_ids, chunk, start, secs);
	rc = 0;
out:
	if (p.fd >= 0)
		close(p.fd);
	session_free(p.s);
	ident_free(me);
	free(ids);
	return rc;
}
