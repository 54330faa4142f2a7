/* job_answer.c -- see job_answer.h.  Owns the text of a job's answer;
 * must not read the database or the engine's records (the caller hands it
 * a job_view). */
#include "job_answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobspec.h"
#include "step.h"

/* --- the growing text ----------------------------------------------------- */

static int jtext_reserve(struct jtext *t, size_t n)
{
	if (t->oom)
		return -1;
	if (t->len + n + 1 <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : 512;
	while (cap < t->len + n + 1)
		cap *= 2;
	char *p = realloc(t->p, cap);
	if (!p) {
		t->oom = 1;
		return -1;
	}
	t->p = p;
	t->cap = cap;
	return 0;
}

void jtext_put(struct jtext *t, const char *s, size_t n)
{
	if (jtext_reserve(t, n) < 0)
		return;
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

void jtext_puts(struct jtext *t, const char *s)
{
	jtext_put(t, s, strlen(s));
}

void jtext_int(struct jtext *t, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", (long long)v);
	jtext_put(t, b, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	uint32_t min, cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		need = 2, min = 0x80, cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 3, min = 0x800, cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 4, min = 0x10000, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

void jtext_str(struct jtext *t, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), run = 0;
	jtext_put(t, "\"", 1);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(s + i, n - i);
		if (k && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\') {
			i += k;
			run += k;
			continue;
		}
		jtext_put(t, (const char *)s + i - run, run);
		run = 0;
		char esc[8];
		if (!k)
			jtext_puts(t, "\\ufffd");
		else if (s[i] == '"' || s[i] == '\\')
			esc[0] = '\\', esc[1] = (char)s[i], jtext_put(t, esc, 2);
		else if (s[i] == '\n')
			jtext_puts(t, "\\n");
		else if (s[i] == '\t')
			jtext_puts(t, "\\t");
		else if (s[i] == '\r')
			jtext_puts(t, "\\r");
		else
			snprintf(esc, sizeof esc, "\\u%04x", s[i]), jtext_puts(t, esc);
		i++;
	}
	jtext_put(t, (const char *)s + n - run, run);
	jtext_put(t, "\"", 1);
}

char *jtext_take(struct jtext *t, size_t *len)
{
	if (t->oom || jtext_reserve(t, 0) < 0) {
		jtext_free(t);
		return NULL;
	}
	char *p = t->p;
	if (len)
		*len = t->len;
	t->p = NULL;
	t->len = t->cap = 0;
	return p;
}

void jtext_free(struct jtext *t)
{
	free(t->p);
	memset(t, 0, sizeof *t);
}

static int jtext_dump_cb(const char *buf, size_t size, void *arg)
{
	jtext_put(arg, buf, size);
	return 0;
}

static void jtext_json(struct jtext *t, const json_t *v)
{
	if (!v || json_dump_callback(v, jtext_dump_cb, t,
				    JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) < 0)
		jtext_puts(t, "null");
}

/* --- the answer ----------------------------------------------------------- */

static void key(struct jtext *t, const char *k)
{
	jtext_put(t, ",\"", 2);
	jtext_puts(t, k);
	jtext_put(t, "\":", 2);
}

static void opt_str(struct jtext *t, const char *k, const char *v)
{
	key(t, k);
	if (v)
		jtext_str(t, v);
	else
		jtext_puts(t, "null");
}

static void opt_time(struct jtext *t, const char *k, int64_t ms)
{
	key(t, k);
	if (!ms) {
		jtext_puts(t, "null");
		return;
	}
	char b[48];
	b[0] = '"';
	jobspec_format_time(ms, b + 1, sizeof b - 2);
	strcat(b, "\"");
	jtext_puts(t, b);
}

static void int_field(struct jtext *t, const char *k, int64_t v)
{
	key(t, k);
	jtext_int(t, v);
}

static void wait_field(struct jtext *t, const struct job_view *v)
{
	key(t, "wait");
	if (!v->live || !v->waiting || v->wait_kind == WAIT_NONE) {
		jtext_puts(t, "null");
		return;
	}
	switch (v->wait_kind) {
	case WAIT_ANCHORED:
		jtext_puts(t, "{\"kind\":\"anchored\"");
		int_field(t, "fleet", v->wait_key);
		int_field(t, "world", v->wait_arg);
		break;
	case WAIT_BATTLE:
		jtext_puts(t, "{\"kind\":\"battle_over\"");
		int_field(t, "world", v->wait_key);
		break;
	case WAIT_WATCH:
		jtext_puts(t, "{\"kind\":\"watch\"");
		int_field(t, "watch", v->wait_key);
		break;
	case WAIT_FLEET:
		jtext_puts(t, "{\"kind\":\"fleet\"");
		int_field(t, "fleet", v->wait_key);
		break;
	default:
		jtext_puts(t, "{\"kind\":\"mirror_ready\"");
		break;
	}
	jtext_put(t, "}", 1);
}

void job_answer_write(struct jtext *t, const struct job_view *v)
{
	const json_t *steps = json_object_get(v->spec, "steps");
	const json_t *rep = json_object_get(v->spec, "repeat");
	const json_t *step = json_array_get(steps, (size_t)v->step);
	jtext_puts(t, "{\"id\":");
	jtext_int(t, v->id);
	opt_str(t, "name", v->name);
	key(t, "fleet");
	if (v->fleet)
		jtext_int(t, v->fleet);
	else
		jtext_puts(t, "null");
	opt_str(t, "state", v->state);
	int_field(t, "step", v->step);
	opt_str(t, "step_op", step ? jobspec_op_name(jobspec_step_op(step)) : NULL);
	opt_str(t, "sub_state", v->live ? v->sub_state : NULL);
	key(t, "step_data");
	jtext_puts(t, v->live && v->step_data ? v->step_data : "null");
	int_field(t, "iteration", v->iteration);
	key(t, "repeat");
	jtext_json(t, rep ? rep : json_false());
	key(t, "steps");
	if (steps)
		jtext_json(t, steps);
	else
		jtext_puts(t, "[]");
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
		jtext_json(t, sa);
	}
	if (ds) {
		key(t, "delay_seconds");
		jtext_json(t, ds);
	}
	jtext_put(t, "}", 1);
}
