/* jobspec.h -- the job language: what a submitted job may say, checked
 * strictly before anything is stored.
 *
 * Every error names the offending path (`steps[2].to: must be a world
 * id`).  Conditions (`until`, a step's `if`, wait's `until`) are checked
 * by cond.h's parser under their path; id fields may also be a "$NAME" or
 * {"nearest": WORLD_FILTER}, and quantities of transfer, sell and deploy
 * "all", {"up_to": n} or {"all_but": n}, resolved when the step starts.  Validation is pure: it knows nothing of the mirror or SQLite;
 * jobspec_refs() lists the ids a job names, with their paths, so the
 * caller can check them against the galaxy it knows. */
#ifndef FLEETD_JOBSPEC_H
#define FLEETD_JOBSPEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JOBSPEC_MAX_STEPS 256
#define JOBSPEC_MAX_ID 9007199254740991LL /* 2^53 - 1: exact in any JSON reader */
#define JOBSPEC_MAX_DELAY_S (366LL * 24 * 3600)

enum job_op {
	OP_MOVE,
	OP_WAIT,
	OP_EXPLORE,
	OP_ATTACK,
	OP_TRANSFER,
	OP_DEPLOY,
	OP_SELL,
	OP_BUY,
	OP_DISBAND,
	OP_RENAME,
	OP_ABORT_ATTACK,
	/* world ops (spec: "World jobs and combat"): a world job's steps, or a
	 * fleet job's acting on the step's `world` (default "$here") */
	OP_DESIGNATE,
	OP_BUILD,
	OP_DEMOLISH,
	OP_INDUSTRY,
	OP_PRODUCTS,
	OP_TRADE_ROUTE,
	OP_STOP_TRADE_ROUTE,
	OP_LAUNCH_LAMS,
	/* queues (spec: "Fleets working together") */
	OP_PUT,
	OP_TAKE,
	OP_COUNT
};

const char *jobspec_op_name(enum job_op op);
/* The op of a step object of an accepted spec (-1 if none). */
int jobspec_step_op(const json_t *step);
/* 1 if the step says `on_error: "continue"`: a game error is recorded and
 * the job goes on with the next step instead of failing.  Any op may say
 * it; the default is "fail". */
int jobspec_step_continues(const json_t *step);
/* 1 for the ops that act on a world (designate ... launch_lams): the only
 * ops a world job may hold besides wait. */
int jobspec_op_is_world(int op);

/* 1 if v is a name as a job's: a string of 1 to 100 bytes without control
 * characters (schedules and triggers name themselves the same way). */
int jobspec_name_valid(const json_t *v);
/* 0 if body is an acceptable job; else -1 with "path: problem" in err. */
int jobspec_validate(const json_t *body, int64_t now_ms, char *err,
		     size_t errlen);
/* When the job may start (ms): start_at, now + delay_seconds, or now. */
int64_t jobspec_start_ms(const json_t *spec, int64_t now_ms);
/* Passes to run: 1 without repeat, N for a count, -1 for repeat: true. */
int64_t jobspec_passes(const json_t *spec);

enum jobspec_ref {
	REF_FLEET,      /* one of the player's fleets */
	REF_WORLD,      /* a world */
	REF_OBJECT,     /* a world or a fleet */
	REF_ANY_FLEET,  /* any sovereign's fleet (named by a condition) */
	REF_COND_WORLD, /* a world named by a condition */
	REF_SOVEREIGN,  /* a sovereign */
	REF_RESOURCE,   /* a catalogue item */
	REF_OWN_WORLD,  /* one of the player's worlds (a world job's, a trade
			 * route's exporter) */
};
/* Call fn for each literal id the spec names (variables, "$self" and
 * "$here" are resolved when the job runs); stop at the first fn that
 * returns non-zero and return that value. */
int jobspec_refs(const json_t *spec,
		 int (*fn)(void *arg, const char *path, enum jobspec_ref kind,
			   int64_t id),
		 void *arg);

/* Call fn for each catalogue reference of a world op: the value as
 * submitted (an id or a unid string) and the catalogue category it must
 * have ("designation", "improvement"; "industry" also admits an
 * improvement with allocations, as the game does).  Stops like
 * jobspec_refs(). */
int jobspec_cat_refs(const json_t *spec,
		     int (*fn)(void *arg, const char *path, const char *category,
			       const json_t *value),
		     void *arg);

/* 9999-12-31T23:59:59.999Z: the last time with a four-digit year. */
#define JOBSPEC_MAX_TIME_MS 253402300799999LL
/* Parse an RFC 3339 date-time into ms since the epoch; -1 if malformed or
 * outside 1970-01-01T00:00:00Z .. JOBSPEC_MAX_TIME_MS (an offset can move
 * a time written in 1970 before the epoch). */
int jobspec_parse_time(const char *s, int64_t *ms);
/* Format ms since the epoch as RFC 3339 UTC with milliseconds. */
void jobspec_format_time(int64_t ms, char *buf, size_t len);

#endif
