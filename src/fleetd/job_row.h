/* job_row.h -- the job-row codec: the one place that knows the columns of
 * the `jobs` table and how a value of each is stored.
 *
 * Owns: the column table (name, how its value is stored, when a write
 * names it), the names of the states and wait kinds as stored, the SQL
 * condition "the job is live", the text of every SELECT / UPDATE / INSERT
 * that reads or writes whole columns of a job, one decoder (a row of any
 * column set into a struct job_row) and one binder (a struct job_row into
 * any statement written here).
 * Must not touch: what a job's fields mean (the engine), the answer's shape
 * (job_answer.c), the cache of answers (job_read.c).
 *
 * A statement is written from a set of columns (job_cols), so a column's
 * place in a SELECT and its parameter number in a write follow from the
 * table: nothing reads or binds by a hand-counted position.  A value
 * column's parameter is ?(column + 1) in every write, ?1 being the id. */
#ifndef FLEETD_JOB_ROW_H
#define FLEETD_JOB_ROW_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* The columns, in the order a SELECT names them.  X(enum, name). */
#define JOB_COLUMNS(X)                                                  \
	X(JC_ID, "id")                                                  \
	X(JC_NAME, "name")                                              \
	X(JC_FLEET, "fleet")                                            \
	X(JC_SPEC, "spec")                                              \
	X(JC_STATE, "state")                                            \
	X(JC_PAUSED_FROM, "paused_from")                                \
	X(JC_STEP, "step")                                              \
	X(JC_SUB_STATE, "sub_state")                                    \
	X(JC_STEP_DATA, "step_data")                                    \
	X(JC_ITERATION, "iteration")                                    \
	X(JC_WAKE_AT, "wake_at")                                        \
	X(JC_WAIT_KIND, "wait_kind")                                    \
	X(JC_WAIT_KEY, "wait_key")                                      \
	X(JC_WAIT_ARG, "wait_arg")                                      \
	X(JC_ATTEMPTS, "attempts")                                      \
	X(JC_LAST_ERROR, "last_error")                                  \
	X(JC_CREATED_AT, "created_at")                                  \
	X(JC_UPDATED_AT, "updated_at")                                  \
	X(JC_STARTED_AT, "started_at")                                  \
	X(JC_FINISHED_AT, "finished_at")                                \
	X(JC_INTENT_WORLD, "intent_world")                              \
	X(JC_IDEM_KEY, "idem_key")                                      \
	X(JC_IDEM_BODY, "idem_body")                                    \
	X(JC_VARS, "vars")                                              \
	X(JC_WORLD, "world")                                            \
	X(JC_RETRY_OF, "retry_of")                                      \
	X(JC_PARENT, "parent")                                          \
	X(JC_SCHEDULE, "schedule")                                      \
	X(JC_TRIGGER, "trigger")

enum job_col {
#define JOB_COL_ENUM(e, n) e,
	JOB_COLUMNS(JOB_COL_ENUM)
#undef JOB_COL_ENUM
	JC_COUNT
};

/* A set of columns. */
typedef uint32_t job_cols;
#define JC_BIT(c) ((job_cols)1 << (c))
#define JOB_COLS_ALL (JC_BIT(JC_COUNT) - 1)
/* A job as the engine and the answers read it (not the idempotency key). */
#define JOB_COLS_READ (JOB_COLS_ALL & ~(JC_BIT(JC_IDEM_KEY) | JC_BIT(JC_IDEM_BODY)))
/* Indexed: a write names them only when they change, since SQLite then
 * maintains an index (and checks the state CHECK) only for those. */
#define JOB_COLS_INDEXED                                               \
	(JC_BIT(JC_FLEET) | JC_BIT(JC_STATE) | JC_BIT(JC_INTENT_WORLD) |   \
	 JC_BIT(JC_FINISHED_AT))
/* Set once, by the INSERT (a world job's world never changes: its lease
 * index, jobs_world_lease, is maintained by the state changes alone; nor
 * does a child's parent). */
#define JOB_COLS_CREATED                                                   \
	(JC_BIT(JC_ID) | JC_BIT(JC_NAME) | JC_BIT(JC_SPEC) | JC_BIT(JC_CREATED_AT) | \
	 JC_BIT(JC_IDEM_KEY) | JC_BIT(JC_IDEM_BODY) | JC_BIT(JC_WORLD) |          \
	 JC_BIT(JC_RETRY_OF) | JC_BIT(JC_PARENT) | JC_BIT(JC_SCHEDULE) |        \
	 JC_BIT(JC_TRIGGER))
/* Written only by what binds variables (groups, triggers), never by a
 * write of an advanced job. */
#define JOB_COLS_BOUND JC_BIT(JC_VARS)
/* What every write of an advanced job sets. */
#define JOB_COLS_SAVE (JOB_COLS_ALL & ~JOB_COLS_CREATED & ~JOB_COLS_INDEXED & ~JOB_COLS_BOUND)

/* One row's values.  Integers read NULL as 0 and, for the columns the
 * table marks optional, are written as NULL when 0.  state, paused_from
 * are enum job_state (-1: NULL or not a state), wait enum wait_kind.
 * wait_key and wait_arg are NULL in the row while wait is WAIT_NONE.
 * Text read by job_row_decode is borrowed from the statement: valid until
 * it is stepped, reset or its columns read again as another type. */
struct job_row {
	int64_t id, fleet, step, iteration, wake_at, wait_key, wait_arg;
	int64_t attempts, created_at, updated_at, started_at, finished_at;
	int64_t intent_world;
	int state, paused_from, wait;
	const char *name, *spec, *sub_state, *step_data, *last_error;
	const char *idem_key, *idem_body;
	const char *vars; /* JSON object text, NULL for none */
	int64_t world;    /* a world job's world, 0 for a fleet job */
	int64_t retry_of; /* the failed job this one retries, 0 for none */
	int64_t parent;   /* a group child's parent job, else 0 */
	int64_t schedule; /* the schedule whose firing made it, 0 for none */
	int64_t trigger;  /* the trigger whose firing made it, 0 for none */
};

const char *job_col_name(enum job_col c);
/* The stored names; NULL for out of range (and for WAIT_NONE). */
const char *job_state_name(int state);
const char *job_wait_name(int wait);
/* -1 (state) or WAIT_NONE (wait) for NULL or an unknown name. */
int job_state_of(const char *name);
int job_wait_of(const char *name);
/* queued, running, waiting and paused: a job that still holds its fleet
 * and may act.  The one list of the live states (the SQL of
 * job_row_live_sql is written from it). */
int job_state_live(int state);

/* Statement texts, written into buf (len bytes); 0, or -1 if it is too
 * small.  where is appended as it is ("WHERE id = ?1 ..."), and its own
 * parameters must not collide with ?1..?(JC_COUNT) of a write. */
int job_row_select_sql(char *buf, size_t len, job_cols cols, const char *where);
/* UPDATE jobs SET <cols> WHERE id = ?1. */
int job_row_update_sql(char *buf, size_t len, job_cols cols);
/* INSERT INTO jobs (<cols>) VALUES (...). */
int job_row_insert_sql(char *buf, size_t len, job_cols cols);
/* "((state = 'queued' OR ...) AND <indexed>)": the live states as an SQL
 * condition on the column `state` (no IN list: plain comparisons, see
 * migration 0003), with the index's term so that jobs_state answers it. */
int job_row_live_sql(char *buf, size_t len);
/* The state jobs_state does not hold (migration 0016), and the index's
 * condition as SQL ("state <> 'succeeded'"): a query uses the index only
 * if it names that term. */
#define JOB_STATE_UNINDEXED JOB_SUCCEEDED
int job_row_indexed_state_sql(char *buf, size_t len);

/* Read the current row of s, a SELECT written by job_row_select_sql with
 * the same cols; the columns not in cols are left zero (text NULL, state
 * and paused_from -1). */
void job_row_decode(sqlite3_stmt *s, job_cols cols, struct job_row *row);
/* Bind row's values of cols to s, a write of the same cols (text is bound
 * as SQLITE_STATIC: it must outlive the step of s). */
void job_row_bind(sqlite3_stmt *s, job_cols cols, const struct job_row *row);
/* What job_row_decode() of cols would read back once job_row_bind() has
 * written row: what is stored as NULL comes back as 0 (-1 for a state,
 * WAIT_NONE for a wait); text stays borrowed from row.  For a copy of a row
 * written in this process that stands in for reading it again. */
void job_row_as_stored(job_cols cols, const struct job_row *row, struct job_row *out);

#endif
