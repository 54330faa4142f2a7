/* trigger_match.h -- which triggers an event fires: the events a trigger
 * may watch, the `where` filter each admits, and an in-memory index of the
 * triggers by event type and by the filter's world, so that an event costs
 * a hash lookup and the triggers that may match it, not a pass over all.
 *
 * Pure: knows nothing of SQLite, HTTP, the event log or the mirror (the
 * caller turns a logged event into trig_facts, and owns cooldowns and
 * firings: triggers.c).  Owns the trigger records it holds. */
#ifndef FLEETD_TRIGGER_MATCH_H
#define FLEETD_TRIGGER_MATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "idmap.h"

enum trig_event {
	TE_FLEET_ARRIVED,   /* one of our fleets anchors: world, fleet */
	TE_WORLD_ATTACKED,  /* a battle plan against one of our worlds: world */
	TE_FLEET_SIGHTED,   /* a foreign fleet anchors at one of our worlds */
	TE_WORLD_LOST,
	TE_WORLD_GAINED,
	TE_JOB_FAILED,      /* a job ended failed: schedule, trigger, name */
	TE_JOB_SUCCEEDED,
	TE_COUNT
};

/* "fleet.arrived" ...; NULL out of range. */
const char *trig_event_name(int ev);
/* The event of a name, -1 if it is none of them. */
int trig_event_of(const char *name);
/* The event of a logged event: its own type, or for "job.state" the
 * state its data names ("to", or "state": "failed", "succeeded"); -1 if
 * no trigger can watch it. */
int trig_event_of_log(const char *type, const char *data, size_t len);

/* What an event says that a filter can test, and binds as $world,
 * $fleet, $sovereign and $job.  0 / NULL: the event has none. */
struct trig_facts {
	int64_t world, fleet, sovereign, job;
	int64_t schedule, trigger; /* of a job event's job */
	const char *name;          /* of a job event's job */
};

/* The facts of an event's data (a JSON object text: "world", "fleet",
 * "sovereign"); the job ones are the caller's to fill. */
void trig_facts_of_data(struct trig_facts *f, const char *data, size_t len);
/* A name (a trigger's, a job's in a filter): 1 to max bytes, no control
 * character. */
int trig_name_ok(const char *s, size_t max);
/* The variables the facts bind, {"world": W, ...} (only those set); NULL
 * on ENOMEM. */
json_t *trig_facts_vars(const struct trig_facts *f);
/* Does the event ev bind the variable name ("world", "fleet", ...)? */
int trig_event_binds(int ev, const char *name);

/* A parsed `where`: the same facts, 0 / NULL for "any". */
struct trig_where {
	int64_t world, fleet, sovereign, schedule, trigger;
	char *name; /* owned */
};

/* Check `where` (NULL: none) for event ev and fill w: 0, or -1 with
 * "where.KEY: problem" in err.  Free w with trig_where_clear. */
int trig_where_parse(int ev, const json_t *where, struct trig_where *w, char *err,
		     size_t errlen);
void trig_where_clear(struct trig_where *w);
/* Do the facts pass the filter? */
int trig_where_match(const struct trig_where *w, const struct trig_facts *f);

/* A trigger as the index keeps it. */
struct trig {
	int64_t id;
	int event;
	struct trig_where where;
	int64_t cooldown_ms;
	int64_t last_fired_ms; /* 0: never */
	int paused;
	json_t *job;           /* the template (owned) */
};

struct trig_index {
	struct idmap all;                /* id -> struct trig */
	struct idmap by_world[TE_COUNT]; /* where.world -> struct idvec of ids */
	struct idvec any[TE_COUNT];      /* no where.world: ids */
	size_t count[TE_COUNT];
};

void trig_index_init(struct trig_index *x);
/* Frees every trigger it holds. */
void trig_index_clear(struct trig_index *x);
/* Take t (allocated with malloc, its id unique): 0, or -1 on ENOMEM (t
 * is then still the caller's). */
int trig_index_add(struct trig_index *x, struct trig *t);
/* Remove and free the trigger with this id: 1 if there was one. */
int trig_index_remove(struct trig_index *x, int64_t id);
struct trig *trig_index_get(const struct trig_index *x, int64_t id);
/* Free a trigger not (or no longer) in an index. */
void trig_free(struct trig *t);
/* How many triggers watch ev (paused ones too). */
size_t trig_index_watching(const struct trig_index *x, int ev);

/* Call fn for each trigger of ev, not paused, whose filter the facts pass
 * (in no particular order); stops at the first fn that returns non-zero
 * and returns that value. */
int trig_index_match(const struct trig_index *x, int ev, const struct trig_facts *f,
		     int (*fn)(void *arg, struct trig *t), void *arg);

#endif
