/* node/daemon/daemon_impl.h — the daemon's insides, for its own files only.
 *
 *   daemon.c   setup, timers, signals, new local records, shutdown
 *   conn.c     TCP connections: secure session, framing, dispatch, limits
 *   dial.c     known peers: dialing with backoff, bans, peer exchange
 *   addrbook.c which addresses are kept (addrbook.h: the table's rules)
 *   host.c     the gossip host: records checked and stored in batches
 *   fetch.c    task item chunks asked of peers and served to them
 *   control.c  the control socket the CLI talks to (control.h)
 *   auto.c     evaluating new tasks by itself (auto.h): the runs
 *   auto_task.c  ... which tasks (auto_impl.h), auto_status.c its status
 *   budget.c   what auto-eval may spend, and spent today (budget.h)
 *   idmap.c    a keyed hash map of ids, for the indexes (idmap.h)
 *
 * Everything runs on the loop's thread. */
#ifndef EM_DAEMON_IMPL_H
#define EM_DAEMON_IMPL_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "addrbook.h"
#include "daemon.h"
#include "gossip.h"
#include "session.h"
#include "timing.h"
#include "wire.h"

#define PENDING_MAX	1024		/* records checked but not yet committed */
#define WRITE_QUEUE_MAX	(16u << 20)	/* bytes queued to one peer before it is dropped */
#define FETCH_MAX	256		/* task chunks wanted at once */
#define FETCH_PER_PEER	4		/* chunks asked of one peer at once */
#define CHUNK_ASKS_MAX	(2 * FETCH_PER_PEER)	/* chunks a peer asked of us, waiting
						 * for its answer budget */
#define CHUNK_SERVED_MAX 32		/* chunks sent to a peer, remembered */

typedef struct conn conn;
typedef struct daemon_state daemon_state;

struct conn {
	daemon_state	*d;
	uv_tcp_t	 tcp;
	uv_timer_t	 timer;		/* handshake deadline */
	session		*sess;
	uint32_t	 handle;	/* the gossip peer handle */
	int		 outbound, ready, closing;
	int		 gossip_up;	/* gossip knows this peer */
	int		 handles;	/* open uv handles, while closing */
	char		 addr[256];	/* dialed address, or the remote ip:port */
	char		 listen[256];	/* the address the peer says it listens on */
	uint8_t		 id[32];
	uint64_t	 bytes_in, bytes_out;
	uint64_t	 since, last_rx;	/* daemon_mono: opened, last heard from */
	size_t		 queued;	/* bytes handed to uv_write, not yet written */
	uint32_t	 chunks_asked;	/* fetch.c: chunks asked of it, pending */
	uint32_t	 addr_tokens;	/* dial.c: addresses it may still tell us ... */
	uint64_t	 addr_at;	/* ... as of then (daemon_mono); conn_new sets
					 * AB_PEER_BURST at since */
	uint8_t		 asks[CHUNK_ASKS_MAX][32];	/* fetch.c: chunks it asked of
							 * us, not yet sent, in order */
	uint32_t	 n_asks;
	struct {			/* fetch.c: the last chunks sent to it */
		uint8_t	 hash[32];
		uint64_t at;		/* daemon_mono */
	}		 served[CHUNK_SERVED_MAX];
	uint32_t	 n_served, next_served;	/* entries used; where the next goes */
	conn		*next;
};

typedef ab_entry known;			/* a peer address we may dial */

typedef struct ban_entry {	/* refused for a while, by host and by id */
	char		 host[256];
	uint8_t		 id[32];
	int		 has_id;
	uint64_t	 until;		/* daemon_now: its end, as shown */
	uint64_t	 ends;		/* daemon_mono: its end, as decided */
} ban_entry;

typedef struct daemon_pending {		/* checked, awaiting the batch commit */
	uint32_t	 from;		/* the peer that sent it, 0 if none */
	int		 how;		/* how it came (enum wire_how) */
	uint8_t		*bytes;
	size_t		 len;
	rec_env		 env;
} daemon_pending;

typedef struct chunk_want {		/* a task chunk we lack */
	int		 used;
	uint8_t		 hash[32];
	uint32_t	 hint;		/* the peer that sent the task record */
	uint32_t	 peer;		/* asked of, 0 if not asked yet */
	uint32_t	 tries;		/* asks so far: which peer is next */
	uint64_t	 asked_at;	/* daemon_mono: when asked of peer */
	uint64_t	 again_at;	/* daemon_mono: not before, after a "lack"
					 * answer; 0: no such wait */
} chunk_want;

struct daemon_state {
	uv_loop_t	*loop;
	daemon_opts	 o;
	const char	*home;		/* env->home */
	store		*st;		/* env->st */
	const ident	*me;		/* env->me */
	uint8_t		 pk[32], netid[32];
	uint8_t		 netkey[32];	/* wiped at the end */
	const em_clock	*clock;
	gossip		*g;
	store_ids	*ids;		/* the gossip core's key view, open only
					 * during one reconciliation step */
	uv_tcp_t	 listener;
	uv_pipe_t	 control;
	uv_timer_t	 tick, maint;
	uv_signal_t	 sigint, sigterm;
	char		 control_path[128];	/* HOME/control.sock: a socket
						 * address holds 108 bytes */
	int		 lock_fd;	/* HOME/node.lock, held (flock) while
					 * the node runs; -1 when not held */
	struct ctl_client *clients;	/* control.c: connections being answered */
	uint32_t	 n_clients;	/* ... how many (CONTROL_CLIENTS_MAX at most) */
	conn		*conns;
	uint32_t	 next_handle, n_in, n_out;
	uint32_t	 n_resolving;	/* host names being resolved (dial.c) */
	addrbook	 book;		/* the known peers (dial.c) */
	ban_entry	 bans[256];
	size_t		 n_bans;
	daemon_pending	 pend[PENDING_MAX];
	size_t		 n_pend;
	struct {			/* host.c: commits the store refused */
		em_err	 err;		/* the first of them; EM_OK: storing */
		unsigned fails;		/* in a row */
		uint64_t since;		/* daemon_mono: the first */
		uint64_t again;		/* daemon_mono: records taken again then */
		uint64_t lost;		/* records not stored since */
	}		 sfail;
	uint8_t		 (*ours)[32];	/* ids we stored since the last poll */
	size_t		 n_ours, cap_ours;
	uint64_t	 announced;	/* local number announced up to */
	uint32_t	 answer_tokens;	/* audits that may be answered now (answer.c) */
	uint64_t	 answer_at;	/* daemon_mono of the last token */
	uint64_t	 audit_seen;	/* local number looked at for challenges
					 * (answer.c), from 0 at each start */
	uint64_t	 started;	/* daemon_mono: when daemon_run began */
	uint64_t	 records_in, records_out;
	uint32_t	 ticks, maints;
	chunk_want	 wants[FETCH_MAX];
	size_t		 n_wants;
	uint64_t	 chunks_in, chunks_out;
	struct auto_state *au;		/* auto-eval jobs, NULL when off */
	struct fetch_state *fs;		/* fetch.c: quotas, asks; made at first use */
	struct intake_state *in;	/* intake.c: task records taken in */
	conn		*cur;		/* whose messages are being handled */
	int		 cur_equivocated;	/* ... and it signed two records for one seq */
	int		 stopping;
};

/* The two clocks, in ms, read from d->clock (em_mono_ms, em_wall_ms);
 * they cannot fail. daemon_mono never steps back: every interval is
 * measured on it (timing.h) — dial backoff, bans, idle peers, the
 * handshake deadline, chunk fetching's timeouts, auto-eval's retries,
 * uptime — and the gossip core runs on it. daemon_now is the wall clock,
 * only for what is stored or shown: a peer's last_ok, a ban's until, the
 * gossip core's last sync as status shows it (timing_wall_of). */
uint64_t daemon_mono(daemon_state *d);
uint64_t daemon_now(daemon_state *d);

/* An id as a JSON string of 64 hex digits (a new reference). */
json_t	*daemon_json_id(const uint8_t id[static 32]);

/* conn.c: connections live in d->conns from conn_dial or an accept until
 * conn_close; their memory goes when the loop has closed their handles. */

/* Listens on d->o.listen (a numeric HOST:PORT) on d->loop. Inbound
 * connections over d->o.max_in, or from a banned address, are accepted
 * and closed. 0, or -1 with an error line logged (not a numeric address,
 * or it cannot bind or listen: the port is taken). */
int	conn_listen(daemon_state *d);
/* Connects to sa (read during the call) for k, which the caller has
 * marked dialing; the handshake expects k's id if it has one. When the
 * connection closes, for whatever reason, dial_result records the
 * outcome and dialing is cleared; out of memory clears it at once. */
void	conn_dial(daemon_state *d, known *k, const struct sockaddr *sa);
/* Sends m (read during the call; NULL: only writes what the session has
 * queued, handshake messages). A message that does not encode is
 * dropped. c is closed on a session error, out of memory, a failed write
 * or over WRITE_QUEUE_MAX bytes queued (a peer that does not read).
 * Nothing once c is closing. */
void	conn_send(conn *c, const wire_msg *m);
/* Closes c, once (later calls do nothing): logged with why (read during
 * the call), gossip told, an outbound dial's result recorded, c taken
 * out of d->conns. c stays readable until the loop runs on. */
void	conn_close(conn *c, const char *why);
/* The connection (in d->conns) with gossip handle handle, or NULL;
 * borrowed until it closes. */
conn	*conn_by_handle(daemon_state *d, uint32_t handle);

/* fetch.c: task item chunks, wanted in d->wants (at most FETCH_MAX at
 * once; more are picked up by a later fetch_scan), only for the tasks
 * this node uses: its own, its trusted authors', those auto-eval took up
 * (auto_fetches) and those asked for (fetch_ask). An author but this
 * node may have at most d->o.autocfg.fetch_quota bytes of chunks fetched
 * unasked, each chunk counted as STORE_BLOB_MAX, the tasks held in full
 * first; a task over it is logged once (a debug line). None of these
 * fails: what cannot be done now (out of memory too) is tried again by a
 * later call, and a chunk that cannot be stored is logged as an error
 * line. d->fs is made at the first call that needs it, and freed by
 * fetch_free. */

/* The chunks the task record env names (read during the call only) are
 * wanted if the node uses the task and its author's quota holds, asked
 * first of peer from (the gossip handle of the peer that sent it; 0:
 * none), then fetch_send. A record that is not a task is ignored. */
void	fetch_task(daemon_state *d, const rec_env *env, uint32_t from);
/* When anything that decides what to fetch changed since the last scan
 * (records, chunks, the trust list, an ask, a chunk given up on;
 * timing_fetch_rescan), or FETCH_RESCAN_EVERY rounds after it: the
 * authors' counts are made again from the stored tasks, and every task
 * lacking chunks is taken as fetch_task takes a new one. Then
 * fetch_send. Reads the store. */
void	fetch_scan(daemon_state *d);
/* The operator asks for task's chunks (`evalmesh task fetch`): they are
 * wanted whatever the author and the quota, until all are here (at most
 * FETCH_ASKED_MAX tasks are remembered; the oldest gives way; a restart
 * forgets them). A new reference (NULL if out of memory): {"task",
 * "name", "chunks", "held"} (held before this ask), or {"error": "no such
 * task here"}. */
json_t	*fetch_ask(daemon_state *d, const uint8_t task[static 32]);
/* What status shows of fetching (a new reference, NULL if out of
 * memory): quota_mb, tasks_over_quota (not fetched for it, since the
 * start), tasks_not_used (lacking chunks, not fetched: not used, at the
 * last scan), tasks_asked, chunks_resting (given up on for now). */
json_t	*fetch_status(daemon_state *d);

/* Task records from peers (intake.c), asked of each record before it is
 * taken: GOSSIP_NEW for other kinds and for a task record taken in;
 * GOSSIP_INVALID for one that disagrees with itself (task_body_check,
 * counted and logged); GOSSIP_LATER for one over its author's
 * autocfg.task_records of the UTC day (this node and trusted authors
 * have no cap; counted, logged once an author a day). intake_status:
 * {per_author_day, refused_over_cap, authors_over_cap_today,
 * refused_inconsistent}. */
int	intake_task(daemon_state *d, const rec_env *env);
json_t	*intake_status(daemon_state *d);
void	intake_free(daemon_state *d);
/* Frees d->fs; NULL is fine. */
void	fetch_free(daemon_state *d);
/* Asks for each wanted chunk that is due at daemon_mono
 * (timing_fetch_due: never asked, unanswered for FETCH_TIMEOUT_MS, and
 * past a "lack" answer's FETCH_AGAIN_MS), of a ready peer with fewer than
 * FETCH_PER_PEER chunks asked; a chunk no peer can take now waits for
 * the next call. A chunk asked FETCH_GIVE_UP_TRIES times is given up on:
 * no longer wanted, and not wanted again before timing_fetch_rest_end. */
void	fetch_send(daemon_state *d);
/* c's chunk-want message m (read during the call only): each chunk asked
 * joins c->asks, then fetch_answer. Asks no honest fetcher makes cost c
 * PENALTY_FLOOD (once a message for each kind), and are not answered: a
 * chunk sent to c within CHUNK_REPEAT_MS (timing_chunk_repeat: it has
 * it), and asks beyond CHUNK_ASKS_MAX waiting (a fetcher keeps at most
 * FETCH_PER_PEER asked of a peer). A chunk already waiting is not added
 * twice. */
void	fetch_on_want(daemon_state *d, conn *c, const wire_msg *m);
/* Sends c the chunks it asked for, in order, while its answer budget
 * (gossip_answer at daemon_mono) holds each; the rest wait for a later
 * call. A chunk not stored is answered at once with an empty chunk
 * message ("I lack it", not charged). Stops when c closes. */
void	fetch_answer(daemon_state *d, conn *c);
/* fetch_answer for every connection with chunks waiting. */
void	fetch_answer_all(daemon_state *d);
/* A chunk message m from c (read during the call only). Unwanted: dropped.
 * Empty, from the peer it was asked of: asked again after FETCH_AGAIN_MS
 * on daemon_mono (timing_fetch_again). Not matching its hash: c is
 * penalized (PENALTY_INVALID) and the chunk asked elsewhere. Else stored,
 * no longer wanted, and told to auto-eval (auto_chunk). */
void	fetch_on_chunk(daemon_state *d, conn *c, const wire_msg *m);

/* dial.c: the known peers, d->book (addrbook.h: which are kept), and
 * the bans, d->bans. A known * is d->book.e[i]: it stays that address's
 * until the entry is dropped, which only dial_heard and dial_good do (a
 * peer's address in place of a stale one, a tried one displaced). What
 * changes is written to the store at once, one transaction a call;
 * writes that fail are logged as an error line and leave the table in
 * memory as it is. */

/* The host of "HOST:PORT" or "[V6]:PORT" (without brackets) into host,
 * cap bytes with the NUL. 0, or -1 if addr is not such an address (no
 * port, a port not in 1-65535, an empty host, or one over cap - 1). */
int	addr_host(const char *addr, char *host, size_t cap);
/* Sets up d->book with the bucket key from the store's meta
 * ("peers_key", made from the system's CSPRNG and stored the first
 * time), puts back the store's peers by the book's rules (the
 * operator's, then tried, then the rest; addrbook_load) and deletes from
 * the store those it did not take; then adds d->o.peers as the
 * operator's (each one that is not an address, is this node, or finds
 * the operator's list full, logged as a warning). A store that cannot
 * be read or written is logged as an error line; the node runs on with
 * what was read. */
void	dial_load(daemon_state *d);
/* The operator gives addr (--peer, `peers add`; read during the call):
 * its entry, made or moved to the operator's table, stored, due to be
 * dialed at once with its failures forgotten. An address with a name
 * for a host is taken, and resolved each time it is dialed. NULL if
 * addr is not HOST:PORT, is this node (dial_self), a refused address
 * (addrbook_group: "0.0.0.0:P", "[::]:P", multicast...), or the
 * operator's list is full (AB_OPERATOR_MAX); *why (NULL: not wanted)
 * then gets which, a static string. */
known	*dial_add(daemon_state *d, const char *addr, const char **why);
/* The operator takes addr away: forgotten (and in the store), and a
 * connection made to it closed. 0, or -1 when no known peer has that
 * address. */
int	dial_remove(daemon_state *d, const char *addr);
/* Peer from (its "HOST:PORT", the connection's address: the group of
 * its host is the source) told us of addr (read during the call), with
 * id (32 bytes, NULL: none), which is recorded if none is known — a
 * known id is never replaced by a claim. The entry, or NULL if it is
 * not taken: addr or from not a numeric HOST:PORT, this node, refused
 * by addrbook_group, or not taken by addrbook_add. */
known	*dial_heard(daemon_state *d, const char *from, const char *addr,
    const uint8_t *id);
/* A peers message m from c (read during the call): each address is
 * dial_heard from c->addr while c's budget (addrbook_refill, on
 * daemon_mono) lasts. Addresses over it are not read, and c is
 * penalized PENALTY_FLOOD once for the message; an address given twice
 * in one message is penalized so, once, too. */
void	dial_on_peers(daemon_state *d, conn *c, const wire_msg *m);
/* The handshake of an outbound connection to addr worked, with the node
 * id (32 bytes) it proved: the entry records id if it had none, and
 * moves to tried (addrbook_good at daemon_now). Nothing if addr is not
 * in the table. */
void	dial_good(daemon_state *d, const char *addr, const uint8_t id[static 32]);
/* Whether addr ("HOST:PORT") or id (NULL: none) is this node: its
 * listen or advertised address, or its id. */
int	dial_self(daemon_state *d, const char *addr, const uint8_t *id);
/* Dials, while fewer than d->o.max_out are outbound, each known peer that
 * is due on daemon_mono (timing_dial_due), not dialing or connected, and
 * not banned: the operator's first, then tried, then new. An address
 * with a name for a host is not resolved: it counts as a failed dial at
 * once. */
void	dial_maintain(daemon_state *d);
/* A dial to k ended: ok, failures forgotten and last_ok set to daemon_now
 * (stored, it outlives the process); else one failure more (at most
 * DIAL_FAILS_MAX). The next dial is due at timing_dial_next on
 * daemon_mono (after a failure, jittered by em_rand). k is stored. id is
 * not used. */
void	dial_result(daemon_state *d, known *k, int ok, const uint8_t *id);
/* Bans addr's host (addr "HOST:PORT", read during the call; NULL: no
 * host) and id (32 bytes; NULL: none) for BAN_MS on daemon_mono; its
 * until, shown, is a wall time. At most 256 bans: a new one pushes out
 * the oldest. Logged as a warning line. */
void	dial_ban(daemon_state *d, const char *addr, const uint8_t *id);
/* 1 if a ban that holds (dial_ban_holds) names the host of host_or_addr
 * (a bare host or "HOST:PORT"; NULL: none) or id (32 bytes; NULL: none),
 * else 0. */
int	dial_banned(daemon_state *d, const char *host_or_addr, const uint8_t *id);
/* Whether ban b (one of d->bans, read during the call) still holds at
 * daemon_mono: the one rule for it, which dial_banned decides on and by
 * which the control socket lists the bans that hold. 1 or 0. */
int	dial_ban_holds(daemon_state *d, const ban_entry *b);
/* Fills m (all of it that is read: type WIRE_PEERS, n and p) with up to
 * 32 known addresses to pass on: those that worked once or are
 * connected now, and are not banned; when there are more, which 32 is
 * picked from a random place in the table (em_rand). */
void	dial_peers_msg(daemon_state *d, wire_msg *m);

/* host.c: the gossip core's host (gossip.h), with d as its ctx. */

/* Fills h with the daemon's callbacks: records checked and held as
 * pending (d->pend; GOSSIP_HELD: forwarded once committed), looked up in
 * the store (only committed records are handed out), the store's ids as
 * the key set to reconcile (pending records committed first; the view in
 * d->ids), messages sent on d->conns, peers dropped and banned, random
 * numbers from d->clock. */
void	host_init(daemon_state *d, gossip_host *h);
/* Stores the pending records in one batch and frees them; those the
 * commit made durable, and only those, go to the gossip core to be
 * forwarded (gossip_stored); new task records start fetching their
 * chunks (fetch_task). An equivocation is logged as a warning line. A
 * batch the store refuses (a full disk) is dropped, neither stored nor
 * forwarded (peers hold it, and reconciliation brings it again): the
 * first is logged as one error line naming the store and why, and
 * records from peers are then refused (GOSSIP_LATER) for a backoff
 * (timing_store_retry) before a batch is tried again; the first commit
 * that succeeds after is logged as one line with how many records could
 * not be stored meanwhile. */
void	host_commit(daemon_state *d);
/* host_commit, then the records another process (a CLI command) stored
 * in d->st since the last call are handed to the gossip core to spread,
 * at daemon_mono; how far was looked is kept in the store's meta
 * ("announced"). An error reading the store leaves them for the next
 * call. */
void	host_poll(daemon_state *d);

/* Answers the audit challenges of our results that came since the last
 * call (answer.c, task_audit_answer), unless o.no_answer_audits; what
 * it could not answer is logged. The response goes out with the next
 * host_poll. */
void	answer_tick(daemon_state *d);

/* control.c: the server end of control.h */

/* Takes the home's lock (HOME/node.lock, an exclusive flock held until
 * control_stop: one node a home, with no window between a look and a
 * bind), then listens on HOME/control.sock (d->control_path), mode 0600,
 * on d->loop. 0, or -1 with an error line logged: the lock is held (a
 * node is already running for this home) or cannot be taken, the path is
 * too long for a socket address, or the socket cannot be made.
 * It answers at most CONTROL_CLIENTS_MAX connections at once (d->clients)
 * and refuses more at once, with a line that says why (control.h); one
 * whose answer is not written CONTROL_IDLE_MS after it connected, on
 * daemon_mono (timing_control_left), is closed. */
int	control_start(daemon_state *d);
/* Stops listening (once; later calls only unlink), closes the clients
 * being answered, removes the socket's file and lets go of the lock. A
 * node that did not take the lock leaves both alone. */
void	control_stop(daemon_state *d);
/* The answer to one request line (control.h; NUL-terminated, read during
 * the call only), as the socket sends it: a new reference (yours to
 * json_decref), {"error": "..."} for a request that is not JSON or not
 * known, NULL if out of memory. "status" reports uptime_s on daemon_mono
 * (timing_uptime_s) and last_sync as a wall time (timing_wall_of);
 * "peers" lists the connections, then each known address not connected
 * with its table ("new", "tried", "operator"), and the bans that hold
 * (dial_ban_holds) with their ends as wall times; "peers_add" is
 * dial_add, its error the reason dial_add gives; "peers_remove" is
 * dial_remove. */
json_t	*control_answer(daemon_state *d, const char *line);

/* auto.c: evaluating by itself (auto.h), in d->au (NULL when off). */

/* Copies cfg; with cfg->mode AUTO_OFF does nothing. Reads the budget's
 * ledger from the store (budget_load; one that cannot be read counts
 * today as spent, with a warning logged). 0, or -1 with an error line
 * logged (out of memory, or this program's path unknown); d->au is then
 * freed by auto_free. */
int	auto_start(daemon_state *d, const auto_cfg *cfg);
/* One maintenance round: the budget's day moves on at the UTC day's end
 * (daemon_now); when something may have changed (new records, the trust
 * list, the day; at most every AUTO_SCAN_EVERY rounds) or every
 * AUTO_RESCAN_EVERY rounds, the stored tasks are scanned: each new task
 * is not ours (the mode), refused (over cfg->budget's items or
 * max_tokens), put off to a later day (budget_admit), done (a result of
 * ours for the model revision is stored) or taken up as a job, whose
 * missing chunks are fetched (fetch_task). Queued jobs due at
 * daemon_mono are started while the day's requests last, up to
 * cfg->jobs at once, each with its cap reserved and the ledger saved
 * first (budget.h). A run that fails is queued again after
 * timing_auto_retry and logged with that wait; one that spent its cap
 * waits for more; one refused for a prompt over the limit is not run
 * again. Nothing after auto_stop; nothing when off. */
void	auto_tick(daemon_state *d);
/* Starts no more runs and sends SIGTERM to the running children (they
 * keep what they scored); their exits close the handles, so the loop
 * must run on before auto_free. Nothing when off. */
void	auto_stop(daemon_state *d);
/* Frees d->au once the loop has closed every handle; off is fine. */
void	auto_free(daemon_state *d);
/* The jobs as JSON (a new reference, yours to json_decref; NULL if out
 * of memory): {"mode": "off"} when off, else mode, model, revision,
 * running, budget (the limits; the day, requests spent, reserved by the
 * runs going on, and left; resets_in_s; tasks taken up today), counts
 * of tasks by state, and tasks: up to AUTO_STATUS_JOBS jobs (state
 * "waiting for items", "queued", "held" — the day's requests are spent
 * —, "running" or "failed"; attempts; error and retry_in_s, whole seconds
 * left on daemon_mono), then the tasks done lately (result) and those
 * refused or put off lately ("refused", "deferred"), each of these and
 * a held job with limit (the node.json key that raises it) and why; and
 * jobs_not_listed. */
json_t	*auto_status(daemon_state *d);
/* Whether task (its id) is taken up by auto-eval and waits for items:
 * then its chunks are fetched. 0 when off. */
int	auto_fetches(daemon_state *d, const uint8_t task[static 32]);
/* A chunk (hash) was stored: the jobs waiting for it move on, queued when
 * their task's chunks are all here. Nothing when off. */
void	auto_chunk(daemon_state *d, const uint8_t hash[static 32]);

#endif
