/* job_read.c -- see job_read.h.
 *
 * Every answer, whether made from a row read here or from the row the
 * engine just wrote, goes through view_of() and job_answer_write(), so
 * POST and GET cannot disagree. */
#include "job_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "idmap.h"
#include "job_answer.h"
#include "job_filter.h"
#include "job_row.h"
#include "jobcache.h"
#include "step.h"
#include "store.h"
#include "textbuf.h"

/* An answer of a job submitted in the open transaction. */
struct fresh_answer {
	int64_t id;
	char *text;
	size_t len;
};

struct jobread {
	struct store *st;
	struct jobcache cache; /* GET answers of unchanged jobs */
	char *uncached;        /* the last answer the cache did not keep */
	struct fresh_answer *fresh;
	size_t nfresh, capfresh;
	struct idmap fresh_at;  /* id -> its index in fresh + 1: a forget is
				 * O(1) however many jobs one transaction made
				 * (10,000 schedules firing in one watch) */
	int fresh_hooked;      /* fresh_committed is queued on the store */
	char sql_get[1024];
	/* the list driven by filter i (job_filter.h), the last by none */
	char sql_list[JF_COUNT + 1][2048];
};

static const char SQL_EXISTS[] = "SELECT 1 FROM jobs WHERE id = ?1";

/* The list: ?1 the cursor, ?2 the limit, the filters from ?3 on. */
#define LIST_FILTERS_FIRST 3
static int list_sql(char *buf, size_t len, int drive)
{
	char where[1024];
	size_t n = (size_t)snprintf(where, sizeof where, "WHERE id > ?1 AND ");
	if (job_filters_sql(where + n, sizeof where - n, LIST_FILTERS_FIRST, drive) < 0 ||
	    strlen(where) + 40 >= sizeof where)
		return -1;
	strcat(where, " ORDER BY id LIMIT ?2");
	return job_row_select_sql(buf, len, JOB_COLS_READ, where);
}

struct jobread *jobread_new(struct store *st)
{
	struct jobread *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->st = st;
	jobcache_init(&r->cache);
	idmap_init(&r->fresh_at);
	int bad = job_row_select_sql(r->sql_get, sizeof r->sql_get, JOB_COLS_READ,
				     "WHERE id = ?1") < 0;
	for (int d = 0; d <= JF_COUNT && !bad; d++)
		bad = list_sql(r->sql_list[d], sizeof r->sql_list[d], d < JF_COUNT ? d : -1) < 0;
	if (bad) {
		jobread_free(r);
		return NULL;
	}
	return r;
}

const char *jobread_list_sql(const struct jobread *r, const struct job_filters *f)
{
	int d = job_filters_drive(f);
	return r->sql_list[d < 0 ? JF_COUNT : d];
}

void jobread_free(struct jobread *r)
{
	if (!r)
		return;
	jobcache_free(&r->cache);
	for (size_t i = 0; i < r->nfresh; i++)
		free(r->fresh[i].text);
	free(r->fresh);
	idmap_free(&r->fresh_at);
	free(r->uncached);
	free(r);
}

/* --- one answer ----------------------------------------------------------- */

/* The answer of a row; a state the engine does not know shows as queued. */
static struct job_view view_of(const struct job_row *row, const json_t *spec)
{
	int state = row->state >= 0 ? row->state : JOB_QUEUED;
	int wait = row->wait;
	return (struct job_view){
		.id = row->id, .name = row->name, .fleet = row->fleet, .world = row->world,
		.retry_of = row->retry_of, .schedule = row->schedule, .trigger = row->trigger,
		.state = job_state_name(state),
		.paused_from = row->paused_from >= 0 ? job_state_name(row->paused_from) : NULL,
		.step = row->step, .sub_state = row->sub_state,
		.step_data = row->step_data ? row->step_data : "{}",
		.vars = row->vars,
		.iteration = row->iteration, .wake_at = row->wake_at, .wait_kind = wait,
		.wait_key = wait ? row->wait_key : 0, .wait_arg = wait ? row->wait_arg : 0,
		.attempts = row->attempts, .last_error = row->last_error,
		.created_at = row->created_at, .updated_at = row->updated_at,
		.started_at = row->started_at, .finished_at = row->finished_at,
		.live = job_state_live(state), .waiting = state == JOB_WAITING,
		.paused = state == JOB_PAUSED, .spec = spec, .parent = row->parent,
	};
}

/* A group's parent is answered with its children (group.h): their ids
 * and their count by state, read by the parent's id.  (Read in the same
 * transaction or snapshot as the parent's row, so the two agree.) */
static void answer_row(struct jobread *r, struct textbuf *t, const struct job_row *row,
		       const json_t *spec)
{
	struct job_view v = view_of(row, spec);
	struct idvec kids = {0};
	uint64_t states[JOB_STATE_COUNT];
	if (row->wait == WAIT_CHILDREN && group_children(r->st, row->id, 0, &kids) == 0 &&
	    group_counts(r->st, row->id, states) == 0) {
		v.children = kids.v;
		v.nchildren = kids.n;
		v.child_states = states;
	}
	job_answer_write(t, &v);
	idvec_free(&kids);
}

/* The answer of a row read by a SELECT (its spec still text). */
static void answer_read(struct jobread *r, struct textbuf *t, const struct job_row *row)
{
	json_t *spec = row->spec ? json_loads(row->spec, 0, NULL) : NULL;
	answer_row(r, t, row, spec);
	json_decref(spec);
}

/* --- answers of the open transaction -------------------------------------- */

static void fresh_index(struct jobread *r, size_t i)
{
	idmap_put(&r->fresh_at, r->fresh[i].id, (void *)(uintptr_t)(i + 1));
}

void jobread_forget(struct jobread *r, int64_t id)
{
	jobcache_forget(&r->cache, id);
	uintptr_t at = (uintptr_t)idmap_del(&r->fresh_at, id);
	if (!at)
		return;
	free(r->fresh[at - 1].text);
	r->fresh[at - 1] = r->fresh[--r->nfresh];
	if (at - 1 < r->nfresh)
		fresh_index(r, at - 1); /* the last one moved there */
}

static void fresh_committed(void *arg, int ok)
{
	struct jobread *r = arg;
	for (size_t i = 0; i < r->nfresh; i++) {
		if (ok)
			jobcache_put(&r->cache, r->fresh[i].id, r->fresh[i].text,
				     r->fresh[i].len);
		free(r->fresh[i].text);
	}
	r->nfresh = 0;
	r->fresh_hooked = 0;
	idmap_free(&r->fresh_at);
	idmap_init(&r->fresh_at);
}

/* Keep text (taken) as id's answer once the transaction commits. */
static void keep_fresh(struct jobread *r, int64_t id, char *text, size_t len)
{
	if (!r->fresh_hooked) {
		if (store_on_commit(r->st, fresh_committed, r) < 0) {
			free(text);
			return;
		}
		r->fresh_hooked = 1;
	}
	if (r->nfresh == r->capfresh) {
		size_t cap = r->capfresh ? r->capfresh * 2 : 64;
		struct fresh_answer *f = realloc(r->fresh, cap * sizeof *f);
		if (!f) {
			free(text);
			return;
		}
		r->fresh = f;
		r->capfresh = cap;
	}
	uintptr_t at = (uintptr_t)idmap_get(&r->fresh_at, id);
	if (at) { /* kept twice in one transaction: the later answer wins */
		free(r->fresh[at - 1].text);
		r->fresh[at - 1] = (struct fresh_answer){id, text, len};
		return;
	}
	r->fresh[r->nfresh] = (struct fresh_answer){id, text, len};
	if (idmap_put(&r->fresh_at, id, (void *)(uintptr_t)(r->nfresh + 1)) < 0) {
		free(text); /* not kept: read from the row when asked */
		return;
	}
	r->nfresh++;
}

void jobread_fresh(struct jobread *r, const struct job_row *row, const json_t *spec)
{
	struct textbuf t = {0};
	answer_row(r, &t, row, spec);
	size_t len;
	char *text = textbuf_take(&t, &len);
	if (text)
		keep_fresh(r, row->id, text, len);
}

/* --- the routes' reads ---------------------------------------------------- */

int jobread_exists(struct jobread *r, int64_t id)
{
	if (jobcache_get(&r->cache, id, &(size_t){0}))
		return 1;
	sqlite3_stmt *s = store_stmt(r->st, SQL_EXISTS);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, id);
	int found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

int jobread_with_row(struct jobread *r, int64_t id, jobread_row_fn fn, void *arg)
{
	sqlite3_stmt *s = store_stmt(r->st, r->sql_get);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct job_row row;
		job_row_decode(s, JOB_COLS_READ, &row);
		fn(arg, &row);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

const char *jobread_cached(struct jobread *r, int64_t id, size_t *len)
{
	return jobcache_get(&r->cache, id, len);
}

const char *jobread_text(struct jobread *r, int64_t id, size_t *len)
{
	const char *hit = jobcache_get(&r->cache, id, len);
	if (hit)
		return hit;
	sqlite3_stmt *s = store_stmt(r->st, r->sql_get);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	struct textbuf t = {0};
	int found = sqlite3_step(s) == SQLITE_ROW;
	if (found) {
		struct job_row row;
		job_row_decode(s, JOB_COLS_READ, &row);
		answer_read(r, &t, &row);
	}
	sqlite3_reset(s);
	char *text = found ? textbuf_take(&t, len) : NULL;
	if (!text)
		return NULL;
	/* inside an open transaction the row may yet be rolled back */
	int kept = store_in_tx(r->st) ? 0 : jobcache_put(&r->cache, id, text, *len);
	if (kept > 0) {
		free(text);
		return jobcache_get(&r->cache, id, len);
	}
	free(r->uncached);
	r->uncached = text;
	return text;
}

char *jobread_list(struct jobread *r, const struct job_filters *f, int64_t after,
		   int limit, size_t max_bytes, int64_t *next, size_t *len)
{
	*next = 0;
	sqlite3_stmt *s = store_stmt(r->st, jobread_list_sql(r, f));
	if (!s)
		return NULL;
	struct textbuf t = {0};
	textbuf_put(&t, "[", 1);
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit + 1);
	job_filters_bind(s, LIST_FILTERS_FIRST, f);
	int n = 0;
	int64_t last = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == limit) {
			*next = last;
			break;
		}
		struct job_row row;
		job_row_decode(s, JOB_COLS_READ, &row);
		size_t mark = t.len;
		if (n)
			textbuf_put(&t, ",", 1);
		answer_read(r, &t, &row);
		if (n && t.len > max_bytes && !t.oom) {
			/* over the byte cap: this job starts the next page */
			t.len = mark;
			t.p[mark] = 0;
			*next = last;
			break;
		}
		last = row.id;
		n++;
	}
	sqlite3_reset(s);
	textbuf_put(&t, "]", 1);
	return textbuf_take(&t, len);
}
