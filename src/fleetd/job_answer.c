/* job_answer.c -- see job_answer.h.  Owns the text of a job's answer;
 * must not read the database or the engine's records (the caller hands it
 * a job_view). */
#include "job_answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_row.h"
#include "json_canon.h"
#include "jobspec.h"
#include "queue.h"
#include "step.h"

/* A literal's bytes, its length known at compile time. */
#define put_lit(t, s) textbuf_put((t), (s), sizeof(s) - 1)

/* A part of the spec as stored: its canonical text (json_canon.h). */
static void put_json(struct textbuf *t, const json_t *v)
{
	size_t at = t->len;
	if (!v || json_canon_put(t, v) < 0) {
		if (t->p && !t->oom) { /* a refused value may have written part */
			t->len = at;
			t->p[at] = 0;
		}
		put_lit(t, "null");
	}
}

/* --- the answer ----------------------------------------------------------- */

/* A member's name with its punctuation (`,"name":`), made from a
 * literal at compile time: every answer writes some thirty of them. */
struct key_lit {
	const char *text;
	size_t len;
};
#define KEY_INIT(name) {",\"" name "\":", sizeof(",\"" name "\":") - 1}
#define K(name) ((struct key_lit)KEY_INIT(name))

static void key(struct textbuf *t, struct key_lit k)
{
	textbuf_put(t, k.text, k.len);
}

static void opt_str(struct textbuf *t, struct key_lit k, const char *v)
{
	key(t, k);
	if (v)
		textbuf_json_str(t, v, strlen(v));
	else
		put_lit(t, "null");
}

/* The last time written, quoted: a new job's created_at, updated_at and
 * started_at are one instant, written once. */
struct time_memo {
	int64_t ms;
	size_t len;
	char text[48];
};

static void opt_time(struct textbuf *t, struct key_lit k, int64_t ms, struct time_memo *m)
{
	key(t, k);
	if (!ms) {
		put_lit(t, "null");
		return;
	}
	if (ms != m->ms || !m->len) {
		m->text[0] = '"';
		jobspec_format_time(ms, m->text + 1, sizeof m->text - 2);
		m->len = strlen(m->text);
		m->text[m->len++] = '"';
		m->ms = ms;
	}
	textbuf_put(t, m->text, m->len);
}

static void int_field(struct textbuf *t, struct key_lit k, int64_t v)
{
	key(t, k);
	textbuf_int(t, v);
}

/* What the answer's "wait" says of each kind: its name, and the members
 * its key and arg are shown as (length 0: not shown).  A kind without a
 * row reads as mirror_ready. */
#define KIND_INIT(name) {"{\"kind\":\"" name "\"", sizeof("{\"kind\":\"" name "\"") - 1}
static const struct {
	struct key_lit kind, key, arg;
} WAIT_ANSWER[WAIT_KIND_COUNT] = {
	[WAIT_ANCHORED] = {KIND_INIT("anchored"), KEY_INIT("fleet"), KEY_INIT("world")},
	[WAIT_BATTLE] = {KIND_INIT("battle_over"), KEY_INIT("world"), {0}},
	[WAIT_WATCH] = {KIND_INIT("watch"), KEY_INIT("watch"), {0}},
	[WAIT_READY] = {KIND_INIT("mirror_ready"), {0}, {0}},
	[WAIT_FLEET] = {KIND_INIT("fleet"), KEY_INIT("fleet"), {0}},
	[WAIT_COND] = {KIND_INIT("cond"), {0}, {0}},         /* the current step's `until` */
	[WAIT_CHILDREN] = {KIND_INIT("children"), {0}, {0}}, /* a group's parent */
	[WAIT_QUEUE] = {KIND_INIT("queue"), {0}, {0}},       /* and the queue, below */
};

/* The queue a take waits on, by name, when the name needs no escape. */
static void queue_field(struct textbuf *t, const struct job_view *v)
{
	const char *q = json_string_value(json_object_get(
		json_array_get(json_object_get(v->spec, "steps"), (size_t)v->step), "queue"));
	if (q && queue_name_ok(q, strlen(q))) { /* no character to escape */
		key(t, K("queue"));
		put_lit(t, "\"");
		textbuf_puts(t, q);
		put_lit(t, "\"");
	}
}

static void wait_field(struct textbuf *t, const struct job_view *v)
{
	key(t, K("wait"));
	if (!v->live || !v->waiting || v->wait_kind == WAIT_NONE) {
		put_lit(t, "null");
		return;
	}
	int k = v->wait_kind;
	if (k <= WAIT_NONE || k >= WAIT_KIND_COUNT || !WAIT_ANSWER[k].kind.len)
		k = WAIT_READY;
	textbuf_put(t, WAIT_ANSWER[k].kind.text, WAIT_ANSWER[k].kind.len);
	if (WAIT_ANSWER[k].key.len)
		int_field(t, WAIT_ANSWER[k].key, v->wait_key);
	if (WAIT_ANSWER[k].arg.len)
		int_field(t, WAIT_ANSWER[k].arg, v->wait_arg);
	if (k == WAIT_QUEUE)
		queue_field(t, v);
	textbuf_put(t, "}", 1);
}

/* A parent's "fleets" as submitted, "children": [ids] and
 * "children_states": {"state": n} (the states none of them is in are left
 * out). */
static void group_fields(struct textbuf *t, const struct job_view *v)
{
	key(t, K("fleets")); /* as submitted: the list, or the filter */
	put_json(t, json_object_get(v->spec, "fleets"));
	key(t, K("children"));
	textbuf_put(t, "[", 1);
	for (size_t i = 0; i < v->nchildren; i++) {
		if (i)
			textbuf_put(t, ",", 1);
		textbuf_int(t, v->children[i]);
	}
	textbuf_put(t, "]", 1);
	key(t, K("children_states"));
	textbuf_put(t, "{", 1);
	const char *sep = "";
	for (int s = 0; s < JOB_STATE_COUNT; s++) {
		if (!v->child_states[s])
			continue;
		textbuf_puts(t, sep);
		textbuf_json_str(t, job_state_name(s), strlen(job_state_name(s)));
		textbuf_put(t, ":", 1);
		textbuf_int(t, (int64_t)v->child_states[s]);
		sep = ",";
	}
	textbuf_put(t, "}", 1);
}

/* An id, or null for 0. */
static void id_or_null(struct textbuf *t, struct key_lit name, int64_t id)
{
	key(t, name);
	if (id)
		textbuf_int(t, id);
	else
		put_lit(t, "null");
}

void job_answer_write(struct textbuf *t, const struct job_view *v)
{
	struct time_memo tm = {.len = 0};
	const json_t *steps = json_object_get(v->spec, "steps");
	const json_t *rep = json_object_get(v->spec, "repeat");
	const json_t *step = json_array_get(steps, (size_t)v->step);
	put_lit(t, "{\"id\":");
	textbuf_int(t, v->id);
	opt_str(t, K("name"), v->name);
	key(t, K("fleet"));
	if (v->fleet)
		textbuf_int(t, v->fleet);
	else
		put_lit(t, "null");
	if (v->world)
		int_field(t, K("world"), v->world);
	if (v->parent)
		int_field(t, K("parent"), v->parent);
	if (v->child_states)
		group_fields(t, v);
	opt_str(t, K("state"), v->state);
	id_or_null(t, K("retry_of"), v->retry_of);
	id_or_null(t, K("schedule"), v->schedule);
	id_or_null(t, K("trigger"), v->trigger);
	int_field(t, K("step"), v->step);
	opt_str(t, K("step_op"), step ? jobspec_op_name(jobspec_step_op(step)) : NULL);
	opt_str(t, K("sub_state"), v->live ? v->sub_state : NULL);
	key(t, K("step_data"));
	textbuf_puts(t, v->live && v->step_data ? v->step_data : "null");
	int_field(t, K("iteration"), v->iteration);
	key(t, K("repeat"));
	put_json(t, rep ? rep : json_false());
	key(t, K("steps"));
	if (steps)
		put_json(t, steps);
	else
		put_lit(t, "[]");
	const json_t *until = json_object_get(v->spec, "until");
	if (until) {
		key(t, K("until"));
		put_json(t, until);
	}
	key(t, K("vars"));
	textbuf_puts(t, v->vars ? v->vars : "{}");
	opt_time(t, K("wake_at"), v->live ? v->wake_at : 0, &tm);
	wait_field(t, v);
	int_field(t, K("attempts"), v->attempts);
	opt_str(t, K("last_error"), v->last_error);
	opt_time(t, K("created_at"), v->created_at, &tm);
	opt_time(t, K("updated_at"), v->updated_at, &tm);
	opt_time(t, K("started_at"), v->started_at, &tm);
	opt_time(t, K("finished_at"), v->finished_at, &tm);
	if (v->paused)
		opt_str(t, K("paused_from"), v->paused_from);
	const json_t *sa = json_object_get(v->spec, "start_at");
	const json_t *ds = json_object_get(v->spec, "delay_seconds");
	if (sa) {
		key(t, K("start_at"));
		put_json(t, sa);
	}
	if (ds) {
		key(t, K("delay_seconds"));
		put_json(t, ds);
	}
	textbuf_put(t, "}", 1);
}
