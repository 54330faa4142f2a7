/* sim_catalog.c -- see sim_catalog.h.  The fixed table below is the whole
 * scenario of a generated galaxy; prices and speeds are fleetsim's own
 * choices (docs/fleetsim.md), not the real game's. */
#include "sim_catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

struct fixed {
	int64_t id;
	const char *name;
	const char *unid;
	enum sim_cat cat;
	enum sim_ftl ftl;
	double attack, cargo, mass, price;
	const char *role;
	int tech;
	int64_t primary;
	int64_t products[SIM_MAX_PRODUCTS]; /* ends at the first 0 */
};

#define NO SIM_FTL_NONE
#define UNIT(id, name, unid, cat, ftl, att, cargo, mass, price) \
	{id, name, unid, cat, ftl, att, cargo, mass, price, NULL, 0, 0, {0}}
#define DESIG(id, name, unid, role, primary) \
	{id, name, unid, SIM_CAT_DESIGNATION, NO, 0, 0, 0, 0, role, 0, primary, {0}}
#define TRAIT(id, name, unid, cat, tech, ...) \
	{id, name, unid, cat, NO, 0, 0, 0, 0, NULL, tech, 0, {__VA_ARGS__}}

/* Ids of designations, industries and improvements follow the real
 * excerpt where it shows them (designation 72's primary industry is 71;
 * industry 134's ore waits on improvement 137); the rest are fleetsim's. */
static const struct fixed fixed_items[] = {
	UNIT(SIM_CURRENCY_ID, "aes", "core.aes", SIM_CAT_CURRENCY, NO, 0, 0, 0, 1),
	UNIT(26, "Hammerhead gunship", "core.hammerheadGunship", SIM_CAT_SHIP, SIM_FTL_JUMP, 60, 0, 40, 900),
	UNIT(101, "Pathfinder explorer", "core.pathfinderExplorer", SIM_CAT_SHIP, SIM_FTL_EXPLORER, 1, 0, 5, 300),
	UNIT(102, "Skylark scout", "core.skylarkScout", SIM_CAT_SHIP, SIM_FTL_EXPLORER, 1, 0, 2, 6),
	UNIT(122, "Vanguard warp frigate", "core.vanguardWarpFrigate", SIM_CAT_SHIP, SIM_FTL_WARP, 8, 0, 15, 38),
	UNIT(123, "Bastion warp cruiser", "core.bastionWarpCruiser", SIM_CAT_SHIP, SIM_FTL_WARP, 20, 0, 35, 120),
	UNIT(144, "Mule jump freighter", "core.muleJumpFreighter", SIM_CAT_SHIP, SIM_FTL_JUMP, 0, 500, 30, 25),
	UNIT(160, "Lance jump destroyer", "core.lanceJumpDestroyer", SIM_CAT_SHIP, SIM_FTL_JUMP, 30, 0, 25, 45),
	UNIT(164, "Wasp jump corvette", "core.waspJumpCorvette", SIM_CAT_SHIP, SIM_FTL_JUMP, 5, 0, 8, 30),
	UNIT(170, "Ark jump carrier", "core.arkJumpCarrier", SIM_CAT_SHIP, SIM_FTL_JUMP, 25, 100, 60, 15),
	UNIT(175, "Tortoise ramjet hauler", "core.tortoiseRamjetHauler", SIM_CAT_SHIP, SIM_FTL_RAMJET, 0, 2000, 50, 20),
	UNIT(204, "Defense satellite", "core.defenseSatellite", SIM_CAT_ORBITAL, NO, 10, 0, 10, 60),
	UNIT(205, "Infantry legion", "core.infantryLegion", SIM_CAT_GROUND, NO, 4, 0, 5, 20),
	UNIT(SIM_LAM_ID, "Jump missile", "core.jumpMissile", SIM_CAT_LAM, NO, 25, 0, 4, 80),
	UNIT(90, "Foodstuffs", "core.foodstuffs", SIM_CAT_COMMODITY, NO, 0, 0, 1, 2),
	UNIT(130, "Ore", "core.ore", SIM_CAT_COMMODITY, NO, 0, 0, 1, 1),
	UNIT(142, "Machinery", "core.machinery", SIM_CAT_COMMODITY, NO, 0, 0, 1, 6),
	UNIT(178, "Luxury goods", "core.luxuryGoods", SIM_CAT_COMMODITY, NO, 0, 0, 1, 12),
	UNIT(188, "Consumer goods", "core.consumerGoods", SIM_CAT_COMMODITY, NO, 0, 0, 1, 3),
	UNIT(260, "Medical supplies", "core.medicalSupplies", SIM_CAT_COMMODITY, NO, 0, 0, 1, 9),
	DESIG(SIM_DESIG_UNASSIGNED, "Unassigned world", "core.unassignedDesignation", NULL, 0),
	DESIG(SIM_DESIG_CAPITAL, "Imperial capital", "core.imperialCapitalDesignation", "imperialCapital", 145),
	DESIG(SIM_DESIG_CITADEL, "Citadel", "core.citadelDesignation", "citadel", 71),
	DESIG(155, "Agricultural world", "core.agriculturalDesignation", NULL, 154),
	DESIG(163, "Shipyard", "core.shipyardDesignation", "shipyard", 162),
	DESIG(222, "Spaceport", "core.spaceportDesignation", "spaceport", 145),
	DESIG(SIM_DESIG_TRADING_HUB, "Trading hub", "core.tradingHubDesignation", "tradingHub", 0),
	DESIG(275, "Sector capital", "core.sectorCapitalDesignation", "sectorCapital", 274),
	TRAIT(6, "Heavy industry", "core.heavyIndustry", SIM_CAT_INDUSTRY, 0, 142),
	TRAIT(71, "Consumer industry", "core.consumerIndustry", SIM_CAT_INDUSTRY, 0, 188, 90, 178),
	TRAIT(134, "Ore extraction", "core.oreExtractionIndustry", SIM_CAT_INDUSTRY, 0, 130),
	TRAIT(145, "Freighter yards", "core.freighterYardsIndustry", SIM_CAT_INDUSTRY, 0, 144, 175),
	TRAIT(154, "Agriculture", "core.agricultureIndustry", SIM_CAT_INDUSTRY, 0, 90),
	TRAIT(162, "Warship yards", "core.warshipYardsIndustry", SIM_CAT_INDUSTRY, 0, 122, 123, 160, 164),
	TRAIT(264, "Medical industry", "core.medicalIndustry", SIM_CAT_INDUSTRY, 0, 260),
	TRAIT(274, "Sector administration", "core.sectorAdministrationIndustry", SIM_CAT_INDUSTRY, 0, 0),
	TRAIT(56, "Research laboratory", "core.researchLaboratoryImprovement", SIM_CAT_IMPROVEMENT, 5, 0),
	TRAIT(137, "Deep mine", "core.deepMineImprovement", SIM_CAT_IMPROVEMENT, 3, 0),
	TRAIT(225, "Planetary defense grid", "core.planetaryDefenseGridImprovement", SIM_CAT_IMPROVEMENT, 6, 204, 205),
	TRAIT(301, "Planetary shield", "core.planetaryShieldImprovement", SIM_CAT_IMPROVEMENT, 8, 0),
	TRAIT(34, "Desert world", "core.desertWorldClass", SIM_CAT_WORLDCLASS, 0, 0),
	TRAIT(93, "Ocean world", "core.oceanWorldClass", SIM_CAT_WORLDCLASS, 0, 0),
	TRAIT(103, "Terrestrial world", "core.terrestrialWorldClass", SIM_CAT_WORLDCLASS, 0, 0),
	TRAIT(186, "Ice world", "core.iceWorldClass", SIM_CAT_WORLDCLASS, 0, 0),
	TRAIT(SIM_CULTURE_ID, "Imperial culture", "core.imperialCulture", SIM_CAT_CULTURE, 0, 0),
};

static int add(struct sim_catalog *c, const struct sim_item *it)
{
	struct sim_item *v = array_grow(c->v, &c->cap, c->n, sizeof *v, 64);
	if (!v)
		return -1;
	c->v = v;
	c->v[c->n] = *it;
	if (!(c->v[c->n].name = strdup(it->name)))
		return -1;
	c->n++;
	return 0;
}

static void from_fixed(const struct fixed *f, struct sim_item *it)
{
	*it = (struct sim_item){.id = f->id, .name = (char *)f->name, .cat = f->cat,
				.ftl = f->ftl, .attack = f->attack, .cargo = f->cargo,
				.mass = f->mass, .price = f->price, .role = f->role,
				.tech = f->tech, .primary = f->primary};
	snprintf(it->unid, sizeof it->unid, "%s", f->unid);
	for (size_t k = 0; k < SIM_MAX_PRODUCTS && f->products[k]; k++)
		it->products[it->nproducts++] = f->products[k];
}

void sim_catalog_free(struct sim_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	free(c);
}

struct sim_catalog *sim_catalog_new(void)
{
	struct sim_catalog *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	for (size_t i = 0; i < sizeof fixed_items / sizeof fixed_items[0]; i++) {
		struct sim_item it;
		from_fixed(&fixed_items[i], &it);
		if (add(c, &it) < 0) {
			sim_catalog_free(c);
			return NULL;
		}
	}
	return c;
}

const struct sim_item *sim_catalog_find(const struct sim_catalog *c, int64_t id)
{
	/* a few dozen entries: a scan is as fast as anything */
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return &c->v[i];
	return NULL;
}

const struct sim_item *sim_catalog_find_cat(const struct sim_catalog *c, int64_t id,
					    enum sim_cat cat)
{
	const struct sim_item *it = sim_catalog_find(c, id);
	return it && it->cat == cat ? it : NULL;
}

int sim_item_has_allocations(const struct sim_item *it)
{
	return it && (it->cat == SIM_CAT_INDUSTRY ||
		      (it->cat == SIM_CAT_IMPROVEMENT && it->nproducts > 0));
}

/* The name and unid word of a generic entry's category. */
static const char *generic_word(enum sim_cat cat, int upper)
{
	switch (cat) {
	case SIM_CAT_DESIGNATION: return upper ? "Designation" : "designation";
	case SIM_CAT_WORLDCLASS: return upper ? "World class" : "worldClass";
	case SIM_CAT_CULTURE: return upper ? "Culture" : "culture";
	case SIM_CAT_INDUSTRY: return upper ? "Industry" : "industry";
	case SIM_CAT_FEATURE: return upper ? "Feature" : "feature";
	case SIM_CAT_IMPROVEMENT: return upper ? "Improvement" : "improvement";
	default: return upper ? "Commodity" : "commodity";
	}
}

int sim_catalog_ensure(struct sim_catalog *c, int64_t id, enum sim_cat cat)
{
	const struct sim_item *known = sim_catalog_find(c, id);
	if (known) {
		/* a trait first met bare (as a rival shows it), then as an
		 * industry object: it is an industry */
		if (known->generic && known->cat == SIM_CAT_FEATURE && cat == SIM_CAT_INDUSTRY) {
			struct sim_item *it = &c->v[known - c->v];
			it->cat = cat;
			snprintf(it->unid, sizeof it->unid, "fleetsim.industry%lld", (long long)id);
			free(it->name);
			it->name = NULL;
			char name[64];
			snprintf(name, sizeof name, "Industry %lld", (long long)id);
			return (it->name = strdup(name)) ? 0 : -1;
		}
		return 0;
	}
	char name[64];
	snprintf(name, sizeof name, "%s %lld", generic_word(cat, 1), (long long)id);
	struct sim_item it = {.id = id, .name = name, .cat = cat, .ftl = SIM_FTL_NONE,
			      .mass = 1, .price = 1, .generic = 1};
	snprintf(it.unid, sizeof it.unid, "fleetsim.%s%lld", generic_word(cat, 0),
		 (long long)id);
	return add(c, &it);
}

static const char *cat_name(enum sim_cat cat)
{
	switch (cat) {
	case SIM_CAT_SHIP: return "maneuveringUnit";
	case SIM_CAT_ORBITAL: return "orbitalUnit";
	case SIM_CAT_GROUND: return "groundUnit";
	case SIM_CAT_COMMODITY: return "commodity";
	case SIM_CAT_DESIGNATION: return "designation";
	case SIM_CAT_WORLDCLASS: return "worldClass";
	case SIM_CAT_CULTURE: return "culture";
	case SIM_CAT_CURRENCY: return "commodity";
	case SIM_CAT_LAM: return "LAMUnit";
	case SIM_CAT_IMPROVEMENT: return "improvement";
	case SIM_CAT_INDUSTRY: return "industry";
	case SIM_CAT_FEATURE: return "feature";
	}
	return "commodity";
}

static const char *class_name(enum sim_cat cat)
{
	switch (cat) {
	case SIM_CAT_SHIP:
	case SIM_CAT_ORBITAL:
	case SIM_CAT_GROUND:
	case SIM_CAT_LAM:
	case SIM_CAT_COMMODITY: return "resourceType";
	case SIM_CAT_CURRENCY: return "currencyType";
	default: return "trait";
	}
}

/* The game writes whole numbers as integers. */
static json_t *number(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static int is_unit(enum sim_cat cat)
{
	return cat == SIM_CAT_SHIP || cat == SIM_CAT_ORBITAL || cat == SIM_CAT_GROUND ||
	       cat == SIM_CAT_LAM || cat == SIM_CAT_COMMODITY;
}

json_t *sim_catalog_json(const struct sim_catalog *c)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < c->n; i++) {
		const struct sim_item *it = &c->v[i];
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)it->id,
				      "class", class_name(it->cat), "category",
				      cat_name(it->cat), "nameDesc", it->name, "unid", it->unid);
		if (!o)
			continue;
		if (is_unit(it->cat)) {
			json_object_set_new(o, "mass", number(it->mass));
			json_object_set_new(o, "attackValue", number(it->attack));
			json_object_set_new(o, "price", number(it->price));
		}
		if (it->cat == SIM_CAT_SHIP) {
			json_object_set_new(o, "FTL", json_string(sim_ftl_name(it->ftl)));
			json_object_set_new(o, "cargoSpace", number(it->cargo));
		}
		if (it->role)
			json_object_set_new(o, "role", json_string(it->role));
		json_array_append_new(list, o);
	}
	return list;
}

const char *sim_ftl_name(enum sim_ftl f)
{
	switch (f) {
	case SIM_FTL_JUMP: return "jump";
	case SIM_FTL_WARP: return "warp";
	case SIM_FTL_EXPLORER: return "explorer";
	case SIM_FTL_RAMJET: return "ramjet";
	default: return "warp";
	}
}

enum sim_ftl sim_ftl_parse(const char *s)
{
	if (!s)
		return SIM_FTL_NONE;
	if (strcmp(s, "jump") == 0)
		return SIM_FTL_JUMP;
	if (strcmp(s, "warp") == 0)
		return SIM_FTL_WARP;
	if (strcmp(s, "explorer") == 0)
		return SIM_FTL_EXPLORER;
	if (strcmp(s, "ramjet") == 0)
		return SIM_FTL_RAMJET;
	return SIM_FTL_NONE;
}

double sim_ftl_speed(enum sim_ftl f)
{
	switch (f) {
	case SIM_FTL_JUMP: return 50.0;
	case SIM_FTL_EXPLORER: return 40.0;
	case SIM_FTL_WARP: return 25.0;
	case SIM_FTL_RAMJET: return 8.0;
	default: return 25.0;
	}
}
