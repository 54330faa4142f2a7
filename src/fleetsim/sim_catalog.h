/* sim_catalog.h -- fleetsim's scenario catalogue: the types getGameInfo
 * lists in `scenarioInfo` (ship types with FTL, cargo space, attack value,
 * mass and price; defence units; jump missiles; commodities; designations
 * with their primary industry; improvements; industries with what they
 * build; world features, classes and cultures; the currency), each with
 * its unid.  Ids of the fixed entries were chosen so that the ship ids
 * seen in real getObjects dumps are ship types here; unknown ids met while
 * loading a dump become generic entries of the category they were met as.  Owns only the
 * table; knows nothing of worlds, fleets or HTTP. */
#ifndef FLEETD_SIM_CATALOG_H
#define FLEETD_SIM_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum sim_cat {
	SIM_CAT_SHIP,        /* maneuveringUnit */
	SIM_CAT_ORBITAL,     /* orbitalUnit (world defence) */
	SIM_CAT_GROUND,      /* groundUnit (world defence) */
	SIM_CAT_COMMODITY,   /* commodity */
	SIM_CAT_DESIGNATION, /* designation */
	SIM_CAT_WORLDCLASS,  /* worldClass */
	SIM_CAT_CULTURE,     /* culture */
	SIM_CAT_CURRENCY,    /* class currencyType */
	SIM_CAT_LAM,         /* LAMUnit (jump missiles a citadel fires) */
	SIM_CAT_IMPROVEMENT, /* improvement (a world structure one builds) */
	SIM_CAT_INDUSTRY,    /* industry (a share of a world's work) */
	SIM_CAT_FEATURE,     /* feature (what a world is; met in dumps only) */
};

#define SIM_MAX_PRODUCTS 8

/* Fleet drives, slowest last is NOT implied: see sim_ftl_speed(). */
enum sim_ftl { SIM_FTL_NONE = -1, SIM_FTL_JUMP, SIM_FTL_WARP, SIM_FTL_EXPLORER, SIM_FTL_RAMJET };

struct sim_item {
	int64_t id;
	char *name;
	enum sim_cat cat;
	enum sim_ftl ftl;  /* ships only */
	double attack;     /* attackValue per unit */
	double cargo;      /* cargoSpace per unit */
	double mass;       /* per unit */
	double price;      /* credits per unit at a trading hub */
	const char *role;  /* designations: camelCase role or NULL */
	char unid[48];     /* "core.tradingHubDesignation"; unique */
	int tech;          /* improvements: the tech level they need */
	int64_t primary;   /* designations: their primary industry, or 0 */
	/* industries and structures with allocations: what they can build */
	int64_t products[SIM_MAX_PRODUCTS];
	size_t nproducts;
	int generic;       /* made up for an id met in a dump */
};

struct sim_catalog {
	struct sim_item *v;
	size_t n, cap;
};

#define SIM_CURRENCY_ID 9
#define SIM_DESIG_UNASSIGNED 33
#define SIM_DESIG_CAPITAL 46
#define SIM_DESIG_TRADING_HUB 252
#define SIM_CULTURE_ID 139
#define SIM_FOOD_ID 90
#define SIM_CONSUMER_GOODS_ID 188
#define SIM_LAM_ID 208
#define SIM_DESIG_CITADEL 72

struct sim_catalog *sim_catalog_new(void);
void sim_catalog_free(struct sim_catalog *c);
const struct sim_item *sim_catalog_find(const struct sim_catalog *c, int64_t id);
/* Make sure id is known; an unknown id becomes a generic entry of cat (a
 * generic feature met again as an industry becomes one).  -1 on ENOMEM. */
int sim_catalog_ensure(struct sim_catalog *c, int64_t id, enum sim_cat cat);
/* id's entry if it is of category cat, else NULL. */
const struct sim_item *sim_catalog_find_cat(const struct sim_catalog *c, int64_t id,
					    enum sim_cat cat);
/* An industry, or an improvement that has allocations (products). */
int sim_item_has_allocations(const struct sim_item *it);
/* The scenarioInfo list (a new reference). */
json_t *sim_catalog_json(const struct sim_catalog *c);

const char *sim_ftl_name(enum sim_ftl f);
enum sim_ftl sim_ftl_parse(const char *s);
/* Light-years per watch (documented in docs/fleetsim.md). */
double sim_ftl_speed(enum sim_ftl f);

#endif
