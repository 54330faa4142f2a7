/* mirror.h -- fleetd's in-memory model of the galaxy, merged from the
 * game's answers (full getObjects, deltas, and the answers of actions).
 *
 * The mirror is a pure data structure: it never talks to the network and
 * never touches SQLite.  The session feeds it answers; jobs and routes read
 * it.  Lookups by id are O(1); fleets at a world and fleets of a sovereign
 * are indexed.  Every merge produces a change feed delivered to subscribers
 * (the job engine wakes only the jobs whose fleet or world changed).
 *
 * Pointers returned by lookups stay valid until the next merge. */
#ifndef FLEETD_MIRROR_H
#define FLEETD_MIRROR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct mirror;

/* The records' members are filled from the game's keys as mirror_fields.h
 * lists them: a member added here needs its row there.
 * A resource list is flat pairs: res[2*i] = resource id, res[2*i+1] = qty. */
struct mirror_fleet {
	int64_t id;
	const char *name;
	int64_t sovereign;
	const char *ftl_type;   /* "jump", "warp", "explorer", "ramjet" or "" */
	double x, y;
	int64_t anchor;         /* world it is stationed at; 0 while moving */
	int64_t dest_id;        /* 0 when not moving */
	double dest_x, dest_y;
	double eta;             /* watch of arrival; 0 when not moving */
	const int64_t *res;
	size_t nres;            /* number of pairs */
	int in_battle;          /* carries a battlePlan */
};

struct mirror_world {
	int64_t id;
	const char *name;
	int64_t sovereign;
	double x, y;
	int64_t designation;
	int tech_level;
	double population;
	int in_battle;          /* carries a battlePlan: a battle is on */
	int trading;            /* can buy and sell (has a trading designation/trait) */
	const int64_t *res;
	size_t nres;
	const int64_t *near;    /* nearObjIDs: fleets stationed here */
	size_t nnear;
};

struct mirror_sovereign {
	int64_t id;
	const char *name;
	int64_t capital;        /* capitalID; 0 if none */
	json_t *relationship;   /* as the game sent it (borrowed); NULL if none */
};

struct mirror_changes {
	const int64_t *fleets;  /* changed or new fleets */
	size_t nfleets;
	const int64_t *worlds;  /* changed or new worlds */
	size_t nworlds;
	const int64_t *removed; /* destroyed objects (fleets or worlds) */
	size_t nremoved;
	int watch_changed;
	double watch;
};

typedef void (*mirror_change_fn)(void *arg, const struct mirror_changes *ch);

struct mirror *mirror_new(void);
void mirror_free(struct mirror *m);

/* Merge one answer (a JSON list of objects).  full = 1 for the first full
 * getObjects: afterwards mirror_ready() is true.  Subscribers are told of
 * the changes before this returns.  -1 with err if the answer is not a
 * list; unknown classes and fields are ignored. */
int mirror_merge(struct mirror *m, const json_t *answer, int full, char *err,
		 size_t errlen);
/* The scenario catalogue and sovereigns from getGameInfo. */
int mirror_set_game_info(struct mirror *m, const json_t *info, char *err,
			 size_t errlen);
int mirror_subscribe(struct mirror *m, mirror_change_fn fn, void *arg);

int mirror_ready(const struct mirror *m);
int64_t mirror_player(const struct mirror *m);       /* player's sovereign id */
double mirror_watch(const struct mirror *m);
/* Wall-clock ms of the next watch as announced by the last answer. */
int64_t mirror_next_watch_ms(const struct mirror *m);
/* The last update's sequence, exactly as received (borrowed; NULL before). */
const json_t *mirror_sequence(const struct mirror *m);

const struct mirror_fleet *mirror_fleet(const struct mirror *m, int64_t id);
const struct mirror_world *mirror_world(const struct mirror *m, int64_t id);
size_t mirror_fleet_count(const struct mirror *m);
size_t mirror_world_count(const struct mirror *m);
/* Iteration in id order: i from 0 to count-1. */
const struct mirror_fleet *mirror_fleet_at(const struct mirror *m, size_t i);
const struct mirror_world *mirror_world_at(const struct mirror *m, size_t i);

/* Quantity of a resource in a flat list (0 if absent). */
int64_t mirror_qty(const int64_t *res, size_t nres, int64_t resource_id);
/* Quantity of a resource a fleet or world holds (0 if either is unknown). */
int64_t mirror_held(const struct mirror *m, int64_t obj, int64_t resource_id);
/* Catalogue: name ("nameDesc") and category of a resource type; NULL if
 * unknown. */
const char *mirror_resource_name(const struct mirror *m, int64_t id);
const char *mirror_resource_category(const struct mirror *m, int64_t id);

/* --- additions (mirror branch); everything above is unchanged ---------- */

/* Fleets anchored at a world / owned by a sovereign: ids in no particular
 * order, borrowed until the next merge.  Returns the count (0: *ids NULL). */
size_t mirror_fleets_at(const struct mirror *m, int64_t world_id,
			const int64_t **ids);
size_t mirror_fleets_of(const struct mirror *m, int64_t sovereign_id,
			const int64_t **ids);
/* Worlds of a sovereign: count only (routes filter while iterating). */
size_t mirror_world_count_of(const struct mirror *m, int64_t sovereign_id);

/* A sovereign's name; NULL if unknown. */
const char *mirror_sovereign_name(const struct mirror *m, int64_t id);
/* A sovereign's record; NULL if unknown. */
const struct mirror_sovereign *mirror_sovereign(const struct mirror *m, int64_t id);
/* Estimated length of a watch in ms, measured from successive updates
 * (60000 until two watches have been seen). */
int64_t mirror_watch_ms(const struct mirror *m);
/* Wall-clock ms at which a watch begins (estimated; past watches too). */
int64_t mirror_watch_time_ms(const struct mirror *m, double watch);
/* The sequence as a number (ipInteger decoded); -1 before the first. */
int64_t mirror_sequence_value(const struct mirror *m);
/* The last history list (replaced by every `history` object); borrowed,
 * NULL before the first. */
const json_t *mirror_history(const struct mirror *m);
/* Number of merges so far, and of answers skipped as older than the state
 * already merged (an answer carrying an older sequence than the mirror's). */
uint64_t mirror_merges(const struct mirror *m);
uint64_t mirror_stale_skipped(const struct mirror *m);
/* Wall-clock ms at which the newest request whose answer has been merged
 * was made (0 before any); the session notes it with every merge.  The
 * game answered that request after this moment, so whatever the game did
 * before it is in the mirror -- unlike a later watch number, which an
 * answer the game wrote before an action may also carry when it arrives
 * after that action's lost answer. */
int64_t mirror_asked_ms(const struct mirror *m);
void mirror_note_asked(struct mirror *m, int64_t asked_ms);

/* The id of the live job holding a fleet, for the routes.  The job engine
 * installs the lookup; until then (or when it answers 0) there is none. */
typedef int64_t (*mirror_job_lookup_fn)(void *arg, int64_t fleet_id);
void mirror_set_job_lookup(struct mirror *m, mirror_job_lookup_fn fn, void *arg);
int64_t mirror_fleet_job(const struct mirror *m, int64_t fleet_id);

#endif
