/* test_trigger_match.c -- which triggers an event fires: event names and
 * logged events (job.state by its state), the `where` keys each event
 * admits and their types, matching by world through the index and by the
 * other keys, paused triggers, removal, the variables an event binds, and
 * 1,000 triggers on distinct worlds where an event looks at one. */
#include <stdlib.h>
#include <string.h>

#include "trigger_match.h"
#include "tap.h"

static struct trig *mk(int64_t id, int ev, const char *where)
{
	char err[200];
	struct trig *t = calloc(1, sizeof *t);
	json_t *w = where ? json_loads(where, 0, NULL) : NULL;
	t->id = id;
	t->event = ev;
	t->job = json_object();
	CHECK(trig_where_parse(ev, w, &t->where, err, sizeof err) == 0);
	json_decref(w);
	return t;
}

struct seen {
	int64_t ids[16];
	int n, calls;
};

static int collect(void *arg, struct trig *t)
{
	struct seen *s = arg;
	s->calls++;
	if (s->n < 16)
		s->ids[s->n++] = t->id;
	return 0;
}

static int has(const struct seen *s, int64_t id)
{
	for (int i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 1;
	return 0;
}

static void test_names(void)
{
	CHECK_EQ_INT(trig_event_of("world.attacked"), TE_WORLD_ATTACKED);
	CHECK_EQ_INT(trig_event_of("job.failed"), TE_JOB_FAILED);
	CHECK_EQ_INT(trig_event_of("fleet.departed"), -1);
	CHECK_EQ_INT(trig_event_of(NULL), -1);
	CHECK(strcmp(trig_event_name(TE_FLEET_SIGHTED), "fleet.sighted") == 0);
	CHECK(trig_event_name(TE_COUNT) == NULL);
	const char *f = "{\"from\":\"running\",\"to\":\"failed\",\"step\":0}";
	const char *ok = "{\"state\":\"succeeded\"}";
	const char *run = "{\"state\":\"running\"}";
	CHECK_EQ_INT(trig_event_of_log("job.state", f, strlen(f)), TE_JOB_FAILED);
	CHECK_EQ_INT(trig_event_of_log("job.state", ok, strlen(ok)), TE_JOB_SUCCEEDED);
	CHECK_EQ_INT(trig_event_of_log("job.state", run, strlen(run)), -1);
	CHECK_EQ_INT(trig_event_of_log("job.state", "{", 1), -1);
	CHECK_EQ_INT(trig_event_of_log("fleet.arrived", "{}", 2), TE_FLEET_ARRIVED);
}

static void test_where_parse(void)
{
	static const struct {
		int ev;
		const char *where;
		const char *err; /* NULL: accepted; else a part of the message */
	} cases[] = {
		{TE_FLEET_ARRIVED, "{\"world\": 5, \"fleet\": 7}", NULL},
		{TE_FLEET_ARRIVED, "{}", NULL},
		{TE_FLEET_ARRIVED, "{\"sovereign\": 5}", "where.sovereign: fleet.arrived events are filtered by world, fleet only"},
		{TE_WORLD_ATTACKED, "{\"fleet\": 5}", "filtered by world only"},
		{TE_FLEET_SIGHTED, "{\"world\": 5, \"sovereign\": 9}", NULL},
		{TE_WORLD_LOST, "{\"world\": \"5\"}", "where.world: must be an id"},
		{TE_WORLD_GAINED, "{\"world\": 0}", "where.world: must be an id"},
		{TE_WORLD_GAINED, "{\"world\": 9007199254740992}", "where.world: must be an id"},
		{TE_WORLD_GAINED, "{\"world\": 1.5}", "where.world: must be an id"},
		{TE_JOB_FAILED, "{\"name\": \"upkeep\", \"trigger\": 3, \"schedule\": 4}", NULL},
		{TE_JOB_FAILED, "{\"name\": \"\"}", "where.name: must be a job name"},
		{TE_JOB_FAILED, "{\"name\": 5}", "where.name: must be a job name"},
		{TE_JOB_SUCCEEDED, "{\"world\": 5}", "filtered by schedule, trigger, name only"},
		{TE_JOB_SUCCEEDED, "[]", "where: must be an object"},
		{TE_FLEET_ARRIVED, "{\"bogus\": 1}", "where.bogus:"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[200] = "";
		struct trig_where w;
		json_t *j = json_loads(cases[i].where, 0, NULL);
		CHECK(j != NULL);
		int rc = trig_where_parse(cases[i].ev, j, &w, err, sizeof err);
		if (cases[i].err) {
			CHECK_EQ_INT(rc, -1);
			if (!strstr(err, cases[i].err))
				fprintf(stderr, "case %zu: got \"%s\"\n", i, err);
			CHECK(strstr(err, cases[i].err) != NULL);
		} else {
			CHECK_EQ_INT(rc, 0);
			trig_where_clear(&w);
		}
		json_decref(j);
	}
}

static void test_match(void)
{
	struct trig_index x;
	trig_index_init(&x);
	CHECK(trig_index_add(&x, mk(1, TE_FLEET_ARRIVED, "{\"world\": 10}")) == 0);
	CHECK(trig_index_add(&x, mk(2, TE_FLEET_ARRIVED, "{\"world\": 10, \"fleet\": 7}")) == 0);
	CHECK(trig_index_add(&x, mk(3, TE_FLEET_ARRIVED, NULL)) == 0);
	CHECK(trig_index_add(&x, mk(4, TE_FLEET_ARRIVED, "{\"fleet\": 8}")) == 0);
	CHECK(trig_index_add(&x, mk(5, TE_WORLD_ATTACKED, "{\"world\": 10}")) == 0);
	CHECK(trig_index_add(&x, mk(6, TE_JOB_FAILED, "{\"name\": \"upkeep\"}")) == 0);
	CHECK(trig_index_add(&x, mk(7, TE_JOB_FAILED, "{\"trigger\": 3}")) == 0);
	CHECK_EQ_INT(trig_index_watching(&x, TE_FLEET_ARRIVED), 4);
	CHECK_EQ_INT(trig_index_watching(&x, TE_WORLD_LOST), 0);

	struct seen s = {0};
	struct trig_facts f = {.world = 10, .fleet = 7};
	trig_index_match(&x, TE_FLEET_ARRIVED, &f, collect, &s);
	CHECK_EQ_INT(s.n, 3);
	CHECK(has(&s, 1) && has(&s, 2) && has(&s, 3));

	memset(&s, 0, sizeof s);
	f = (struct trig_facts){.world = 11, .fleet = 8};
	trig_index_match(&x, TE_FLEET_ARRIVED, &f, collect, &s);
	CHECK_EQ_INT(s.n, 2);
	CHECK(has(&s, 3) && has(&s, 4));

	/* paused: not matched; removed: gone and its world list with it */
	trig_index_get(&x, 3)->paused = 1;
	memset(&s, 0, sizeof s);
	trig_index_match(&x, TE_FLEET_ARRIVED, &f, collect, &s);
	CHECK_EQ_INT(s.n, 1);
	CHECK(has(&s, 4));
	CHECK_EQ_INT(trig_index_remove(&x, 1), 1);
	CHECK_EQ_INT(trig_index_remove(&x, 1), 0);
	CHECK(trig_index_get(&x, 1) == NULL);
	memset(&s, 0, sizeof s);
	f = (struct trig_facts){.world = 10, .fleet = 7};
	trig_index_match(&x, TE_FLEET_ARRIVED, &f, collect, &s);
	CHECK_EQ_INT(s.n, 1);
	CHECK(has(&s, 2));

	/* job events: by name and by the trigger of the job */
	memset(&s, 0, sizeof s);
	f = (struct trig_facts){.job = 99, .name = "upkeep", .trigger = 3};
	trig_index_match(&x, TE_JOB_FAILED, &f, collect, &s);
	CHECK_EQ_INT(s.n, 2);
	memset(&s, 0, sizeof s);
	f = (struct trig_facts){.job = 99};
	trig_index_match(&x, TE_JOB_FAILED, &f, collect, &s);
	CHECK_EQ_INT(s.n, 0);
	memset(&s, 0, sizeof s);
	trig_index_match(&x, TE_JOB_SUCCEEDED, &f, collect, &s);
	CHECK_EQ_INT(s.calls, 0);
	trig_index_clear(&x);
	CHECK_EQ_INT(trig_index_watching(&x, TE_FLEET_ARRIVED), 0);
}

/* 1,000 triggers on 1,000 worlds: an event at one world is handed only
 * that world's trigger and the world-less ones. */
static void test_many(void)
{
	struct trig_index x;
	trig_index_init(&x);
	char w[64];
	for (int i = 1; i <= 1000; i++) {
		snprintf(w, sizeof w, "{\"world\": %d}", 1000 + i);
		CHECK(trig_index_add(&x, mk(i, TE_WORLD_ATTACKED, w)) == 0);
	}
	CHECK(trig_index_add(&x, mk(5000, TE_WORLD_ATTACKED, NULL)) == 0);
	struct seen s = {0};
	struct trig_facts f = {.world = 1500};
	trig_index_match(&x, TE_WORLD_ATTACKED, &f, collect, &s);
	CHECK_EQ_INT(s.calls, 2);
	CHECK(has(&s, 500) && has(&s, 5000));
	memset(&s, 0, sizeof s);
	f.world = 7;
	trig_index_match(&x, TE_WORLD_ATTACKED, &f, collect, &s);
	CHECK_EQ_INT(s.calls, 1);
	trig_index_clear(&x);
}

static void test_vars(void)
{
	const char *d = "{\"world\": 4, \"sovereign\": 2, \"fleet\": 9, \"from\": 3}";
	struct trig_facts f = {0};
	trig_facts_of_data(&f, d, strlen(d));
	CHECK_EQ_INT(f.world, 4);
	CHECK_EQ_INT(f.sovereign, 2);
	CHECK_EQ_INT(f.fleet, 9);
	f.job = 0;
	json_t *v = trig_facts_vars(&f);
	char *text = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	CHECK(strcmp(text, "{\"fleet\":9,\"sovereign\":2,\"world\":4}") == 0);
	free(text);
	json_decref(v);
	const char *n = "{\"world\": null, \"fleet\": -3}";
	trig_facts_of_data(&f, n, strlen(n));
	CHECK_EQ_INT(f.world, 0);
	CHECK_EQ_INT(f.fleet, 0);
	CHECK(trig_event_binds(TE_FLEET_ARRIVED, "fleet"));
	CHECK(!trig_event_binds(TE_WORLD_ATTACKED, "fleet"));
	CHECK(trig_event_binds(TE_FLEET_SIGHTED, "sovereign"));
	CHECK(trig_event_binds(TE_JOB_FAILED, "job"));
	CHECK(!trig_event_binds(TE_JOB_FAILED, "world"));
	CHECK(!trig_event_binds(TE_FLEET_ARRIVED, "job"));
}

int main(void)
{
	test_names();
	test_where_parse();
	test_match();
	test_many();
	test_vars();
	return tap_done();
}
