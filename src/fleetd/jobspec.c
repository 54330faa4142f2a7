/* jobspec.c -- see jobspec.h.  Each op is one row of a table naming its
 * fields, their types and which are required; unknown fields are refused,
 * so a typo never silently becomes a default.  Touches no state. */
#include "jobspec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cond.h"
#include "errmsg.h"
#include "group.h"
#include "jsonx.h"
#include "queue.h"
#include "textbuf.h"

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
	F_COND,      /* a condition (cond.h) */
	F_ON_CANCEL, /* keep | abort (attack: what a cancel does to its battle) */
	F_CATREF,    /* a catalogue entry: its id or its unid */
	F_PERCENT,   /* a number from 0 to 100 */
	F_ALLOC,     /* [resource id, percent, ...] */
	F_ROUTE_KIND,/* default | tech | consumption | export | quota */
	F_VALUE,     /* a number; its range follows the trade route's kind */
	F_ID_WORLD,  /* a world id, literally */
	F_AT_WORLD,  /* a world op's world in a fleet job: an id or "$here" */
	F_QUEUE,     /* a queue name (queue.h: queue_name_ok) */
	F_REF,       /* an id, "$self", "$here" or a "$NAME" (put's value) */
	F_VARNAME,   /* a variable's name without the '$' (take's as) */
};

/* Where a world or object id may also be computed when the step starts:
 * {"nearest": WORLD_FILTER} (spec: "Computed targets"). */
#define NEAREST_OK 1

struct field {
	const char *name;
	enum ftype type;
	int required;
	int64_t lo, hi;
};


struct op_desc {
	const char *name;
	struct field fields[7]; /* ends with a NULL name */
	/* exactly one of these must be present (wait) */
	const char *one_of[3];
};

#define MAXLEN_NAME 100

static const struct op_desc ops[OP_COUNT] = {
	[OP_MOVE] = {"move", {{"to", F_WORLD, 1, 0, 0}}, {NULL}},
	[OP_WAIT] = {"wait",
		     {{"seconds", F_COUNT, 0, 1, JOBSPEC_MAX_DELAY_S},
		      {"watches", F_COUNT, 0, 1, 100000},
		      {"until", F_COND, 0, 0, 0},
		      {"timeout_seconds", F_COUNT, 0, 1, JOBSPEC_MAX_DELAY_S}},
		     {"seconds", "watches", "until"}},
	[OP_EXPLORE] = {"explore",
			{{"max", F_COUNT, 0, 1, 100000},
			 {"radius", F_RADIUS, 0, 0, 0},
			 {"group", F_NAME, 0, 1, 64}},
			{NULL}},
	[OP_ATTACK] = {"attack",
		       {{"objective", F_OBJECTIVE, 1, 0, 0},
			{"enemies", F_SOVS, 1, 0, 0},
			{"on_cancel", F_ON_CANCEL, 0, 0, 0}},
		       {NULL}},
	[OP_TRANSFER] = {"transfer",
			 {{"to", F_OBJECT, 1, 0, 0}, {"resources", F_RES_SIGNED, 1, 0, 0}},
			 {NULL}},
	[OP_DEPLOY] = {"deploy",
		       {{"from", F_OBJECT, 1, 0, 0}, {"resources", F_RES, 1, 0, 0}},
		       {NULL}},
	[OP_SELL] = {"sell",
		     {{"to", F_WORLD, 1, 0, 0}, {"resources", F_RES_ALL, 1, 0, 0}},
		     {NULL}},
	[OP_BUY] = {"buy",
		    {{"item", F_RESID, 1, 0, 0}, {"count", F_COUNT, 1, 1, 1000000}},
		    {NULL}},
	[OP_DISBAND] = {"disband", {{"into", F_OBJECT, 1, 0, 0}}, {NULL}},
	[OP_RENAME] = {"rename", {{"name", F_NAME, 1, 1, MAXLEN_NAME}}, {NULL}},
	[OP_ABORT_ATTACK] = {"abort_attack", {{NULL}}, {NULL}},
	[OP_DESIGNATE] = {"designate",
			  {{"designation", F_CATREF, 1, 0, 0}, {"world", F_AT_WORLD, 0, 0, 0}},
			  {NULL}},
	[OP_BUILD] = {"build",
		      {{"improvement", F_CATREF, 1, 0, 0}, {"world", F_AT_WORLD, 0, 0, 0}},
		      {NULL}},
	[OP_DEMOLISH] = {"demolish",
			 {{"improvement", F_CATREF, 1, 0, 0}, {"world", F_AT_WORLD, 0, 0, 0}},
			 {NULL}},
	[OP_INDUSTRY] = {"industry",
			 {{"industry", F_CATREF, 1, 0, 0}, {"percent", F_PERCENT, 1, 0, 0},
			  {"world", F_AT_WORLD, 0, 0, 0}},
			 {NULL}},
	[OP_PRODUCTS] = {"products",
			 {{"industry", F_CATREF, 1, 0, 0}, {"alloc", F_ALLOC, 1, 0, 0},
			  {"world", F_AT_WORLD, 0, 0, 0}},
			 {NULL}},
	[OP_TRADE_ROUTE] = {"trade_route",
			    {{"from", F_ID_WORLD, 1, 0, 0}, {"kind", F_ROUTE_KIND, 1, 0, 0},
			     {"resource", F_RESID, 0, 0, 0}, {"value", F_VALUE, 0, 0, 0},
			     {"world", F_AT_WORLD, 0, 0, 0}},
			    {NULL}},
	[OP_STOP_TRADE_ROUTE] = {"stop_trade_route",
				 {{"with", F_ID_WORLD, 1, 0, 0},
				  {"world", F_AT_WORLD, 0, 0, 0}},
				 {NULL}},
	[OP_LAUNCH_LAMS] = {"launch_lams",
			    {{"target", F_OBJECT, 1, 0, 0}, {"world", F_AT_WORLD, 0, 0, 0}},
			    {NULL}},
	[OP_PUT] = {"put", {{"queue", F_QUEUE, 1, 0, 0}, {"value", F_REF, 1, 0, 0}}, {NULL}},
	[OP_TAKE] = {"take", {{"queue", F_QUEUE, 1, 0, 0}, {"as", F_VARNAME, 1, 0, 0}}, {NULL}},
};

int jobspec_op_is_world(int op)
{
	return op >= OP_DESIGNATE && op <= OP_LAUNCH_LAMS;
}

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

/* Bytes of key to quote: as many as jsonx_check_keys() quotes, never
 * half a character. */
static int quoted_len(const char *key)
{
	return (int)utf8_cut(key, strlen(key), JSONX_QUOTED_KEY_MAX);
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

int jobspec_name_valid(const json_t *v)
{
	return name_ok(v, 1, MAXLEN_NAME);
}

/* A computed quantity (spec: "Computed targets and quantities"): "all",
 * {"up_to": n} or {"all_but": n}; in transfer (signed) "-all" and negative
 * n unload, as negative numbers do.  1 if v is one. */
static int computed_qty_ok(const json_t *v, int signed_qty)
{
	const char *s = json_string_value(v);
	if (s)
		return strcmp(s, "all") == 0 || (signed_qty && strcmp(s, "-all") == 0);
	if (!json_is_object(v) || json_object_size(v) != 1)
		return 0;
	const json_t *n = json_object_get(v, "up_to");
	int64_t lo = signed_qty ? -JOBSPEC_MAX_ID : 1;
	if (n)
		return int_in(n, lo, JOBSPEC_MAX_ID, NULL) && json_integer_value(n) != 0;
	n = json_object_get(v, "all_but");
	return n && int_in(n, signed_qty ? -JOBSPEC_MAX_ID : 0, JOBSPEC_MAX_ID, NULL);
}

static int check_qty(const json_t *e, const char *path, size_t i, int signed_qty,
		     char *err, size_t errlen)
{
	if (!json_is_integer(e)) {
		if (computed_qty_ok(e, signed_qty))
			return 0;
		return errmsg(err, errlen,
			    "%s[%zu]: must be %s quantity, \"all\"%s, {\"up_to\": n} or "
			    "{\"all_but\": n}",
			    path, i, signed_qty ? "an integer" : "a positive integer",
			    signed_qty ? ", \"-all\"" : "");
	}
	if (signed_qty && !int_in(e, -JOBSPEC_MAX_ID, JOBSPEC_MAX_ID, NULL))
		return errmsg(err, errlen, "%s[%zu]: must be an integer quantity", path, i);
	if (signed_qty && json_integer_value(e) == 0)
		return errmsg(err, errlen, "%s[%zu]: must not be 0", path, i);
	if (!signed_qty && !int_in(e, 1, JOBSPEC_MAX_ID, NULL))
		return errmsg(err, errlen, "%s[%zu]: must be a positive integer quantity", path, i);
	return 0;
}

static int check_res(const json_t *v, const char *path, int signed_qty, char *err,
		     size_t errlen)
{
	if (!json_is_array(v))
		return errmsg(err, errlen, "%s: must be a list [resource id, quantity, ...]",
			    path);
	size_t n = json_array_size(v);
	if (n == 0 || n % 2 || n > 512)
		return errmsg(err, errlen,
			    "%s: must hold 1 to 256 pairs of resource id and quantity",
			    path);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		if (i % 2 == 0 && !is_id(e))
			return errmsg(err, errlen, "%s[%zu]: must be a resource id", path, i);
		if (i % 2 == 1 && check_qty(e, path, i, signed_qty, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* A variable's name: letters, digits and _ (spec: "Variables"), neither
 * of the names the job language gives ("self", "here"). */
static int name_chars_ok(const char *s)
{
	if (!s || !*s || strlen(s) > COND_MAX_VAR)
		return 0;
	if (strcmp(s, "self") == 0 || strcmp(s, "here") == 0)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

/* "$NAME" */
static int is_var(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && s[0] == '$' && name_chars_ok(s + 1);
}

/* take's `as`: the name alone */
static int var_name_ok(const json_t *v)
{
	return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
	       name_chars_ok(json_string_value(v));
}

static int check_filter(const json_t *f, const char *path, char *err, size_t errlen)
{
	char sub[160];
	if (!json_is_object(f) || json_object_size(f) == 0)
		return errmsg(err, errlen,
			    "%s: must be a world filter of mine, trading, owner, stock, exclude",
			    path);
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)f, key, v) {
		if (snprintf(sub, sizeof sub, "%s.%.*s", path, quoted_len(key), key) >=
		    (int)sizeof sub)
			sub[sizeof sub - 1] = 0; /* a path is only shown: cut is fine */
		if (strcmp(key, "mine") == 0 || strcmp(key, "trading") == 0) {
			if (!json_is_boolean(v))
				return errmsg(err, errlen, "%s: must be true or false", sub);
		} else if (strcmp(key, "owner") == 0) {
			if (!is_id(v))
				return errmsg(err, errlen, "%s: must be a sovereign id", sub);
		} else if (strcmp(key, "stock") == 0) {
			/* the same QTY as a condition's; checked by its parser */
			json_t *atom = json_pack("{s:i,s:O}", "world", 1, "stock", v);
			int rc = atom ? cond_validate(atom, path, err, errlen) : -1;
			json_decref(atom);
			if (rc < 0)
				return atom ? -1 : errmsg(err, errlen, "%s: out of memory", sub);
		} else if (strcmp(key, "exclude") == 0) {
			if (!json_is_array(v) || json_array_size(v) > 1000)
				return errmsg(err, errlen, "%s: must be a list of up to 1000 world ids",
					    sub);
			for (size_t i = 0; i < json_array_size(v); i++)
				if (!is_id(json_array_get(v, i)) && !is_var(json_array_get(v, i)))
					return errmsg(err, errlen, "%s[%zu]: must be a world id", sub, i);
		} else {
			return errmsg(err, errlen, "%s: unknown filter", sub);
		}
	}
	return 0;
}

/* An id field's value: an id, a "$NAME", or where nearest_ok a
 * {"nearest": WORLD_FILTER}. */
static int check_target(const json_t *v, const char *path, const char *what, char *err,
			size_t errlen)
{
	if (is_id(v) || is_var(v))
		return 0;
	const json_t *f = json_object_get(v, "nearest");
	if (f && json_object_size(v) == 1) {
		char sub[128];
		snprintf(sub, sizeof sub, "%s.nearest", path);
		return check_filter(f, sub, err, errlen);
	}
	return errmsg(err, errlen, "%s: must be %s, a \"$NAME\" or {\"nearest\": filter}",
		    path, what);
}

/* products' alloc: 1 to 64 pairs of product id and percent (0..100),
 * adding up to more than 0 (the game scales them to 100). */
static int check_alloc(const json_t *v, const char *path, char *err, size_t errlen)
{
	size_t n = json_array_size(v);
	if (!json_is_array(v) || n == 0 || n % 2 || n > 128)
		return errmsg(err, errlen,
			    "%s: must be a list of 1 to 64 pairs [resource id, percent, ...]", path);
	double sum = 0;
	for (size_t i = 0; i < n; i += 2) {
		const json_t *p = json_array_get(v, i + 1);
		double d = json_is_number(p) ? json_number_value(p) : -1;
		if (!is_id(json_array_get(v, i)))
			return errmsg(err, errlen, "%s[%zu]: must be a resource id", path, i);
		if (d < 0 || d > 100)
			return errmsg(err, errlen, "%s[%zu]: must be a percent from 0 to 100",
				    path, i + 1);
		for (size_t k = 0; k < i; k += 2)
			if (json_integer_value(json_array_get(v, k)) ==
			    json_integer_value(json_array_get(v, i)))
				return errmsg(err, errlen, "%s[%zu]: names a product twice",
					    path, i);
		sum += d;
	}
	return sum > 0 ? 0 : errmsg(err, errlen, "%s: the percents must add up to more than 0",
				   path);
}

static int route_kind_ok(const char *s)
{
	return !strcmp(s, "default") || !strcmp(s, "tech") || !strcmp(s, "consumption") ||
	       !strcmp(s, "export") || !strcmp(s, "quota");
}

/* trade_route: what each kind needs (the game's allocType): consumption
 * and quota a resource and a percent, tech a whole level 1..10, default
 * and export neither. */
static int check_route(const json_t *step, size_t idx, char *err, size_t errlen)
{
	const char *kind = json_string_value(json_object_get(step, "kind"));
	const json_t *res = json_object_get(step, "resource");
	const json_t *val = json_object_get(step, "value");
	int share = !strcmp(kind, "consumption") || !strcmp(kind, "quota");
	int tech = !strcmp(kind, "tech");
	if (share && !res)
		return errmsg(err, errlen, "steps[%zu].resource: is required for %s", idx, kind);
	if ((share || tech) && !val)
		return errmsg(err, errlen, "steps[%zu].value: is required for %s", idx, kind);
	if (!share && res)
		return errmsg(err, errlen, "steps[%zu].resource: goes with consumption or quota",
			    idx);
	if (!share && !tech && val)
		return errmsg(err, errlen, "steps[%zu].value: goes with tech, consumption or quota",
			    idx);
	if (tech && !int_in(val, 1, 10, NULL))
		return errmsg(err, errlen, "steps[%zu].value: must be a tech level from 1 to 10",
			    idx);
	return 0;
}

static int check_field(const struct field *f, const json_t *v, const char *path,
		       char *err, size_t errlen)
{
	switch (f->type) {
	case F_WORLD:
		return check_target(v, path, "a world id", err, errlen);
	case F_OBJECT:
		return check_target(v, path, "an object id (world or fleet)", err, errlen);
	case F_COND:
		return cond_validate(v, path, err, errlen);
	case F_RESID:
		return is_id(v) ? 0 : errmsg(err, errlen, "%s: must be a resource type id", path);
	case F_COUNT:
		return int_in(v, f->lo, f->hi, NULL)
			? 0
			: errmsg(err, errlen, "%s: must be an integer from %lld to %lld",
			       path, (long long)f->lo, (long long)f->hi);
	case F_RADIUS: {
		double d = json_is_number(v) ? json_number_value(v) : -1;
		return d > 0 && d <= 1e6 && isfinite(d)
			? 0
			: errmsg(err, errlen, "%s: must be a number of light-years above 0", path);
	}
	case F_NAME:
		return name_ok(v, f->lo, f->hi)
			? 0
			: errmsg(err, errlen,
			       "%s: must be a string of %lld to %lld bytes without control characters",
			       path, (long long)f->lo, (long long)f->hi);
	case F_OBJECTIVE: {
		const char *s = json_string_value(v);
		return s && (!strcmp(s, "invasion") || !strcmp(s, "spaceSupremacy") ||
			     !strcmp(s, "reinforceSiege"))
			? 0
			: errmsg(err, errlen,
			       "%s: must be \"invasion\", \"spaceSupremacy\" or \"reinforceSiege\"",
			       path);
	}
	case F_ON_CANCEL: {
		const char *s = json_string_value(v);
		return s && (!strcmp(s, "keep") || !strcmp(s, "abort"))
			? 0
			: errmsg(err, errlen, "%s: must be \"keep\" or \"abort\"", path);
	}
	case F_SOVS: {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > 64)
			return errmsg(err, errlen,
				    "%s: must be a list of 1 to 64 sovereign ids", path);
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!is_id(json_array_get(v, i)))
				return errmsg(err, errlen, "%s[%zu]: must be a sovereign id",
					    path, i);
		return 0;
	}
	case F_RES_ALL:
		if (json_is_string(v))
			return strcmp(json_string_value(v), "all") == 0
				? 0
				: errmsg(err, errlen,
				       "%s: must be \"all\" or a list [resource id, quantity, ...]",
				       path);
		return check_res(v, path, 0, err, errlen);
	case F_RES:
		return check_res(v, path, 0, err, errlen);
	case F_RES_SIGNED:
		return check_res(v, path, 1, err, errlen);
	case F_CATREF: {
		if (is_id(v))
			return 0;
		return name_ok(v, 1, 200)
			? 0
			: errmsg(err, errlen,
			       "%s: must be a catalogue id or unid (e.g. \"core.tradingHubDesignation\")",
			       path);
	}
	case F_PERCENT:
	case F_VALUE: {
		double d = json_is_number(v) ? json_number_value(v) : -1;
		return d >= 0 && d <= 100
			? 0
			: errmsg(err, errlen, "%s: must be a number from 0 to 100", path);
	}
	case F_ALLOC:
		return check_alloc(v, path, err, errlen);
	case F_ROUTE_KIND: {
		const char *s = json_string_value(v);
		return s && route_kind_ok(s)
			? 0
			: errmsg(err, errlen,
			       "%s: must be \"default\", \"tech\", \"consumption\", "
			       "\"export\" or \"quota\"", path);
	}
	case F_ID_WORLD:
		return is_id(v) ? 0 : errmsg(err, errlen, "%s: must be a world id", path);
	case F_AT_WORLD: {
		const char *s = json_string_value(v);
		return is_id(v) || (s && strcmp(s, "$here") == 0)
			? 0
			: errmsg(err, errlen, "%s: must be a world id or \"$here\"", path);
	}
	case F_QUEUE: {
		const char *s = json_string_value(v);
		return s && queue_name_ok(s, json_string_length(v))
			? 0
			: errmsg(err, errlen,
			       "%s: must be a queue name of 1 to %d letters, digits, '_', '-' or '.'",
			       path, QUEUE_NAME_MAX);
	}
	case F_REF: {
		const char *s = json_string_value(v);
		return is_id(v) || is_var(v) || (s && (!strcmp(s, "$here") || !strcmp(s, "$self")))
			? 0
			: errmsg(err, errlen, "%s: must be an id, \"$self\", \"$here\" or a \"$NAME\"",
			       path);
	}
	case F_VARNAME:
		return var_name_ok(v)
			? 0
			: errmsg(err, errlen,
			       "%s: must be a variable name (1 to %d letters, digits or _, "
			       "without the '$'; not self or here)", path, COND_MAX_VAR);
	case F_END:
		break;
	}
	return errmsg(err, errlen, "%s: unexpected", path);
}

/* "steps[IDX].NAME" into buf exactly as snprintf() writes it (cut to
 * len - 1 bytes): made for every field a step holds, on every submission,
 * where parsing snprintf's format cost more than checking the field. */
static void step_path(char *buf, size_t len, size_t idx, const char *name)
{
	char digits[24], *d = digits + sizeof digits;
	do
		*--d = (char)('0' + idx % 10);
	while ((idx /= 10) != 0);
	const char *part[4] = {"steps[", d, "].", name};
	size_t plen[4] = {6, (size_t)(digits + sizeof digits - d), 2, strlen(name)}, n = 0;
	for (int i = 0; i < 4; i++) {
		size_t k = plen[i] < len - 1 - n ? plen[i] : len - 1 - n;
		memcpy(buf + n, part[i], k);
		n += k;
	}
	buf[n] = 0;
}

static int check_step(const json_t *step, size_t idx, char *err, size_t errlen)
{
	char path[96];
	if (!json_is_object(step))
		return errmsg(err, errlen, "steps[%zu]: must be an object", idx);
	const json_t *opv = json_object_get(step, "op");
	if (!opv)
		return errmsg(err, errlen, "steps[%zu].op: is required", idx);
	int op = json_is_string(opv) ? op_of(json_string_value(opv)) : -1;
	if (op < 0)
		return errmsg(err, errlen,
			    "steps[%zu].op: must be one of move, wait, explore, attack, "
			    "transfer, deploy, sell, buy, disband, rename, abort_attack, designate, "
			    "build, demolish, industry, products, trade_route, stop_trade_route, "
			    "launch_lams, put, take",
			    idx);
	const struct op_desc *d = &ops[op];
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)step, key, v) {
		if (strcmp(key, "op") == 0)
			continue;
		if (strcmp(key, "if") == 0) {
			step_path(path, sizeof path, idx, "if");
			if (cond_validate(v, path, err, errlen) < 0)
				return -1;
			continue;
		}
		if (strcmp(key, "on_error") == 0) {
			if (!json_is_string(v) || (strcmp(json_string_value(v), "fail") &&
						   strcmp(json_string_value(v), "continue")))
				return errmsg(err, errlen,
					    "steps[%zu].on_error: must be \"fail\" or \"continue\"",
					    idx);
			continue;
		}
		const struct field *f = NULL;
		for (const struct field *g = d->fields; g->name && !f; g++)
			if (strcmp(g->name, key) == 0)
				f = g;
		if (!f)
			return errmsg(err, errlen, "steps[%zu].%.*s: unknown field for %s",
				    idx, quoted_len(key), key, d->name);
		step_path(path, sizeof path, idx, key);
		if (check_field(f, v, path, err, errlen) < 0)
			return -1;
	}
	for (const struct field *g = d->fields; g->name; g++)
		if (g->required && !json_object_get(step, g->name))
			return errmsg(err, errlen, "steps[%zu].%s: is required", idx, g->name);
	if (d->one_of[0]) {
		int n = 0;
		for (size_t i = 0; i < 3 && d->one_of[i]; i++)
			n += json_object_get(step, d->one_of[i]) != NULL;
		if (n != 1)
			return errmsg(err, errlen, "steps[%zu]: needs exactly one of %s, %s or %s",
				    idx, d->one_of[0], d->one_of[1], d->one_of[2]);
	}
	if (op == OP_WAIT && json_object_get(step, "timeout_seconds") &&
	    !json_object_get(step, "until"))
		return errmsg(err, errlen, "steps[%zu].timeout_seconds: goes with until", idx);
	if (op == OP_TRADE_ROUTE)
		return check_route(step, idx, err, errlen);
	return 0;
}

/* A world job holds waits and world ops, each acting on the job's world. */
static int check_world_step(const json_t *step, size_t idx, char *err, size_t errlen)
{
	int op = jobspec_step_op(step);
	if (op != OP_WAIT && !jobspec_op_is_world(op))
		return errmsg(err, errlen,
			    "steps[%zu].op: a world job holds only wait and the world ops "
			    "(designate, build, demolish, industry, products, trade_route, "
			    "stop_trade_route, launch_lams)", idx);
	if (json_object_get(step, "world"))
		return errmsg(err, errlen, "steps[%zu].world: a world job acts on its own world",
			    idx);
	return 0;
}

static int check_top(const json_t *body, int64_t now_ms, char *err, size_t errlen)
{
	static const char *const known[] = {"name", "fleet", "fleets", "world", "steps",
					    "repeat", "until", "start_at", "delay_seconds",
					    NULL};
	const json_t *v;
	if (jsonx_check_keys(body, known, err, errlen) < 0)
		return -1;
	if ((v = json_object_get(body, "name")) && !name_ok(v, 1, MAXLEN_NAME))
		return errmsg(err, errlen,
			    "name: must be a string of 1 to %d bytes without control characters",
			    MAXLEN_NAME);
	if ((v = json_object_get(body, "fleet")) && !is_id(v) && !is_var(v))
		return errmsg(err, errlen,
			    "fleet: must be a fleet id (a positive integer) or a \"$NAME\"");
	if ((v = json_object_get(body, "world")) && !is_id(v))
		return errmsg(err, errlen, "world: must be a world id (a positive integer)");
	if (json_object_get(body, "world") && json_object_get(body, "fleet"))
		return errmsg(err, errlen, "world: a job holds a fleet or a world, not both");
	if ((v = json_object_get(body, "fleets"))) {
		if (json_object_get(body, "fleet") || json_object_get(body, "world"))
			return errmsg(err, errlen, "fleets: a group names its fleets here; "
				      "it cannot also name `%s`",
				      json_object_get(body, "fleet") ? "fleet" : "world");
		if (group_validate(v, err, errlen) < 0)
			return -1;
	}
	if ((v = json_object_get(body, "until")) && cond_validate(v, "until", err, errlen) < 0)
		return -1;
	if ((v = json_object_get(body, "repeat")) && !json_is_boolean(v) &&
	    !int_in(v, 1, 1000000, NULL))
		return errmsg(err, errlen,
			    "repeat: must be true, false or a number of passes from 1 to 1000000");
	const json_t *sa = json_object_get(body, "start_at");
	const json_t *ds = json_object_get(body, "delay_seconds");
	if (sa && ds)
		return errmsg(err, errlen, "start_at: cannot be combined with delay_seconds");
	int64_t t;
	if (sa && (!json_is_string(sa) || jobspec_parse_time(json_string_value(sa), &t) < 0))
		return errmsg(err, errlen,
			    "start_at: must be an RFC 3339 date-time such as 2026-01-02T03:04:05Z");
	if (sa && t > now_ms + JOBSPEC_MAX_DELAY_S * 1000)
		return errmsg(err, errlen, "start_at: must be within a year from now");
	if (ds && !int_in(ds, 0, JOBSPEC_MAX_DELAY_S, NULL))
		return errmsg(err, errlen, "delay_seconds: must be an integer from 0 to %lld",
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
		return errmsg(err, errlen, "(body): must be a JSON object");
	if (check_top(body, now_ms, err, errlen) < 0)
		return -1;
	const json_t *steps = json_object_get(body, "steps");
	if (!steps)
		return errmsg(err, errlen, "steps: is required");
	if (!json_is_array(steps))
		return errmsg(err, errlen, "steps: must be a list of steps");
	size_t n = json_array_size(steps);
	if (n == 0 || n > JOBSPEC_MAX_STEPS)
		return errmsg(err, errlen, "steps: must hold 1 to %d steps (has %zu)",
			    JOBSPEC_MAX_STEPS, n);
	int world_job = json_object_get(body, "world") != NULL;
	for (size_t i = 0; i < n; i++) {
		if (check_step(json_array_get(steps, i), i, err, errlen) < 0)
			return -1;
		if (world_job && check_world_step(json_array_get(steps, i), i, err, errlen) < 0)
			return -1;
	}
	if (world_job)
		return 0;
	if (!json_object_get(body, "fleet") && !json_object_get(body, "fleets") &&
	    jobspec_step_op(json_array_get(steps, 0)) != OP_DEPLOY)
		return errmsg(err, errlen,
			    "fleet: is required unless the first step is a deploy (or a world for a world job)");
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

struct refs_walk {
	int (*fn)(void *arg, const char *path, enum jobspec_ref kind, int64_t id);
	void *arg;
};

static int cond_ref(void *arg, const char *path, enum cond_ref_kind kind, int64_t id)
{
	static const enum jobspec_ref as[] = {
		[COND_REF_FLEET] = REF_ANY_FLEET,
		[COND_REF_WORLD] = REF_COND_WORLD,
		[COND_REF_SOVEREIGN] = REF_SOVEREIGN,
		[COND_REF_RESOURCE] = REF_RESOURCE,
	};
	struct refs_walk *w = arg;
	return w->fn(w->arg, path, as[kind], id);
}

static int cond_refs_at(const json_t *c, const char *path, struct refs_walk *w)
{
	return c ? cond_refs(c, path, cond_ref, w) : 0;
}

static int filter_refs(const json_t *f, const char *path, struct refs_walk *w)
{
	char sub[160];
	int rc = 0;
	const json_t *v;
	if ((v = json_object_get(f, "owner"))) {
		snprintf(sub, sizeof sub, "%s.owner", path);
		rc = w->fn(w->arg, sub, REF_SOVEREIGN, json_integer_value(v));
	}
	if (!rc && (v = json_object_get(f, "stock"))) {
		snprintf(sub, sizeof sub, "%s.stock.resource", path);
		rc = w->fn(w->arg, sub, REF_RESOURCE,
			   json_integer_value(json_object_get(v, "resource")));
	}
	v = json_object_get(f, "exclude");
	for (size_t i = 0; !rc && i < json_array_size(v); i++) {
		if (!json_is_integer(json_array_get(v, i)))
			continue;
		snprintf(sub, sizeof sub, "%s.exclude[%zu]", path, i);
		rc = w->fn(w->arg, sub, REF_WORLD, json_integer_value(json_array_get(v, i)));
	}
	return rc;
}

static int step_refs(const json_t *st, size_t i, struct refs_walk *w)
{
	char path[96];
	const struct op_desc *d = &ops[jobspec_step_op(st)];
	int rc = 0;
	/* a path is written only for a field present: most of an op's
	 * fields are absent in a given step */
	const json_t *cond = json_object_get(st, "if");
	if (cond) {
		step_path(path, sizeof path, i, "if");
		if ((rc = cond_refs_at(cond, path, w)))
			return rc;
	}
	for (const struct field *g = d->fields; !rc && g->name; g++) {
		const json_t *v = json_object_get(st, g->name);
		if (!v)
			continue;
		step_path(path, sizeof path, i, g->name);
		if (v && g->type == F_COND)
			rc = cond_refs_at(v, path, w);
		if (!rc && v && json_is_integer(v) && (g->type == F_ID_WORLD || g->type == F_AT_WORLD))
			/* a trade route's two ends and a world op's world are
			 * the player's; stop_trade_route's partner any world */
			rc = w->fn(w->arg, path,
				   strcmp(g->name, "with") ? REF_OWN_WORLD : REF_WORLD,
				   json_integer_value(v));
		if (!rc && v && g->type == F_RESID && json_is_integer(v) &&
		    jobspec_op_is_world(jobspec_step_op(st)))
			rc = w->fn(w->arg, path, REF_RESOURCE, json_integer_value(v));
		for (size_t k = 0; !rc && g->type == F_ALLOC && k < json_array_size(v); k += 2) {
			snprintf(path, sizeof path, "steps[%zu].%s[%zu]", i, g->name, k);
			rc = w->fn(w->arg, path, REF_RESOURCE,
				   json_integer_value(json_array_get(v, k)));
		}
		if (!v || (g->type != F_WORLD && g->type != F_OBJECT))
			continue;
		if (json_is_integer(v))
			rc = w->fn(w->arg, path, g->type == F_WORLD ? REF_WORLD : REF_OBJECT,
				   json_integer_value(v));
		else if (json_is_object(v)) {
			snprintf(path, sizeof path, "steps[%zu].%s.nearest", i, g->name);
			rc = filter_refs(json_object_get(v, "nearest"), path, w);
		}
	}
	return rc;
}

/* A group's ids (group.h) as the job's. */
static int group_ref(void *arg, const char *path, enum group_ref kind, int64_t id)
{
	static const enum jobspec_ref as[] = {
		[GROUP_REF_FLEET] = REF_FLEET,
		[GROUP_REF_WORLD] = REF_WORLD,
		[GROUP_REF_RESOURCE] = REF_RESOURCE,
	};
	struct refs_walk *w = arg;
	return w->fn(w->arg, path, as[kind], id);
}

int jobspec_refs(const json_t *spec,
		 int (*fn)(void *arg, const char *path, enum jobspec_ref kind,
			   int64_t id),
		 void *arg)
{
	struct refs_walk w = {fn, arg};
	int rc;
	const json_t *f = json_object_get(spec, "fleet");
	if (json_is_integer(f) && (rc = fn(arg, "fleet", REF_FLEET, json_integer_value(f))))
		return rc;
	f = json_object_get(spec, "world");
	if (json_is_integer(f) && (rc = fn(arg, "world", REF_OWN_WORLD, json_integer_value(f))))
		return rc;
	if ((f = json_object_get(spec, "fleets")) && (rc = group_refs(f, group_ref, &w)))
		return rc;
	if ((rc = cond_refs_at(json_object_get(spec, "until"), "until", &w)))
		return rc;
	const json_t *steps = json_object_get(spec, "steps");
	for (size_t i = 0; i < json_array_size(steps); i++)
		if ((rc = step_refs(json_array_get(steps, i), i, &w)))
			return rc;
	return 0;
}

int jobspec_cat_refs(const json_t *spec,
		     int (*fn)(void *arg, const char *path, const char *category,
			       const json_t *value),
		     void *arg)
{
	static const char *const keys[][2] = {
		{"designation", "designation"}, {"improvement", "improvement"},
		{"industry", "industry"}};
	const json_t *steps = json_object_get(spec, "steps");
	char path[96];
	for (size_t i = 0; i < json_array_size(steps); i++) {
		const json_t *st = json_array_get(steps, i);
		if (!jobspec_op_is_world(jobspec_step_op(st)))
			continue;
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			const json_t *v = json_object_get(st, keys[k][0]);
			if (!v)
				continue;
			step_path(path, sizeof path, i, keys[k][0]);
			int rc = fn(arg, path, keys[k][1], v);
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

/* The proleptic Gregorian date of a count of days since 1970-01-01, by
 * arithmetic on 400-year eras (146,097 days each), counted from
 * 0000-03-01 so that the leap day ends a year.  Valid for days >= -719468
 * (0000-03-01), which covers every time jobspec_format_time() writes this
 * way. */
static void civil_date(int64_t days, int *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;                                /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);         /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                              /* March = 0 */
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

static char *put_digits(char *p, int64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* Every answer carrying a job writes several of these (created_at,
 * updated_at...), so the common case is plain arithmetic: gmtime_r() takes
 * the time zone lock and strftime() and snprintf() parse formats, about 20
 * times the work.  Times outside the four-digit years take that path. */
void jobspec_format_time(int64_t ms, char *buf, size_t len)
{
	/* seconds rounded down, so milliseconds are never negative */
	int64_t sec = ms / 1000, milli = ms % 1000;
	if (milli < 0) {
		sec--;
		milli += 1000;
	}
	if (ms >= 0 && ms <= JOBSPEC_MAX_TIME_MS && len >= 25) {
		int64_t days = sec / 86400, rest = sec % 86400;
		int y, mo, d;
		civil_date(days, &y, &mo, &d);
		char *p = put_digits(buf, y, 4);
		*p++ = '-';
		p = put_digits(p, mo, 2);
		*p++ = '-';
		p = put_digits(p, d, 2);
		*p++ = 'T';
		p = put_digits(p, rest / 3600, 2);
		*p++ = ':';
		p = put_digits(p, rest / 60 % 60, 2);
		*p++ = ':';
		p = put_digits(p, rest % 60, 2);
		*p++ = '.';
		p = put_digits(p, milli, 3);
		*p++ = 'Z';
		*p = 0;
		return;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	char base[32];
	if (!gmtime_r(&t, &tm) || !strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(base, sizeof base, "0000-00-00T00:00:00");
	snprintf(buf, len, "%s.%03dZ", base, (int)milli);
}
