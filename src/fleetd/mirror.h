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

/* One entry of buildData: a resource an industry builds and its share. */
struct mirror_build {
	int64_t resource;
	double percent;
};

/* One of a world's traits: a bare id (a feature, an improvement, or an
 * industry of a world that is not the player's), or an object with
 * allocations (structured: the game's industries, with the share of the
 * world's work they get and what they build). */
struct mirror_trait {
	int64_t id;
	double target_alloc;                /* targetAllocation (setIndustryAlloc) */
	double alloc;                       /* allocation: the share it has now */
	const struct mirror_build *build;   /* buildData (setProductAlloc) */
	uint32_t nbuild;
	int structured;                     /* an object with allocations */
};

/* What one side of a trade route moves: imports or exports entries. */
struct mirror_flow {
	int64_t resource;
	double percent, amount;
};

/* One of a world's tradeRoutes, as the game lists it on that world. */
struct mirror_route {
	int64_t partner;                    /* partnerObjID */
	const struct mirror_flow *imports, *exports;
	uint32_t nimports, nexports;
	int is_return;                      /* the game's `return` flag */
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
	int trading;            /* can buy and sell (has a trading designation/trait):
				 * derived, no row of the table */
	const struct mirror_trait *traits; /* in the game's order */
	size_t ntraits;
	const struct mirror_route *routes;
	size_t nroutes;
	const int64_t *res;
	size_t nres;
	const int64_t *near;    /* nearObjIDs: fleets stationed here */
	size_t nnear;
};

struct mirror_sovereign {
	int64_t id;
	const char *name;
	int64_t capital;        /* capitalID; 0 if none */
	double might;           /* imperialMight */
	json_t *relationship;   /* as the game sent it (borrowed); NULL if none */
};

/* A catalogue entry (getGameInfo's scenarioInfo).  Strings are NULL when
 * the game sent none; a number is meaningful only with its has_ flag. */
struct mirror_cat {
	int64_t id;
	const char *unid;       /* "core.tradingHubDesignation" */
	const char *name;       /* nameDesc */
	const char *class_name; /* resourceType, trait, ... */
	const char *category;   /* maneuveringUnit, designation, industry, ... */
	const char *role;       /* tradingHub, citadel, ... */
	double attack, cargo, mass; /* attackValue, cargoSpace, mass */
	unsigned has_attack : 1, has_cargo : 1, has_mass : 1;
};

/* What a world's trait is, by its catalogue category when the catalogue
 * knows it (improvement, industry; anything else is OTHER), else by its
 * shape: an object with allocations is an industry (only industries take
 * setIndustryAlloc), a bare id is UNKNOWN. */
enum mirror_trait_kind {
	MIRROR_TRAIT_IMPROVEMENT,
	MIRROR_TRAIT_INDUSTRY,
	MIRROR_TRAIT_OTHER,     /* a feature, culture, ... the catalogue names */
	MIRROR_TRAIT_UNKNOWN,   /* a bare id the catalogue does not know */
};

/* A fleet's strength from the catalogue: the sum of quantity x
 * attackValue over its resources, ground units (category groundUnit)
 * apart from the rest.  Resources the catalogue knows without an
 * attackValue (cargo) add nothing; those it does not know are counted in
 * unknown, and known says how many it did know. */
struct mirror_strength {
	double space, ground;
	size_t known, unknown;
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
/* The same for an answer read by mirror_scan() (mirror_scan.h): the same
 * mirror as mirror_merge() of the text parsed by jansson, without a JSON
 * value per field.  The answer is only read. */
struct mirror_scanned;
int mirror_merge_scanned(struct mirror *m, const struct mirror_scanned *a, int full,
			 char *err, size_t errlen);
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

/* The catalogue, in id order (i from 0 to count-1); an entry by id or by
 * unid (NULL if none).  Borrowed until the next mirror_set_game_info(). */
size_t mirror_cat_count(const struct mirror *m);
const struct mirror_cat *mirror_cat_at(const struct mirror *m, size_t i);
const struct mirror_cat *mirror_cat(const struct mirror *m, int64_t id);
const struct mirror_cat *mirror_cat_by_unid(const struct mirror *m, const char *unid);
enum mirror_trait_kind mirror_trait_kind(const struct mirror *m,
					 const struct mirror_trait *t);
/* 0 with the strength; -1 when the catalogue knows none of its resources
 * (no catalogue, or an empty fleet): it has none to tell. */
int mirror_fleet_strength(const struct mirror *m, const struct mirror_fleet *f,
			  struct mirror_strength *out);

/* Sovereigns in id order (i from 0 to count-1); borrowed until the next
 * merge or mirror_set_game_info(). */
size_t mirror_sovereign_count(const struct mirror *m);
const struct mirror_sovereign *mirror_sovereign_at(const struct mirror *m, size_t i);

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
 * after that action's lost answer.  A full answer (full = 1) replaces the
 * mirror whatever its age: one overtaken by the answer of a later request
 * takes the galaxy back to when the game wrote it, so its own asked time
 * replaces the newer one instead of being ignored as older. */
int64_t mirror_asked_ms(const struct mirror *m);
void mirror_note_asked(struct mirror *m, int64_t asked_ms, int full);
/* 1 if the answer to a request sent when the mirror was at sequence
 * `since` (mirror_sequence_value() then; -1 for a full getObjects) may be
 * merged: it holds what changed after `since`, so it continues the mirror
 * only from there or an earlier sequence.  0 once a full answer has taken
 * the mirror back below `since`: what changed in between is in neither,
 * and merging would leave those objects old for good while the answer's
 * sequence and asked time claim them current.  Such an answer is not
 * merged (the next delta, from the mirror's sequence, brings all of it)
 * and is counted by mirror_gaps_skipped(). */
int mirror_continues(struct mirror *m, int64_t since);
uint64_t mirror_gaps_skipped(const struct mirror *m);

/* The id of the live job holding a fleet, for the routes.  The job engine
 * installs the lookup; until then (or when it answers 0) there is none. */
typedef int64_t (*mirror_job_lookup_fn)(void *arg, int64_t fleet_id);
void mirror_set_job_lookup(struct mirror *m, mirror_job_lookup_fn fn, void *arg);
int64_t mirror_fleet_job(const struct mirror *m, int64_t fleet_id);

#endif
