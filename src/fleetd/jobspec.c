/* jobspec.c -- see jobspec.h.  Each op is one row of a table naming its
 * fields, their types and which are required; unknown fields are refused,
 * so a typo never silently becomes a default.  Touches no state. */
#include "jobspec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum ftype {
	F_END,
	F_WORLD,     /* a world id */
	F_OBJECT,    /* a world or fleet id */
	F_RESID,     /* a resource type id */
	F_COUNT,     /* integer in [lo, hi] */
	F_RADIUS,    /* number > 0 */
	F_NAME,      /* non-empty string without control characters */
	F_OBJECTIVE, /* invasion | spaceSupremacy | reinforceSiege */
	F_SOVS,      /* non-empty array of sovereign ids */
	F_RES,       /* [id, qty, ...], qty > 0 */
	F_RES_SIGNED,/* [id, qty, ...], qty != 0 (transfer: sign is direction) */
	F_RES_ALL,   /* F_RES or "all" */
};

struct field {
	const char *name;
	enum ftype type;
	int required;
	int64_t lo, hi;
};

struct op_desc {
	const char *name;
	struct field fields[5];
	/* exactly one of these two may / must be present (wait) */
	const char *one_of[2];
};

#define MAXLEN_NAME 100

static const struct op_desc ops[OP_COUNT] = {
	[OP_MOVE] = {"move", {{"to", F_WORLD, 1, 0, 0}}, {NULL, NULL}},
	[OP_WAIT] = {"wait",
		     {{"seconds", F_COUNT, 0, 1, JOBSPEC_MAX_DELAY_S},
		      {"watches", F_COUNT, 0, 1, 100000}},
		     {"seconds", "watches"}},
	[OP_EXPLORE] = {"explore",
			{{"max", F_COUNT, 0, 1, 100000},
			 {"radius", F_RADIUS, 0, 0, 0},
			 {"group", F_NAME, 0, 1, 64}},
			{NULL, NULL}},
	[OP_ATTACK] = {"attack",
		       {{"objective", F_OBJECTIVE, 1, 0, 0},
			{"enemies", F_SOVS, 1, 0, 0}},
		       {NULL, NULL}},
	[OP_TRANSFER] = {"transfer",
			 {{"to", F_OBJECT, 1, 0, 0}, {"resources", F_RES_SIGNED, 1, 0, 0}},
			 {NULL, NULL}},
	[OP_DEPLOY] = {"deploy",
		       {{"from", F_OBJECT, 1, 0, 0}, {"resources", F_RES, 1, 0, 0}},
		       {NULL, NULL}},
	[OP_SELL] = {"sell",
		     {{"to", F_WORLD, 1, 0, 0}, {"resources", F_RES_ALL, 1, 0, 0}},
		     {NULL, NULL}},
	[OP_BUY] = {"buy",
		    {{"item", F_RESID, 1, 0, 0}, {"count", F_COUNT, 1, 1, 1000000}},
		    {NULL, NULL}},
	[OP_DISBAND] = {"disband", {{"into", F_OBJECT, 1, 0, 0}}, {NULL, NULL}},
	[OP_RENAME] = {"rename", {{"name", F_NAME, 1, 1, MAXLEN_NAME}}, {NULL, NULL}},
};

const char *jobspec_op_name(enum job_op op)
{
	return op >= 0 && op < OP_COUNT ? ops[op].name : "?";
}

static int op_of(const char *name)
{
	for (int i = 0; i < OP_COUNT; i++)
		if (strcmp(ops[i].name, name) == 0)
			return i;
	return -1;
}

int jobspec_step_op(const json_t *step)
{
	const char *op = json_string_value(json_object_get(step, "op"));
	return op ? op_of(op) : -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* An integer in [lo, hi]; JSON reals (even 3.0) are refused. */
static int int_in(const json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v))
		return 0;
	json_int_t i = json_integer_value(v);
	if (i < lo || i > hi)
		return 0;
	if (out)
		*out = i;
	return 1;
}

static int is_id(const json_t *v)
{
	return int_in(v, 1, JOBSPEC_MAX_ID, NULL);
}

static int name_ok(const json_t *v, int64_t lo, int64_t hi)
{
	const char *s = json_string_value(v);
	if (!s)
		return 0;
	size_t len = json_string_length(v);
	if ((int64_t)len < lo || (int64_t)len > hi || strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int check_res(const json_t *v, const char *path, int signed_qty, char *err,
		     size_t errlen)
{
	if (!json_is_array(v))
		return fail(err, errlen, "%s: must be a list [resource id, quantity, ...]",
			    path);
	size_t n = json_array_size(v);
	if (n == 0 || n % 2 || n > 512)
		return fail(err, errlen,
			    "%s: must hold 1 to 256 pairs of resource id and quantity",
			    path);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		if (i % 2 == 0 && !is_id(e))
			return fail(err, errlen, "%s[%zu]: must be a resource id", path, i);
		if (i % 2 == 1 && signed_qty && !int_in(e, -JOBSPEC_MAX_ID, JOBSPEC_MAX_ID, NULL))
			return fail(err, errlen, "%s[%zu]: must be an integer quantity", path, i);
		if (i % 2 == 1 && signed_qty && json_integer_value(e) == 0)
			return fail(err, errlen, "%s[%zu]: must not be 0", path, i);
		if (i % 2 == 1 && !signed_qty && !int_in(e, 1, JOBSPEC_MAX_ID, NULL))
			return fail(err, errlen,
				    "%s[%zu]: must be a positive integer quantity", path, i);
	}
	return 0;
}

static int check_field(const struct field *f, const json_t *v, const char *path,
		       char *err, size_t errlen)
{
	switch (f->type) {
	case F_WORLD:
		return is_id(v) ? 0 : fail(err, errlen, "%s: must be a world id", path);
	case F_OBJECT:
		return is_id(v) ? 0
			: fail(err, errlen, "%s: must be an object id (world or fleet)", path);
	case F_RESID:
		return is_id(v) ? 0 : fail(err, errlen, "%s: must be a resource type id", path);
	case F_COUNT:
		return int_in(v, f->lo, f->hi, NULL)
			? 0
			: fail(err, errlen, "%s: must be an integer from %lld to %lld",
			       path, (long long)f->lo, (long long)f->hi);
	case F_RADIUS: {
		double d = json_is_number(v) ? json_number_value(v) : -1;
		return d > 0 && d <= 1e6 && isfinite(d)
			? 0
			: fail(err, errlen, "%s: must be a number of light-years above 0", path);
	}
	case F_NAME:
		return name_ok(v, f->lo, f->hi)
			? 0
			: fail(err, errlen,
			       "%s: must be a string of %lld to %lld bytes without control characters",
			       path, (long long)f->lo, (long long)f->hi);
	case F_OBJECTIVE: {
		const char *s = json_string_value(v);
		return s && (!strcmp(s, "invasion") || !strcmp(s, "spaceSupremacy") ||
			     !strcmp(s, "reinforceSiege"))
			? 0
			: fail(err, errlen,
			       "%s: must be \"invasion\", \"spaceSupremacy\" or \"reinforceSiege\"",
			       path);
	}
	case F_SOVS: {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > 64)
			return fail(err, errlen,
				    "%s: must be a list of 1 to 64 sovereign ids", path);
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!is_id(json_array_get(v, i)))
				return fail(err, errlen, "%s[%zu]: must be a sovereign id",
					    path, i);
		return 0;
	}
	case F_RES_ALL:
		if (json_is_string(v))
			return strcmp(json_string_value(v), "all") == 0
				? 0
				: fail(err, errlen,
				       "%s: must be \"all\" or a list [resource id, quantity, ...]",
				       path);
		return check_res(v, path, 0, err, errlen);
	case F_RES:
		return check_res(v, path, 0, err, errlen);
	case F_RES_SIGNED:
		return check_res(v, path, 1, err, errlen);
	case F_END:
		break;
	}
	return fail(err, errlen, "%s: unexpected", path);
}

static int check_step(const json_t *step, size_t idx, char *err, size_t errlen)
{
	char path[96];
	if (!json_is_object(step))
		return fail(err, errlen, "steps[%zu]: must be an object", idx);
	const json_t *opv = json_object_get(step, "op");
	if (!opv)
		return fail(err, errlen, "steps[%zu].op: is required", idx);
	int op = json_is_string(opv) ? op_of(json_string_value(opv)) : -1;
	if (op < 0)
		return fail(err, errlen,
			    "steps[%zu].op: must be one of move, wait, explore, attack, "
			    "transfer, deploy, sell, buy, disband, rename",
			    idx);
	const struct op_desc *d = &ops[op];
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)step, key, v) {
		if (strcmp(key, "op") == 0)
			continue;
		if (strcmp(key, "on_error") == 0) {
			if (!json_is_string(v) || (strcmp(json_string_value(v), "fail") &&
						   strcmp(json_string_value(v), "continue")))
				return fail(err, errlen,
					    "steps[%zu].on_error: must be \"fail\" or \"continue\"",
					    idx);
			continue;
		}
		const struct field *f = NULL;
		for (const struct field *g = d->fields; g->name; g++)
			if (strcmp(g->name, key) == 0)
				f = g;
		if (!f)
			return fail(err, errlen, "steps[%zu].%.40s: unknown field for %s",
				    idx, key, d->name);
		snprintf(path, sizeof path, "steps[%zu].%s", idx, key);
		if (check_field(f, v, path, err, errlen) < 0)
			return -1;
	}
	for (const struct field *g = d->fields; g->name; g++)
		if (g->required && !json_object_get(step, g->name))
			return fail(err, errlen, "steps[%zu].%s: is required", idx, g->name);
	if (d->one_of[0]) {
		int a = json_object_get(step, d->one_of[0]) != NULL;
		int b = json_object_get(step, d->one_of[1]) != NULL;
		if (a == b)
			return fail(err, errlen, "steps[%zu]: needs exactly one of %s or %s",
				    idx, d->one_of[0], d->one_of[1]);
	}
	return 0;
}

static int check_top(const json_t *body, int64_t now_ms, char *err, size_t errlen)
{
	static const char *const known[] = {"name", "fleet", "steps", "repeat",
					    "start_at", "delay_seconds", NULL};
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)body, key, v) {
		int ok = 0;
		for (int i = 0; known[i]; i++)
			ok |= strcmp(known[i], key) == 0;
		if (!ok)
			return fail(err, errlen, "%.40s: unknown field", key);
	}
	if ((v = json_object_get(body, "name")) && !name_ok(v, 1, MAXLEN_NAME))
		return fail(err, errlen,
			    "name: must be a string of 1 to %d bytes without control characters",
			    MAXLEN_NAME);
	if ((v = json_object_get(body, "fleet")) && !is_id(v))
		return fail(err, errlen, "fleet: must be a fleet id (a positive integer)");
	if ((v = json_object_get(body, "repeat")) && !json_is_boolean(v) &&
	    !int_in(v, 1, 1000000, NULL))
		return fail(err, errlen,
			    "repeat: must be true, false or a number of passes from 1 to 1000000");
	const json_t *sa = json_object_get(body, "start_at");
	const json_t *ds = json_object_get(body, "delay_seconds");
	if (sa && ds)
		return fail(err, errlen, "start_at: cannot be combined with delay_seconds");
	int64_t t;
	if (sa && (!json_is_string(sa) || jobspec_parse_time(json_string_value(sa), &t) < 0))
		return fail(err, errlen,
			    "start_at: must be an RFC 3339 date-time such as 2026-01-02T03:04:05Z");
	if (sa && t > now_ms + JOBSPEC_MAX_DELAY_S * 1000)
		return fail(err, errlen, "start_at: must be within a year from now");
	if (ds && !int_in(ds, 0, JOBSPEC_MAX_DELAY_S, NULL))
		return fail(err, errlen, "delay_seconds: must be an integer from 0 to %lld",
			    JOBSPEC_MAX_DELAY_S);
	return 0;
}

int jobspec_step_continues(const json_t *step)
{
	const char *v = json_string_value(json_object_get(step, "on_error"));
	return v && strcmp(v, "continue") == 0;
}

int jobspec_validate(const json_t *body, int64_t now_ms, char *err, size_t errlen)
{
	if (!json_is_object(body))
		return fail(err, errlen, "(body): must be a JSON object");
	if (check_top(body, now_ms, err, errlen) < 0)
		return -1;
	const json_t *steps = json_object_get(body, "steps");
	if (!steps)
		return fail(err, errlen, "steps: is required");
	if (!json_is_array(steps))
		return fail(err, errlen, "steps: must be a list of steps");
	size_t n = json_array_size(steps);
	if (n == 0 || n > JOBSPEC_MAX_STEPS)
		return fail(err, errlen, "steps: must hold 1 to %d steps (has %zu)",
			    JOBSPEC_MAX_STEPS, n);
	for (size_t i = 0; i < n; i++)
		if (check_step(json_array_get(steps, i), i, err, errlen) < 0)
			return -1;
	if (!json_object_get(body, "fleet") &&
	    jobspec_step_op(json_array_get(steps, 0)) != OP_DEPLOY)
		return fail(err, errlen,
			    "fleet: is required unless the first step is a deploy");
	return 0;
}

int64_t jobspec_start_ms(const json_t *spec, int64_t now_ms)
{
	int64_t t;
	const json_t *sa = json_object_get(spec, "start_at");
	if (sa && jobspec_parse_time(json_string_value(sa), &t) == 0)
		return t;
	const json_t *ds = json_object_get(spec, "delay_seconds");
	if (ds)
		return now_ms + (int64_t)json_integer_value(ds) * 1000;
	return now_ms;
}

int64_t jobspec_passes(const json_t *spec)
{
	const json_t *r = json_object_get(spec, "repeat");
	if (json_is_true(r))
		return -1;
	if (json_is_integer(r))
		return json_integer_value(r);
	return 1;
}

int jobspec_refs(const json_t *spec,
		 int (*fn)(void *arg, const char *path, enum jobspec_ref kind,
			   int64_t id),
		 void *arg)
{
	char path[96];
	int rc;
	const json_t *f = json_object_get(spec, "fleet");
	if (f && (rc = fn(arg, "fleet", REF_FLEET, json_integer_value(f))))
		return rc;
	const json_t *steps = json_object_get(spec, "steps");
	for (size_t i = 0; i < json_array_size(steps); i++) {
		const json_t *st = json_array_get(steps, i);
		int op = jobspec_step_op(st);
		const struct op_desc *d = &ops[op];
		for (const struct field *g = d->fields; g->name; g++) {
			const json_t *v = json_object_get(st, g->name);
			if (!v || (g->type != F_WORLD && g->type != F_OBJECT))
				continue;
			snprintf(path, sizeof path, "steps[%zu].%s", i, g->name);
			rc = fn(arg, path, g->type == F_WORLD ? REF_WORLD : REF_OBJECT,
				json_integer_value(v));
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

static int expect(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return -1;
	(*p)++;
	return 0;
}

int jobspec_parse_time(const char *s, int64_t *ms)
{
	if (!s)
		return -1;
	const char *p = s;
	int Y, M, D, h, m, sec, frac = 0;
	if (digits(&p, 4, &Y) || expect(&p, "-") || digits(&p, 2, &M) ||
	    expect(&p, "-") || digits(&p, 2, &D) || expect(&p, "Tt ") ||
	    digits(&p, 2, &h) || expect(&p, ":") || digits(&p, 2, &m) ||
	    expect(&p, ":") || digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		int nd = 0;
		for (; *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 3)
				frac = frac * 10 + (*p - '0');
		if (nd == 0)
			return -1;
		for (; nd < 3; nd++)
			frac *= 10;
	}
	int off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ":") || digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p || Y < 1970 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 ||
	    m > 59 || sec > 60)
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (D > mdays[M - 1] || (M == 2 && D == 29 && !leap))
		return -1;
	struct tm tm = {0};
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	int64_t v = ((int64_t)t - (int64_t)off * 60) * 1000 + frac;
	/* An offset can carry a time written in 1970 or 9999 out of the range
	 * jobspec_format_time() writes back as four-digit years in UTC. */
	if (v < 0 || v > JOBSPEC_MAX_TIME_MS)
		return -1;
	*ms = v;
	return 0;
}

void jobspec_format_time(int64_t ms, char *buf, size_t len)
{
	/* seconds rounded down, so milliseconds are never negative */
	int64_t sec = ms / 1000, milli = ms % 1000;
	if (milli < 0) {
		sec--;
		milli += 1000;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	char base[32];
	if (!gmtime_r(&t, &tm) || !strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(base, sizeof base, "0000-00-00T00:00:00");
	snprintf(buf, len, "%s.%03dZ", base, (int)milli);
}
