/* test_sched_time.c -- the firing arithmetic and the catch-up rule
 * (sched_time.h), and the check of a schedule's own fields
 * (schedules_parse), table-driven. */
#include <string.h>

#include "sched_time.h"
#include "schedules.h"
#include "tap.h"

struct plan_case {
	const char *what;
	int64_t base, every, next, now, grace;
	int one;
	int64_t missed_from, missed_through, run, after;
};

#define NONE_MISSED(n) (n), (n) - 1

static const struct plan_case plans[] = {
	/* every watch: base 10 */
	{"not yet due", 10, 1, 0, 9, 1, 1, NONE_MISSED(0), -1, 0},
	{"first firing, on time", 10, 1, 0, 10, 1, 1, NONE_MISSED(0), 0, 1},
	{"already fired this watch", 10, 1, 1, 10, 1, 1, NONE_MISSED(1), -1, 1},
	{"next watch", 10, 1, 1, 11, 1, 1, NONE_MISSED(1), 1, 2},
	{"down 3 watches, one", 10, 1, 1, 14, 1, 1, 1, 3, 4, 5},
	{"down 3 watches, none: the current watch is on time", 10, 1, 1, 14, 1, 0, 1, 3,
	 4, 5},
	/* every 5 watches from 0: firing 1 at watch 5 */
	{"late by 2 watches, one", 0, 5, 1, 7, 1, 1, NONE_MISSED(1), 1, 2},
	{"late by 2 watches, none", 0, 5, 1, 7, 1, 0, 1, 1, -1, 2},
	{"two due, both late, one", 0, 5, 1, 12, 1, 1, 1, 1, 2, 3},
	{"two due, both late, none", 0, 5, 1, 12, 1, 0, 1, 2, -1, 3},
	/* every 10 s (ms), grace 10 s */
	{"seconds, on time", 1000, 10000, 0, 1000, 10000, 0, NONE_MISSED(0), 0, 1},
	{"seconds, 9.9 s late is on time", 1000, 10000, 0, 10900, 10000, 0,
	 NONE_MISSED(0), 0, 1},
	{"seconds, a day down, one", 0, 10000, 3, 86400005, 10000, 1, 3, 8639, 8640,
	 8641},
	{"seconds, a day down, none: the last is on time", 0, 10000, 3, 86400005,
	 10000, 0, 3, 8639, 8640, 8641},
	/* hourly, grace 60 s */
	{"hourly, 2 min late, one", 0, 3600000, 1, 3720000, 60000, 1, NONE_MISSED(1), 1, 2},
	{"hourly, 2 min late, none", 0, 3600000, 1, 3720000, 60000, 0, 1, 1, -1, 2},
	{"hourly, 30 s late, none", 0, 3600000, 1, 3630000, 60000, 0, NONE_MISSED(1), 1, 2},
};

static void test_plans(void)
{
	for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		const struct plan_case *c = &plans[i];
		struct sched_plan p;
		sched_plan(c->base, c->every, c->next, c->now, c->grace, c->one, &p);
		int ok = p.missed_from == c->missed_from &&
			 p.missed_through == c->missed_through && p.run == c->run &&
			 p.next == c->after;
		if (!ok)
			fprintf(stderr, "%s: missed %lld..%lld run %lld next %lld\n", c->what,
				(long long)p.missed_from, (long long)p.missed_through,
				(long long)p.run, (long long)p.next);
		CHECK(ok);
	}
}

static void test_arithmetic(void)
{
	CHECK_EQ_INT(sched_due(100, 7, 3), 121);
	CHECK_EQ_INT(sched_due(0, INT64_MAX / 2, 3), INT64_MAX); /* saturates */
	CHECK_EQ_INT(sched_last_due(100, 7, 99), -1);
	CHECK_EQ_INT(sched_last_due(100, 7, 100), 0);
	CHECK_EQ_INT(sched_last_due(100, 7, 120), 2);
	CHECK_EQ_INT(sched_last_due(100, 7, 121), 3);
	/* a future start is the base; a past one only sets the phase */
	CHECK_EQ_INT(sched_first_base(5000, 1000, 1200), 5000);
	CHECK_EQ_INT(sched_first_base(0, 3600000, 3600000 * 5 + 1), 3600000 * 6);
	CHECK_EQ_INT(sched_first_base(0, 3600000, 3600000 * 5), 3600000 * 5);
	CHECK_EQ_INT(sched_grace(1, 3), SCHED_GRACE_WATCHES);
	CHECK_EQ_INT(sched_grace(0, 5000), 5000);
	CHECK_EQ_INT(sched_grace(0, 3600000), SCHED_GRACE_MS);
}

struct parse_case {
	const char *body; /* NULL ends */
	const char *error; /* a prefix of the message, NULL when accepted */
};

static const struct parse_case parses[] = {
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{}}", NULL},
	{"{\"name\":\"a\",\"every\":{\"seconds\":60},\"job\":{},\"overlap\":\"allow\","
	 "\"catch_up\":\"none\",\"start_at\":\"2026-01-01T00:00:00Z\"}", NULL},
	{"[]", "(body): must be a JSON object"},
	{"{\"every\":{\"watches\":1},\"job\":{}}", "name: is required"},
	{"{\"name\":\"\",\"every\":{\"watches\":1},\"job\":{}}", "name: must be"},
	{"{\"name\":7,\"every\":{\"watches\":1},\"job\":{}}", "name: must be"},
	{"{\"name\":\"a\",\"job\":{}}", "every: is required"},
	{"{\"name\":\"a\",\"every\":{},\"job\":{}}", "every: must be"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1,\"seconds\":2},\"job\":{}}", "every: must be"},
	{"{\"name\":\"a\",\"every\":{\"hours\":1},\"job\":{}}", "every: must be"},
	{"{\"name\":\"a\",\"every\":{\"watches\":0},\"job\":{}}", "every.watches: must be"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1.5},\"job\":{}}", "every.watches: must be"},
	{"{\"name\":\"a\",\"every\":{\"seconds\":\"60\"},\"job\":{}}", "every.seconds: must be"},
	{"{\"name\":\"a\",\"every\":{\"seconds\":99999999999},\"job\":{}}", "every.seconds: must be"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1}}", "job: is required"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":[]}", "job: must be"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{\"start_at\":\"x\"}}",
	 "job.start_at: a schedule's job"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{\"fleets\":[1,2]}}",
	 "job.fleets: a schedule's job may not be a group"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{},\"overlap\":\"queue\"}",
	 "overlap: must be"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{},\"catch_up\":true}",
	 "catch_up: must be"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{},\"start_at\":\"soon\"}",
	 "start_at: must be an RFC 3339"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{},\"start_at\":\"2099-01-01T00:00:00Z\"}",
	 "start_at: must be within a year"},
	{"{\"name\":\"a\",\"every\":{\"watches\":1},\"job\":{},\"colour\":1}", "colour: unknown field"},
	{NULL, NULL},
};

static void test_parse(void)
{
	int64_t now = 1780000000000; /* 2026-05-28 */
	for (const struct parse_case *c = parses; c->body; c++) {
		char err[300] = "";
		struct sched_def d;
		json_t *body = json_loads(c->body, JSON_DECODE_ANY, NULL);
		int rc = schedules_parse(body, now, &d, err, sizeof err);
		int ok = c->error ? rc < 0 && strncmp(err, c->error, strlen(c->error)) == 0
				  : rc == 0;
		if (!ok)
			fprintf(stderr, "%s: rc %d, %s\n", c->body, rc, err);
		CHECK(ok);
		json_decref(body);
	}
	json_t *b = json_loads("{\"name\":\"a\",\"every\":{\"seconds\":90},\"job\":{}}", 0, NULL);
	struct sched_def d;
	char err[300];
	CHECK(schedules_parse(b, now, &d, err, sizeof err) == 0);
	CHECK_EQ_INT(d.every, 90000);
	CHECK_EQ_INT(d.watches, 0);
	CHECK_EQ_INT(d.start_at, now);
	CHECK_EQ_INT(d.overlap_skip, 1);
	CHECK_EQ_INT(d.catch_up_one, 1);
	json_decref(b);
}

int main(void)
{
	test_arithmetic();
	test_plans();
	test_parse();
	return tap_done();
}
