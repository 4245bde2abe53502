/* node/daemon/auto_impl.h — auto-eval's insides, for its two files only:
 *
 *   auto.c       the runs: a child `evalmesh eval` per job, its budget
 *                reserved before and settled after, its outcome
 *   auto_task.c  which tasks: every task record looked at once and given
 *                a verdict (not ours, refused by a limit, put off to a
 *                later day, done, or a job), jobs waiting for items
 *                indexed by the chunk they wait for, and the status
 *
 * What a node holds for a task it will not run is one small entry; a job
 * exists only for a task taken up, and a run's pipes and buffers only
 * while it runs. */
#ifndef EM_DAEMON_AUTO_IMPL_H
#define EM_DAEMON_AUTO_IMPL_H

#include "budget.h"
#include "daemon_impl.h"
#include "idmap.h"

#define AUTO_OUT_MAX		8192	/* a child's output kept: its last bytes */
#define AUTO_NOTES_MAX		16	/* tasks done, and refused or put off,
					 * remembered for status (each) */
#define AUTO_STATUS_JOBS	64	/* jobs status lists; the rest counted */
#define AUTO_RESCAN_EVERY	60	/* rounds between scans when nothing changed */
#define AUTO_SCAN_EVERY		3	/* rounds between scans at most */
#define AUTO_NAME_MAX		(BODY_NAME_MAX + BODY_SHORT_MAX + 2)
#define AUTO_WHY_MAX		256

enum job_state { JOB_WAITING, JOB_QUEUED, JOB_RUNNING };

/* What the node made of a task it looked at. */
enum entry_state {
	T_NOT_OURS = 1,		/* the mode does not run its author's tasks */
	T_JOB,			/* taken up: a job */
	T_DONE,			/* a result of ours for the model revision */
	T_REFUSED,		/* over a limit of the task alone: never run */
	T_DEFERRED,		/* not today (requests, its author's tasks) */
	T_REVOKED,		/* withdrawn by its author */
};

/* The attempts after the first a run gives an item (its eval --retries;
 * the budget reserves items * (AUTO_RUN_RETRIES + 1) for it at most). */
#define AUTO_RUN_RETRIES	4
#define AUTO_RUN_RETRIES_S	"4"

typedef struct job job;
typedef struct run run;

typedef struct tentry {
	uint8_t		 state;		/* enum entry_state */
	uint8_t		 limit;		/* enum budget_limit: refused, deferred */
	uint64_t	 items;
	uint64_t	 max_tokens;	/* what its runs would ask */
	job		*j;		/* T_JOB */
	uint32_t	 pick;		/* this scan: which of its records speaks
					 * (task_rank), by arrival from 0 */
	unsigned	 pick_rank;
} tentry;

struct job {
	uint8_t		 task[32];
	char		 name[AUTO_NAME_MAX];
	enum job_state	 state;
	unsigned	 attempts;	/* failed runs in a row */
	uint64_t	 next_try;	/* daemon_mono: not run again before */
	uint64_t	 items;
	char		 error[AUTO_WHY_MAX];	/* why the last run failed */
	uint32_t	 next_chunk;	/* waiting: the chunks before it are here */
	int		 indexed;	/* in au->waiting under wait_hash */
	uint8_t		 wait_hash[32];
	job		*wait_next;	/* another job waiting for that chunk */
	run		*run;		/* while it runs */
	job		*prev, *next;	/* au's jobs, in the order taken up */
};

struct run {
	daemon_state	*d;
	job		*j;		/* NULL once the job has been let go */
	uv_process_t	 proc;
	uv_pipe_t	 out, err;
	int		 open;		/* handles not yet closed */
	int		 exited, eofs;	/* the process ended; pipes at their end */
	int		 settled;
	uint32_t	 exit_round;	/* au->rounds when it exited */
	char		 obuf[AUTO_OUT_MAX], ebuf[AUTO_OUT_MAX];
	size_t		 olen, elen;
	int64_t		 status;
	int		 signal;
	uint64_t	 reserved, day;	/* its cap, and the day it counts on */
};

typedef struct note {			/* a task done, refused or put off */
	uint8_t		 task[32];
	uint8_t		 result[32];	/* done: the result's record */
	char		 name[AUTO_NAME_MAX];
	uint8_t		 state;		/* T_DONE, T_REFUSED, T_DEFERRED */
	uint8_t		 limit;		/* enum budget_limit */
	char		 why[AUTO_WHY_MAX];
} note;

struct auto_state {
	auto_cfg	 cfg;
	idmap		 tasks;		/* task id -> tentry */
	idmap		 waiting;	/* chunk hash -> the first job waiting for it */
	job		*head, *tail;
	size_t		 n_jobs;
	unsigned	 running;
	uint32_t	 rounds;
	budget_day	 day;
	int		 day_dirty;	/* to be saved */
	note		 done[AUTO_NOTES_MAX], off[AUTO_NOTES_MAX];
	size_t		 n_done, n_off;	/* written so far (rings) */
	uint64_t	 seen_in, seen_announced, trust_fp;
	uint32_t	 last_scan;	/* the round of the last scan */
	int		 rescan;	/* something changed: scan soon */
	char		 exe[4096];
	char		**env;		/* a run's environment (child_env) */
	char		 parent[48];	/* its EVALMESH_EVAL_PARENT=PID */
	int		 stopping;
};

/* auto_task.c */

/* Scans the stored tasks when something may have changed (new records,
 * the trust list, the day) or every AUTO_RESCAN_EVERY rounds; at most
 * every AUTO_SCAN_EVERY. New tasks get their verdict; jobs waiting for
 * items move on if they came. */
void	auto_scan(daemon_state *d);
/* Takes j out of the list of jobs and of the waiting index and frees it
 * (its run, if any, lets go of it). */
void	auto_job_free(struct auto_state *au, job *j);
/* Whether a result of ours for the model revision is stored for task:
 * the one that speaks for it (board.h, board_standing), unrevoked, its
 * record id into rec (zeroes when none). */
int	auto_mine(daemon_state *d, const uint8_t task[static 32], uint8_t rec[static 32]);
/* Remembers a task done, refused or put off for status. */
void	auto_note(struct auto_state *au, const uint8_t task[static 32], const char *name,
    uint8_t state, enum budget_limit limit, const char *why, const uint8_t *result);
/* The job ends: done (result) or refused by limit (why); its entry says
 * so, it is noted, and it is freed. */
void	auto_job_end(daemon_state *d, job *j, uint8_t state, enum budget_limit limit,
    const char *why, const uint8_t *result);
/* Why limit lim holds for t, in numbers, into why (the CLI says how to
 * raise it); pending as budget_admit takes it. */
void	auto_why(const struct auto_state *au, enum budget_limit lim, const budget_task *t,
    uint64_t pending, char *why, size_t cap);
/* Saves the ledger if it changed (a failure is logged; it is tried again
 * at the next change). */
void	auto_save_day(daemon_state *d);

/* auto.c */

/* The items of the jobs taken up and not running (what budget_admit
 * calls pending). */
uint64_t auto_pending(const struct auto_state *au);

#endif
