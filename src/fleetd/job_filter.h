/* job_filter.h -- the filters of GET /v1/jobs: the one table of them (the
 * query parameter, how its value is read, the column it tests), reading a
 * request's values, and the conditions and bindings of the list's SELECT.
 *
 * Owns: that table and the messages of a bad value.
 * Must not touch: HTTP (the caller hands the query over through a
 * function), how a column is stored (job_row.c), the answers and the
 * paging (job_read.c).
 *
 * A column's owner adds its filter as one line of JOB_FILTERS.  Every
 * filter is a parameter of the list's SELECT, (?N IS NULL OR column op
 * ?N), so an absent filter binds NULL and lets every row through.  That
 * form hides the column from SQLite's planner, so a filter whose column
 * has an index names it here: when a request gives it, it is the
 * "driving" filter, written as a plain `column = ?N` that the index
 * answers, and the list uses one statement per driving filter (prepared
 * once each) -- GET /v1/jobs?parent=ID reads the parent's children, not
 * the whole table. */
#ifndef FLEETD_JOB_FILTER_H
#define FLEETD_JOB_FILTER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* How a filter's value is read, and the test it makes. */
enum job_filter_kind {
	JFK_STATE, /* a state's name; column = value */
	JFK_ID,    /* a positive integer id; column = value */
	JFK_TEXT,  /* 1 to JOB_FILTER_TEXT_MAX bytes; column = value */
	JFK_SINCE, /* ms since the epoch or an RFC 3339 time; column >= value */
};
#define JOB_FILTER_TEXT_MAX 100 /* the longest job name (jobspec.c) */

/* X(enum, query parameter, kind, column, what an id names, the index on
 * the column or NULL).  The first given filter with an index drives, so
 * the more selective ones come first. */
#define JOB_FILTERS(X)                                                                   \
	X(JF_PARENT, "parent", JFK_ID, "parent", "a job id", "jobs_parent")              \
	X(JF_SCHEDULE, "schedule", JFK_ID, "schedule", "a schedule id", "jobs_schedule") \
	X(JF_TRIGGER, "trigger", JFK_ID, "\"trigger\"", "a trigger id", "jobs_trigger")  \
	X(JF_RETRY_OF, "retry_of", JFK_ID, "retry_of", "a job id", "jobs_retry_of")      \
	X(JF_FLEET, "fleet", JFK_ID, "fleet", "a fleet id", "jobs_fleet")                \
	X(JF_STATE, "state", JFK_STATE, "state", NULL, "jobs_state")                     \
	X(JF_NAME, "name", JFK_TEXT, "name", NULL, NULL)                                 \
	X(JF_SINCE, "since", JFK_SINCE, "created_at", NULL, NULL)

enum job_filter {
#define JOB_FILTER_ENUM(e, p, k, c, w, i) e,
	JOB_FILTERS(JOB_FILTER_ENUM)
#undef JOB_FILTER_ENUM
	JF_COUNT
};

/* The values of one request: set[f] says whether filter f was given.
 * Text is borrowed from the request. */
struct job_filters {
	int set[JF_COUNT];
	int64_t num[JF_COUNT];    /* an id, a time in ms, a state */
	const char *text[JF_COUNT];
};

/* Read every filter's parameter through get (NULL: not given).  0, or -1
 * with err naming the parameter and what it must be. */
typedef const char *(*job_filter_get_fn)(void *arg, const char *name);
int job_filters_read(struct job_filters *f, job_filter_get_fn get, void *arg,
		     char *err, size_t errlen);

/* A query parameter's decimal integer in [lo, hi], digits alone; 0, or
 * -1 (also for NULL).  For the list's other parameters too. */
int job_query_int(const char *v, int64_t lo, int64_t hi, int64_t *out);

/* The filter that drives a request's list: the first one given whose
 * column has an index that holds the value asked for (jobs_state holds
 * no succeeded job); -1 if none does (the list walks the ids). */
int job_filters_drive(const struct job_filters *f);
/* The index that serves filter i, or NULL. */
const char *job_filter_index(int i);
/* The conditions, "(?N IS NULL OR column = ?N) AND ...", filter i using
 * parameter first + i, the driving one (drive; -1: none) as a plain
 * "column = ?N" (the state with jobs_state's own term), into buf; 0, or
 * -1 if it does not fit. */
int job_filters_sql(char *buf, size_t len, int first, int drive);
/* Bind f's values to those parameters of s. */
void job_filters_bind(sqlite3_stmt *s, int first, const struct job_filters *f);

#endif
