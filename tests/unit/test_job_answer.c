/* test_job_answer.c -- the job answer written as text parses as JSON and
 * says what the fields say: strings escaped (quotes, controls, UTF-8 kept,
 * invalid bytes replaced), nulls where a field does not apply, every wait
 * kind (and one it does not know), the spec's parts copied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_answer.h"
#include "step.h"
#include "tap.h"

static json_t *answer(const struct job_view *v)
{
	struct textbuf t = {0};
	job_answer_write(&t, v);
	size_t len = 0;
	char *text = textbuf_take(&t, &len);
	CHECK(text != NULL && strlen(text) == len);
	json_error_t err;
	json_t *o = text ? json_loads(text, 0, &err) : NULL;
	if (!o)
		fprintf(stderr, "not JSON: %s (%s)\n", text ? text : "(null)", err.text);
	free(text);
	return o;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static int is_null(const json_t *o, const char *k)
{
	return json_is_null(json_object_get(o, k));
}

static void test_escaping(void)
{
	json_t *spec = json_pack("{s:[{s:s,s:i}]}", "steps", "op", "wait", "seconds", 5);
	/* quote, backslash, newline, tab, a control byte, é, a 4-byte emoji,
	 * then a lone continuation byte and a cut 3-byte sequence */
	const char *name = "a\"b\\c\nd\te\x01" "f\xc3\xa9g\xf0\x9f\x9a\x80h\x80i\xe2\x82";
	struct job_view v = {.id = 7, .name = name, .state = "succeeded", .spec = spec,
			     .last_error = "game error: \"no\"", .created_at = 1};
	json_t *o = answer(&v);
	CHECK(o != NULL);
	CHECK(o && strcmp(str(o, "name"),
			  "a\"b\\c\nd\te\x01" "f\xc3\xa9g\xf0\x9f\x9a\x80h\xef\xbf\xbdi"
			  "\xef\xbf\xbd\xef\xbf\xbd") == 0);
	CHECK(o && strcmp(str(o, "last_error"), "game error: \"no\"") == 0);
	json_decref(o);
	json_decref(spec);
}

static void test_live_and_waits(void)
{
	json_t *spec = json_pack("{s:[{s:s,s:i},{s:s,s:i}],s:i,s:s,s:i}", "steps", "op", "move",
				 "to", 3, "op", "wait", "seconds", 9, "repeat", 4, "start_at",
				 "2026-01-02T03:04:05Z", "delay_seconds", 60);
	struct job_view v = {
		.id = 12, .fleet = 500, .state = "waiting", .step = 0, .sub_state = "MOVING",
		.step_data = "{\"dest\":3}", .iteration = 2, .attempts = 1,
		.wake_at = 1767225600123, .created_at = 1767225600000,
		.updated_at = 1767225600001, .started_at = 1767225600002, .live = 1,
		.waiting = 1, .spec = spec,
	};
	static const struct {
		int kind;
		const char *name, *k1, *k2;
	} kinds[] = {
		{WAIT_ANCHORED, "anchored", "fleet", "world"},
		{WAIT_BATTLE, "battle_over", "world", NULL},
		{WAIT_WATCH, "watch", "watch", NULL},
		{WAIT_FLEET, "fleet", "fleet", NULL},
		{WAIT_READY, "mirror_ready", NULL, NULL},
		{WAIT_COND, "cond", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		v.wait_kind = kinds[i].kind;
		v.wait_key = 500;
		v.wait_arg = 3;
		json_t *o = answer(&v);
		const json_t *w = json_object_get(o, "wait");
		CHECK(o && w && strcmp(str(w, "kind"), kinds[i].name) == 0);
		if (kinds[i].k1)
			CHECK_EQ_INT(num(w, kinds[i].k1), 500);
		if (kinds[i].k2)
			CHECK_EQ_INT(num(w, kinds[i].k2), 3);
		CHECK_EQ_INT(json_object_size(w), 1 + !!kinds[i].k1 + !!kinds[i].k2);
		json_decref(o);
	}
	v.wait_kind = WAIT_NONE; /* a timed wait: no condition */
	json_t *o = answer(&v);
	CHECK(o != NULL);
	if (!o) {
		json_decref(spec);
		return;
	}
	CHECK(is_null(o, "wait"));
	CHECK_EQ_INT(num(o, "id"), 12);
	CHECK(is_null(o, "name"));
	CHECK_EQ_INT(num(o, "fleet"), 500);
	CHECK(strcmp(str(o, "state"), "waiting") == 0);
	CHECK(strcmp(str(o, "step_op"), "move") == 0);
	CHECK(strcmp(str(o, "sub_state"), "MOVING") == 0);
	CHECK_EQ_INT(num(json_object_get(o, "step_data"), "dest"), 3);
	CHECK_EQ_INT(num(o, "iteration"), 2);
	CHECK_EQ_INT(num(o, "repeat"), 4);
	CHECK(json_equal(json_object_get(o, "steps"), json_object_get(spec, "steps")));
	CHECK(strcmp(str(o, "wake_at"), "2026-01-01T00:00:00.123Z") == 0);
	CHECK(strcmp(str(o, "created_at"), "2026-01-01T00:00:00.000Z") == 0);
	CHECK(strcmp(str(o, "started_at"), "2026-01-01T00:00:00.002Z") == 0);
	CHECK(is_null(o, "finished_at"));
	CHECK(is_null(o, "last_error"));
	CHECK_EQ_INT(num(o, "attempts"), 1);
	CHECK(strcmp(str(o, "start_at"), "2026-01-02T03:04:05Z") == 0);
	CHECK_EQ_INT(num(o, "delay_seconds"), 60);
	CHECK(json_object_get(o, "paused_from") == NULL);
	json_decref(o);
	json_decref(spec);
}

static void test_ended_and_paused(void)
{
	json_t *spec = json_pack("{s:[{s:s,s:i}]}", "steps", "op", "wait", "seconds", 5);
	/* ended, past the last step: what only a live job has is null */
	struct job_view v = {.id = 3, .state = "failed", .step = 1, .sub_state = "START",
			     .step_data = "{}", .wake_at = 99, .wait_kind = WAIT_WATCH,
			     .finished_at = 1000, .spec = spec};
	json_t *o = answer(&v);
	CHECK(o != NULL);
	if (o) {
		CHECK(is_null(o, "fleet"));
		CHECK(is_null(o, "step_op"));
		CHECK(is_null(o, "sub_state"));
		CHECK(is_null(o, "step_data"));
		CHECK(is_null(o, "wake_at"));
		CHECK(is_null(o, "wait"));
		CHECK(json_is_false(json_object_get(o, "repeat")));
		CHECK(strcmp(str(o, "finished_at"), "1970-01-01T00:00:01.000Z") == 0);
		CHECK(json_object_get(o, "start_at") == NULL);
	}
	json_decref(o);
	/* paused: says what it was paused from */
	v = (struct job_view){.id = 4, .state = "paused", .paused_from = "waiting",
			      .sub_state = "START", .step_data = "{}", .live = 1,
			      .paused = 1, .spec = spec};
	o = answer(&v);
	CHECK(o && strcmp(str(o, "paused_from"), "waiting") == 0);
	CHECK(o && is_null(o, "wait"));
	json_decref(o);
	/* no spec at all (an unreadable row) still gives JSON */
	v = (struct job_view){.id = 5, .state = "queued", .live = 1};
	o = answer(&v);
	CHECK(o && json_array_size(json_object_get(o, "steps")) == 0);
	json_decref(o);
	json_decref(spec);
}

/* The waits without a key: a group's parent, a take's queue (named when
 * the name needs no escape), and a kind the answer does not know. */
static void test_keyless_waits(void)
{
	json_t *spec = json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "steps", "op", "take", "queue",
				 "jobs-1", "op", "take", "queue", "bad\"name");
	struct job_view v = {.id = 3, .state = "waiting", .live = 1, .waiting = 1,
			     .spec = spec, .wait_key = 77, .wait_arg = 8};
	static const struct {
		int kind, step;
		const char *name, *queue;
	} cases[] = {
		{WAIT_CHILDREN, 0, "children", NULL},
		{WAIT_QUEUE, 0, "queue", "jobs-1"},
		{WAIT_QUEUE, 1, "queue", NULL},
		{WAIT_KIND_COUNT, 0, "mirror_ready", NULL},
		{-2, 0, "mirror_ready", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v.wait_kind = cases[i].kind;
		v.step = cases[i].step;
		json_t *o = answer(&v);
		const json_t *w = json_object_get(o, "wait");
		CHECK(o && w && strcmp(str(w, "kind"), cases[i].name) == 0);
		CHECK_EQ_INT(json_object_size(w), 1 + !!cases[i].queue);
		if (cases[i].queue)
			CHECK(str(w, "queue") && strcmp(str(w, "queue"), cases[i].queue) == 0);
		json_decref(o);
	}
	json_decref(spec);
}

int main(void)
{
	test_escaping();
	test_live_and_waits();
	test_keyless_waits();
	test_ended_and_paused();
	return tap_done();
}
