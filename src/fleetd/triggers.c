/* triggers.c -- see triggers.h.  Three parts: the rows (load, create,
 * pause, delete, the answers), the tap (events -> pending firings, inside
 * the appending transaction) and the firer (pending firings -> jobs, on a
 * timer of the loop). */
#include "triggers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backoff.h"
#include "clock.h"
#include "engine.h"
#include "errmsg.h"
#include "eventlog.h"
#include "group.h"
#include "job_check.h"
#include "jobspec.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "row_page.h"
#include "store.h"
#include "textbuf.h"
#include "trigger_match.h"

#define FIRE_BATCH 64          /* pending firings made into jobs per turn */
#define FIRE_RETRY_BASE_MS 500 /* after a database error */
#define FIRE_RETRY_MAX_MS 30000
#define PLACEHOLDER_ID 1       /* a template's "$world" while it is checked */

struct triggers {
	struct app *app;
	struct store *st;
	struct trig_index idx;
	struct loop_timer fire_timer;
	int64_t fire_failures;     /* database errors in a row, for the backoff */
	int commit_hooked;         /* restore_on_failure is queued */
	int have_schedule;         /* jobs has a `schedule` column */
	/* the firing being made into a job: a job event of that job comes
	 * before its row is written */
	int64_t submitting_trigger;
	const char *submitting_name;
	struct triggers_stats stats;
};

static const char SQL_LOAD[] =
	"SELECT id, event, filter, job, cooldown_ms, paused, last_fired_at FROM triggers";
static const char SQL_INSERT[] =
	"INSERT INTO triggers (name, event, filter, job, cooldown_ms, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_PAUSE[] = "UPDATE triggers SET paused = ?2 WHERE id = ?1";
static const char SQL_DELETE[] = "DELETE FROM triggers WHERE id = ?1";
static const char SQL_DELETE_FIRINGS[] = "DELETE FROM trigger_firings WHERE trigger_id = ?1";
static const char SQL_FIRED_AT[] = "UPDATE triggers SET last_fired_at = ?2 WHERE id = ?1";
static const char SQL_FIRING[] =
	"INSERT OR IGNORE INTO trigger_firings (trigger_id, event_id, at, state, vars) "
	"VALUES (?1, ?2, ?3, 'pending', ?4)";
static const char SQL_PENDING[] =
	"SELECT id, trigger_id, vars FROM trigger_firings WHERE state = 'pending' "
	"ORDER BY id LIMIT ?1";
static const char SQL_SETTLE[] =
	"UPDATE trigger_firings SET state = ?2, job_id = ?3, reason = ?4 WHERE id = ?1";
static const char SQL_JOB_FACTS[] = "SELECT name, \"trigger\", NULL FROM jobs WHERE id = ?1";
static const char SQL_JOB_FACTS_SCHED[] =
	"SELECT name, \"trigger\", schedule FROM jobs WHERE id = ?1";
static const char SQL_HAS_SCHEDULE[] =
	"SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'schedule'";
static const char SQL_ROW[] =
	"SELECT id, name, event, filter, job, cooldown_ms, paused, created_at, "
	"last_fired_at FROM triggers WHERE id = ?1";
static const char SQL_LIST[] =
	"SELECT id, name, event, filter, job, cooldown_ms, paused, created_at, "
	"last_fired_at FROM triggers WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char SQL_HISTORY[] =
	"SELECT id, event_id, at, state, job_id, reason, vars FROM trigger_firings "
	"WHERE trigger_id = ?1 ORDER BY id DESC LIMIT ?2";
static const char SQL_COUNTS[] =
	"SELECT count(*), coalesce(sum(state = 'fired'), 0), "
	"coalesce(sum(state = 'skipped'), 0) FROM trigger_firings WHERE trigger_id = ?1";

static void arm_fire(struct triggers *t, int64_t at_ms);

/* --- the index from the rows ------------------------------------------------ */

static const char *col_text(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	return v ? v : "";
}

/* A trigger record from a row of SQL_LOAD; NULL if the row is unreadable
 * (logged: it then fires nothing) or on ENOMEM. */
static struct trig *trig_of_row(sqlite3_stmt *s)
{
	char err[200];
	struct trig *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->id = sqlite3_column_int64(s, 0);
	t->event = trig_event_of(col_text(s, 1));
	json_t *where = json_loads(col_text(s, 2), 0, NULL);
	t->job = json_loads(col_text(s, 3), 0, NULL);
	t->cooldown_ms = sqlite3_column_int64(s, 4);
	t->paused = sqlite3_column_int(s, 5) != 0;
	t->last_fired_ms = sqlite3_column_int64(s, 6);
	int bad = t->event < 0 || !t->job ||
		  trig_where_parse(t->event, where, &t->where, err, sizeof err) < 0;
	json_decref(where);
	if (bad) {
		log_warn("trigger row unreadable; it fires nothing", "trigger=%lld",
			 (long long)t->id);
		trig_free(t);
		return NULL;
	}
	return t;
}

/* Rebuild the index from the table: at start and after a failed commit
 * (what the rows say is then the truth). */
static int reload(struct triggers *t)
{
	trig_index_clear(&t->idx);
	sqlite3_stmt *s = store_stmt(t->st, SQL_LOAD);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct trig *tr = trig_of_row(s);
		if (tr && trig_index_add(&t->idx, tr) < 0) {
			trig_free(tr);
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void restore_on_failure(void *arg, int ok)
{
	struct triggers *t = arg;
	t->commit_hooked = 0;
	if (ok)
		return;
	if (reload(t) < 0)
		log_error("triggers not reloaded after a failed commit", "what=triggers");
	arm_fire(t, clock_now_ms() + FIRE_RETRY_BASE_MS);
}

/* Memory is about to differ from the committed rows: put it back if the
 * commit fails. */
static void memory_changed(struct triggers *t)
{
	if (!t->commit_hooked && store_on_commit(t->st, restore_on_failure, t) == 0)
		t->commit_hooked = 1;
}

/* --- the tap: events -> pending firings --------------------------------------- */

struct tap_ctx {
	struct triggers *t;
	const struct eventlog_row *row;
	const struct trig_facts *facts;
	char *vars; /* the firing's variables, made once */
	int failed;
};

/* A job event's job: its name, trigger and schedule (the row is read in
 * the open transaction; a job ending inside its own submission has no row
 * yet, and if it is a firing's, the firing says what it is). */
static void job_facts(struct triggers *t, int64_t job, struct trig_facts *f,
		      char *name, size_t namelen)
{
	f->job = job;
	sqlite3_stmt *s = store_stmt(t->st, t->have_schedule ? SQL_JOB_FACTS_SCHED
							   : SQL_JOB_FACTS);
	if (s) {
		sqlite3_bind_int64(s, 1, job);
		if (sqlite3_step(s) == SQLITE_ROW) {
			if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
				snprintf(name, namelen, "%s", col_text(s, 0));
				f->name = name;
			}
			f->trigger = sqlite3_column_int64(s, 1);
			f->schedule = sqlite3_column_int64(s, 2);
			sqlite3_reset(s);
			return;
		}
		sqlite3_reset(s);
	}
	f->trigger = t->submitting_trigger;
	f->name = t->submitting_name;
}

static int record_firing(void *arg, struct trig *tr)
{
	struct tap_ctx *c = arg;
	struct triggers *t = c->t;
	int64_t ts = c->row->ts;
	if (c->facts->trigger == tr->id) /* its own job's event: never */
		return 0;
	if (tr->cooldown_ms && tr->last_fired_ms && ts - tr->last_fired_ms < tr->cooldown_ms)
		return 0;
	if (!c->vars) {
		json_t *v = trig_facts_vars(c->facts);
		c->vars = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(v);
		if (!c->vars)
			return c->failed = 1;
	}
	sqlite3_stmt *s = store_stmt(t->st, SQL_FIRING);
	sqlite3_stmt *u = store_stmt(t->st, SQL_FIRED_AT);
	if (!s || !u)
		return c->failed = 1;
	sqlite3_bind_int64(s, 1, tr->id);
	sqlite3_bind_int64(s, 2, c->row->id);
	sqlite3_bind_int64(s, 3, ts);
	sqlite3_bind_text(s, 4, c->vars, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_bind_int64(u, 1, tr->id);
	sqlite3_bind_int64(u, 2, ts);
	int rc2 = rc == SQLITE_DONE ? sqlite3_step(u) : rc;
	sqlite3_reset(u);
	if (rc != SQLITE_DONE || rc2 != SQLITE_DONE) {
		log_error("trigger firing not recorded", "trigger=%lld event=%lld",
			  (long long)tr->id, (long long)c->row->id);
		return c->failed = 1;
	}
	memory_changed(t);
	tr->last_fired_ms = ts;
	t->stats.recorded++;
	return 0;
}

static int on_event(void *arg, const struct eventlog_row *row)
{
	struct triggers *t = arg;
	/* every event written passes here (a woken job writes two or three):
	 * with no trigger at all, nothing is read */
	if (t->idx.all.n == 0)
		return 0;
	int job_event = strcmp(row->type, "job.state") == 0;
	if (job_event && !trig_index_watching(&t->idx, TE_JOB_FAILED) &&
	    !trig_index_watching(&t->idx, TE_JOB_SUCCEEDED))
		return 0;
	int ev = trig_event_of_log(row->type, row->data, row->data_len);
	if (ev < 0 || !trig_index_watching(&t->idx, ev))
		return 0;
	t->stats.events_seen++;
	struct trig_facts f = {0};
	char name[TRIGGERS_NAME_MAX + 1];
	if (job_event)
		job_facts(t, row->job_id, &f, name, sizeof name);
	else
		trig_facts_of_data(&f, row->data, row->data_len);
	struct tap_ctx c = {t, row, &f, NULL, 0};
	trig_index_match(&t->idx, ev, &f, record_firing, &c);
	int fired = c.vars != NULL;
	free(c.vars);
	if (c.failed)
		return -1;
	if (fired)
		arm_fire(t, clock_now_ms());
	return 0;
}

/* --- the firer: pending firings -> jobs ---------------------------------------- */

/* Replace the template's top-level "fleet" / "world" "$NAME" by the id
 * the firing binds.  0, or -1 with the reason in err. */
static int bind_holder(json_t *spec, const char *key, const json_t *vars, char *err,
		       size_t errlen)
{
	const char *s = json_string_value(json_object_get(spec, key));
	if (!s || s[0] != '$')
		return 0;
	const json_t *id = json_object_get(vars, s + 1);
	if (!json_is_integer(id))
		return errmsg(err, errlen, "job.%s: %s is not bound by this event", key, s);
	return json_object_set(spec, key, (json_t *)id);
}

/* The job of a firing: the template bound and checked, named after the
 * trigger when it has no name of its own.  NULL with the reason. */
static json_t *firing_job(struct triggers *t, const struct trig *tr, const json_t *vars,
			  const char *trig_name, char *err, size_t errlen)
{
	json_t *spec = json_deep_copy(tr->job);
	if (!spec) {
		errmsg(err, errlen, "out of memory");
		return NULL;
	}
	if (bind_holder(spec, "fleet", vars, err, errlen) < 0 ||
	    bind_holder(spec, "world", vars, err, errlen) < 0) {
		json_decref(spec);
		return NULL;
	}
	if (!json_object_get(spec, "name") && trig_name && *trig_name)
		json_object_set_new(spec, "name", json_string(trig_name));
	char why[300];
	if (job_check(t->app->mirror, spec, clock_now_ms(), 0, why, sizeof why) < 0) {
		errmsg(err, errlen, "job.%s", why);
		json_decref(spec);
		return NULL;
	}
	return spec;
}

static int settle(struct triggers *t, int64_t firing, const char *state, int64_t job,
		  const char *reason)
{
	sqlite3_stmt *s = store_stmt(t->st, SQL_SETTLE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, firing);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	if (job)
		sqlite3_bind_int64(s, 3, job);
	else
		sqlite3_bind_null(s, 3);
	if (reason)
		sqlite3_bind_text(s, 4, reason, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 4);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (strcmp(state, "fired") == 0)
		t->stats.fired++;
	else
		t->stats.skipped++;
	return 0;
}

static const char SQL_NAME[] = "SELECT name FROM triggers WHERE id = ?1";

static char *trigger_name(struct triggers *t, int64_t id)
{
	sqlite3_stmt *s = store_stmt(t->st, SQL_NAME);
	char *name = NULL;
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		name = strdup(col_text(s, 0));
	sqlite3_reset(s);
	return name;
}

static int64_t fleet_holder(void *arg, int64_t fleet)
{
	return engine_fleet_holder(arg, fleet);
}

/* A group's refusal in words: each of its fleets that a live job holds
 * (group_busy_text); 0, or -1 if they cannot be told (buf untouched). */
static int group_held_reason(struct triggers *t, const json_t *fleets, char *buf, size_t len)
{
	char err[200];
	int64_t *ids = NULL;
	long n = group_resolve(fleets, t->app->mirror, fleet_holder, t->app->engine, &ids, err,
			       sizeof err);
	int64_t *holders = n > 0 ? calloc((size_t)n, sizeof *holders) : NULL;
	struct textbuf text = {0};
	for (long i = 0; holders && i < n; i++)
		holders[i] = engine_fleet_holder(t->app->engine, ids[i]);
	if (holders)
		group_busy_text(&text, ids, holders, (size_t)n, GROUP_BUSY_NAMED);
	size_t tlen = 0;
	char *words = textbuf_take(&text, &tlen);
	int rc = words && tlen ? 0 : -1;
	if (rc == 0)
		snprintf(buf, len, "%s", words);
	free(words);
	free(holders);
	free(ids);
	return rc;
}

/* Why spec was refused (engine_submit answered 0, holder the live job
 * holding what it would hold), in words: its world or fleet, or each
 * held fleet of a group. */
static void held_reason(struct triggers *t, const json_t *spec, int64_t holder, char *buf,
			size_t len)
{
	const json_t *fleets = json_object_get(spec, "fleets");
	const json_t *w = json_object_get(spec, "world");
	if (fleets && group_held_reason(t, fleets, buf, len) == 0)
		return;
	if (fleets)
		snprintf(buf, len, "a fleet of the group is held by job %lld", (long long)holder);
	else
		snprintf(buf, len, "%s %lld is held by job %lld", w ? "world" : "fleet",
			 (long long)json_integer_value(w ? w : json_object_get(spec, "fleet")),
			 (long long)holder);
}

/* Make one pending firing into its job, or skip it: 0, or -1 when the
 * database failed (the firing stays pending). */
static int fire_one(struct triggers *t, int64_t firing, int64_t trigger_id,
		    const char *vars_text)
{
	char reason[400];
	struct trig *tr = trig_index_get(&t->idx, trigger_id);
	if (!tr)
		return settle(t, firing, "skipped", 0, "the trigger is gone");
	json_t *vars = json_loads(vars_text, 0, NULL);
	char *name = trigger_name(t, trigger_id);
	json_t *spec = vars ? firing_job(t, tr, vars, name, reason, sizeof reason) : NULL;
	if (!vars)
		snprintf(reason, sizeof reason, "the firing's variables are unreadable");
	int rc;
	if (!spec) {
		rc = settle(t, firing, "skipped", 0, reason);
	} else {
		int64_t holder = 0;
		struct engine_submit_opts opts = {.trigger = trigger_id, .vars = vars};
		t->submitting_trigger = trigger_id;
		t->submitting_name = json_string_value(json_object_get(spec, "name"));
		int64_t job = engine_submit(t->app->engine, spec, &opts, &holder);
		t->submitting_trigger = 0;
		t->submitting_name = NULL;
		if (job > 0) {
			rc = settle(t, firing, "fired", job, NULL);
		} else if (job == 0) {
			held_reason(t, spec, holder, reason, sizeof reason);
			rc = settle(t, firing, "skipped", 0, reason);
		} else {
			rc = -1;
		}
	}
	json_decref(spec);
	json_decref(vars);
	free(name);
	return rc;
}

/* One batch of pending firings; 1 if more may wait, 0 if none, -1 on a
 * database error. */
static int fire_batch(struct triggers *t)
{
	if (store_begin(t->st) < 0)
		return -1;
	sqlite3_stmt *s = store_stmt(t->st, SQL_PENDING);
	if (!s)
		return -1;
	struct {
		int64_t id, trigger;
		char *vars;
	} batch[FIRE_BATCH];
	int n = 0, rc;
	sqlite3_bind_int(s, 1, FIRE_BATCH);
	while (n < FIRE_BATCH && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		batch[n].id = sqlite3_column_int64(s, 0);
		batch[n].trigger = sqlite3_column_int64(s, 1);
		batch[n].vars = strdup(col_text(s, 2));
		n++;
	}
	sqlite3_reset(s);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		if (!failed && (!batch[i].vars ||
				fire_one(t, batch[i].id, batch[i].trigger, batch[i].vars) < 0))
			failed = 1;
		free(batch[i].vars);
	}
	if (failed)
		return -1;
	return n == FIRE_BATCH;
}

static void on_fire_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct triggers *t = arg;
	int rc = fire_batch(t);
	if (rc < 0) {
		t->fire_failures++;
		int64_t d = backoff_ms(FIRE_RETRY_BASE_MS, FIRE_RETRY_MAX_MS, t->fire_failures);
		log_warn("trigger firings wait for the database", "retry_ms=%lld",
			 (long long)d);
		arm_fire(t, clock_now_ms() + d);
		return;
	}
	t->fire_failures = 0;
	if (rc > 0)
		arm_fire(t, clock_now_ms());
}

static void arm_fire(struct triggers *t, int64_t at_ms)
{
	if (loop_timer_armed(&t->fire_timer) && at_ms >= t->fire_timer.node.deadline)
		return;
	if (loop_timer_arm(t->app->loop, &t->fire_timer, at_ms) < 0)
		log_warn("out of memory", "what=trigger timer");
}

/* --- the routes' side ------------------------------------------------------------ */

static const char *const known_fields[] = {"name", "on", "where", "job",
					   "cooldown_seconds", NULL};

/* The template's "fleet" / "world" "$NAME": a variable the event binds;
 * "world" is given a placeholder id for the job language's check (and
 * *flags says so).  0, or -1 with err. */
static int template_holder(int ev, json_t *copy, const char *key, unsigned *flags,
			   char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(copy, key));
	if (!s || s[0] != '$')
		return 0;
	if (!trig_event_binds(ev, s + 1))
		return errmsg(err, errlen, "job.%s: %.40s is not bound by %s events", key, s,
			      trig_event_name(ev));
	if (strcmp(key, "world") == 0) {
		json_object_set_new(copy, key, json_integer(PLACEHOLDER_ID));
		*flags |= JOB_CHECK_TEMPLATE;
	}
	return 0;
}

static int check_template(const struct mirror *mirror, int ev, const json_t *job, char *err,
			  size_t errlen)
{
	if (!json_is_object(job))
		return errmsg(err, errlen, "job: must be a job object (as POST /v1/jobs takes)");
	json_t *copy = json_deep_copy(job);
	if (!copy)
		return errmsg(err, errlen, "out of memory");
	char why[300];
	unsigned flags = 0;
	int rc = template_holder(ev, copy, "fleet", &flags, err, errlen) < 0 ||
			 template_holder(ev, copy, "world", &flags, err, errlen) < 0
		? -1 : 0;
	if (rc == 0 && job_check(mirror, copy, clock_now_ms(), flags, why,
				 sizeof why) < 0)
		rc = errmsg(err, errlen, "job.%s", why);
	json_decref(copy);
	return rc;
}

int triggers_check_body(const struct mirror *mirror, const json_t *body, int *ev,
			int64_t *cooldown_s, struct trig_where *w, char *err, size_t errlen)
{
	if (!json_is_object(body))
		return errmsg(err, errlen, "the body must be a JSON object");
	if (jsonx_check_keys(body, known_fields, err, errlen) < 0)
		return -1;
	if (!trig_name_ok(json_string_value(json_object_get(body, "name")), TRIGGERS_NAME_MAX))
		return errmsg(err, errlen,
			      "name: is required, a string of 1 to %d bytes without control "
			      "characters", TRIGGERS_NAME_MAX);
	const char *on = json_string_value(json_object_get(body, "on"));
	if ((*ev = trig_event_of(on)) < 0)
		return errmsg(err, errlen,
			      "on: must be one of fleet.arrived, world.attacked, fleet.sighted, "
			      "world.lost, world.gained, job.failed, job.succeeded");
	const json_t *cd = json_object_get(body, "cooldown_seconds");
	*cooldown_s = 0;
	if (cd && (!json_is_integer(cd) || json_integer_value(cd) < 0 ||
		   json_integer_value(cd) > JOBSPEC_MAX_DELAY_S))
		return errmsg(err, errlen, "cooldown_seconds: must be an integer from 0 to %lld",
			      (long long)JOBSPEC_MAX_DELAY_S);
	if (cd)
		*cooldown_s = json_integer_value(cd);
	if (check_template(mirror, *ev, json_object_get(body, "job"), err, errlen) < 0)
		return -1;
	return trig_where_parse(*ev, json_object_get(body, "where"), w, err, errlen);
}

static int64_t insert_row(struct triggers *t, const json_t *body, int ev,
			  int64_t cooldown_ms, char **where_text, char **job_text)
{
	const json_t *where = json_object_get(body, "where");
	*where_text = where ? json_dumps(where, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	*job_text = json_dumps(json_object_get(body, "job"), JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_stmt *s = store_stmt(t->st, SQL_INSERT);
	if (!*where_text || !*job_text || !s || store_begin(t->st) < 0)
		return -1;
	sqlite3_bind_text(s, 1, json_string_value(json_object_get(body, "name")), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(s, 2, trig_event_name(ev), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, *where_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, *job_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, cooldown_ms);
	sqlite3_bind_int64(s, 6, clock_now_ms());
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(store_db(t->st)) : -1;
}

int64_t triggers_create(struct triggers *t, const json_t *body, char *err, size_t errlen)
{
	int ev = -1;
	int64_t cooldown_s = 0;
	struct trig_where w;
	if (triggers_check_body(t->app->mirror, body, &ev, &cooldown_s, &w, err, errlen) < 0)
		return 0;
	char *where_text = NULL, *job_text = NULL;
	int64_t id = insert_row(t, body, ev, cooldown_s * 1000, &where_text, &job_text);
	free(where_text);
	free(job_text);
	struct trig *tr = id > 0 ? calloc(1, sizeof *tr) : NULL;
	if (!tr) {
		trig_where_clear(&w);
		return -1;
	}
	*tr = (struct trig){.id = id, .event = ev, .where = w, .cooldown_ms = cooldown_s * 1000,
			    .job = json_deep_copy(json_object_get(body, "job"))};
	memory_changed(t);
	if (!tr->job || trig_index_add(&t->idx, tr) < 0) {
		trig_free(tr); /* the row is there: the reload after the commit has it */
		log_warn("out of memory", "what=trigger index");
	}
	return id;
}

static int exec_id(struct triggers *t, const char *sql, int64_t id, int64_t arg)
{
	sqlite3_stmt *s = store_stmt(t->st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_bind_parameter_count(s) > 1)
		sqlite3_bind_int64(s, 2, arg);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int triggers_set_paused(struct triggers *t, int64_t id, int paused)
{
	struct trig *tr = trig_index_get(&t->idx, id);
	if (!tr)
		return 404;
	if (store_begin(t->st) < 0 || exec_id(t, SQL_PAUSE, id, paused != 0) < 0)
		return -1;
	memory_changed(t);
	tr->paused = paused != 0;
	return 0;
}

int triggers_delete(struct triggers *t, int64_t id)
{
	if (!trig_index_get(&t->idx, id))
		return 404;
	if (store_begin(t->st) < 0 || exec_id(t, SQL_DELETE_FIRINGS, id, 0) < 0 ||
	    exec_id(t, SQL_DELETE, id, 0) < 0)
		return -1;
	memory_changed(t);
	trig_index_remove(&t->idx, id);
	return 0;
}

/* --- answers ---------------------------------------------------------------------- */

static json_t *time_or_null(int64_t ms)
{
	if (!ms)
		return json_null();
	char buf[40];
	jobspec_format_time(ms, buf, sizeof buf);
	return json_string(buf);
}

static json_t *id_or_null(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? json_null()
		: json_integer(sqlite3_column_int64(s, i));
}

static json_t *text_or_null(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? json_null()
		: json_string(col_text(s, i));
}

static json_t *parsed(sqlite3_stmt *s, int i)
{
	json_t *v = json_loads(col_text(s, i), 0, NULL);
	return v ? v : json_object();
}

static json_t *firing_json(sqlite3_stmt *s)
{
	return json_pack("{s:I,s:I,s:o,s:s,s:o,s:o,s:o}", "id",
			 (json_int_t)sqlite3_column_int64(s, 0), "event_id",
			 (json_int_t)sqlite3_column_int64(s, 1), "at",
			 time_or_null(sqlite3_column_int64(s, 2)), "state", col_text(s, 3),
			 "job_id", id_or_null(s, 4), "reason", text_or_null(s, 5), "vars",
			 parsed(s, 6));
}

static json_t *firing_row(void *arg, sqlite3_stmt *s)
{
	(void)arg;
	return firing_json(s);
}

/* The newest `limit` firings of a trigger, newest first. */
static json_t *history(struct triggers *t, int64_t id, int limit)
{
	sqlite3_stmt *s = store_stmt(t->st, SQL_HISTORY);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, limit);
	return row_list(s, firing_row, NULL);
}

static json_t *counts(struct triggers *t, int64_t id)
{
	sqlite3_stmt *s = store_stmt(t->st, SQL_COUNTS);
	if (!s)
		return json_null();
	sqlite3_bind_int64(s, 1, id);
	json_t *c = sqlite3_step(s) == SQLITE_ROW
		? json_pack("{s:I,s:I,s:I}", "total", (json_int_t)sqlite3_column_int64(s, 0),
			    "fired", (json_int_t)sqlite3_column_int64(s, 1), "skipped",
			    (json_int_t)sqlite3_column_int64(s, 2))
		: json_null();
	sqlite3_reset(s);
	return c;
}

/* A row of SQL_ROW / SQL_LIST as the API shows it. */
static json_t *trigger_json(struct triggers *t, sqlite3_stmt *s, int nhistory)
{
	int64_t id = sqlite3_column_int64(s, 0);
	json_t *last = history(t, id, nhistory > 0 ? nhistory : 1);
	json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:o,s:I,s:b,s:o,s:o,s:o,s:o}", "id",
			      (json_int_t)id, "name", col_text(s, 1), "on", col_text(s, 2),
			      "where", parsed(s, 3), "job", parsed(s, 4), "cooldown_seconds",
			      (json_int_t)(sqlite3_column_int64(s, 5) / 1000), "paused",
			      sqlite3_column_int(s, 6) != 0, "created_at",
			      time_or_null(sqlite3_column_int64(s, 7)), "last_fired_at",
			      time_or_null(sqlite3_column_int64(s, 8)), "firing_counts",
			      counts(t, id), "last_firing",
			      json_incref(json_array_size(last) ? json_array_get(last, 0)
								: json_null()));
	if (o && nhistory > 0 && last)
		json_object_set(o, "firings", last);
	json_decref(last);
	return o;
}

json_t *triggers_answer(struct triggers *t, int64_t id, int nhistory)
{
	sqlite3_stmt *s = store_stmt(t->st, SQL_ROW);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	json_t *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		o = trigger_json(t, s, nhistory);
	sqlite3_reset(s);
	return o;
}

/* A row of a list page: the trigger without its firings. */
static json_t *list_row(void *t, sqlite3_stmt *s)
{
	return trigger_json(t, s, 0);
}

json_t *triggers_list(struct triggers *t, int64_t after, int limit, int64_t *next)
{
	return row_page_after(t->st, SQL_LIST, after, limit, list_row, t, next);
}

static const char SQL_PRUNE[] =
	"DELETE FROM trigger_firings WHERE id IN (SELECT id FROM trigger_firings "
	"WHERE at < ?1 AND state != 'pending' ORDER BY id LIMIT ?2)";

int triggers_prune(void *arg, int64_t cutoff_ms, int max)
{
	struct triggers *t = arg;
	sqlite3_stmt *s = store_stmt(t->st, SQL_PRUNE);
	if (!s || store_begin(t->st) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, cutoff_ms);
	sqlite3_bind_int(s, 2, max);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? sqlite3_changes(store_db(t->st)) : -1;
}

const struct triggers_stats *triggers_get_stats(const struct triggers *t)
{
	return &t->stats;
}

/* --- life -------------------------------------------------------------------------- */

static int has_schedule_column(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, SQL_HAS_SCHEDULE);
	int yes = s && sqlite3_step(s) == SQLITE_ROW;
	if (s)
		sqlite3_reset(s);
	return yes;
}

struct triggers *triggers_new(struct app *app, char *err, size_t errlen)
{
	struct triggers *t = calloc(1, sizeof *t);
	if (!t) {
		errmsg(err, errlen, "out of memory");
		return NULL;
	}
	t->app = app;
	t->st = app->store;
	trig_index_init(&t->idx);
	loop_timer_init(&t->fire_timer, on_fire_timer, t);
	t->have_schedule = has_schedule_column(t->st);
	if (reload(t) < 0 || eventlog_tap(app->eventlog, on_event, t) < 0) {
		errmsg(err, errlen, "cannot load the triggers");
		triggers_free(t);
		return NULL;
	}
	arm_fire(t, clock_now_ms()); /* firings left pending by the last run */
	return t;
}

void triggers_free(struct triggers *t)
{
	if (!t)
		return;
	if (loop_timer_armed(&t->fire_timer))
		loop_timer_disarm(t->app->loop, &t->fire_timer);
	trig_index_clear(&t->idx);
	idmap_free(&t->idx.all);
	free(t);
}
