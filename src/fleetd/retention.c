/* retention.c -- see retention.h. */
#include "retention.h"

#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "job_read.h"
#include "job_row.h"
#include "log.h"
#include "loop.h"
#include "store.h"

struct pruner {
	retention_prune_fn fn;
	void *arg;
};

struct retention {
	struct loop *loop;
	struct store *st;
	struct jobread *reads;
	int64_t keep_ms, period_ms;
	struct loop_timer timer;
	int due;
	struct pruner pruners[RETAIN_MAX_PRUNERS];
	int npruners;
	struct retention_stats stats;
	char sql_oldest[768];
};

/* The oldest ended job that finished before ?1 (the jobs_finished index),
 * never the newest job, nor a child of a group whose parent is live: the
 * parent's end is read from its children's states (group.h), so they stay
 * until it has ended.  (In the subquery `state` is the parent's.) */
static int oldest_sql(char *buf, size_t len)
{
	char live[200];
	if (job_row_live_sql(live, sizeof live) < 0)
		return -1;
	int n = snprintf(buf, len,
			 "SELECT id FROM jobs WHERE finished_at IS NOT NULL AND "
			 "finished_at < ?1 AND NOT %s AND "
			 "id < (SELECT max(id) FROM jobs) AND (parent IS NULL OR NOT EXISTS "
			 "(SELECT 1 FROM jobs AS p WHERE p.id = jobs.parent AND %s)) "
			 "ORDER BY finished_at LIMIT 1",
			 live, live);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static const char SQL_JOB_EVENTS[] =
	"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE job_id = ?1 "
	"ORDER BY id LIMIT ?2)";
static const char SQL_JOB_EXPLORE[] = "DELETE FROM explore_visited WHERE grp = 'job:' || ?1";
static const char SQL_JOB_ROW[] = "DELETE FROM jobs WHERE id = ?1";
/* The events about no job (events_loose), never the newest event. */
static const char SQL_LOOSE_EVENTS[] =
	"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE job_id IS NULL "
	"AND ts < ?1 ORDER BY ts LIMIT ?2) AND id < (SELECT max(id) FROM events)";

/* Run a DELETE with ?1 = a and ?2 = b (when it has them): rows deleted,
 * or -1. */
static int delete_rows(struct retention *r, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *s = store_stmt(r->st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, a);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, b);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? sqlite3_changes(store_db(r->st)) : -1;
}

/* The oldest aged-out job's id, 0 if none, -1 on error. */
static int64_t oldest_job(struct retention *r, int64_t cutoff)
{
	sqlite3_stmt *s = store_stmt(r->st, r->sql_oldest);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, cutoff);
	int rc = sqlite3_step(s);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

/* Aged-out jobs and their rows, within *budget rows.  0, or -1. */
static int prune_jobs(struct retention *r, int64_t cutoff, int *budget)
{
	while (*budget > 0) {
		int64_t id = oldest_job(r, cutoff);
		if (id <= 0)
			return (int)id;
		int n = delete_rows(r, SQL_JOB_EVENTS, id, *budget);
		if (n < 0)
			return -1;
		*budget -= n;
		r->stats.events += (uint64_t)n;
		if (*budget <= 0)
			return 0; /* its history may go on: the job stays for now */
		if (delete_rows(r, SQL_JOB_EXPLORE, id, 0) < 0 ||
		    delete_rows(r, SQL_JOB_ROW, id, 0) != 1)
			return -1;
		jobread_forget(r->reads, id);
		r->stats.jobs++;
		(*budget)--;
	}
	return 0;
}

/* One batch in the store's transaction: 1 if the batch was filled (more
 * may be left), 0 if everything aged out is gone, -1 on error. */
static int sweep(struct retention *r)
{
	int64_t cutoff = clock_now_ms() - r->keep_ms;
	int budget = RETAIN_BATCH;
	if (store_begin(r->st) < 0 || prune_jobs(r, cutoff, &budget) < 0)
		return -1;
	if (budget > 0) {
		int n = delete_rows(r, SQL_LOOSE_EVENTS, cutoff, budget);
		if (n < 0)
			return -1;
		budget -= n;
		r->stats.events += (uint64_t)n;
	}
	for (int i = 0; i < r->npruners && budget > 0; i++) {
		int n = r->pruners[i].fn(r->pruners[i].arg, cutoff, budget);
		if (n < 0)
			return -1;
		budget -= n;
		r->stats.other += (uint64_t)n;
	}
	r->stats.batches++;
	return budget <= 0;
}

static void on_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct retention *r = arg;
	r->due = 1;
}

/* Idle: one batch if a sweep is due and no transaction is open (the group
 * commit, an idle hook installed before this one, has written the turn's
 * work).  Returns 1 when it wrote something, so the loop commits it and
 * serves what became ready before the next batch. */
static int on_idle(void *arg)
{
	struct retention *r = arg;
	if (!r->due || store_busy(r->st) || !store_available(r->st))
		return 0;
	int rc = sweep(r);
	if (rc < 0)
		log_warn("retention sweep failed; trying again later", "keep_ms=%lld",
			 (long long)r->keep_ms);
	if (rc != 1) {
		r->due = 0;
		loop_timer_arm(r->loop, &r->timer, clock_now_ms() + r->period_ms);
	}
	return store_in_tx(r->st);
}

void retention_free(struct retention *r)
{
	if (!r)
		return;
	loop_remove_hooks(r->loop, r);
	loop_timer_disarm(r->loop, &r->timer);
	free(r);
}

struct retention *retention_new(struct loop *loop, struct store *st,
				struct jobread *reads, int64_t keep_ms)
{
	struct retention *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	*r = (struct retention){.loop = loop, .st = st, .reads = reads, .keep_ms = keep_ms};
	r->period_ms = keep_ms / 10;
	if (r->period_ms < RETAIN_PERIOD_MIN_MS)
		r->period_ms = RETAIN_PERIOD_MIN_MS;
	if (r->period_ms > RETAIN_PERIOD_MAX_MS)
		r->period_ms = RETAIN_PERIOD_MAX_MS;
	loop_timer_init(&r->timer, on_timer, r);
	if (keep_ms <= 0)
		return r;
	/* the first sweep soon after start: what aged out while fleetd was
	 * down goes first */
	if (oldest_sql(r->sql_oldest, sizeof r->sql_oldest) < 0 ||
	    loop_timer_arm(loop, &r->timer, clock_now_ms() + RETAIN_PERIOD_MIN_MS) < 0 ||
	    loop_add_idle_hook(loop, on_idle, r) < 0) {
		retention_free(r);
		return NULL;
	}
	return r;
}

int retention_add(struct retention *r, retention_prune_fn fn, void *arg)
{
	if (r->npruners == RETAIN_MAX_PRUNERS)
		return -1;
	r->pruners[r->npruners++] = (struct pruner){fn, arg};
	return 0;
}

const struct retention_stats *retention_get_stats(const struct retention *r)
{
	return &r->stats;
}
