/* test_jobspec.c -- the job language, data-driven: every line of
 * jobspec_cases.txt (and of group_cases.txt, a group's `fleets`) is a
 * body and the outcome it must get.  Also the
 * limits that are awkward to write on one line (257 steps) and the
 * RFC 3339 reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cases.h"
#include "jobspec.h"
#include "tap.h"

#define NOW_MS 1795000000000LL /* 2026-11-18 */

static void run_case(const char *expect, const char *body, int line)
{
	json_error_t je;
	json_t *v = json_loads(body, JSON_DECODE_ANY, &je);
	char err[300] = "";
	if (!v) {
		fprintf(stderr, "line %d: the case itself is not JSON: %s\n", line, je.text);
		CHECK(0);
		return;
	}
	int rc = jobspec_validate(v, NOW_MS, err, sizeof err);
	if (strcmp(expect, "ok") == 0) {
		if (rc != 0)
			fprintf(stderr, "line %d: refused: %s\n", line, err);
		CHECK(rc == 0);
	} else {
		int match = rc < 0 && strncmp(err, expect, strlen(expect)) == 0;
		if (!match)
			fprintf(stderr, "line %d: expected \"%s...\", got rc=%d \"%s\"\n", line,
				expect, rc, err);
		CHECK(match);
	}
	json_decref(v);
}

static void test_step_count(void)
{
	json_t *steps = json_array();
	for (int i = 0; i < 257; i++)
		json_array_append_new(steps, json_pack("{s:s,s:i}", "op", "move", "to", i + 1));
	json_t *job = json_pack("{s:i,s:o}", "fleet", 5, "steps", steps);
	char err[300];
	CHECK(jobspec_validate(job, NOW_MS, err, sizeof err) < 0);
	CHECK(strstr(err, "steps: must hold 1 to 256 steps (has 257)") != NULL);
	json_array_remove(steps, 0);
	CHECK(jobspec_validate(job, NOW_MS, err, sizeof err) == 0);
	json_decref(job);
}

static void test_times(void)
{
	int64_t ms;
	char buf[40];
	CHECK(jobspec_parse_time("1970-01-01T00:00:00Z", &ms) == 0);
	CHECK_EQ_INT(ms, 0);
	CHECK(jobspec_parse_time("2026-11-25T03:00:00.5+01:00", &ms) == 0);
	jobspec_format_time(ms, buf, sizeof buf);
	CHECK(strcmp(buf, "2026-11-25T02:00:00.500Z") == 0);
	CHECK(jobspec_parse_time("2024-02-29T00:00:00Z", &ms) == 0);
	CHECK(jobspec_parse_time("2023-02-29T00:00:00Z", &ms) < 0);
	CHECK(jobspec_parse_time("2026-11-25T03:00:00Zjunk", &ms) < 0);
	CHECK(jobspec_parse_time("2026-11-25T25:00:00Z", &ms) < 0);
	CHECK(jobspec_parse_time(NULL, &ms) < 0);
}

/* The formatter's arithmetic against the C library's calendar, over
 * every year it writes that way (a step of about 11.6 days and an odd
 * number of seconds and milliseconds, so each month, leap day and time of
 * day is met), and at both ends of its range. */
static void test_format_time_calendar(void)
{
	int bad = 0;
	const int64_t step = 1000003LL * 1000 + 7;
	for (int64_t ms = 0; ms <= JOBSPEC_MAX_TIME_MS; ms += step) {
		int64_t probes[] = {ms, ms - ms % 86400000, ms - ms % 86400000 - 1};
		for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
			int64_t v = probes[i];
			if (v < 0)
				continue;
			char got[40], want[40], base[32];
			time_t t = (time_t)(v / 1000);
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(want, sizeof want, "%s.%03dZ", base, (int)(v % 1000));
			jobspec_format_time(v, got, sizeof got);
			if (strcmp(got, want) != 0 && bad++ < 5)
				fprintf(stderr, "# %lld: %s, wanted %s\n", (long long)v, got, want);
		}
	}
	CHECK_EQ_INT(bad, 0);
	char buf[40];
	jobspec_format_time(JOBSPEC_MAX_TIME_MS, buf, sizeof buf);
	CHECK(strcmp(buf, "9999-12-31T23:59:59.999Z") == 0);
	jobspec_format_time(0, buf, sizeof buf);
	CHECK(strcmp(buf, "1970-01-01T00:00:00.000Z") == 0);
	jobspec_format_time(951782400000LL, buf, sizeof buf);
	CHECK(strcmp(buf, "2000-02-29T00:00:00.000Z") == 0);
	/* before the epoch: the C library's path, as before */
	jobspec_format_time(-1, buf, sizeof buf);
	CHECK(strcmp(buf, "1969-12-31T23:59:59.999Z") == 0);
}

static int count_ref(void *arg, const char *path, enum jobspec_ref kind, int64_t id)
{
	(void)path;
	(void)kind;
	(void)id;
	(*(int *)arg)++;
	return 0;
}

static void test_refs_and_passes(void)
{
	json_t *job = json_loads("{\"fleet\": 5, \"repeat\": 4, \"steps\": [{\"op\": \"move\", "
				 "\"to\": 20}, {\"op\": \"disband\", \"into\": 7}, "
				 "{\"op\": \"wait\", \"seconds\": 3}]}", 0, NULL);
	int n = 0;
	CHECK(jobspec_refs(job, count_ref, &n) == 0);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(jobspec_passes(job), 4);
	CHECK_EQ_INT(jobspec_start_ms(job, NOW_MS), NOW_MS);
	json_object_set_new(job, "repeat", json_true());
	json_object_set_new(job, "delay_seconds", json_integer(60));
	CHECK_EQ_INT(jobspec_passes(job), -1);
	CHECK_EQ_INT(jobspec_start_ms(job, NOW_MS), NOW_MS + 60000);
	json_decref(job);
}

int main(void)
{
	int cases = cases_run("jobspec_cases.txt", run_case);
	CHECK(cases >= 60);
	/* a group's `fleets` (group.h): its own file, read the same way */
	CHECK(cases_run("group_cases.txt", run_case) > 30);
	test_step_count();
	test_times();
	test_format_time_calendar();
	test_refs_and_passes();
	return tap_done();
}
