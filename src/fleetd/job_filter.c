/* job_filter.c -- see job_filter.h. */
#include "job_filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "job_row.h"
#include "jobspec.h"

struct filter_def {
	const char *param;
	enum job_filter_kind kind;
	const char *column;
	const char *what; /* an id's meaning, for the message */
	const char *index; /* the index on column, or NULL */
};

static const struct filter_def defs[JF_COUNT] = {
#define JOB_FILTER_DEF(e, p, k, c, w, i) [e] = {p, k, c, w, i},
	JOB_FILTERS(JOB_FILTER_DEF)
#undef JOB_FILTER_DEF
};

int job_query_int(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	/* strtoll would take leading blanks and a sign */
	if (!v || *v < '0' || *v > '9')
		return -1;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*end || errno || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

/* All the state names, for the message of a bad one. */
static void state_list(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (int s = 0; s < JOB_STATE_COUNT && used < len; s++) {
		int n = snprintf(buf + used, len - used, "%s%s", s ? ", " : "",
				 job_state_name(s));
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* One value of d; 0, or -1 with err. */
static int read_one(const struct filter_def *d, const char *v, int64_t *num,
		    char *err, size_t errlen)
{
	char states[120];
	switch (d->kind) {
	case JFK_STATE:
		if ((*num = job_state_of(v)) >= 0)
			return 0;
		state_list(states, sizeof states);
		snprintf(err, errlen, "%s: must be one of %s", d->param, states);
		return -1;
	case JFK_ID:
		if (job_query_int(v, 1, JOBSPEC_MAX_ID, num) == 0)
			return 0;
		snprintf(err, errlen, "%s: must be %s (a positive integer)", d->param, d->what);
		return -1;
	case JFK_TEXT:
		if (*v && strlen(v) <= JOB_FILTER_TEXT_MAX)
			return 0;
		snprintf(err, errlen, "%s: must be 1 to %d bytes", d->param,
			 JOB_FILTER_TEXT_MAX);
		return -1;
	case JFK_SINCE:
		if (job_query_int(v, 0, JOBSPEC_MAX_ID, num) == 0 || jobspec_parse_time(v, num) == 0)
			return 0;
		snprintf(err, errlen,
			 "%s: must be milliseconds since the epoch or an RFC 3339 time "
			 "such as 2026-11-29T18:00:00Z", d->param);
		return -1;
	}
	return -1;
}

int job_filters_read(struct job_filters *f, job_filter_get_fn get, void *arg,
		     char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < JF_COUNT; i++) {
		const char *v = get(arg, defs[i].param);
		if (!v)
			continue;
		if (read_one(&defs[i], v, &f->num[i], err, errlen) < 0)
			return -1;
		f->set[i] = 1;
		f->text[i] = v;
	}
	return 0;
}

/* Can filter i's index answer f?  jobs_state holds no succeeded job
 * (migration 0016): a list of those walks the ids, where they are most. */
static int indexed(const struct job_filters *f, int i)
{
	return f->set[i] && defs[i].index &&
		!(defs[i].kind == JFK_STATE && f->num[i] == JOB_STATE_UNINDEXED);
}

int job_filters_drive(const struct job_filters *f)
{
	for (int i = 0; i < JF_COUNT; i++)
		if (indexed(f, i))
			return i;
	return -1;
}

const char *job_filter_index(int i)
{
	return i >= 0 && i < JF_COUNT ? defs[i].index : NULL;
}

int job_filters_sql(char *buf, size_t len, int first, int drive)
{
	size_t used = 0;
	for (int i = 0; i < JF_COUNT; i++) {
		int p = first + i;
		const char *op = defs[i].kind == JFK_SINCE ? ">=" : "=";
		int n = i == drive
			? snprintf(buf + used, len - used, "%s%s %s ?%d", i ? " AND " : "",
				   defs[i].column, op, p)
			: snprintf(buf + used, len - used, "%s(?%d IS NULL OR %s %s ?%d)",
				   i ? " AND " : "", p, defs[i].column, op, p);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
		/* the partial index's own term, so that SQLite takes it */
		if (i == drive && defs[i].kind == JFK_STATE) {
			if (used + 5 >= len)
				return -1;
			memcpy(buf + used, " AND ", 6);
			used += 5;
			if (job_row_indexed_state_sql(buf + used, len - used) < 0)
				return -1;
			used += strlen(buf + used);
		}
	}
	return 0;
}

void job_filters_bind(sqlite3_stmt *s, int first, const struct job_filters *f)
{
	for (int i = 0; i < JF_COUNT; i++) {
		if (!f->set[i])
			continue;
		switch (defs[i].kind) {
		case JFK_STATE:
			sqlite3_bind_text(s, first + i, job_state_name((int)f->num[i]), -1,
					  SQLITE_STATIC);
			break;
		case JFK_TEXT:
			sqlite3_bind_text(s, first + i, f->text[i], -1, SQLITE_TRANSIENT);
			break;
		case JFK_ID:
		case JFK_SINCE:
			sqlite3_bind_int64(s, first + i, f->num[i]);
			break;
		}
	}
}
