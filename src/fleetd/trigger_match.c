/* trigger_match.c -- see trigger_match.h.  The filter keys each event
 * admits are one table (where_keys); the index keeps, per event, the
 * triggers whose filter names a world in a hash by that world and the
 * rest in one list, so matching an event with a world looks at the
 * triggers of that world and the world-less ones only. */
#include "trigger_match.h"

#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "jobspec.h"

static const char *const event_names[TE_COUNT] = {
	"fleet.arrived", "world.attacked", "fleet.sighted", "world.lost",
	"world.gained", "job.failed", "job.succeeded",
};

/* The filter keys, and the variables, of each event (spec: "Triggers"). */
enum { WK_WORLD = 1, WK_FLEET = 2, WK_SOVEREIGN = 4, WK_SCHEDULE = 8, WK_TRIGGER = 16,
       WK_NAME = 32 };
static const unsigned where_keys[TE_COUNT] = {
	[TE_FLEET_ARRIVED] = WK_WORLD | WK_FLEET,
	[TE_WORLD_ATTACKED] = WK_WORLD,
	[TE_FLEET_SIGHTED] = WK_WORLD | WK_SOVEREIGN,
	[TE_WORLD_LOST] = WK_WORLD,
	[TE_WORLD_GAINED] = WK_WORLD,
	[TE_JOB_FAILED] = WK_SCHEDULE | WK_TRIGGER | WK_NAME,
	[TE_JOB_SUCCEEDED] = WK_SCHEDULE | WK_TRIGGER | WK_NAME,
};
/* What each event's data carries (and so binds). */
static const unsigned binds[TE_COUNT] = {
	[TE_FLEET_ARRIVED] = WK_WORLD | WK_FLEET,
	[TE_WORLD_ATTACKED] = WK_WORLD,
	[TE_FLEET_SIGHTED] = WK_WORLD | WK_SOVEREIGN | WK_FLEET,
	[TE_WORLD_LOST] = WK_WORLD | WK_SOVEREIGN,
	[TE_WORLD_GAINED] = WK_WORLD,
	[TE_JOB_FAILED] = 0,
	[TE_JOB_SUCCEEDED] = 0,
};
static const struct {
	const char *name;
	unsigned bit;
} keys[] = {{"world", WK_WORLD}, {"fleet", WK_FLEET}, {"sovereign", WK_SOVEREIGN},
	    {"schedule", WK_SCHEDULE}, {"trigger", WK_TRIGGER}, {"name", WK_NAME}};
#define NKEYS (sizeof keys / sizeof keys[0])
#define WHERE_NAME_MAX 200

const char *trig_event_name(int ev)
{
	return ev >= 0 && ev < TE_COUNT ? event_names[ev] : NULL;
}

int trig_event_of(const char *name)
{
	for (int i = 0; name && i < TE_COUNT; i++)
		if (strcmp(event_names[i], name) == 0)
			return i;
	return -1;
}

int trig_event_of_log(const char *type, const char *data, size_t len)
{
	if (strcmp(type, "job.state") != 0)
		return trig_event_of(type);
	json_t *d = json_loadb(data, len, 0, NULL);
	/* the engine writes {"from", "to", "step"}; "state" is read too */
	const json_t *to = json_object_get(d, "to");
	const char *st = json_string_value(to ? to : json_object_get(d, "state"));
	int ev = !st ? -1
		: strcmp(st, "failed") == 0 ? TE_JOB_FAILED
		: strcmp(st, "succeeded") == 0 ? TE_JOB_SUCCEEDED : -1;
	json_decref(d);
	return ev;
}

static int64_t id_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

void trig_facts_of_data(struct trig_facts *f, const char *data, size_t len)
{
	json_t *d = json_loadb(data, len, 0, NULL);
	f->world = id_of(d, "world");
	f->fleet = id_of(d, "fleet");
	f->sovereign = id_of(d, "sovereign");
	json_decref(d);
}

json_t *trig_facts_vars(const struct trig_facts *f)
{
	json_t *v = json_object();
	const struct {
		const char *name;
		int64_t id;
	} b[] = {{"world", f->world}, {"fleet", f->fleet}, {"sovereign", f->sovereign},
		 {"job", f->job}};
	for (size_t i = 0; v && i < sizeof b / sizeof b[0]; i++)
		if (b[i].id && json_object_set_new(v, b[i].name, json_integer(b[i].id)) < 0) {
			json_decref(v);
			v = NULL;
		}
	return v;
}

int trig_event_binds(int ev, const char *name)
{
	if (ev < 0 || ev >= TE_COUNT)
		return 0;
	if (strcmp(name, "job") == 0)
		return ev == TE_JOB_FAILED || ev == TE_JOB_SUCCEEDED;
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return (binds[ev] & keys[i].bit) != 0;
	return 0;
}

/* --- where ----------------------------------------------------------------- */

static int64_t *where_id(struct trig_where *w, unsigned bit)
{
	switch (bit) {
	case WK_WORLD: return &w->world;
	case WK_FLEET: return &w->fleet;
	case WK_SOVEREIGN: return &w->sovereign;
	case WK_SCHEDULE: return &w->schedule;
	case WK_TRIGGER: return &w->trigger;
	}
	return NULL;
}

int trig_name_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int where_key(int ev, const char *key, const json_t *v, struct trig_where *w,
		     char *err, size_t errlen)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].name, key) != 0)
			continue;
		if (!(where_keys[ev] & keys[i].bit))
			break;
		if (keys[i].bit == WK_NAME) {
			const char *s = json_string_value(v);
			if (!trig_name_ok(s, WHERE_NAME_MAX))
				return errmsg(err, errlen,
					      "where.name: must be a job name of 1 to %d bytes",
					      WHERE_NAME_MAX);
			return (w->name = strdup(s)) ? 0 : errmsg(err, errlen, "out of memory");
		}
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > JOBSPEC_MAX_ID)
			return errmsg(err, errlen, "where.%s: must be an id (a positive integer)",
				      keys[i].name);
		*where_id(w, keys[i].bit) = json_integer_value(v);
		return 0;
	}
	char known[96] = "";
	for (size_t i = 0; i < NKEYS; i++)
		if (where_keys[ev] & keys[i].bit) {
			if (known[0])
				strcat(known, ", ");
			strcat(known, keys[i].name);
		}
	return errmsg(err, errlen, "where.%.40s: %s events are filtered by %s only", key,
		      event_names[ev], known);
}

int trig_where_parse(int ev, const json_t *where, struct trig_where *w, char *err,
		     size_t errlen)
{
	memset(w, 0, sizeof *w);
	if (!where)
		return 0;
	if (!json_is_object(where))
		return errmsg(err, errlen, "where: must be an object");
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)where, key, v) {
		if (where_key(ev, key, v, w, err, errlen) < 0) {
			trig_where_clear(w);
			return -1;
		}
	}
	return 0;
}

void trig_where_clear(struct trig_where *w)
{
	free(w->name);
	memset(w, 0, sizeof *w);
}

int trig_where_match(const struct trig_where *w, const struct trig_facts *f)
{
	return (!w->world || w->world == f->world) && (!w->fleet || w->fleet == f->fleet) &&
	       (!w->sovereign || w->sovereign == f->sovereign) &&
	       (!w->schedule || w->schedule == f->schedule) &&
	       (!w->trigger || w->trigger == f->trigger) &&
	       (!w->name || (f->name && strcmp(w->name, f->name) == 0));
}

/* --- the index ------------------------------------------------------------- */

void trig_index_init(struct trig_index *x)
{
	memset(x, 0, sizeof *x);
	idmap_init(&x->all);
	for (int i = 0; i < TE_COUNT; i++)
		idmap_init(&x->by_world[i]);
}

void trig_free(struct trig *t)
{
	if (!t)
		return;
	trig_where_clear(&t->where);
	json_decref(t->job);
	free(t);
}

static void trig_free_val(void *t)
{
	trig_free(t);
}

/* A value of by_world: a list of trigger ids made by bucket(). */
static void bucket_free(void *v)
{
	idvec_free(v);
	free(v);
}

void trig_index_clear(struct trig_index *x)
{
	idmap_free_with(&x->all, trig_free_val);
	for (int i = 0; i < TE_COUNT; i++) {
		idmap_free_with(&x->by_world[i], bucket_free);
		idvec_free(&x->any[i]);
	}
	trig_index_init(x);
}

/* The list t belongs on, made if need be (NULL on ENOMEM). */
static struct idvec *bucket(struct trig_index *x, const struct trig *t, int make)
{
	if (!t->where.world)
		return &x->any[t->event];
	struct idvec *v = idmap_get(&x->by_world[t->event], t->where.world);
	if (v || !make)
		return v;
	if (!(v = calloc(1, sizeof *v)))
		return NULL;
	if (idmap_put(&x->by_world[t->event], t->where.world, v) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* Drop an emptied world list. */
static void bucket_tidy(struct trig_index *x, const struct trig *t, struct idvec *v)
{
	if (!t->where.world || v->n)
		return;
	idmap_del(&x->by_world[t->event], t->where.world);
	idvec_free(v);
	free(v);
}

int trig_index_add(struct trig_index *x, struct trig *t)
{
	if (t->event < 0 || t->event >= TE_COUNT)
		return -1;
	struct idvec *v = bucket(x, t, 1);
	if (!v)
		return -1;
	if (idvec_push(v, t->id) < 0) {
		bucket_tidy(x, t, v);
		return -1;
	}
	if (idmap_put(&x->all, t->id, t) < 0) {
		idvec_remove(v, t->id);
		bucket_tidy(x, t, v);
		return -1;
	}
	x->count[t->event]++;
	return 0;
}

int trig_index_remove(struct trig_index *x, int64_t id)
{
	struct trig *t = idmap_del(&x->all, id);
	if (!t)
		return 0;
	struct idvec *v = bucket(x, t, 0);
	if (v) {
		idvec_remove(v, id);
		bucket_tidy(x, t, v);
	}
	x->count[t->event]--;
	trig_free(t);
	return 1;
}

struct trig *trig_index_get(const struct trig_index *x, int64_t id)
{
	return idmap_get(&x->all, id);
}

size_t trig_index_watching(const struct trig_index *x, int ev)
{
	return ev >= 0 && ev < TE_COUNT ? x->count[ev] : 0;
}

static int match_list(const struct trig_index *x, const struct idvec *v,
		      const struct trig_facts *f, int (*fn)(void *arg, struct trig *t),
		      void *arg)
{
	for (size_t i = 0; v && i < v->n; i++) {
		struct trig *t = idmap_get(&x->all, v->v[i]);
		int rc;
		if (t && !t->paused && trig_where_match(&t->where, f) && (rc = fn(arg, t)))
			return rc;
	}
	return 0;
}

int trig_index_match(const struct trig_index *x, int ev, const struct trig_facts *f,
		     int (*fn)(void *arg, struct trig *t), void *arg)
{
	if (ev < 0 || ev >= TE_COUNT || !x->count[ev])
		return 0;
	int rc = f->world ? match_list(x, idmap_get(&x->by_world[ev], f->world), f, fn, arg)
			  : 0;
	return rc ? rc : match_list(x, &x->any[ev], f, fn, arg);
}
