/* tests/integration/hostile — a misbehaving peer, for the node's tests.
 *
 *   hostile MODE HOST PORT NETKEY_FILE SRC_IP [N]
 *
 * Connects from SRC_IP (a loopback address such as 127.0.0.23, so that a
 * ban of it leaves the honest nodes on 127.0.0.1 alone), misbehaves as MODE
 * says, and exits 0 if the node reacted as it should:
 *   garbage      bytes that are no handshake           -> closed
 *   stall        nothing at all                        -> closed at the deadline
 *   postgarbage  a handshake, then bytes of no frame   -> closed
 *   oversize     a handshake, then a 100 MiB message   -> closed
 *   badsig       a handshake, then forged records      -> closed
 *   equivocate   a handshake, then two records, one seq -> closed
 *   flood        a handshake, then 30,000 pings at once -> closed
 *   banned       a handshake                           -> refused before it ends
 *   honest       a handshake, a hello, one ping        -> still open after 1 s
 *   idle         N connections that say nothing: prints how many the node
 *                accepted and how many it closed within 3 s after the deadline
 *   peers        N connections one after another (N, then BASE), each a
 *                handshake, one peers message of 64 addresses
 *                127.77.0.1:BASE+64i.. and a ping -> answered (pong) on each
 *   peerflood    a handshake, then 18 peers messages of 64 addresses
 *                127.77.0.2:BASE.. (BASE the next argument) at once -> closed
 * Every wait is bounded; nothing here runs longer than ~20 s. */
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

#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "session.h"
#include "testutil.h"
#include "wire.h"

static uint8_t netkey[32], netid[32];
static ident *me;
static long flood_base;		/* peerflood: the first port it names */

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

/* Waits up to ms for the node to close fd; returns 1 if it did. */
static int
closed_within(int fd, long ms)
{
	long end = ms_now() + ms;
	uint8_t buf[4096];

	while (ms_now() < end) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, (int)(end - ms_now())) <= 0)
			continue;
		ssize_t n = read(fd, buf, sizeof buf);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 1;
	}
	return 0;
}

static int
flush(int fd, session *s)
{
	size_t len;
	const uint8_t *p = session_pending(s, &len);

	if (len > 0 && write(fd, p, len) != (ssize_t)len)
		return -1;
	session_written(s, len);
	return 0;
}

/* Runs the handshake as initiator; 1 if it completed within 5 s. */
static int
handshake(int fd, session **s)
{
	long end = ms_now() + 5000;
	uint8_t buf[4096];

	/* our own limit is twice the node's, to be able to break it */
	if (session_new(1, me, netkey, NULL, 2 * WIRE_MSG_MAX, s) != EM_OK || flush(fd, *s))
		return 0;
	while (!session_ready(*s) && ms_now() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		size_t used, off = 0;
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			return 0;
		while (off < (size_t)n) {
			const uint8_t *m;
			size_t mlen;

			if (session_feed(*s, buf + off, (size_t)n - off, &used) != EM_OK)
				return 0;
			off += used;
			while (session_next(*s, &m, &mlen))
				;	/* the node's hello: not needed here */
		}
		if (flush(fd, *s))
			return 0;
	}
	return session_ready(*s);
}

static int
send_msg(int fd, session *s, const wire_msg *m)
{
	uint8_t *enc;
	size_t len;

	if (wire_encode(m, &enc, &len) != EM_OK)
		return -1;
	session_send(s, enc, len);
	free(enc);
	return flush(fd, s);
}

static int
send_records(int fd, session *s, uint8_t **recs, size_t *lens, uint32_t n)
{
	wire_msg m = { .type = WIRE_RECORDS };

	m.u.records.how = WIRE_PUSH;
	m.u.records.n = n;
	for (uint32_t i = 0; i < n; i++) {
		m.u.records.rec[i] = recs[i];
		m.u.records.len[i] = lens[i];
	}
	return send_msg(fd, s, &m);
}

/* A peers message of 64 addresses HOST:first.. (no ids). */
static void
peers_msg(wire_msg *m, const char *host, long first)
{
	memset(m, 0, sizeof *m);
	m->type = WIRE_PEERS;
	m->u.peers.n = 64;
	for (uint32_t i = 0; i < 64; i++)
		snprintf(m->u.peers.p[i].addr, sizeof m->u.peers.p[i].addr, "%s:%ld", host,
		    first + (long)i);
}

static int
attack(const char *mode, int fd, session *s)
{
	uint8_t *recs[8], junk[512];
	size_t lens[8];
	int rc;

	if (strcmp(mode, "postgarbage") == 0) {
		memset(junk, 0x41, sizeof junk);
		junk[0] = 1;	/* a frame of 256+ bytes that will not authenticate */
		return write(fd, junk, sizeof junk) == (ssize_t)sizeof junk;
	}
	if (strcmp(mode, "oversize") == 0) {
		/* one byte over the node's limit: it must stop at the header */
		uint8_t *big = calloc(1, WIRE_MSG_MAX + 1);

		rc = big && session_send(s, big, WIRE_MSG_MAX + 1) == EM_OK;
		free(big);
		flush(fd, s);	/* the node may hang up mid-way: that is the point */
		return rc;
	}
	if (strcmp(mode, "badsig") == 0) {
		for (uint32_t i = 0; i < 8; i++) {
			tu_record(me, netid, i + 1, i, &recs[i], &lens[i]);
			recs[i][lens[i] - 1] ^= 0x01;	/* the signature's last byte */
		}
		rc = send_records(fd, s, recs, lens, 8) == 0;
		for (int i = 0; i < 8; i++)
			free(recs[i]);
		return rc;
	}
	if (strcmp(mode, "flood") == 0) {
		wire_msg ping = { .type = WIRE_PING };

		for (int i = 0; i < 30000; i++) {
			uint8_t *enc;
			size_t len;

			ping.u.nonce = (uint64_t)i;
			if (wire_encode(&ping, &enc, &len) != EM_OK)
				return 0;
			session_send(s, enc, len);
			free(enc);
		}
		flush(fd, s);	/* ~1 MB at once; the node may hang up mid-way */
		return 1;
	}
	if (strcmp(mode, "peerflood") == 0) {
		static wire_msg m;

		for (long i = 0; i < 18; i++) {
			peers_msg(&m, "127.77.0.2", flood_base + 64 * i);
			if (send_msg(fd, s, &m) != 0)
				return 1;	/* hung up mid-way: that is the point */
		}
		return 1;
	}
	if (strcmp(mode, "equivocate") == 0) {
		tu_record(me, netid, 1, 1, &recs[0], &lens[0]);
		tu_record(me, netid, 1, 2, &recs[1], &lens[1]);
		rc = send_records(fd, s, recs, lens, 2) == 0;
		free(recs[0]);
		free(recs[1]);
		return rc;
	}
	return 0;
}

/* Waits up to ms for a pong from the node on fd; 1 if one came. */
static int
pong_within(int fd, session *s, long ms)
{
	long end = ms_now() + ms;
	uint8_t buf[4096];
	wire_msg *m = malloc(sizeof *m);
	int got = 0;

	while (m != NULL && !got && ms_now() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		size_t used, off = 0;
		ssize_t n;

		if (poll(&p, 1, (int)(end - ms_now())) <= 0)
			continue;
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			break;
		while (off < (size_t)n && !got) {
			const uint8_t *msg;
			size_t len;

			if (session_feed(s, buf + off, (size_t)n - off, &used) != EM_OK)
				goto out;
			off += used;
			while (!got && session_next(s, &msg, &len))
				got = wire_decode(msg, len, m) == EM_OK && m->type == WIRE_PONG;
		}
	}
out:
	free(m);
	return got;
}

/* n connections from src, each telling the node 64 addresses within its
 * budget and then pinging it: 0 if the node answered every ping. */
static int
peers(const char *host, int port, const char *src, int n, long base)
{
	static wire_msg m;
	wire_msg ping = { .type = WIRE_PING };
	int answered = 0;

	for (int i = 0; i < n; i++) {
		session *s = NULL;
		int fd = dial(host, port, src);

		peers_msg(&m, "127.77.0.1", base + 64L * i);
		if (fd >= 0 && handshake(fd, &s) && send_msg(fd, s, &m) == 0 &&
		    send_msg(fd, s, &ping) == 0 && pong_within(fd, s, 5000))
			answered++;
		session_free(s);
		if (fd >= 0)
			close(fd);
	}
	printf("peers: %d connections told 64 addresses each, %d answered\n", n, answered);
	return answered == n ? 0 : 1;
}

/* Opens n connections that say nothing, then waits (at most three
 * deadlines and 3 s) until the node has closed them all. */
static int
idle(const char *host, int port, const char *src, int n, long deadline_ms)
{
	struct pollfd *p = calloc((size_t)n, sizeof *p);
	int opened = 0, closed = 0;
	long end;
	uint8_t buf[256];

	for (int i = 0; i < n; i++)
		if ((p[i].fd = dial(host, port, src)) >= 0) {
			p[i].events = POLLIN;
			opened++;
		}
	end = ms_now() + 3 * deadline_ms + 3000;
	while (closed < opened && ms_now() < end) {
		if (poll(p, (nfds_t)n, (int)(end - ms_now())) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (read(p[i].fd, buf, sizeof buf) > 0)
				continue;	/* the node said something: still open */
			close(p[i].fd);
			p[i].fd = -1;	/* poll skips negative descriptors */
			closed++;
		}
	}
	for (int i = 0; i < n; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	printf("idle: %d opened, %d closed by the node\n", opened, closed);
	free(p);
	return closed == opened ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *mode, *host, *src;
	session *s = NULL;
	int port, fd, ok = 0;

	if (argc < 6) {
		fprintf(stderr, "usage: hostile MODE HOST PORT NETKEY_FILE SRC_IP [N]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);	/* a node hanging up is an outcome, not a crash */
	mode = argv[1];
	host = argv[2];
	port = atoi(argv[3]);
	src = argv[5];
	hash_init();
	if (netkey_read(argv[4], 0, netkey) != EM_OK) {
		fprintf(stderr, "hostile: cannot read the network key %s\n", argv[4]);
		return 2;
	}
	netkey_id(netkey, netid);
	ident_generate(&me);
	if (strcmp(mode, "peers") == 0)
		return peers(host, port, src, argc > 6 ? atoi(argv[6]) : 1,
		    argc > 7 ? atol(argv[7]) : 20000);
	flood_base = argc > 6 ? atol(argv[6]) : 20000;
	if (strcmp(mode, "idle") == 0)
		return idle(host, port, src, argc > 6 ? atoi(argv[6]) : 100,
		    argc > 7 ? atol(argv[7]) : 10000);
	if ((fd = dial(host, port, src)) < 0) {
		fprintf(stderr, "hostile: cannot connect: %s\n", strerror(errno));
		return 2;
	}
	if (strcmp(mode, "garbage") == 0) {
		ok = write(fd, "GET / HTTP/1.1\r\n\r\n", 18) == 18 && closed_within(fd, 5000);
	} else if (strcmp(mode, "stall") == 0) {
		long t0 = ms_now();

		ok = closed_within(fd, 15000);
		printf("stall: closed after %ld ms\n", ms_now() - t0);
	} else if (strcmp(mode, "banned") == 0) {
		ok = !handshake(fd, &s);
	} else if (strcmp(mode, "honest") == 0) {
		wire_msg hello = { .type = WIRE_HELLO }, ping = { .type = WIRE_PING };

		ok = handshake(fd, &s) && send_msg(fd, s, &hello) == 0 &&
		    send_msg(fd, s, &ping) == 0 && !closed_within(fd, 1000);
	} else {
		ok = handshake(fd, &s) && attack(mode, fd, s) && closed_within(fd, 5000);
	}
	printf("%s: %s\n", mode, ok ? "the node reacted as it should" : "UNEXPECTED");
	session_free(s);
	close(fd);
	ident_free(me);
	return ok ? 0 : 1;
}
