/* engine.c -- see engine.h.
 *
 * Life of a wake: a timer fires, the mirror reports a change a waiting job
 * cares about, a call answers, or a job is submitted/resumed.  The record
 * goes on the run queue; the loop source below drains it, and for each job
 * run_job() loads the row, lets the current op advance (several steps if
 * they complete at once), writes the row and its events back in the turn's
 * transaction, and then registers the job's new wait in memory.  A game
 * call is queued with store_on_commit(), so it leaves only once the state
 * that expects its answer is durable.  Nothing about a job's progress is
 * kept between wakes except the compact record. */
#include "engine.h"
#include "job_answer.h"
#include "jobcache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "condidx.h"
#include "eventlog.h"
#include "idmap.h"
#include "jobspec.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "session.h"
#include "step.h"
#include "store.h"

#define RUN_BATCH 256       /* jobs advanced per loop turn */
#define MAX_HOPS 64         /* step transitions in one advance */
#define BACKOFF_BASE_MS 1000
#define BACKOFF_MAX_MS 300000

enum rec_flag { REC_QUEUED = 1, REC_IN_FLIGHT = 2, REC_IN_WATCH = 4 };

/* The whole in-memory cost of a live job. */
struct job_rec {
	struct loop_timer timer; /* timed waits; its node doubles as the watch-heap node */
	struct cond_node cond;   /* fleet/world condition */
	struct job_rec *qnext;
	struct engine *eng;
	int64_t id, fleet, wait_arg;
	uint8_t state, wait, flags;
};

struct engine {
	struct app *app;
	struct loop *loop;
	struct store *st;
	struct eventlog *el;
	struct idmap recs;  /* id -> live job */
	struct idmap lease; /* fleet -> live job */
	struct condidx ci;
	struct job_rec *qhead, *qtail;
	struct pending_call *calls; /* sent, not answered */
	uint64_t counts[JOB_STATE_COUNT];
	uint64_t transitions;
	uint64_t rng;
	int mirror_attached;
	struct jobcache cache; /* GET answers of unchanged jobs */
	char *uncached;        /* the last answer the cache did not keep */
	/* answers of jobs submitted in the open transaction: into the cache
	 * once it commits (a POST is answered from there), dropped if not */
	struct fresh_answer *fresh;
	size_t nfresh, capfresh;
	int fresh_hooked;
};

struct fresh_answer {
	int64_t id;
	char *text;
	size_t len;
};

/* A job's row while it is being advanced.  row_* are the indexed columns
 * as the row holds them: a write sets only those that changed, so SQLite
 * touches an index only when its key moves. */
struct job {
	int64_t id, fleet, step, iteration, wake_at, wait_key, wait_arg, attempts;
	int64_t started_at, finished_at, created_at;
	int state, paused_from, wait;
	char sub[32];
	json_t *spec, *data;
	char *last_error;
	int64_t row_fleet, row_intent;
	int row_state;
};

static const char *const state_names[JOB_STATE_COUNT] = {
	"queued", "running", "waiting", "paused", "succeeded", "failed", "cancelled"};
static const char *const wait_names[WAIT_KIND_COUNT] = {
	NULL, "anchored", "battle", "watch", "ready", "fleet"};

static const struct step_op *const step_ops[OP_COUNT] = {
	[OP_MOVE] = &step_move,         [OP_WAIT] = &step_wait,
	[OP_EXPLORE] = &step_explore,   [OP_ATTACK] = &step_attack,
	[OP_TRANSFER] = &step_transfer, [OP_DEPLOY] = &step_deploy,
	[OP_SELL] = &step_sell,         [OP_BUY] = &step_buy,
	[OP_DISBAND] = &step_disband,   [OP_RENAME] = &step_rename,
};

const char *engine_state_name(int state)
{
	return state >= 0 && state < JOB_STATE_COUNT ? state_names[state] : "?";
}

int engine_state_of(const char *name)
{
	for (int i = 0; name && i < JOB_STATE_COUNT; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

static int wait_of(const char *name)
{
	for (int i = 1; name && i < WAIT_KIND_COUNT; i++)
		if (strcmp(wait_names[i], name) == 0)
			return i;
	return WAIT_NONE;
}

static int is_live(int state)
{
	return state <= JOB_PAUSED;
}

/* --- the run queue and waking ------------------------------------------ */

static void enqueue(struct engine *e, struct job_rec *r)
{
	if (r->flags & (REC_QUEUED | REC_IN_FLIGHT))
		return;
	r->flags |= REC_QUEUED;
	r->qnext = NULL;
	if (e->qtail)
		e->qtail->qnext = r;
	else
		e->qhead = r;
	e->qtail = r;
}

static void unregister_wait(struct engine *e, struct job_rec *r)
{
	if (r->flags & REC_IN_WATCH) {
		condidx_remove_watch(&e->ci, &r->timer.node);
		r->flags &= (uint8_t)~REC_IN_WATCH;
	} else {
		loop_timer_disarm(e->loop, &r->timer);
	}
	condidx_remove(&e->ci, &r->cond);
	r->wait = WAIT_NONE;
}

static void wake(struct engine *e, struct job_rec *r)
{
	unregister_wait(e, r);
	enqueue(e, r);
}

static void on_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct job_rec *r = arg;
	r->wait = WAIT_NONE;
	enqueue(r->eng, r);
}

static int64_t mirror_watch_int(const struct engine *e)
{
	const struct mirror *m = e->app->mirror;
	return m && mirror_ready(m) ? (int64_t)floor(mirror_watch(m)) : -1;
}

/* Register r's wait in memory.  A condition that already holds (known
 * from the mirror without touching the row) wakes it at once. */
static void register_wait(struct engine *e, struct job_rec *r, int kind,
			  int64_t key, int64_t arg, int64_t wake_at)
{
	r->wait = (uint8_t)kind;
	r->wait_arg = arg;
	int rc = 0;
	switch (kind) {
	case WAIT_NONE:
		if (wake_at > 0)
			rc = loop_timer_arm(e->loop, &r->timer, wake_at);
		else
			enqueue(e, r);
		break;
	case WAIT_ANCHORED:
	case WAIT_FLEET:
		rc = condidx_add(&e->ci, &r->cond, COND_SPACE_FLEET, key);
		break;
	case WAIT_BATTLE:
		rc = condidx_add(&e->ci, &r->cond, COND_SPACE_WORLD, key);
		break;
	case WAIT_WATCH:
	case WAIT_READY: {
		/* "ready" sits at -1 in the heap: the first watch the mirror
		 * reports wakes it */
		int64_t w = kind == WAIT_READY ? -1 : key, now = mirror_watch_int(e);
		if (now >= 0 && now >= w) {
			enqueue(e, r);
			break;
		}
		rc = condidx_add_watch(&e->ci, &r->timer.node, w);
		if (rc == 0)
			r->flags |= REC_IN_WATCH;
		break;
	}
	}
	if (rc < 0) {
		log_error("cannot register a wait", "job=%lld", (long long)r->id);
		r->wait = WAIT_NONE;
		loop_timer_arm(e->loop, &r->timer, clock_now_ms() + 1000);
	}
}

/* May the condition of r have come true?  Answered from the mirror alone,
 * so a fleet still under way costs no database read. */
static int cond_may_hold(struct engine *e, struct job_rec *r)
{
	const struct mirror *m = e->app->mirror;
	if (!m)
		return 1;
	if (r->wait == WAIT_ANCHORED) {
		const struct mirror_fleet *f = mirror_fleet(m, r->cond.id);
		return !f || f->dest_id == 0; /* arrived, stopped or gone */
	}
	if (r->wait == WAIT_BATTLE) {
		const struct mirror_world *w = mirror_world(m, r->cond.id);
		return !w || !w->in_battle;
	}
	return 1;
}

static void on_cond(void *arg, struct cond_node *n)
{
	struct engine *e = arg;
	struct job_rec *r = (struct job_rec *)((char *)n - offsetof(struct job_rec, cond));
	int64_t key = n->id;
	r->cond.id = key; /* condidx reset it; cond_may_hold reads it */
	if (cond_may_hold(e, r)) {
		r->wait = WAIT_NONE;
		enqueue(e, r);
		return;
	}
	cond_node_init(&r->cond);
	condidx_add(&e->ci, &r->cond,
		    r->wait == WAIT_BATTLE ? COND_SPACE_WORLD : COND_SPACE_FLEET, key);
}

static void on_watch(void *arg, struct theap_node *n)
{
	struct engine *e = arg;
	struct job_rec *r = (struct job_rec *)((char *)n - offsetof(struct job_rec, timer));
	r->flags &= (uint8_t)~REC_IN_WATCH;
	r->wait = WAIT_NONE;
	enqueue(e, r);
}

static void on_changes(void *arg, const struct mirror_changes *ch)
{
	struct engine *e = arg;
	for (size_t i = 0; i < ch->nfleets; i++)
		condidx_take(&e->ci, COND_SPACE_FLEET, ch->fleets[i], on_cond, e);
	for (size_t i = 0; i < ch->nworlds; i++)
		condidx_take(&e->ci, COND_SPACE_WORLD, ch->worlds[i], on_cond, e);
	for (size_t i = 0; i < ch->nremoved; i++) {
		condidx_take(&e->ci, COND_SPACE_FLEET, ch->removed[i], on_cond, e);
		condidx_take(&e->ci, COND_SPACE_WORLD, ch->removed[i], on_cond, e);
	}
	int64_t w = mirror_watch_int(e);
	if (w >= 0)
		condidx_take_watch(&e->ci, w, on_watch, e);
	if (e->qhead)
		loop_wake(e->loop);
}

/* --- records ------------------------------------------------------------- */

static struct job_rec *rec_new(struct engine *e, int64_t id, int64_t fleet, int state)
{
	struct job_rec *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	loop_timer_init(&r->timer, on_timer, r);
	cond_node_init(&r->cond);
	r->eng = e;
	r->id = id;
	r->fleet = fleet;
	r->state = (uint8_t)state;
	if (idmap_put(&e->recs, id, r) < 0 ||
	    (fleet && idmap_put(&e->lease, fleet, r) < 0)) {
		idmap_del(&e->recs, id);
		free(r);
		return NULL;
	}
	return r;
}

static void queue_remove(struct engine *e, struct job_rec *r)
{
	if (!(r->flags & REC_QUEUED))
		return;
	struct job_rec **pp = &e->qhead, *prev = NULL;
	while (*pp && *pp != r) {
		prev = *pp;
		pp = &(*pp)->qnext;
	}
	if (*pp) {
		*pp = r->qnext;
		if (e->qtail == r)
			e->qtail = prev;
	}
	r->flags &= (uint8_t)~REC_QUEUED;
}

/* A job left the live states: forget it (its row stays). */
static void rec_drop(struct engine *e, struct job_rec *r)
{
	unregister_wait(e, r);
	queue_remove(e, r);
	if (r->fleet && idmap_get(&e->lease, r->fleet) == r)
		idmap_del(&e->lease, r->fleet);
	idmap_del(&e->recs, r->id);
	free(r);
}

static void rec_set_fleet(struct engine *e, struct job_rec *r, int64_t fleet)
{
	if (r->fleet == fleet)
		return;
	if (r->fleet && idmap_get(&e->lease, r->fleet) == r)
		idmap_del(&e->lease, r->fleet);
	r->fleet = fleet;
	if (fleet)
		idmap_put(&e->lease, fleet, r);
}

/* --- answers kept for GET ------------------------------------------------ */

/* id's row is being written: no answer of it may outlive this. */
static void answer_forget(struct engine *e, int64_t id)
{
	jobcache_forget(&e->cache, id);
	for (size_t i = 0; i < e->nfresh; i++)
		if (e->fresh[i].id == id) {
			free(e->fresh[i].text);
			e->fresh[i] = e->fresh[--e->nfresh];
			return;
		}
}

static void fresh_committed(void *arg, int ok)
{
	struct engine *e = arg;
	for (size_t i = 0; i < e->nfresh; i++) {
		if (ok)
			jobcache_put(&e->cache, e->fresh[i].id, e->fresh[i].text, e->fresh[i].len);
		free(e->fresh[i].text);
	}
	e->nfresh = 0;
	e->fresh_hooked = 0;
}

/* Keep text (taken) as id's answer once the transaction commits. */
static void answer_fresh(struct engine *e, int64_t id, char *text, size_t len)
{
	if (!e->fresh_hooked) {
		if (store_on_commit(e->st, fresh_committed, e) < 0) {
			free(text);
			return;
		}
		e->fresh_hooked = 1;
	}
	if (e->nfresh == e->capfresh) {
		size_t cap = e->capfresh ? e->capfresh * 2 : 64;
		struct fresh_answer *f = realloc(e->fresh, cap * sizeof *f);
		if (!f) {
			free(text);
			return;
		}
		e->fresh = f;
		e->capfresh = cap;
	}
	e->fresh[e->nfresh++] = (struct fresh_answer){id, text, len};
}

/* --- rows ---------------------------------------------------------------- */

#define JOB_COLS                                                              \
	"id, name, fleet, spec, state, paused_from, step, sub_state, step_data, " \
	"iteration, wake_at, wait_kind, wait_key, wait_arg, attempts, "       \
	"last_error, created_at, updated_at, started_at, finished_at, intent_world"

static const char SQL_LOAD[] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1";

/* The columns every write sets; ?1 is the id.  fleet (?2), state (?3)
 * and intent_world (?18) are indexed and appear only when they change:
 * SQLite maintains an index (and checks the state CHECK) only for the
 * columns an UPDATE names. */
#define SAVE_COLS                                                              \
	"paused_from = ?4, step = ?5, sub_state = ?6, step_data = ?7, "        \
	"iteration = ?8, wake_at = ?9, wait_kind = ?10, wait_key = ?11, "      \
	"wait_arg = ?12, attempts = ?13, last_error = ?14, updated_at = ?15, " \
	"started_at = ?16, finished_at = ?17"
enum { SAVE_FLEET = 1, SAVE_STATE = 2, SAVE_INTENT = 4, SAVE_VARIANTS = 8 };
static const char *const SQL_SAVE[SAVE_VARIANTS] = {
	"UPDATE jobs SET " SAVE_COLS " WHERE id = ?1",
	"UPDATE jobs SET fleet = ?2, " SAVE_COLS " WHERE id = ?1",
	"UPDATE jobs SET state = ?3, " SAVE_COLS " WHERE id = ?1",
	"UPDATE jobs SET fleet = ?2, state = ?3, " SAVE_COLS " WHERE id = ?1",
	"UPDATE jobs SET intent_world = ?18, " SAVE_COLS " WHERE id = ?1",
	"UPDATE jobs SET fleet = ?2, intent_world = ?18, " SAVE_COLS " WHERE id = ?1",
	"UPDATE jobs SET state = ?3, intent_world = ?18, " SAVE_COLS " WHERE id = ?1",
	"UPDATE jobs SET fleet = ?2, state = ?3, intent_world = ?18, " SAVE_COLS
	" WHERE id = ?1",
};
/* A job's first write: the whole row, already advanced as far as it can
 * go in the turn it was submitted (the same numbering as SQL_SAVE). */
static const char SQL_INSERT[] =
	"INSERT INTO jobs (id, fleet, state, paused_from, step, sub_state, step_data, "
	"iteration, wake_at, wait_kind, wait_key, wait_arg, attempts, last_error, "
	"updated_at, started_at, finished_at, intent_world, name, spec, idem_key, "
	"idem_body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)";
static const char SQL_NEXT_ID[] = "SELECT coalesce(max(id), 0) + 1 FROM jobs";

static int64_t col_i64(sqlite3_stmt *s, int i, int64_t dflt)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(s, i);
}

static void job_clear(struct job *j)
{
	json_decref(j->spec);
	json_decref(j->data);
	free(j->last_error);
	memset(j, 0, sizeof *j);
}

static int job_load(struct engine *e, int64_t id, struct job *j)
{
	memset(j, 0, sizeof *j);
	sqlite3_stmt *s = store_stmt(e->st, SQL_LOAD);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	j->id = id;
	j->fleet = col_i64(s, 2, 0);
	j->spec = json_loads((const char *)sqlite3_column_text(s, 3), 0, NULL);
	j->state = engine_state_of((const char *)sqlite3_column_text(s, 4));
	j->paused_from = engine_state_of((const char *)sqlite3_column_text(s, 5));
	j->step = sqlite3_column_int64(s, 6);
	snprintf(j->sub, sizeof j->sub, "%s", (const char *)sqlite3_column_text(s, 7));
	j->data = json_loads((const char *)sqlite3_column_text(s, 8), 0, NULL);
	j->iteration = sqlite3_column_int64(s, 9);
	j->wake_at = col_i64(s, 10, 0);
	j->wait = wait_of((const char *)sqlite3_column_text(s, 11));
	j->wait_key = col_i64(s, 12, 0);
	j->wait_arg = col_i64(s, 13, 0);
	j->attempts = sqlite3_column_int64(s, 14);
	const char *le = (const char *)sqlite3_column_text(s, 15);
	j->last_error = le ? strdup(le) : NULL;
	j->created_at = sqlite3_column_int64(s, 16);
	j->started_at = col_i64(s, 18, 0);
	j->finished_at = col_i64(s, 19, 0);
	j->row_fleet = j->fleet;
	j->row_state = j->state;
	j->row_intent = col_i64(s, 20, 0);
	sqlite3_reset(s);
	if (!j->spec || !j->data || j->state < 0) {
		job_clear(j);
		return -1;
	}
	return 0;
}

static void bind_opt(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* The intent_world column: an open intent holds its world until the step
 * is done or the job ends. */
static int64_t intent_of(const struct job *j)
{
	const json_t *iw = json_object_get(j->data, "intent_world");
	return is_live(j->state) && json_is_integer(iw) ? json_integer_value(iw) : 0;
}

/* Bind the columns of SQL_SAVE / SQL_INSERT ?1..?18. */
static void bind_row(sqlite3_stmt *s, const struct job *j, const char *data,
		     int64_t intent, int64_t now)
{
	sqlite3_bind_int64(s, 1, j->id);
	bind_opt(s, 2, j->fleet);
	sqlite3_bind_text(s, 3, state_names[j->state], -1, SQLITE_STATIC);
	if (j->state == JOB_PAUSED && j->paused_from >= 0)
		sqlite3_bind_text(s, 4, state_names[j->paused_from], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, j->step);
	sqlite3_bind_text(s, 6, j->sub, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, data ? data : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, j->iteration);
	bind_opt(s, 9, j->wake_at);
	if (j->wait != WAIT_NONE) {
		sqlite3_bind_text(s, 10, wait_names[j->wait], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 11, j->wait_key);
		sqlite3_bind_int64(s, 12, j->wait_arg);
	}
	sqlite3_bind_int64(s, 13, j->attempts);
	if (j->last_error)
		sqlite3_bind_text(s, 14, j->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 15, now);
	bind_opt(s, 16, j->started_at);
	bind_opt(s, 17, j->finished_at);
	bind_opt(s, 18, intent);
}

static int step_stmt(struct engine *e, sqlite3_stmt *s, const struct job *j)
{
	answer_forget(e, j->id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("job write failed", "job=%lld error=\"%s\"", (long long)j->id,
			  sqlite3_errmsg(store_db(e->st)));
		return -1;
	}
	return 0;
}

/* Write back a loaded job; the row then matches j. */
static int job_save(struct engine *e, struct job *j, int64_t now)
{
	int64_t intent = intent_of(j);
	int v = (j->fleet != j->row_fleet ? SAVE_FLEET : 0) |
		(j->state != j->row_state ? SAVE_STATE : 0) |
		(intent != j->row_intent ? SAVE_INTENT : 0);
	sqlite3_stmt *s = store_stmt(e->st, SQL_SAVE[v]);
	if (!s)
		return -1;
	char *data = json_dumps(j->data, JSON_COMPACT | JSON_SORT_KEYS);
	bind_row(s, j, data, intent, now);
	int rc = step_stmt(e, s, j);
	free(data);
	if (rc == 0) {
		j->row_fleet = j->fleet;
		j->row_state = j->state;
		j->row_intent = intent;
	}
	return rc;
}

/* The answer of a job just written (as GET will show it once committed),
 * from the job in hand: a POST is answered without reading the row back. */
static void answer_of_job(struct engine *e, const struct job *j, const char *name,
			  const char *data, int64_t now)
{
	struct job_view v = {
		.id = j->id, .name = name, .fleet = j->fleet,
		.state = state_names[j->state],
		.paused_from = j->paused_from >= 0 ? state_names[j->paused_from] : NULL,
		.step = j->step, .sub_state = j->sub, .step_data = data ? data : "{}",
		.iteration = j->iteration, .wake_at = j->wake_at, .wait_kind = j->wait,
		.wait_key = j->wait_key, .wait_arg = j->wait_arg, .attempts = j->attempts,
		.last_error = j->last_error, .created_at = j->created_at, .updated_at = now,
		.started_at = j->started_at, .finished_at = j->finished_at,
		.live = is_live(j->state), .waiting = j->state == JOB_WAITING,
		.paused = j->state == JOB_PAUSED, .spec = j->spec,
	};
	struct textbuf t = {0};
	job_answer_write(&t, &v);
	size_t len;
	char *text = textbuf_take(&t, &len);
	if (text)
		answer_fresh(e, j->id, text, len);
}

/* The first write of a submitted job. */
static int job_insert(struct engine *e, const struct job *j, const char *spec,
		      const char *idem_key, const char *idem_body, int64_t now)
{
	sqlite3_stmt *s = store_stmt(e->st, SQL_INSERT);
	if (!s)
		return -1;
	char *data = json_dumps(j->data, JSON_COMPACT | JSON_SORT_KEYS);
	bind_row(s, j, data, intent_of(j), now);
	const char *name = json_string_value(json_object_get(j->spec, "name"));
	if (name)
		sqlite3_bind_text(s, 19, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 20, spec ? spec : "{}", -1, SQLITE_STATIC);
	if (idem_key) {
		sqlite3_bind_text(s, 21, idem_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 22, idem_body, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 23, j->created_at);
	int rc = step_stmt(e, s, j);
	if (rc == 0)
		answer_of_job(e, j, name, data, now);
	free(data);
	return rc;
}

void engine_note(struct engine *e, int64_t job_id, const char *type,
		 const json_t *data)
{
	eventlog_append(e->el, job_id, type, data);
}

static void note_new(struct engine *e, int64_t job_id, const char *type, json_t *data)
{
	engine_note(e, job_id, type, data);
	json_decref(data);
}

/* The hot events, written as text: no JSON tree per transition. */
static void note_step_started(struct engine *e, const struct job *j)
{
	char d[128];
	const json_t *args = json_array_get(json_object_get(j->spec, "steps"), (size_t)j->step);
	snprintf(d, sizeof d, "{\"step\":%lld,\"op\":\"%s\",\"iteration\":%lld}",
		 (long long)j->step, jobspec_op_name(jobspec_step_op(args)),
		 (long long)j->iteration);
	eventlog_append_text(e->el, j->id, "job.step_started", d);
}

static void note_step_done(struct engine *e, const struct job *j, const char *op)
{
	char d[96];
	snprintf(d, sizeof d, "{\"step\":%lld,\"op\":\"%s\"}", (long long)j->step, op);
	eventlog_append_text(e->el, j->id, "job.step_done", d);
}

static void set_error(struct job *j, const char *msg)
{
	free(j->last_error);
	j->last_error = strdup(msg);
}

/* --- game calls ---------------------------------------------------------- */

/* A call between its commit and its answer.  Listed in the engine so a
 * shutdown (the session drops calls without answering) frees them. */
struct pending_call {
	struct engine *e;
	struct pending_call *next, *prev;
	int64_t job_id;
	const char *endpoint;
	json_t *params;
	int flags;
};

static void run_job(struct engine *e, struct job_rec *r, const struct call_result *res);

static void pc_link(struct pending_call *pc)
{
	struct engine *e = pc->e;
	pc->prev = NULL;
	pc->next = e->calls;
	if (e->calls)
		e->calls->prev = pc;
	e->calls = pc;
}

static void pc_free(struct pending_call *pc)
{
	struct engine *e = pc->e;
	if (pc->prev)
		pc->prev->next = pc->next;
	else if (e->calls == pc)
		e->calls = pc->next;
	if (pc->next)
		pc->next->prev = pc->prev;
	json_decref(pc->params);
	free(pc);
}

static void call_done(void *arg, const struct call_result *res)
{
	struct pending_call *pc = arg;
	struct job_rec *r = idmap_get(&pc->e->recs, pc->job_id);
	if (r) {
		r->flags &= (uint8_t)~REC_IN_FLIGHT;
		run_job(pc->e, r, res);
		if (pc->e->qhead)
			loop_wake(pc->e->loop);
	}
	pc_free(pc);
}

/* Runs after the commit that recorded the call's sub-state (and intent). */
static void send_after_commit(void *arg, int ok)
{
	struct pending_call *pc = arg;
	struct engine *e = pc->e;
	struct job_rec *r = idmap_get(&e->recs, pc->job_id);
	struct call_result t = {.outcome = CALL_TRANSIENT};
	if (!ok || !r || !e->app->session) {
		/* not durable, or nobody to send it: it certainly did not act */
		t.message = ok ? "no upstream session" : "commit failed";
	} else {
		json_t *params = pc->params;
		pc->params = NULL; /* session_call steals it */
		pc_link(pc);
		if (session_call(e->app->session, pc->endpoint, params, pc->flags,
				 call_done, pc) == 0)
			return;
		t.message = "the call could not be queued";
	}
	if (r) {
		r->flags &= (uint8_t)~REC_IN_FLIGHT;
		run_job(e, r, &t);
	}
	pc_free(pc);
}

static int64_t backoff_ms(struct engine *e, int64_t attempts)
{
	int64_t d = BACKOFF_BASE_MS;
	for (int64_t i = 1; i < attempts && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > BACKOFF_MAX_MS)
		d = BACKOFF_MAX_MS;
	/* jitter: between half and all of it, so retries of many jobs spread */
	e->rng ^= e->rng << 13;
	e->rng ^= e->rng >> 7;
	e->rng ^= e->rng << 17;
	return d / 2 + (int64_t)(e->rng % (uint64_t)(d / 2 + 1));
}

/* --- advancing a job ------------------------------------------------------ */

static int sub_index(const struct step_op *op, const char *name)
{
	for (int i = 0; i < op->nstates; i++)
		if (strcmp(op->states[i], name) == 0)
			return i;
	return -1;
}

/* The job leaves its current step unfinished: let the op give back what
 * it holds for others (explore: a claimed world it never reached). */
static void abandon_step(struct engine *e, struct job *j, int64_t now)
{
	const json_t *args = json_array_get(json_object_get(j->spec, "steps"), (size_t)j->step);
	int opi = jobspec_step_op(args);
	const struct step_op *op = opi >= 0 ? step_ops[opi] : NULL;
	int sub = op ? sub_index(op, j->sub) : -1;
	if (sub < 0 || !op->abandon)
		return;
	struct step_ctx c = {
		.eng = e, .store = e->st, .m = e->app->mirror, .now_ms = now,
		.job_id = j->id, .fleet = j->fleet, .args = args, .sub = sub,
		.data = j->data,
	};
	op->abandon(&c);
}

static void finish(struct engine *e, struct job *j, int state, const char *msg,
		   int64_t now)
{
	if (state != JOB_SUCCEEDED) {
		abandon_step(e, j, now);
	} else if (j->last_error) {
		/* what went wrong on the way (a retried fault, a step passed
		 * over) stays in the history; the outcome has no error */
		free(j->last_error);
		j->last_error = NULL;
	}
	j->state = state;
	j->finished_at = now;
	j->wait = WAIT_NONE;
	j->wake_at = 0;
	if (msg) {
		set_error(j, msg);
		note_new(e, j->id, "job.error",
			 json_pack("{s:I,s:s}", "step", (json_int_t)j->step, "message", msg));
	}
}

/* A job being sent to sleep keeps its paused state if it was paused. */
static void go_wait(struct job *j)
{
	if (j->state != JOB_PAUSED)
		j->state = JOB_WAITING;
}

/* Does the galaxy agree that the job's fleet is the player's?  Checked when
 * a job first starts, for jobs accepted before the mirror was ready. */
static const char *foreign_fleet(const struct mirror *m, const struct job *j)
{
	if (!j->fleet || j->step != 0 || j->iteration != 0 || strcmp(j->sub, "START"))
		return NULL;
	const struct mirror_fleet *f = mirror_fleet(m, j->fleet);
	if (f && f->sovereign != mirror_player(m))
		return "fleet: is not one of your fleets";
	return NULL;
}

/* Run the current op once.  Returns -1 if the job cannot run it now (it
 * was sent to wait for the mirror, or failed); else sr says what next. */
static int run_op(struct engine *e, struct job_rec *r, struct job *j,
		  const struct step_op *op, int sub, const json_t *args,
		  const json_t *reply, int64_t now, struct step_result *sr)
{
	const struct mirror *m = e->app->mirror;
	int needs = op->needs_mirror ||
		(op == &step_wait && json_object_get(args, "watches"));
	if (needs && (!m || !mirror_ready(m))) {
		go_wait(j);
		j->wait = WAIT_READY;
		return -1;
	}
	const char *bad = needs ? foreign_fleet(m, j) : NULL;
	if (bad) {
		finish(e, j, JOB_FAILED, bad, now);
		return -1;
	}
	struct step_ctx c = {
		.eng = e, .store = e->st, .m = m, .now_ms = now,
		.job_id = j->id, .fleet = j->fleet, .args = args, .sub = sub,
		.data = j->data, .reply = reply,
		.resend = json_is_true(json_object_get(j->data, "resend")),
	};
	json_object_del(j->data, "resend");
	op->advance(&c, sr);
	if (c.sub >= 0 && c.sub < op->nstates)
		snprintf(j->sub, sizeof j->sub, "%s", op->states[c.sub]);
	if (c.fleet != j->fleet) {
		j->fleet = c.fleet;
		rec_set_fleet(e, r, c.fleet);
	}
	return 0;
}

/* Let the ops advance the loaded job as far as they can now.  With
 * skipped (the message of a game error the step passes over, on_error
 * "continue"), the current step is left unfinished first.  Returns a call
 * to send after the commit, or NULL. */
static struct pending_call *advance(struct engine *e, struct job_rec *r,
				    struct job *j, const json_t *reply,
				    const char *skipped, int64_t now)
{
	const struct mirror *m = e->app->mirror;
	const json_t *steps = json_object_get(j->spec, "steps");
	size_t nsteps = json_array_size(steps);
	int paused = j->state == JOB_PAUSED, fresh_pass = 0;
	j->wait = WAIT_NONE;
	j->wake_at = 0;
	for (int hop = 0; hop < MAX_HOPS; hop++) {
		const json_t *args = json_array_get(steps, (size_t)j->step);
		int opi = jobspec_step_op(args);
		const struct step_op *op = opi >= 0 ? step_ops[opi] : NULL;
		int sub = op ? sub_index(op, j->sub) : -1;
		if (sub < 0) {
			finish(e, j, JOB_FAILED, "the stored step is not understood", now);
			return NULL;
		}
		struct step_result sr;
		memset(&sr, 0, sizeof sr);
		if (skipped) {
			abandon_step(e, j, now);
			note_new(e, j->id, "job.step_error",
				 json_pack("{s:I,s:s,s:s}", "step", (json_int_t)j->step,
					   "op", op->name, "message", skipped));
			skipped = NULL;
			sr.verdict = STEP_DONE;
		} else if (run_op(e, r, j, op, sub, args, reply, now, &sr) < 0) {
			return NULL;
		} else {
			if (sr.verdict == STEP_DONE)
				note_step_done(e, j, op->name);
		}
		reply = NULL;
		switch (sr.verdict) {
		case STEP_DONE:
			j->step++;
			snprintf(j->sub, sizeof j->sub, "START");
			json_object_clear(j->data);
			if ((size_t)j->step >= nsteps) {
				j->iteration++;
				int64_t passes = jobspec_passes(j->spec);
				if (passes >= 0 && j->iteration >= passes) {
					finish(e, j, JOB_SUCCEEDED, NULL, now);
					return NULL;
				}
				j->step = 0;
				if (fresh_pass) {
					/* a whole pass went by without waiting: never
					 * spin, give the galaxy a watch */
					go_wait(j);
					if (m && mirror_ready(m)) {
						j->wait = WAIT_WATCH;
						j->wait_key = mirror_watch_int(e) + 1;
					} else {
						j->wake_at = now + 1000;
					}
					return NULL;
				}
				fresh_pass = 1;
			}
			if (paused)
				return NULL;
			note_step_started(e, j);
			continue;
		case STEP_WAIT_UNTIL:
			go_wait(j);
			j->wake_at = sr.until_ms;
			return NULL;
		case STEP_WAIT_FOR:
			go_wait(j);
			j->wait = sr.wait;
			j->wait_key = sr.key;
			j->wait_arg = sr.arg;
			return NULL;
		case STEP_CALL: {
			if (paused) {
				/* recorded, not sent: on resume the op finds its
				 * call sub-state without an answer and reconciles */
				json_decref(sr.params);
				return NULL;
			}
			struct pending_call *pc = malloc(sizeof *pc);
			if (!pc) {
				json_decref(sr.params);
				j->wake_at = now + 1000;
				go_wait(j);
				return NULL;
			}
			*pc = (struct pending_call){.e = e, .job_id = j->id,
						    .endpoint = sr.endpoint,
						    .params = sr.params, .flags = sr.flags};
			j->state = JOB_RUNNING;
			return pc;
		}
		case STEP_ERROR:
			finish(e, j, JOB_FAILED, sr.msg, now);
			return NULL;
		}
	}
	/* many steps done at once: let the others have a turn */
	j->state = JOB_RUNNING;
	return NULL;
}

/* Apply a call's outcome that the ops never see.  Returns 1 if handled.
 * A game error on a step with on_error "continue" is left to advance():
 * skipped (skipped_len bytes) gets its message. */
static int call_outcome(struct engine *e, struct job *j, const struct call_result *res,
			int64_t now, char *skipped, size_t skipped_len)
{
	char msg[300];
	switch (res->outcome) {
	case CALL_OK:
		j->attempts = 0;
		return 0;
	case CALL_GAME_ERROR:
		snprintf(msg, sizeof msg, "game error: %s",
			 res->message ? res->message : (res->code ? res->code : "?"));
		if (jobspec_step_continues(json_array_get(json_object_get(j->spec, "steps"),
							  (size_t)j->step))) {
			j->attempts = 0;
			set_error(j, msg);
			snprintf(skipped, skipped_len, "%s", msg);
			return 0;
		}
		finish(e, j, JOB_FAILED, msg, now);
		return 1;
	case CALL_TRANSIENT: {
		j->attempts++;
		int64_t d = backoff_ms(e, j->attempts);
		snprintf(msg, sizeof msg, "upstream: %s", res->message ? res->message : "transient failure");
		set_error(j, msg);
		json_object_set_new(j->data, "resend", json_true());
		go_wait(j);
		j->wait = WAIT_NONE;
		j->wake_at = now + d;
		note_new(e, j->id, "job.retry",
			 json_pack("{s:I,s:I,s:s,s:b}", "attempt", (json_int_t)j->attempts,
				   "delay_ms", (json_int_t)d, "message", msg, "ambiguous", 0));
		return 1;
	}
	case CALL_AMBIGUOUS: {
		j->attempts++;
		int64_t w = mirror_watch_int(e);
		if (w < 0)
			w = 0;
		snprintf(msg, sizeof msg, "upstream: %s", res->message ? res->message : "outcome unknown");
		set_error(j, msg);
		json_object_set_new(j->data, "ambiguous_watch", json_integer(w));
		go_wait(j);
		j->wait = WAIT_WATCH;
		j->wait_key = w + 1;
		j->wake_at = 0;
		note_new(e, j->id, "job.retry",
			 json_pack("{s:I,s:s,s:b}", "attempt", (json_int_t)j->attempts,
				   "message", msg, "ambiguous", 1));
		return 1;
	}
	}
	return 0;
}

static void count_move(struct engine *e, int from, int to)
{
	if (from == to)
		return;
	if (from >= 0 && e->counts[from] > 0)
		e->counts[from]--;
	e->counts[to]++;
	e->transitions++;
}

/* After the row is written: put the record where its new state says. */
static void settle(struct engine *e, struct job_rec *r, const struct job *j,
		   struct pending_call *pc)
{
	r->state = (uint8_t)j->state;
	if (!is_live(j->state)) {
		rec_drop(e, r);
		return;
	}
	if (pc) {
		r->flags |= REC_IN_FLIGHT;
		if (store_on_commit(e->st, send_after_commit, pc) < 0) {
			r->flags &= (uint8_t)~REC_IN_FLIGHT;
			pc_free(pc);
			loop_timer_arm(e->loop, &r->timer, clock_now_ms() + 1000);
		}
		return;
	}
	if (j->state == JOB_PAUSED)
		return;
	if (j->state == JOB_RUNNING) {
		enqueue(e, r);
		return;
	}
	register_wait(e, r, j->wait, j->wait_key, j->wait_arg, j->wake_at);
}

/* What the row said before this run: the events describe the change. */
struct job_was {
	int state, wait;
	int64_t key, wake;
};

static struct job_was job_was(const struct job *j)
{
	return (struct job_was){j->state, j->wait, j->wait_key, j->wake_at};
}

static void note_transition(struct engine *e, const struct job *j,
			    const struct job_was *was)
{
	char d[160];
	if (j->state != was->state) {
		snprintf(d, sizeof d, "{\"from\":\"%s\",\"to\":\"%s\",\"step\":%lld}",
			 state_names[was->state], state_names[j->state], (long long)j->step);
		eventlog_append_text(e->el, j->id, "job.state", d);
	}
	if (j->state != JOB_WAITING ||
	    (j->wait == was->wait && j->wait_key == was->key && j->wake_at == was->wake &&
	     was->state == JOB_WAITING))
		return;
	if (!j->wait)
		snprintf(d, sizeof d, "{\"kind\":\"time\",\"until_ms\":%lld}",
			 (long long)j->wake_at);
	else if (j->wait == WAIT_ANCHORED)
		snprintf(d, sizeof d, "{\"kind\":\"%s\",\"key\":%lld,\"world\":%lld}",
			 wait_names[j->wait], (long long)j->wait_key, (long long)j->wait_arg);
	else
		snprintf(d, sizeof d, "{\"kind\":\"%s\",\"key\":%lld,\"until_ms\":%lld}",
			 wait_names[j->wait], (long long)j->wait_key, (long long)j->wake_at);
	eventlog_append_text(e->el, j->id, "job.wait", d);
}

/* Advance a live job that may run now; res is a call's answer or NULL,
 * skipped the message of a game error its step passes over.  Returns a
 * call to send after the commit, or NULL. */
static struct pending_call *job_run_live(struct engine *e, struct job_rec *r,
					 struct job *j, const struct call_result *res,
					 const char *skipped, int64_t now)
{
	if (j->state == JOB_QUEUED) {
		j->started_at = now;
		note_step_started(e, j);
	}
	if (j->state != JOB_PAUSED)
		j->state = JOB_RUNNING;
	return advance(e, r, j, res ? res->answer : NULL, skipped, now);
}

/* The row is written: events, counters, and the record's new wait. */
static void job_written(struct engine *e, struct job_rec *r, const struct job *j,
			const struct job_was *was, struct pending_call *pc)
{
	note_transition(e, j, was);
	count_move(e, was->state, j->state);
	settle(e, r, j, pc);
}

static void run_job(struct engine *e, struct job_rec *r, const struct call_result *res)
{
	int64_t now = clock_now_ms();
	struct job j;
	if (store_begin(e->st) < 0 || job_load(e, r->id, &j) < 0) {
		log_error("cannot load job", "job=%lld", (long long)r->id);
		unregister_wait(e, r);
		loop_timer_arm(e->loop, &r->timer, now + 1000);
		return;
	}
	struct job_was was = job_was(&j);
	struct pending_call *pc = NULL;
	if (!is_live(j.state)) {
		if (res)
			note_new(e, j.id, "job.late_answer",
				 json_pack("{s:i}", "outcome", (int)res->outcome));
		rec_drop(e, r);
		job_clear(&j);
		return;
	}
	char skipped[300] = "";
	if (res && call_outcome(e, &j, res, now, skipped, sizeof skipped))
		goto save;
	if (!res && j.state == JOB_PAUSED) {
		job_clear(&j);
		return;
	}
	if (j.state == JOB_QUEUED && j.wake_at > now) {
		register_wait(e, r, WAIT_NONE, 0, 0, j.wake_at);
		job_clear(&j);
		return;
	}
	pc = job_run_live(e, r, &j, res, skipped[0] ? skipped : NULL, now);
save:
	if (job_save(e, &j, now) < 0) {
		if (pc)
			pc_free(pc);
		job_clear(&j);
		unregister_wait(e, r);
		loop_timer_arm(e->loop, &r->timer, now + 1000);
		return;
	}
	job_written(e, r, &j, &was, pc);
	job_clear(&j);
}

/* --- the run queue as a loop source -------------------------------------- */

static void engine_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	(void)fds;
	struct engine *e = arg;
	if (e->qhead)
		*timeout_ms = 0;
}

static void engine_dispatch(void *arg, const struct loop_fds *fds)
{
	(void)fds;
	struct engine *e = arg;
	for (int n = 0; n < RUN_BATCH && e->qhead; n++) {
		struct job_rec *r = e->qhead;
		e->qhead = r->qnext;
		if (!e->qhead)
			e->qtail = NULL;
		r->flags &= (uint8_t)~REC_QUEUED;
		run_job(e, r, NULL);
	}
}

/* --- submission and control --------------------------------------------- */

/* The id the next job gets: the writer holds the transaction, so no one
 * else can take it between here and the INSERT. */
static int64_t next_job_id(struct engine *e)
{
	sqlite3_stmt *s = store_stmt(e->st, SQL_NEXT_ID);
	if (!s || sqlite3_step(s) != SQLITE_ROW) {
		if (s)
			sqlite3_reset(s);
		return -1;
	}
	int64_t id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

/* A job due now is started before its row is first written, so a
 * submission is one INSERT (not an INSERT and then an UPDATE of the same
 * row when it starts).  A failed INSERT leaves the turn's events of the
 * job in the transaction; SQLite fails such a write only on I/O or
 * memory errors, which fail that commit too. */
int64_t engine_submit(struct engine *e, const json_t *spec, const char *idem_key,
		      const char *idem_body, int64_t *holder)
{
	int64_t now = clock_now_ms();
	int64_t fleet = json_integer_value(json_object_get(spec, "fleet"));
	struct job_rec *h = fleet ? idmap_get(&e->lease, fleet) : NULL;
	if (h) {
		*holder = h->id;
		return 0;
	}
	if (store_begin(e->st) < 0)
		return -1;
	struct job j = {
		.id = next_job_id(e), .fleet = fleet, .state = JOB_QUEUED,
		.paused_from = -1, .spec = json_incref((json_t *)spec),
		.data = json_object(), .created_at = now,
		.wake_at = jobspec_start_ms(spec, now),
	};
	snprintf(j.sub, sizeof j.sub, "START");
	/* the spec's text serves the row and the job.created event */
	char *text = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
	size_t tlen = text ? strlen(text) : 0;
	char *created = text ? malloc(tlen + 10) : NULL;
	struct job_rec *r = j.id > 0 && j.data && created
		? rec_new(e, j.id, fleet, JOB_QUEUED) : NULL;
	if (!r) {
		free(text);
		free(created);
		job_clear(&j);
		return -1;
	}
	memcpy(created, "{\"spec\":", 8);
	memcpy(created + 8, text, tlen);
	memcpy(created + 8 + tlen, "}", 2);
	eventlog_append_text(e->el, j.id, "job.created", created);
	free(created);
	struct job_was was = job_was(&j);
	struct pending_call *pc = NULL;
	if (j.wake_at <= now)
		pc = job_run_live(e, r, &j, NULL, NULL, now);
	int rc = job_insert(e, &j, text, idem_key, idem_body, now);
	free(text);
	if (rc < 0) {
		if (pc)
			pc_free(pc);
		rec_drop(e, r);
		job_clear(&j);
		return -1;
	}
	e->counts[JOB_QUEUED]++;
	e->transitions++;
	job_written(e, r, &j, &was, pc);
	int64_t id = j.id;
	job_clear(&j);
	return id;
}

static const char SQL_SET_STATE[] =
	"UPDATE jobs SET state = ?2, paused_from = ?3, updated_at = ?4, "
	"finished_at = ?5 WHERE id = ?1";
static const char SQL_STATE_OF[] =
	"SELECT state, paused_from, finished_at FROM jobs WHERE id = ?1";

/* A cancelled job leaves its step unfinished (in the same transaction as
 * the state change).  If the row cannot be read the step keeps what it
 * holds: an explore claim then stays, which skips a world, never visits
 * one twice. */
static void cancel_step(struct engine *e, int64_t id, int64_t now)
{
	struct job j;
	if (job_load(e, id, &j) < 0)
		return;
	abandon_step(e, &j, now);
	job_clear(&j);
}

int engine_control(struct engine *e, int64_t id, enum engine_ctl ctl, char *err,
		   size_t errlen)
{
	sqlite3_stmt *s = store_stmt(e->st, SQL_STATE_OF);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		snprintf(err, errlen, "no job %lld", (long long)id);
		return 404;
	}
	int state = engine_state_of((const char *)sqlite3_column_text(s, 0));
	int from = engine_state_of((const char *)sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	struct job_rec *r = idmap_get(&e->recs, id);
	int64_t now = clock_now_ms();
	int to;
	if (!is_live(state) || !r) {
		snprintf(err, errlen, "job %lld has already ended (%s); only live jobs "
			 "can be %s", (long long)id, engine_state_name(state),
			 ctl == CTL_CANCEL ? "cancelled" : ctl == CTL_PAUSE ? "paused" : "resumed");
		return 409;
	}
	switch (ctl) {
	case CTL_CANCEL:
		to = JOB_CANCELLED;
		break;
	case CTL_PAUSE:
		if (state == JOB_PAUSED) {
			snprintf(err, errlen, "job %lld is already paused", (long long)id);
			return 409;
		}
		to = JOB_PAUSED;
		from = state;
		break;
	case CTL_RESUME:
		if (state != JOB_PAUSED) {
			snprintf(err, errlen, "job %lld is %s, not paused; only paused "
				 "jobs can be resumed", (long long)id, engine_state_name(state));
			return 409;
		}
		to = from == JOB_QUEUED ? JOB_QUEUED : JOB_RUNNING;
		break;
	default:
		return -1;
	}
	if (store_begin(e->st) < 0 || !(s = store_stmt(e->st, SQL_SET_STATE)))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, state_names[to], -1, SQLITE_STATIC);
	if (to == JOB_PAUSED)
		sqlite3_bind_text(s, 3, state_names[from], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	bind_opt(s, 5, to == JOB_CANCELLED ? now : 0);
	answer_forget(e, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (to == JOB_CANCELLED)
		cancel_step(e, id, now);
	note_new(e, id, "job.state",
		 json_pack("{s:s,s:s,s:s}", "from", state_names[state], "to",
			   state_names[to], "by", "api"));
	count_move(e, state, to);
	r->state = (uint8_t)to;
	if (to == JOB_CANCELLED) {
		if (r->flags & REC_IN_FLIGHT) {
			/* the answer will find the job ended and drop the record;
			 * the fleet is free now */
			unregister_wait(e, r);
			rec_set_fleet(e, r, 0);
		} else {
			rec_drop(e, r);
		}
	} else if (to == JOB_PAUSED) {
		unregister_wait(e, r);
		queue_remove(e, r);
	} else {
		wake(e, r);
		loop_wake(e->loop);
	}
	return 0;
}

/* --- reading jobs -------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* A row of JOB_COLS as the answer shows it; *spec is parsed here and
 * owned by the caller. */
static void row_view(sqlite3_stmt *s, struct job_view *v, json_t **spec)
{
	int state = engine_state_of(col_text(s, 4));
	if (state < 0)
		state = JOB_QUEUED;
	*spec = json_loads(col_text(s, 3), 0, NULL);
	*v = (struct job_view){
		.id = sqlite3_column_int64(s, 0), .name = col_text(s, 1),
		.fleet = col_i64(s, 2, 0), .state = state_names[state],
		.paused_from = col_text(s, 5), .step = sqlite3_column_int64(s, 6),
		.sub_state = col_text(s, 7), .step_data = col_text(s, 8),
		.iteration = sqlite3_column_int64(s, 9), .wake_at = col_i64(s, 10, 0),
		.wait_kind = wait_of(col_text(s, 11)), .wait_key = col_i64(s, 12, 0),
		.wait_arg = col_i64(s, 13, 0), .attempts = sqlite3_column_int64(s, 14),
		.last_error = col_text(s, 15), .created_at = col_i64(s, 16, 0),
		.updated_at = col_i64(s, 17, 0), .started_at = col_i64(s, 18, 0),
		.finished_at = col_i64(s, 19, 0), .live = is_live(state),
		.waiting = state == JOB_WAITING, .paused = state == JOB_PAUSED,
		.spec = *spec,
	};
}

static void row_answer(sqlite3_stmt *s, struct textbuf *t)
{
	struct job_view v;
	json_t *spec;
	row_view(s, &v, &spec);
	job_answer_write(t, &v);
	json_decref(spec);
}

static const char SQL_EXISTS[] = "SELECT 1 FROM jobs WHERE id = ?1";

int engine_job_exists(struct engine *e, int64_t id)
{
	if (jobcache_get(&e->cache, id, &(size_t){0}))
		return 1;
	sqlite3_stmt *s = store_stmt(e->st, SQL_EXISTS);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, id);
	int found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

const char *engine_job_cached(struct engine *e, int64_t id, size_t *len)
{
	return jobcache_get(&e->cache, id, len);
}

const char *engine_job_text(struct engine *e, int64_t id, size_t *len)
{
	const char *hit = jobcache_get(&e->cache, id, len);
	if (hit)
		return hit;
	sqlite3_stmt *s = store_stmt(e->st, SQL_LOAD);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	struct textbuf t = {0};
	int found = sqlite3_step(s) == SQLITE_ROW;
	if (found)
		row_answer(s, &t);
	sqlite3_reset(s);
	char *text = found ? textbuf_take(&t, len) : NULL;
	if (!text)
		return NULL;
	/* inside an open transaction the row may yet be rolled back */
	int kept = store_in_tx(e->st) ? 0 : jobcache_put(&e->cache, id, text, *len);
	if (kept > 0) {
		free(text);
		return jobcache_get(&e->cache, id, len);
	}
	free(e->uncached);
	e->uncached = text;
	return text;
}

static const char SQL_LIST[] =
	"SELECT " JOB_COLS " FROM jobs WHERE id > ?1 AND (?2 IS NULL OR state = ?2) "
	"AND (?3 IS NULL OR fleet = ?3) ORDER BY id LIMIT ?4";

char *engine_list(struct engine *e, int state, int64_t fleet, int64_t after,
		  int limit, int64_t *next, size_t *len)
{
	*next = 0;
	struct textbuf t = {0};
	textbuf_put(&t, "[", 1);
	sqlite3_stmt *s = store_stmt(e->st, SQL_LIST);
	if (!s) {
		textbuf_free(&t);
		return NULL;
	}
	sqlite3_bind_int64(s, 1, after);
	if (state >= 0)
		sqlite3_bind_text(s, 2, state_names[state], -1, SQLITE_STATIC);
	bind_opt(s, 3, fleet);
	sqlite3_bind_int(s, 4, limit + 1);
	int n = 0;
	int64_t last = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == limit) {
			*next = last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		if (n++)
			textbuf_put(&t, ",", 1);
		row_answer(s, &t);
	}
	sqlite3_reset(s);
	textbuf_put(&t, "]", 1);
	return textbuf_take(&t, len);
}

int64_t engine_fleet_holder(const struct engine *e, int64_t fleet)
{
	const struct job_rec *r = idmap_get(&e->lease, fleet);
	return r ? r->id : 0;
}

void engine_counts(const struct engine *e, uint64_t counts[JOB_STATE_COUNT])
{
	memcpy(counts, e->counts, sizeof e->counts);
}

uint64_t engine_transitions(const struct engine *e)
{
	return e->transitions;
}

size_t engine_live(const struct engine *e)
{
	return e->recs.n;
}

size_t engine_waiting_conditions(const struct engine *e)
{
	return condidx_count(&e->ci);
}

/* --- start-up ------------------------------------------------------------ */

struct engine *engine_new(struct app *app)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->app = app;
	e->loop = app->loop;
	e->st = app->store;
	e->el = app->eventlog;
	idmap_init(&e->recs);
	idmap_init(&e->lease);
	condidx_init(&e->ci);
	jobcache_init(&e->cache);
	e->rng = (uint64_t)clock_now_ms() * 2654435761u | 1;
	struct loop_source src = {
		.name = "jobs", .prepare = engine_prepare,
		.dispatch = engine_dispatch, .arg = e,
	};
	if (loop_add_source(app->loop, &src) < 0) {
		free(e);
		return NULL;
	}
	return e;
}

static int64_t job_lookup(void *arg, int64_t fleet)
{
	return engine_fleet_holder(arg, fleet);
}

int engine_attach_mirror(struct engine *e)
{
	if (!e->app->mirror || e->mirror_attached)
		return 0;
	e->mirror_attached = 1;
	mirror_set_job_lookup(e->app->mirror, job_lookup, e);
	return mirror_subscribe(e->app->mirror, on_changes, e);
}

static const char SQL_COUNTS[] = "SELECT state, count(*) FROM jobs GROUP BY state";
static const char SQL_LIVE[] =
	"SELECT id, fleet, state, wake_at, wait_kind, wait_key, wait_arg FROM jobs "
	"WHERE state IN ('queued', 'running', 'waiting', 'paused')";

int engine_load(struct engine *e, char *err, size_t errlen)
{
	sqlite3_stmt *s = store_stmt(e->st, SQL_COUNTS);
	if (!s) {
		snprintf(err, errlen, "cannot read the jobs table");
		return -1;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		int st = engine_state_of((const char *)sqlite3_column_text(s, 0));
		if (st >= 0)
			e->counts[st] = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (!(s = store_stmt(e->st, SQL_LIVE))) {
		snprintf(err, errlen, "cannot read the jobs table");
		return -1;
	}
	size_t n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int state = engine_state_of((const char *)sqlite3_column_text(s, 2));
		struct job_rec *r = rec_new(e, id, col_i64(s, 1, 0), state);
		if (!r) {
			sqlite3_reset(s);
			snprintf(err, errlen, "out of memory loading job %lld", (long long)id);
			return -1;
		}
		n++;
		if (state == JOB_PAUSED)
			continue;
		if (state == JOB_WAITING)
			register_wait(e, r, wait_of((const char *)sqlite3_column_text(s, 4)),
				      col_i64(s, 5, 0), col_i64(s, 6, 0), col_i64(s, 3, 0));
		else if (state == JOB_QUEUED)
			register_wait(e, r, WAIT_NONE, 0, 0, col_i64(s, 3, 0));
		else
			enqueue(e, r); /* running: its op finds out where it stood */
	}
	sqlite3_reset(s);
	log_info("jobs loaded", "live=%zu", n);
	return 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	size_t pos = 0;
	int64_t key;
	void *val;
	while (idmap_next(&e->recs, &pos, &key, &val)) {
		struct job_rec *r = val;
		if (r->flags & REC_IN_WATCH)
			condidx_remove_watch(&e->ci, &r->timer.node);
		else
			loop_timer_disarm(e->loop, &r->timer);
		free(r);
	}
	/* the session dropped these without answering (it is freed first) */
	while (e->calls)
		pc_free(e->calls);
	idmap_free(&e->recs);
	idmap_free(&e->lease);
	condidx_free(&e->ci);
	jobcache_free(&e->cache);
	for (size_t i = 0; i < e->nfresh; i++)
		free(e->fresh[i].text);
	free(e->fresh);
	free(e->uncached);
	free(e);
}
