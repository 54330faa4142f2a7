/* job_row.c -- see job_row.h.
 *
 * Each column has one entry below: its name, the kind of value it stores
 * and where that value sits in struct job_row.  The SQL writers, the
 * decoder and the binder are loops over that table, so a new column is
 * one line of JOB_COLUMNS and one entry here. */
#include "job_row.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "step.h"

enum col_kind {
	K_INT,      /* integer, NULL read as 0, always written */
	K_INT_OPT,  /* integer, NULL read as 0 and written for 0 */
	K_WAIT_INT, /* integer, written NULL while the row has no wait */
	K_TEXT,     /* text, NULL pointer for NULL */
	K_STATE,    /* enum job_state stored by name, -1 for NULL */
	K_WAIT,     /* enum wait_kind stored by name, WAIT_NONE for NULL */
};

struct col_def {
	enum col_kind kind;
	size_t off; /* of the value in struct job_row */
};

#define F(field) offsetof(struct job_row, field)
static const struct col_def cols[JC_COUNT] = {
	[JC_ID] = {K_INT, F(id)},
	[JC_NAME] = {K_TEXT, F(name)},
	[JC_FLEET] = {K_INT_OPT, F(fleet)},
	[JC_SPEC] = {K_TEXT, F(spec)},
	[JC_STATE] = {K_STATE, F(state)},
	[JC_PAUSED_FROM] = {K_STATE, F(paused_from)},
	[JC_STEP] = {K_INT, F(step)},
	[JC_SUB_STATE] = {K_TEXT, F(sub_state)},
	[JC_STEP_DATA] = {K_TEXT, F(step_data)},
	[JC_ITERATION] = {K_INT, F(iteration)},
	[JC_WAKE_AT] = {K_INT_OPT, F(wake_at)},
	[JC_WAIT_KIND] = {K_WAIT, F(wait)},
	[JC_WAIT_KEY] = {K_WAIT_INT, F(wait_key)},
	[JC_WAIT_ARG] = {K_WAIT_INT, F(wait_arg)},
	[JC_ATTEMPTS] = {K_INT, F(attempts)},
	[JC_LAST_ERROR] = {K_TEXT, F(last_error)},
	[JC_CREATED_AT] = {K_INT, F(created_at)},
	[JC_UPDATED_AT] = {K_INT, F(updated_at)},
	[JC_STARTED_AT] = {K_INT_OPT, F(started_at)},
	[JC_FINISHED_AT] = {K_INT_OPT, F(finished_at)},
	[JC_INTENT_WORLD] = {K_INT_OPT, F(intent_world)},
	[JC_IDEM_KEY] = {K_TEXT, F(idem_key)},
	[JC_IDEM_BODY] = {K_TEXT, F(idem_body)},
	[JC_VARS] = {K_TEXT, F(vars)},
	[JC_WORLD] = {K_INT_OPT, F(world)},
	[JC_RETRY_OF] = {K_INT_OPT, F(retry_of)},
	[JC_PARENT] = {K_INT_OPT, F(parent)},
	[JC_SCHEDULE] = {K_INT_OPT, F(schedule)},
	[JC_TRIGGER] = {K_INT_OPT, F(trigger)},
};
#undef F

static const char *const col_names[JC_COUNT] = {
#define JOB_COL_NAME(e, n) [e] = n,
	JOB_COLUMNS(JOB_COL_NAME)
#undef JOB_COL_NAME
};

static const char *const state_names[JOB_STATE_COUNT] = {
	"queued", "running", "waiting", "paused", "succeeded", "failed", "cancelled"};
static const char *const wait_names[WAIT_KIND_COUNT] = {
	NULL, "anchored", "battle", "watch", "ready", "fleet", "cond", "children",
	"queue"};

const char *job_col_name(enum job_col c)
{
	return c >= 0 && c < JC_COUNT ? col_names[c] : NULL;
}

const char *job_state_name(int state)
{
	return state >= 0 && state < JOB_STATE_COUNT ? state_names[state] : "?";
}

const char *job_wait_name(int wait)
{
	return wait > WAIT_NONE && wait < WAIT_KIND_COUNT ? wait_names[wait] : NULL;
}

int job_state_of(const char *name)
{
	for (int i = 0; name && i < JOB_STATE_COUNT; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

int job_wait_of(const char *name)
{
	for (int i = 1; name && i < WAIT_KIND_COUNT; i++)
		if (strcmp(wait_names[i], name) == 0)
			return i;
	return WAIT_NONE;
}

int job_state_live(int state)
{
	return state >= JOB_QUEUED && state <= JOB_PAUSED;
}

/* --- statement texts ------------------------------------------------------ */

struct sqlbuf {
	char *p;
	size_t len, used;
	int bad;
};

static void put(struct sqlbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct sqlbuf *b, const char *fmt, ...)
{
	if (b->bad)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->used)
		b->bad = 1;
	else
		b->used += (size_t)n;
}

static int done(struct sqlbuf *b)
{
	return b->bad ? -1 : 0;
}

/* The names of cols, comma-separated; with params, "name = ?N". */
static void put_cols(struct sqlbuf *b, job_cols set, int params)
{
	const char *sep = "";
	for (int c = 0; c < JC_COUNT; c++) {
		if (!(set & JC_BIT(c)))
			continue;
		if (params)
			put(b, "%s%s = ?%d", sep, col_names[c], c + 1);
		else
			put(b, "%s%s", sep, col_names[c]);
		sep = ", ";
	}
}

int job_row_select_sql(char *buf, size_t len, job_cols set, const char *where)
{
	struct sqlbuf b = {buf, len, 0, len == 0};
	put(&b, "SELECT ");
	put_cols(&b, set, 0);
	put(&b, " FROM jobs%s%s", where && *where ? " " : "", where ? where : "");
	return done(&b);
}

int job_row_update_sql(char *buf, size_t len, job_cols set)
{
	struct sqlbuf b = {buf, len, 0, len == 0};
	put(&b, "UPDATE jobs SET ");
	put_cols(&b, set & ~JC_BIT(JC_ID), 1);
	put(&b, " WHERE id = ?%d", JC_ID + 1);
	return done(&b);
}

int job_row_insert_sql(char *buf, size_t len, job_cols set)
{
	struct sqlbuf b = {buf, len, 0, len == 0};
	put(&b, "INSERT INTO jobs (");
	put_cols(&b, set, 0);
	put(&b, ") VALUES (");
	const char *sep = "";
	for (int c = 0; c < JC_COUNT; c++)
		if (set & JC_BIT(c)) {
			put(&b, "%s?%d", sep, c + 1);
			sep = ", ";
		}
	put(&b, ")");
	return done(&b);
}

int job_row_indexed_state_sql(char *buf, size_t len)
{
	struct sqlbuf b = {buf, len, 0, len == 0};
	put(&b, "state <> '%s'", state_names[JOB_STATE_UNINDEXED]);
	return done(&b);
}

int job_row_live_sql(char *buf, size_t len)
{
	char indexed[64];
	if (job_row_indexed_state_sql(indexed, sizeof indexed) < 0)
		return -1;
	struct sqlbuf b = {buf, len, 0, len == 0};
	const char *sep = "((";
	for (int s = 0; s < JOB_STATE_COUNT; s++)
		if (job_state_live(s)) {
			put(&b, "%sstate = '%s'", sep, state_names[s]);
			sep = " OR ";
		}
	put(&b, ") AND %s)", indexed);
	return done(&b);
}

/* --- values --------------------------------------------------------------- */

static int64_t *int_at(struct job_row *row, const struct col_def *d)
{
	return (int64_t *)(void *)((char *)row + d->off);
}

static int *enum_at(struct job_row *row, const struct col_def *d)
{
	return (int *)(void *)((char *)row + d->off);
}

static const char **text_at(struct job_row *row, const struct col_def *d)
{
	return (const char **)(void *)((char *)row + d->off);
}

void job_row_decode(sqlite3_stmt *s, job_cols set, struct job_row *row)
{
	memset(row, 0, sizeof *row);
	row->state = -1;
	row->paused_from = -1;
	int i = 0;
	for (int c = 0; c < JC_COUNT; c++) {
		if (!(set & JC_BIT(c)))
			continue;
		const struct col_def *d = &cols[c];
		const char *text;
		switch (d->kind) {
		case K_INT:
		case K_INT_OPT:
		case K_WAIT_INT:
			*int_at(row, d) = sqlite3_column_int64(s, i); /* NULL: 0 */
			break;
		case K_TEXT:
			*text_at(row, d) = (const char *)sqlite3_column_text(s, i);
			break;
		case K_STATE:
			text = (const char *)sqlite3_column_text(s, i);
			*enum_at(row, d) = job_state_of(text);
			break;
		case K_WAIT:
			text = (const char *)sqlite3_column_text(s, i);
			*enum_at(row, d) = job_wait_of(text);
			break;
		}
		i++;
	}
}

/* The value of a column of a row being bound (read-only). */
static const void *val_at(const struct job_row *row, const struct col_def *d)
{
	return (const char *)row + d->off;
}

static void bind_col(sqlite3_stmt *s, int c, const struct job_row *row)
{
	const struct col_def *d = &cols[c];
	int p = c + 1;
	int64_t v = 0;
	const char *t = NULL;
	switch (d->kind) {
	case K_INT:
	case K_INT_OPT:
	case K_WAIT_INT:
		memcpy(&v, val_at(row, d), sizeof v);
		if ((d->kind == K_INT_OPT && !v) ||
		    (d->kind == K_WAIT_INT && !job_wait_name(row->wait)))
			sqlite3_bind_null(s, p);
		else
			sqlite3_bind_int64(s, p, v);
		return;
	case K_TEXT:
		memcpy(&t, val_at(row, d), sizeof t);
		break;
	case K_STATE: {
		int e;
		memcpy(&e, val_at(row, d), sizeof e);
		t = e >= 0 && e < JOB_STATE_COUNT ? state_names[e] : NULL;
		break;
	}
	case K_WAIT: {
		int e;
		memcpy(&e, val_at(row, d), sizeof e);
		t = job_wait_name(e);
		break;
	}
	}
	if (t)
		sqlite3_bind_text(s, p, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, p);
}

/* The lowest column of a non-empty set.  A write names about half of the
 * columns: its binder visits those, not all JC_COUNT. */
static int first_col(job_cols set)
{
	return __builtin_ctz(set);
}

void job_row_bind(sqlite3_stmt *s, job_cols set, const struct job_row *row)
{
	for (set &= JOB_COLS_ALL; set; set &= set - 1)
		bind_col(s, first_col(set), row);
}

void job_row_as_stored(job_cols set, const struct job_row *row, struct job_row *out)
{
	memset(out, 0, sizeof *out);
	out->state = -1;
	out->paused_from = -1;
	for (int c = 0; c < JC_COUNT; c++) {
		if (!(set & JC_BIT(c)))
			continue;
		const struct col_def *d = &cols[c];
		int e;
		switch (d->kind) {
		case K_INT:
		case K_INT_OPT: /* 0 is stored as NULL, read as 0 */
			memcpy(int_at(out, d), val_at(row, d), sizeof(int64_t));
			break;
		case K_WAIT_INT: /* NULL while there is no wait */
			if (job_wait_name(row->wait))
				memcpy(int_at(out, d), val_at(row, d), sizeof(int64_t));
			break;
		case K_TEXT:
			memcpy(text_at(out, d), val_at(row, d), sizeof(const char *));
			break;
		case K_STATE:
			memcpy(&e, val_at(row, d), sizeof e);
			*enum_at(out, d) = e >= 0 && e < JOB_STATE_COUNT ? e : -1;
			break;
		case K_WAIT:
			memcpy(&e, val_at(row, d), sizeof e);
			*enum_at(out, d) = job_wait_name(e) ? e : WAIT_NONE;
			break;
		}
	}
}
