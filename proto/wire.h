/* proto/wire.h — the messages peers exchange after the handshake.
 *
 * Each message is a MessagePack array whose first element is its type.
 * Lists of fixed-size items (ids, summary entries) travel as one bin, so a
 * decoder checks one length instead of trusting a count. Every message has
 * a size limit (WIRE_MSG_MAX overall, and one per field).
 *
 *   hello    [1, version, caps, listen_addr]
 *   peers    [2, [[addr, node_id(32)|nil]...]]
 *   have     [3, ids(bin, 32 each)]          announce records by id (lazy push)
 *   want     [4, ids(bin, 32 each)]          ask for records by id
 *   records  [5, how, [record(bin)...]]      signed records, exact bytes; how
 *            they come: WIRE_SYNC (anti-entropy), WIRE_PUSH (eager push: a
 *            duplicate is answered with prune) or WIRE_GRAFT (answer to want:
 *            the link joins the author's tree)
 *   summary  [6, reply, entries(bin, 48 each)] per author: id(32) ||
 *            highest contiguous seq(8) || highest seq(8), big-endian
 *   ping     [7, nonce]   pong [8, nonce]
 *   bye      [9, reason]
 *   prune    [10, author(32)]                stop eager pushes of author's records
 *   chunk_want [11, hashes(bin, 32 each)]    ask for task item chunks by hash
 *   chunk    [12, hash(32), bytes(bin)]      one chunk; the receiver checks that
 *            the bytes hash to what it asked for before keeping them. No
 *            bytes: the sender lacks that chunk (for now)
 */
#ifndef EM_WIRE_H
#define EM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

#define WIRE_VERSION		1
#define WIRE_MSG_MAX		(REC_MAX + 64 * 1024)	/* one whole record fits */
#define WIRE_ADDR_MAX		255
#define WIRE_PEERS_MAX		64
#define WIRE_IDS_MAX		1024
#define WIRE_RECORDS_MAX	256
#define WIRE_SUMMARY_MAX	8192
#define WIRE_SUMMARY_ENTRY	48
#define WIRE_REASON_MAX		255
#define WIRE_CHUNK_WANTS_MAX	8		/* chunks asked for in one message */
#define WIRE_CHUNK_MAX		(256 * 1024)	/* one chunk's bytes */

enum wire_how { WIRE_SYNC = 0, WIRE_PUSH = 1, WIRE_GRAFT = 2 };

enum wire_type {
	WIRE_HELLO = 1, WIRE_PEERS, WIRE_HAVE, WIRE_WANT, WIRE_RECORDS,
	WIRE_SUMMARY, WIRE_PING, WIRE_PONG, WIRE_BYE, WIRE_PRUNE,
	WIRE_CHUNK_WANT, WIRE_CHUNK,
};

typedef struct wire_peer {
	char	addr[WIRE_ADDR_MAX + 1];	/* "host:port" */
	int	has_id;
	uint8_t	id[32];
} wire_peer;

typedef struct wire_msg {
	uint8_t type;
	union {
		struct {
			uint32_t	version, caps;
			char		listen[WIRE_ADDR_MAX + 1];	/* "" if none */
		} hello;
		struct {
			uint32_t	n;
			wire_peer	p[WIRE_PEERS_MAX];
		} peers;
		struct {			/* have, want, chunk_want */
			uint32_t	 n;
			const uint8_t	*ids;	/* n * 32 bytes, borrowed */
		} ids;
		struct {
			int		 how;	/* enum wire_how */
			uint32_t	 n;
			const uint8_t	*rec[WIRE_RECORDS_MAX];	/* borrowed */
			size_t		 len[WIRE_RECORDS_MAX];
		} records;
		struct {
			int		 reply;	/* an answer: do not answer it */
			uint32_t	 n;
			const uint8_t	*entries;	/* n * 48 bytes, borrowed */
		} summary;
		struct {
			uint8_t		 hash[32];
			const uint8_t	*data;	/* borrowed */
			size_t		 len;
		} chunk;
		uint64_t	nonce;		/* ping, pong */
		uint8_t		author[32];	/* prune */
		char		reason[WIRE_REASON_MAX + 1];	/* bye */
	} u;
} wire_msg;

/* Decodes one message from buf[0..len) into *out; the pointers in it
 * (ids, records, summary entries, chunk data) borrow from buf, the texts
 * are copied. Errors: EM_ETOOBIG (len above WIRE_MSG_MAX, or a field or
 * count over its limit), EM_EFORMAT (an unknown type, a wrong arity or
 * type of field, a list not a whole number of items, a chunk_want of no
 * hash), EM_ETRUNC, EM_ETRAILING, EM_EUTF8 (a text that is not UTF-8 or
 * holds NUL), EM_ERANGE (a number above its field's range). Records
 * inside are not checked here. *out is undefined after an error. */
em_err wire_decode(const uint8_t *buf, size_t len, wire_msg *out);

/* Encodes m with msgpack-c's packer, then decodes the result with
 * wire_decode, so nothing leaves that a peer would refuse. On success
 * *out is yours (free()), *len its size; on failure NULL and 0. Errors:
 * EM_EFORMAT (an unknown type), EM_ENOMEM, or wire_decode's error for
 * what was encoded (EM_ETOOBIG above WIRE_MSG_MAX or a field limit, ...). */
em_err wire_encode(const wire_msg *m, uint8_t **out, size_t *len);

/* Reads summary entry i of entries (WIRE_SUMMARY_ENTRY bytes each; the
 * caller checks i < n). */
void wire_entry(const uint8_t *entries, uint32_t i, uint8_t author[static 32],
    uint64_t *contiguous, uint64_t *max);

/* Writes summary entry i at entries + i * WIRE_SUMMARY_ENTRY. */
void wire_entry_put(uint8_t *entries, uint32_t i, const uint8_t author[static 32],
    uint64_t contiguous, uint64_t max);

#endif
