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

/* A part of the spec as stored: its canonical text (json_canon.h). */
static void put_json(struct textbuf *t, const json_t *v)
{
	size_t at = t->len;
	if (!v || json_canon_put(t, v) < 0) {
		if (t->p && !t->oom) { /* a refused value may have written part */
			t->len = at;
			t->p[at] = 0;
		}
		textbuf_puts(t, "null");
	}
}

/* --- the answer ----------------------------------------------------------- */

static void key(struct textbuf *t, const char *k)
{
	textbuf_put(t, ",\"", 2);
	textbuf_puts(t, k);
	textbuf_put(t, "\":", 2);
}

static void opt_str(struct textbuf *t, const char *k, const char *v)
{
	key(t, k);
	if (v)
		textbuf_json_str(t, v, strlen(v));
	else
		textbuf_puts(t, "null");
}

static void opt_time(struct textbuf *t, const char *k, int64_t ms)
{
	key(t, k);
	if (!ms) {
		textbuf_puts(t, "null");
		return;
	}
	char b[48];
	b[0] = '"';
	jobspec_format_time(ms, b + 1, sizeof b - 2);
	strcat(b, "\"");
	textbuf_puts(t, b);
}

static void int_field(struct textbuf *t, const char *k, int64_t v)
{
	key(t, k);
	textbuf_int(t, v);
}

static void wait_field(struct textbuf *t, const struct job_view *v)
{
	key(t, "wait");
	if (!v->live || !v->waiting || v->wait_kind == WAIT_NONE) {
		textbuf_puts(t, "null");
		return;
	}
	switch (v->wait_kind) {
	case WAIT_ANCHORED:
		textbuf_puts(t, "{\"kind\":\"anchored\"");
		int_field(t, "fleet", v->wait_key);
		int_field(t, "world", v->wait_arg);
		break;
	case WAIT_BATTLE:
		textbuf_puts(t, "{\"kind\":\"battle_over\"");
		int_field(t, "world", v->wait_key);
		break;
	case WAIT_WATCH:
		textbuf_puts(t, "{\"kind\":\"watch\"");
		int_field(t, "watch", v->wait_key);
		break;
	case WAIT_FLEET:
		textbuf_puts(t, "{\"kind\":\"fleet\"");
		int_field(t, "fleet", v->wait_key);
		break;
	case WAIT_COND: /* the condition is the current step's `until` */
		textbuf_puts(t, "{\"kind\":\"cond\"");
		break;
	case WAIT_CHILDREN: /* a group's parent (its `children`) */
		textbuf_puts(t, "{\"kind\":\"children\"");
		break;
	case WAIT_QUEUE: { /* the current step's (a take's) queue */
		const char *q = json_string_value(json_object_get(
			json_array_get(json_object_get(v->spec, "steps"), (size_t)v->step), "queue"));
		textbuf_puts(t, "{\"kind\":\"queue\"");
		if (q && queue_name_ok(q, strlen(q))) { /* no character to escape */
			key(t, "queue");
			textbuf_puts(t, "\"");
			textbuf_puts(t, q);
			textbuf_puts(t, "\"");
		}
		break;
	}
	default:
		textbuf_puts(t, "{\"kind\":\"mirror_ready\"");
		break;
	}
	textbuf_put(t, "}", 1);
}

/* A parent's "fleets" as submitted, "children": [ids] and
 * "children_states": {"state": n} (the states none of them is in are left
 * out). */
static void group_fields(struct textbuf *t, const struct job_view *v)
{
	key(t, "fleets"); /* as submitted: the list, or the filter */
	put_json(t, json_object_get(v->spec, "fleets"));
	key(t, "children");
	textbuf_put(t, "[", 1);
	for (size_t i = 0; i < v->nchildren; i++) {
		if (i)
			textbuf_put(t, ",", 1);
		textbuf_int(t, v->children[i]);
	}
	textbuf_put(t, "]", 1);
	key(t, "children_states");
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
static void id_or_null(struct textbuf *t, const char *name, int64_t id)
{
	key(t, name);
	if (id)
		textbuf_int(t, id);
	else
		textbuf_puts(t, "null");
}

void job_answer_write(struct textbuf *t, const struct job_view *v)
{
	const json_t *steps = json_object_get(v->spec, "steps");
	const json_t *rep = json_object_get(v->spec, "repeat");
	const json_t *step = json_array_get(steps, (size_t)v->step);
	textbuf_puts(t, "{\"id\":");
	textbuf_int(t, v->id);
	opt_str(t, "name", v->name);
	key(t, "fleet");
	if (v->fleet)
		textbuf_int(t, v->fleet);
	else
		textbuf_puts(t, "null");
	if (v->world)
		int_field(t, "world", v->world);
	if (v->parent)
		int_field(t, "parent", v->parent);
	if (v->child_states)
		group_fields(t, v);
	opt_str(t, "state", v->state);
	id_or_null(t, "retry_of", v->retry_of);
	id_or_null(t, "schedule", v->schedule);
	id_or_null(t, "trigger", v->trigger);
	int_field(t, "step", v->step);
	opt_str(t, "step_op", step ? jobspec_op_name(jobspec_step_op(step)) : NULL);
	opt_str(t, "sub_state", v->live ? v->sub_state : NULL);
	key(t, "step_data");
	textbuf_puts(t, v->live && v->step_data ? v->step_data : "null");
	int_field(t, "iteration", v->iteration);
	key(t, "repeat");
	put_json(t, rep ? rep : json_false());
	key(t, "steps");
	if (steps)
		put_json(t, steps);
	else
		textbuf_puts(t, "[]");
	const json_t *until = json_object_get(v->spec, "until");
	if (until) {
		key(t, "until");
		put_json(t, until);
	}
	key(t, "vars");
	textbuf_puts(t, v->vars ? v->vars : "{}");
	opt_time(t, "wake_at", v->live ? v->wake_at : 0);
	wait_field(t, v);
	int_field(t, "attempts", v->attempts);
	opt_str(t, "last_error", v->last_error);
	opt_time(t, "created_at", v->created_at);
	opt_time(t, "updated_at", v->updated_at);
	opt_time(t, "started_at", v->started_at);
	opt_time(t, "finished_at", v->finished_at);
	if (v->paused)
		opt_str(t, "paused_from", v->paused_from);
	const json_t *sa = json_object_get(v->spec, "start_at");
	const json_t *ds = json_object_get(v->spec, "delay_seconds");
	if (sa) {
		key(t, "start_at");
		put_json(t, sa);
	}
	if (ds) {
		key(t, "delay_seconds");
		put_json(t, ds);
	}
	textbuf_put(t, "}", 1);
}
