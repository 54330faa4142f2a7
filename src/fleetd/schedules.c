/* schedules.c -- see schedules.h.
 *
 * Life of a firing: a seconds schedule's loop timer fires, or the mirror
 * reports a watch at or past a watch schedule's next due watch; the record
 * goes on the due queue.  The loop source below drains the queue in one
 * batch: for each record it asks sched_plan() which firing runs and which
 * were missed, writes their rows, and creates the job through
 * engine_submit(), all in the turn's transaction (a fired firing's row is
 * one INSERT, written by engine_submit()'s on_id once the job's id is
 * known and before the job is); then it arms the record
 * at its next due time.  The records' `next` numbers are the database's
 * (the highest recorded firing + 1); should a commit fail, every record is
 * read again from the tables (schedules_reload), so memory never runs
 * ahead of what is durable. */
#include "schedules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "clock.h"
#include "engine.h"
#include "errmsg.h"
#include "idmap.h"
#include "jobspec.h"
#include "jsonx.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "row_page.h"
#include "sched_time.h"
#include "store.h"
#include "timer_heap.h"

/* A batch this large is logged, and again once committed (the bench
 * reads the lines). */
#define LOG_BATCH 100

enum { WHERE_NONE, WHERE_LOOP, WHERE_WATCH };

/* The whole in-memory cost of a schedule. */
struct sched {
	struct loop_timer timer; /* its node is also the watch heap's */
	struct list_node qlink;  /* on the due queue (linked while due) */
	struct schedules *ss;
	json_t *job;             /* the template (a copy of the row's) */
	char *job_text;          /* and its text, as the row keeps it */
	int64_t id, every, base, next, last_job, start_at;
	uint8_t watches, has_base, overlap_skip, catch_up_one, paused, resumed, where;
};

struct schedules {
	struct app *app;
	struct loop *loop;
	struct store *st;
	struct idmap recs;     /* id -> struct sched */
	struct theap wheap;    /* watch schedules by due watch (-1: any watch) */
	struct list_node due;  /* sched.qlink: to fire this turn */
	int mirror_attached;
	int hooked;            /* on_committed() is queued for this transaction */
	uint64_t fired, skipped, missed;
	size_t last_batch;
	int64_t last_batch_us;
	int64_t logged_t0; /* a big batch's start, logged again at its commit */
	size_t logged_n;
};

static const char SQL_INSERT[] =
	"INSERT INTO schedules (name, unit, every, job, overlap, catch_up, start_at, "
	"base, paused, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, "
	"?9, ?9)";
static const char SQL_LOAD[] =
	"SELECT id, unit, every, job, overlap, catch_up, start_at, base, paused "
	"FROM schedules ORDER BY id";
static const char SQL_LAST[] =
	"SELECT through FROM schedule_firings WHERE schedule = ?1 "
	"ORDER BY firing DESC LIMIT 1";
static const char SQL_LAST_JOB[] =
	"SELECT job FROM schedule_firings WHERE schedule = ?1 AND job IS NOT NULL "
	"ORDER BY firing DESC LIMIT 1";
static const char SQL_FIRING[] =
	"INSERT INTO schedule_firings (schedule, firing, through, due, at, outcome, job, "
	"reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_SET_BASE[] = "UPDATE schedules SET base = ?2 WHERE id = ?1";
static const char SQL_SET_PAUSED[] =
	"UPDATE schedules SET paused = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_DELETE[] = "DELETE FROM schedules WHERE id = ?1";
static const char SQL_DELETE_FIRINGS[] = "DELETE FROM schedule_firings WHERE schedule = ?1";
static const char SQL_PRUNE[] =
	"DELETE FROM schedule_firings WHERE (schedule, firing) IN ("
	"SELECT f.schedule, f.firing FROM schedule_firings f WHERE f.at < ?1 AND "
	"f.firing < (SELECT max(g.firing) FROM schedule_firings g "
	"WHERE g.schedule = f.schedule) ORDER BY f.at LIMIT ?2)";
static const char SQL_GET[] =
	"SELECT id, name, unit, every, job, overlap, catch_up, start_at, paused, "
	"created_at, updated_at FROM schedules WHERE id = ?1";
static const char SQL_PAGE[] =
	"SELECT id, name, unit, every, job, overlap, catch_up, start_at, paused, "
	"created_at, updated_at FROM schedules WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char SQL_HISTORY[] =
	"SELECT firing, through, due, at, outcome, job, reason FROM schedule_firings "
	"WHERE schedule = ?1 ORDER BY firing DESC LIMIT ?2";

/* --- the request -------------------------------------------------------- */

static int parse_every(const json_t *v, struct sched_def *d, char *err, size_t errlen)
{
	const json_t *w = json_object_get(v, "watches"), *s = json_object_get(v, "seconds");
	if (!json_is_object(v) || json_object_size(v) != 1 || (!w && !s))
		return errmsg(err, errlen, "every: must be {\"watches\": n} or {\"seconds\": n}");
	int64_t max = w ? SCHED_MAX_WATCHES : SCHED_MAX_SECONDS;
	const json_t *n = w ? w : s;
	if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > max)
		return errmsg(err, errlen, "every.%s: must be an integer from 1 to %lld",
			      w ? "watches" : "seconds", (long long)max);
	d->watches = w != NULL;
	d->every_given = json_integer_value(n);
	d->every = w ? d->every_given : d->every_given * 1000;
	return 0;
}

/* A choice between two names; 1 for the first (also when absent). */
static int parse_choice(const json_t *body, const char *key, const char *first,
			const char *second, int *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(body, key);
	const char *s = v ? json_string_value(v) : first;
	if (!s || (strcmp(s, first) != 0 && strcmp(s, second) != 0))
		return errmsg(err, errlen, "%s: must be \"%s\" or \"%s\"", key, first, second);
	*out = strcmp(s, first) == 0;
	return 0;
}

static int parse_start(const json_t *v, int64_t now, struct sched_def *d, char *err,
		       size_t errlen)
{
	d->start_at = now;
	if (!v)
		return 0;
	if (!json_is_string(v) || jobspec_parse_time(json_string_value(v), &d->start_at) < 0)
		return errmsg(err, errlen,
			      "start_at: must be an RFC 3339 date-time such as 2026-01-02T03:04:05Z");
	if (d->start_at > now + JOBSPEC_MAX_DELAY_S * 1000)
		return errmsg(err, errlen, "start_at: must be within a year from now");
	return 0;
}

int schedules_parse(const json_t *body, int64_t now_ms, struct sched_def *d, char *err,
		    size_t errlen)
{
	static const char *const known[] = {"name", "every", "job", "overlap", "catch_up",
					    "start_at", NULL};
	memset(d, 0, sizeof *d);
	if (!json_is_object(body))
		return errmsg(err, errlen, "(body): must be a JSON object");
	if (jsonx_check_keys(body, known, err, errlen) < 0)
		return -1;
	const json_t *v = json_object_get(body, "name");
	if (!v)
		return errmsg(err, errlen, "name: is required");
	if (!jobspec_name_valid(v))
		return errmsg(err, errlen,
			      "name: must be a string of 1 to 100 bytes without control characters");
	d->name = json_string_value(v);
	if (!(v = json_object_get(body, "every")))
		return errmsg(err, errlen, "every: is required");
	if (parse_every(v, d, err, errlen) < 0)
		return -1;
	if (!(d->job = json_object_get(body, "job")))
		return errmsg(err, errlen, "job: is required");
	if (!json_is_object(d->job))
		return errmsg(err, errlen, "job: must be a job object (as POST /v1/jobs takes)");
	if (json_object_get(d->job, "start_at"))
		return errmsg(err, errlen, "job.start_at: a schedule's job may not say when it "
			      "starts; the schedule's every and start_at do (delay_seconds may)");
	if (json_object_get(d->job, "fleets"))
		return errmsg(err, errlen, "job.fleets: a schedule's job may not be a group; "
			      "give it one fleet (one schedule per fleet)");
	if (parse_choice(body, "overlap", "skip", "allow", &d->overlap_skip, err, errlen) < 0 ||
	    parse_choice(body, "catch_up", "one", "none", &d->catch_up_one, err, errlen) < 0)
		return -1;
	return parse_start(json_object_get(body, "start_at"), now_ms, d, err, errlen);
}

/* --- arming ----------------------------------------------------------------- */

static int64_t mirror_watch_now(const struct schedules *ss)
{
	const struct mirror *m = ss->app->mirror;
	return m && mirror_ready(m) ? (int64_t)floor(mirror_watch(m)) : -1;
}

static void enqueue(struct sched *s)
{
	if (!list_linked(&s->qlink)) {
		list_push_back(&s->ss->due, &s->qlink);
		loop_wake(s->ss->loop);
	}
}

static void on_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct sched *s = arg;
	s->where = WHERE_NONE;
	enqueue(s);
}

static void disarm(struct sched *s)
{
	if (s->where == WHERE_LOOP)
		loop_timer_disarm(s->ss->loop, &s->timer);
	else if (s->where == WHERE_WATCH)
		theap_remove(&s->ss->wheap, &s->timer.node);
	s->where = WHERE_NONE;
	if (list_linked(&s->qlink))
		list_remove(&s->qlink);
}

static void arm_watch(struct sched *s, int64_t watch)
{
	struct schedules *ss = s->ss;
	int64_t now = mirror_watch_now(ss);
	if (now >= 0 && now >= watch) {
		enqueue(s);
		return;
	}
	if (theap_push(&ss->wheap, &s->timer.node, watch) == 0) {
		s->where = WHERE_WATCH;
		return;
	}
	log_error("cannot arm a schedule", "schedule=%lld", (long long)s->id);
	loop_timer_arm(ss->loop, &s->timer, clock_now_ms() + 1000);
	s->where = WHERE_LOOP;
}

/* Put s where its next firing will find it. */
static void arm(struct sched *s)
{
	disarm(s);
	if (s->paused)
		return;
	int64_t at;
	if (s->watches && s->has_base) {
		arm_watch(s, sched_due(s->base, s->every, s->next));
		return;
	}
	if (s->watches && s->start_at <= clock_now_ms()) {
		arm_watch(s, -1); /* the first watch the mirror reports fixes the base */
		return;
	}
	at = s->watches ? s->start_at : sched_due(s->base, s->every, s->next);
	if (loop_timer_arm(s->ss->loop, &s->timer, at) == 0)
		s->where = WHERE_LOOP;
	else
		log_error("cannot arm a schedule", "schedule=%lld", (long long)s->id);
}

static void on_changes(void *arg, const struct mirror_changes *ch)
{
	(void)ch;
	struct schedules *ss = arg;
	int64_t w = mirror_watch_now(ss);
	struct theap_node *n;
	while (w >= 0 && (n = theap_peek(&ss->wheap)) && n->deadline <= w) {
		theap_pop(&ss->wheap);
		struct sched *s = (struct sched *)((char *)n - offsetof(struct sched, timer));
		s->where = WHERE_NONE;
		enqueue(s);
	}
}

/* --- records ---------------------------------------------------------------- */

static void rec_free(struct sched *s)
{
	disarm(s);
	json_decref(s->job);
	free(s->job_text);
	free(s);
}

static struct sched *rec_new(struct schedules *ss, int64_t id, const char *job_text)
{
	struct sched *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->ss = ss;
	s->id = id;
	loop_timer_init(&s->timer, on_timer, s);
	list_init(&s->qlink);
	s->job = json_loads(job_text, 0, NULL);
	s->job_text = strdup(job_text);
	if (!s->job || !s->job_text || idmap_put(&ss->recs, id, s) < 0) {
		json_decref(s->job);
		free(s->job_text);
		free(s);
		return NULL;
	}
	return s;
}

static int64_t one_int(struct store *st, const char *sql, int64_t id, int64_t none)
{
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return none;
	sqlite3_bind_int64(q, 1, id);
	int64_t v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : none;
	sqlite3_reset(q);
	return v;
}

/* A record from a row of SQL_LOAD, with its progress from the firings. */
static int rec_load(struct schedules *ss, sqlite3_stmt *q)
{
	int64_t id = sqlite3_column_int64(q, 0);
	struct sched *s = rec_new(ss, id, (const char *)sqlite3_column_text(q, 3));
	if (!s)
		return -1;
	s->watches = strcmp((const char *)sqlite3_column_text(q, 1), "watches") == 0;
	s->every = sqlite3_column_int64(q, 2);
	s->overlap_skip = strcmp((const char *)sqlite3_column_text(q, 4), "skip") == 0;
	s->catch_up_one = strcmp((const char *)sqlite3_column_text(q, 5), "one") == 0;
	s->start_at = sqlite3_column_int64(q, 6);
	s->has_base = sqlite3_column_type(q, 7) != SQLITE_NULL;
	s->base = sqlite3_column_int64(q, 7);
	s->paused = sqlite3_column_int(q, 8) != 0;
	s->next = one_int(ss->st, SQL_LAST, id, -1) + 1;
	s->last_job = one_int(ss->st, SQL_LAST_JOB, id, 0);
	arm(s);
	return 0;
}

static void rec_free_val(void *s)
{
	rec_free(s);
}

static void drop_all(struct schedules *ss)
{
	idmap_free_with(&ss->recs, rec_free_val);
}

int schedules_load(struct schedules *ss, char *err, size_t errlen)
{
	sqlite3_stmt *q = store_stmt(ss->st, SQL_LOAD);
	if (!q) {
		snprintf(err, errlen, "cannot read the schedules table");
		return -1;
	}
	size_t n = 0;
	int rc = 0;
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
		rc = rec_load(ss, q);
		n++;
	}
	sqlite3_reset(q);
	if (rc < 0) {
		snprintf(err, errlen, "out of memory loading the schedules");
		return -1;
	}
	log_info("schedules loaded", "schedules=%zu", n);
	return 0;
}

/* A failed commit undid what this turn wrote: read every record again. */
static void reload(struct schedules *ss)
{
	char err[200];
	drop_all(ss);
	if (schedules_load(ss, err, sizeof err) < 0)
		log_error("cannot reload the schedules", "error=%s", err);
}

static void on_committed(void *arg, int ok)
{
	struct schedules *ss = arg;
	ss->hooked = 0;
	if (ss->logged_n)
		log_info("schedule firings committed", "firings=%zu us=%lld ok=%d",
			 ss->logged_n, (long long)((clock_mono_ns() - ss->logged_t0) / 1000), ok);
	ss->logged_n = 0;
	if (!ok)
		reload(ss);
}

/* Open the transaction and ask to hear of its end.  0, or -1. */
static int begin(struct schedules *ss)
{
	if (store_begin(ss->st) < 0)
		return -1;
	if (!ss->hooked && store_on_commit(ss->st, on_committed, ss) == 0)
		ss->hooked = 1;
	return ss->hooked ? 0 : -1;
}

/* --- firing ----------------------------------------------------------------- */

struct firing_row {
	int64_t firing, through, due, job;
	const char *outcome, *reason;
};

static int put_firing(struct schedules *ss, const struct sched *s, const struct firing_row *f)
{
	sqlite3_stmt *q = store_stmt(ss->st, SQL_FIRING);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int64(q, 2, f->firing);
	sqlite3_bind_int64(q, 3, f->through);
	sqlite3_bind_int64(q, 4, f->due);
	sqlite3_bind_int64(q, 5, clock_now_ms());
	sqlite3_bind_text(q, 6, f->outcome, -1, SQLITE_STATIC);
	if (f->job)
		sqlite3_bind_int64(q, 7, f->job);
	if (f->reason)
		sqlite3_bind_text(q, 8, f->reason, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) /* extended codes are on (store.c) */
		log_error("a schedule's firing is already recorded; not firing it again",
			  "schedule=%lld firing=%lld", (long long)s->id, (long long)f->firing);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Why firing now would not start a job, or NULL: the previous firing's
 * job still live (overlap "skip"), or what the job would hold held. */
static const char *skip_reason(struct schedules *ss, const struct sched *s, char *buf,
			       size_t len)
{
	if (s->overlap_skip && engine_job_live(ss->app->engine, s->last_job)) {
		snprintf(buf, len, "job %lld of the previous firing is still live",
			 (long long)s->last_job);
		return buf;
	}
	int64_t holder = engine_spec_holder(ss->app->engine, s->job);
	if (holder) {
		const json_t *w = json_object_get(s->job, "world");
		snprintf(buf, len, "%s %lld is held by job %lld", w ? "world" : "fleet",
			 (long long)json_integer_value(w ? w : json_object_get(s->job, "fleet")),
			 (long long)holder);
		return buf;
	}
	return NULL;
}

/* The firing being run, for fired_row(). */
struct firing_ctx {
	struct schedules *ss;
	const struct sched *s;
	struct firing_row *f;
	int written, refused; /* its row is in the transaction, or could
			       * not be written */
};

/* engine_submit()'s on_id: the firing's row, naming its job, written
 * before anything of the job, so a firing is one INSERT and a firing
 * already recorded makes no job. */
static int fired_row(void *arg, int64_t id)
{
	struct firing_ctx *c = arg;
	c->f->job = id;
	if (put_firing(c->ss, c->s, c->f) < 0) {
		c->refused = 1;
		return -1;
	}
	c->written = 1;
	return 0;
}

/* Run firing n: its row and its job, or its row as skipped.  0, or -1 on
 * a database error (the transaction then fails as a whole). */
static int run_firing(struct schedules *ss, struct sched *s, int64_t n)
{
	char why[160];
	struct firing_row f = {.firing = n, .through = n,
			       .due = sched_due(s->base, s->every, n)};
	f.reason = skip_reason(ss, s, why, sizeof why);
	if (!f.reason) {
		f.outcome = "fired";
		struct firing_ctx c = {.ss = ss, .s = s, .f = &f};
		struct engine_submit_opts opts = {.schedule = s->id, .spec_text = s->job_text,
						  .on_id = fired_row, .on_id_arg = &c};
		int64_t holder = 0, id = engine_submit(ss->app->engine, s->job, &opts, &holder);
		if (id > 0) {
			s->last_job = id;
			ss->fired++;
			return 0;
		}
		/* its row not written (already recorded: no job then, and
		 * fire_batch() goes on from the table), or written but no
		 * job: a write failed after it, which fails the commit, and
		 * reload() follows */
		if (c.written || c.refused)
			return -1;
		/* not reached while skip_reason() saw the lease */
		f.reason = id == 0 ? "what the job would hold is held"
				   : "the job could not be stored";
		f.job = 0;
		if (id < 0 && !store_available(ss->st))
			return -1;
	}
	f.outcome = "skipped";
	ss->skipped++;
	return put_firing(ss, s, &f);
}

/* The watch a watch schedule without a base takes as its firing 0. */
static int take_base(struct schedules *ss, struct sched *s)
{
	int64_t w = mirror_watch_now(ss);
	if (w < 0)
		return 1; /* not yet: the first watch reported re-queues it */
	sqlite3_stmt *q = store_stmt(ss->st, SQL_SET_BASE);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int64(q, 2, w);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return -1;
	s->base = w;
	s->has_base = 1;
	return 0;
}

/* Fire what is due of s now.  -1 on a database error. */
static int fire(struct schedules *ss, struct sched *s)
{
	if (s->paused)
		return 0;
	if (s->watches && !s->has_base) {
		int rc = take_base(ss, s);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	int64_t now = s->watches ? mirror_watch_now(ss) : clock_now_ms();
	if (now < 0)
		return 0;
	struct sched_plan p;
	int resumed = s->resumed;
	sched_plan(s->base, s->every, s->next, now, sched_grace(s->watches, s->every),
		   s->catch_up_one && !resumed, &p);
	s->resumed = 0;
	if (p.missed_through >= p.missed_from) {
		struct firing_row f = {
			.firing = p.missed_from, .through = p.missed_through,
			.due = sched_due(s->base, s->every, p.missed_from),
			.outcome = resumed ? "skipped" : "missed",
			.reason = resumed ? "the schedule was paused"
					  : "past due before fleetd could fire it (fleetd was "
					    "down, or the watch went by between two reads)",
		};
		if (put_firing(ss, s, &f) < 0)
			return -1;
		if (resumed)
			ss->skipped += (uint64_t)(p.missed_through - p.missed_from + 1);
		else
			ss->missed += (uint64_t)(p.missed_through - p.missed_from + 1);
	}
	if (p.run >= 0 && run_firing(ss, s, p.run) < 0)
		return -1;
	s->next = p.next;
	return 0;
}

/* CPU time of this thread (ns): a batch's own cost, whatever else runs. */
static int64_t thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fire_batch(struct schedules *ss)
{
	int64_t t0 = clock_mono_ns(), cpu0 = thread_cpu_ns();
	size_t n = 0;
	struct list_node *ln;
	if (begin(ss) < 0)
		return; /* the due queue waits for the store */
	while ((ln = list_pop_front(&ss->due))) {
		struct sched *s = LIST_ELEM(ln, struct sched, qlink);
		n++;
		if (fire(ss, s) < 0) {
			/* a lost transaction fails the commit, and reload() puts
			 * every record back as the tables say.  A firing whose
			 * number is already recorded (by another writer of the
			 * database) is refused alone and the transaction goes on:
			 * s then goes on from the table's last number, never
			 * firing a recorded one.  s tries again in a second. */
			log_error("cannot record a schedule's firing", "schedule=%lld",
				  (long long)s->id);
			s->next = one_int(ss->st, SQL_LAST, s->id, s->next - 1) + 1;
			if (loop_timer_arm(ss->loop, &s->timer, clock_now_ms() + 1000) == 0)
				s->where = WHERE_LOOP;
			break;
		}
		arm(s);
	}
	ss->last_batch = n;
	ss->last_batch_us = (clock_mono_ns() - t0) / 1000;
	if (n >= LOG_BATCH) {
		log_info("schedules fired", "firings=%zu us=%lld cpu_us=%lld", n,
			 (long long)ss->last_batch_us,
			 (long long)((thread_cpu_ns() - cpu0) / 1000));
		ss->logged_t0 = t0;
		ss->logged_n = n;
	}
}

static void src_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	(void)fds;
	struct schedules *ss = arg;
	if (!list_empty(&ss->due) && store_available(ss->st))
		*timeout_ms = 0;
}

static void src_dispatch(void *arg, const struct loop_fds *fds)
{
	(void)fds;
	struct schedules *ss = arg;
	if (!list_empty(&ss->due) && store_available(ss->st))
		fire_batch(ss);
}

/* --- the routes' verbs ------------------------------------------------------ */

int64_t schedules_create(struct schedules *ss, const struct sched_def *d)
{
	int64_t now = clock_now_ms();
	int64_t mw = mirror_watch_now(ss);
	int has_base = d->watches ? d->start_at <= now && mw >= 0 : 1;
	int64_t base = d->watches ? mw : sched_first_base(d->start_at, d->every, now);
	char *job = json_dumps(d->job, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_stmt *q = job && begin(ss) == 0 ? store_stmt(ss->st, SQL_INSERT) : NULL;
	if (!q) {
		free(job);
		return -1;
	}
	sqlite3_bind_text(q, 1, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, d->watches ? "watches" : "seconds", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, d->every);
	sqlite3_bind_text(q, 4, job, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, d->overlap_skip ? "skip" : "allow", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, d->catch_up_one ? "one" : "none", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, d->start_at);
	if (has_base)
		sqlite3_bind_int64(q, 8, base);
	sqlite3_bind_int64(q, 9, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	int64_t id = rc == SQLITE_DONE ? sqlite3_last_insert_rowid(store_db(ss->st)) : -1;
	struct sched *s = id > 0 ? rec_new(ss, id, job) : NULL;
	free(job);
	if (!s)
		return -1;
	s->every = d->every;
	s->base = base;
	s->start_at = d->start_at;
	s->watches = (uint8_t)d->watches;
	s->has_base = (uint8_t)has_base;
	s->overlap_skip = (uint8_t)d->overlap_skip;
	s->catch_up_one = (uint8_t)d->catch_up_one;
	arm(s);
	return id;
}

static int exec_id(struct schedules *ss, const char *sql, int64_t id, int64_t a, int64_t b)
{
	sqlite3_stmt *q = store_stmt(ss->st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, a);
	sqlite3_bind_int64(q, 3, b);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

int schedules_pause(struct schedules *ss, int64_t id, int pause)
{
	struct sched *s = idmap_get(&ss->recs, id);
	if (!s)
		return 404;
	if (s->paused == pause)
		return 0;
	if (begin(ss) < 0 || exec_id(ss, SQL_SET_PAUSED, id, pause, clock_now_ms()) < 0)
		return -1;
	s->paused = (uint8_t)pause;
	s->resumed = !pause;
	arm(s);
	if (!pause && !list_linked(&s->qlink))
		enqueue(s); /* record what was due while paused */
	return 0;
}

int schedules_delete(struct schedules *ss, int64_t id)
{
	struct sched *s = idmap_get(&ss->recs, id);
	if (!s)
		return 404;
	if (begin(ss) < 0 || exec_id(ss, SQL_DELETE, id, 0, 0) < 0 ||
	    exec_id(ss, SQL_DELETE_FIRINGS, id, 0, 0) < 0)
		return -1;
	idmap_del(&ss->recs, id);
	rec_free(s);
	return 0;
}

int schedules_prune(void *arg, int64_t cutoff_ms, int max)
{
	struct schedules *ss = arg;
	sqlite3_stmt *q = store_stmt(ss->st, SQL_PRUNE);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, cutoff_ms);
	sqlite3_bind_int(q, 2, max);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? sqlite3_changes(store_db(ss->st)) : -1;
}

/* --- answers ---------------------------------------------------------------- */

static json_t *time_value(int64_t ms)
{
	char b[48];
	jobspec_format_time(ms, b, sizeof b);
	return json_string(b);
}

static json_t *firing_json(int watches, sqlite3_stmt *q)
{
	int64_t firing = sqlite3_column_int64(q, 0), through = sqlite3_column_int64(q, 1);
	int64_t due = sqlite3_column_int64(q, 2);
	json_t *f = json_pack("{s:I,s:I,s:o,s:s,s:o,s:o}", "number", (json_int_t)firing,
			      "through", (json_int_t)through, "at",
			      time_value(sqlite3_column_int64(q, 3)), "outcome",
			      (const char *)sqlite3_column_text(q, 4), "job",
			      sqlite3_column_type(q, 5) == SQLITE_NULL
				      ? json_null()
				      : json_integer(sqlite3_column_int64(q, 5)),
			      "reason",
			      sqlite3_column_type(q, 6) == SQLITE_NULL
				      ? json_null()
				      : json_string((const char *)sqlite3_column_text(q, 6)));
	if (f)
		json_object_set_new(f, watches ? "due_watch" : "due_at",
				    watches ? json_integer(due) : time_value(due));
	return f;
}

/* The last `limit` firings, newest first. */
static json_t *firing_row(void *s, sqlite3_stmt *q)
{
	return firing_json(((const struct sched *)s)->watches, q);
}

static json_t *history(struct schedules *ss, const struct sched *s, int limit)
{
	sqlite3_stmt *q = store_stmt(ss->st, SQL_HISTORY);
	if (!q)
		return NULL;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int(q, 2, limit);
	return row_list(q, firing_row, (void *)s);
}

/* The next firing as the record knows it; null while paused. */
static json_t *next_json(const struct sched *s)
{
	if (s->paused)
		return json_null();
	json_t *n = json_pack("{s:I}", "number", (json_int_t)s->next);
	if (!n)
		return NULL;
	if (s->watches)
		json_object_set_new(n, "due_watch",
				    s->has_base
					    ? json_integer(sched_due(s->base, s->every, s->next))
					    : json_null());
	else
		json_object_set_new(n, "due_at", time_value(sched_due(s->base, s->every, s->next)));
	if (s->watches && !s->has_base)
		json_object_set_new(n, "not_before", time_value(s->start_at));
	return n;
}

/* A row of SQL_GET or SQL_PAGE as the API shows it. */
static json_t *answer_row(struct schedules *ss, sqlite3_stmt *q, int hist)
{
	int64_t id = sqlite3_column_int64(q, 0);
	const struct sched *s = idmap_get(&ss->recs, id);
	json_t *job = json_loads((const char *)sqlite3_column_text(q, 4), 0, NULL);
	int watches = strcmp((const char *)sqlite3_column_text(q, 2), "watches") == 0;
	int64_t every = sqlite3_column_int64(q, 3);
	json_t *a = json_pack("{s:I,s:s,s:{s:I},s:o,s:s,s:s,s:o,s:b,s:o,s:o}", "id",
			      (json_int_t)id, "name", (const char *)sqlite3_column_text(q, 1),
			      "every", watches ? "watches" : "seconds",
			      (json_int_t)(watches ? every : every / 1000), "job",
			      job ? job : json_null(), "overlap",
			      (const char *)sqlite3_column_text(q, 5), "catch_up",
			      (const char *)sqlite3_column_text(q, 6), "start_at",
			      time_value(sqlite3_column_int64(q, 7)), "paused",
			      sqlite3_column_int(q, 8) != 0, "created_at",
			      time_value(sqlite3_column_int64(q, 9)), "updated_at",
			      time_value(sqlite3_column_int64(q, 10)));
	if (!a || !s)
		return a;
	json_t *last = history(ss, s, hist > 0 ? hist : 1);
	json_object_set_new(a, "next_firing", next_json(s));
	json_object_set(a, "last_firing", json_array_size(last) ? json_array_get(last, 0)
								: json_null());
	if (hist > 0 && last)
		json_object_set(a, "history", last);
	json_decref(last);
	return a;
}

json_t *schedules_answer(struct schedules *ss, int64_t id, int hist, int *db_error)
{
	sqlite3_stmt *q = store_stmt(ss->st, SQL_GET);
	*db_error = !q;
	if (!q)
		return NULL;
	sqlite3_bind_int64(q, 1, id);
	json_t *a = sqlite3_step(q) == SQLITE_ROW ? answer_row(ss, q, hist) : NULL;
	sqlite3_reset(q);
	return a;
}

/* A row of a list page: the schedule without its history. */
static json_t *list_row(void *ss, sqlite3_stmt *q)
{
	return answer_row(ss, q, 0);
}

json_t *schedules_list(struct schedules *ss, int64_t after, int limit, int64_t *next)
{
	return row_page_after(ss->st, SQL_PAGE, after, limit, list_row, ss, next);
}

void schedules_stats(const struct schedules *ss, struct sched_stats *out)
{
	*out = (struct sched_stats){.schedules = ss->recs.n, .fired = ss->fired,
				    .skipped = ss->skipped, .missed = ss->missed,
				    .last_batch = ss->last_batch,
				    .last_batch_us = ss->last_batch_us};
}

/* --- life ------------------------------------------------------------------- */

struct schedules *schedules_new(struct app *app)
{
	struct schedules *ss = calloc(1, sizeof *ss);
	if (!ss)
		return NULL;
	ss->app = app;
	ss->loop = app->loop;
	ss->st = app->store;
	idmap_init(&ss->recs);
	theap_init(&ss->wheap);
	list_init(&ss->due);
	struct loop_source src = {.name = "schedules", .prepare = src_prepare,
				  .dispatch = src_dispatch, .arg = ss};
	if (loop_add_source(app->loop, &src) < 0) {
		free(ss);
		return NULL;
	}
	return ss;
}

int schedules_attach_mirror(struct schedules *ss)
{
	if (!ss->app->mirror || ss->mirror_attached)
		return 0;
	ss->mirror_attached = 1;
	return mirror_subscribe(ss->app->mirror, on_changes, ss);
}

void schedules_free(struct schedules *ss)
{
	if (!ss)
		return;
	drop_all(ss);
	idmap_free(&ss->recs);
	theap_free(&ss->wheap);
	loop_remove_source(ss->loop, ss);
	free(ss);
}
