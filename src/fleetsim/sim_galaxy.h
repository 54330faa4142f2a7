/* sim_galaxy.h -- fleetsim's game model: worlds, fleets, sovereigns and the
 * objects it only carries along (regions, history), each stamped with the
 * change sequence at which it last changed; tombstones for destroyed
 * objects; the watch counter.  Builds a galaxy from a seed or from a real
 * getObjects dump, and writes getObjects answers (full or "changed since").
 *
 * Every mutation goes through sim_galaxy_touch() (or add/destroy), which
 * stamps the object with a fresh sequence and drops its cached text; that
 * is what makes deltas exact.  Knows nothing of HTTP, rules or time. */
#ifndef FLEETD_SIM_GALAXY_H
#define FLEETD_SIM_GALAXY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_catalog.h"
#include "textbuf.h"

enum sim_kind { SIM_WORLD, SIM_FLEET, SIM_SOVEREIGN, SIM_OTHER };

struct sim_res {
	int64_t id, qty;
};

struct sim_reslist {
	struct sim_res *v;
	size_t n, cap;
};

struct sim_obj {
	enum sim_kind kind;
	int64_t id;
	int64_t seq;     /* sequence of the last change */
	char *name;
	int64_t sov;     /* owner (worlds, fleets) */
	double x, y;     /* pos */
	struct sim_reslist res;
	json_t *extra;   /* every other key, written verbatim (owned) */
	json_t *battle;  /* battlePlan while a battle is on (owned) */
	/* worlds */
	int64_t designation, population, tech;
	int64_t *near;   /* fleets anchored here */
	size_t nnear, capnear;
	/* `traits` as its owner sees it: bare ids and industry objects
	 * (rivals are shown the ids only); NULL when the world has none */
	json_t *traits;
	json_t *routes;  /* `tradeRoutes` entries, NULL or [] when none */
	int redesignated;/* its designation changed during this watch */
	int realloc_due; /* targetAllocation changed: allocation follows at watch end */
	/* fleets */
	int64_t anchor;  /* 0 while moving */
	int64_t dest_id; /* 0 when not moving */
	double dx, dy, eta;
	enum sim_ftl ftl;
	/* sovereigns */
	double funds;
	int has_funds;
	/* cached JSON text of the object, valid while text_seq == seq */
	char *text;
	size_t text_len;
	int64_t text_seq;
};

struct sim_tomb {
	int64_t id, seq;
};

struct sim_galaxy {
	struct sim_catalog *cat;
	struct sim_obj **objs; /* output order */
	size_t n, cap;
	struct sim_obj **hash; /* open addressing by id */
	size_t hcap;
	struct sim_tomb *tombs;
	size_t ntombs, captombs;
	int64_t seq;     /* last sequence handed out */
	int64_t base_seq;/* sequence at start: everything older is "initial" */
	int64_t watch;
	int64_t year0;
	int64_t player;  /* the player's sovereign id */
	int64_t capital; /* the player's capital world */
	int64_t next_id; /* for new fleets */
	int64_t fleet_names;
	int live_stats;  /* recount the player's stats (generated galaxies) */
};

struct sim_galaxy *sim_galaxy_new(struct sim_catalog *cat);
void sim_galaxy_free(struct sim_galaxy *g);

/* Deterministic: the same arguments give the same galaxy, byte for byte. */
int sim_galaxy_generate(struct sim_galaxy *g, uint64_t seed, int worlds,
			int fleets, char *err, size_t errlen);
/* Load a getObjects dump.  sovereign 0: the one owning the most fleets. */
int sim_galaxy_load(struct sim_galaxy *g, const char *path, int64_t sovereign,
		    char *err, size_t errlen);

struct sim_obj *sim_galaxy_find(const struct sim_galaxy *g, int64_t id);
/* Take ownership of o (allocated with sim_obj_new) and stamp it. */
int sim_galaxy_add(struct sim_galaxy *g, struct sim_obj *o);
struct sim_obj *sim_obj_new(enum sim_kind kind, int64_t id);
void sim_obj_free(struct sim_obj *o);
/* o changed: give it a new sequence. */
void sim_galaxy_touch(struct sim_galaxy *g, struct sim_obj *o);
/* Remove o (freed), leaving a tombstone. */
void sim_galaxy_destroy(struct sim_galaxy *g, struct sim_obj *o);

/* Resources: quantity held (0 if none); add delta (removes empty entries). */
int64_t sim_res_get(const struct sim_reslist *r, int64_t id);
int sim_res_add(struct sim_reslist *r, int64_t id, int64_t delta);
/* Append an entry as given, zero quantities included (loading a dump). */
int sim_res_append(struct sim_reslist *r, int64_t id, int64_t qty);

/* "1st Fleet", "22nd Fleet", "113th Fleet": the next default fleet name. */
char *sim_galaxy_fleet_name(struct sim_galaxy *g);

/* Fleets stationed at a world. */
int sim_world_near_add(struct sim_obj *w, int64_t fleet);
void sim_world_near_remove(struct sim_obj *w, int64_t fleet);

/* Recompute a fleet's ftlType from its ships (kept when none is known). */
void sim_fleet_update_ftl(const struct sim_galaxy *g, struct sim_obj *f);
double sim_fleet_speed(const struct sim_galaxy *g, const struct sim_obj *f);
int sim_fleet_has_ships(const struct sim_galaxy *g, const struct sim_obj *f);
/* Attack strength of a resource list (ships and defences). */
double sim_res_strength(const struct sim_galaxy *g, const struct sim_reslist *r);

/* What world w eats of res per watch: its baseConsumption when it came
 * with one (a loaded dump), else food and consumer goods in proportion to
 * its population. */
double sim_world_consumption(const struct sim_obj *w, int64_t res);

/* Compact JSON, keys sorted, reals in their shortest exact form. */
void sim_json_write(struct textbuf *b, const json_t *v);

/* Append the JSON text of every object changed after `since` (everything
 * when since <= 0, tombstones then left out), comma-separated, to b.
 * Returns the number of objects written. */
size_t sim_galaxy_write_since(struct sim_galaxy *g, int64_t since, struct textbuf *b);
/* One object's JSON text (cached). */
const char *sim_obj_text(struct sim_galaxy *g, struct sim_obj *o, size_t *len);
/* The object as a JSON value (a new reference). */
json_t *sim_obj_json(const struct sim_galaxy *g, const struct sim_obj *o);

#endif
