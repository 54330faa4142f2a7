/* fuzz_job_filter.c -- the filters of GET /v1/jobs read from a query
 * (src/fleetd/job_filter.c).
 *
 * The input is a query string, "name=value&name=value..." (as the HTTP
 * layer hands the values over: already percent-decoded, so any byte but
 * NUL may appear).  Whatever it holds, job_filters_read() must either
 * refuse with a message that starts with the name of one of the filters,
 * or accept values within their ranges: a state that is a state, an id
 * from 1 to 2^53 - 1, a name of 1 to 100 bytes, a time that is a number of
 * ms or an RFC 3339 time.  The SQL the table writes must fit its buffer. */
#include <string.h>

#include "engine.h"
#include "fuzz.h"
#include "job_filter.h"
#include "jobspec.h"

#define MAX_PAIRS 16

struct query {
	char *name[MAX_PAIRS], *value[MAX_PAIRS];
	int n;
};

/* The first value given for name, as a server's query lookup answers. */
static const char *lookup(void *arg, const char *name)
{
	const struct query *q = arg;
	for (int i = 0; i < q->n; i++)
		if (strcmp(q->name[i], name) == 0)
			return q->value[i];
	return NULL;
}

/* Split text (modified in place) at '&' and the first '=' of each pair. */
static void split(char *text, struct query *q)
{
	q->n = 0;
	for (char *p = text; p && q->n < MAX_PAIRS;) {
		char *amp = strchr(p, '&');
		if (amp)
			*amp = 0;
		char *eq = strchr(p, '=');
		q->name[q->n] = p;
		q->value[q->n] = eq ? eq + 1 : p + strlen(p);
		if (eq)
			*eq = 0;
		q->n++;
		p = amp ? amp + 1 : NULL;
	}
}

static const char *const params[] = {"state", "fleet", "name", "since", "retry_of"};

static int named_param(const char *err)
{
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
		size_t n = strlen(params[i]);
		if (strncmp(err, params[i], n) == 0 && strncmp(err + n, ": ", 2) == 0)
			return 1;
	}
	/* a filter added to the table and not to this list still says "X: " */
	return strstr(err, ": ") != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = 0; /* a NUL ends the query, as it ends a C string */
	struct query q;
	split(text, &q);
	struct job_filters f;
	char err[300];
	if (job_filters_read(&f, lookup, &q, err, sizeof err) < 0) {
		FUZZ_CHECK(named_param(err));
	} else {
		for (int i = 0; i < JF_COUNT; i++) {
			if (!f.set[i])
				continue;
			FUZZ_CHECK(f.text[i] != NULL);
			if (i == JF_STATE)
				FUZZ_CHECK(f.num[i] >= 0 && f.num[i] < JOB_STATE_COUNT);
			if (i == JF_FLEET || i == JF_RETRY_OF)
				FUZZ_CHECK(f.num[i] >= 1 && f.num[i] <= JOBSPEC_MAX_ID);
			if (i == JF_NAME)
				FUZZ_CHECK(*f.text[i] && strlen(f.text[i]) <= JOB_FILTER_TEXT_MAX);
		}
	}
	char sql[2048];
	int drive = job_filters_drive(&f);
	FUZZ_CHECK(drive < 0 || (f.set[drive] && job_filter_index(drive)));
	FUZZ_CHECK(job_filters_sql(sql, sizeof sql, 3, drive) == 0);
	FUZZ_CHECK(job_filters_sql(sql, 8, 3, drive) < 0);
	free(text);
	return 0;
}
