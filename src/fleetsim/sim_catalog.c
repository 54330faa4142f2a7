/* sim_catalog.c -- see sim_catalog.h.  The fixed table below is the whole
 * scenario of a generated galaxy; prices and speeds are fleetsim's own
 * choices (docs/fleetsim.md), not the real game's. */
#include "sim_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

struct fixed {
	int64_t id;
	const char *name;
	enum sim_cat cat;
	enum sim_ftl ftl;
	double attack, cargo, mass, price;
	const char *role;
};

static const struct fixed fixed_items[] = {
	{SIM_CURRENCY_ID, "aes", SIM_CAT_CURRENCY, SIM_FTL_NONE, 0, 0, 0, 1, NULL},
	{26, "Hammerhead gunship", SIM_CAT_SHIP, SIM_FTL_JUMP, 60, 0, 40, 900, NULL},
	{101, "Pathfinder explorer", SIM_CAT_SHIP, SIM_FTL_EXPLORER, 1, 0, 5, 300, NULL},
	{102, "Skylark scout", SIM_CAT_SHIP, SIM_FTL_EXPLORER, 1, 0, 2, 6, NULL},
	{122, "Vanguard warp frigate", SIM_CAT_SHIP, SIM_FTL_WARP, 8, 0, 15, 38, NULL},
	{123, "Bastion warp cruiser", SIM_CAT_SHIP, SIM_FTL_WARP, 20, 0, 35, 120, NULL},
	{144, "Mule jump freighter", SIM_CAT_SHIP, SIM_FTL_JUMP, 0, 500, 30, 25, NULL},
	{160, "Lance jump destroyer", SIM_CAT_SHIP, SIM_FTL_JUMP, 30, 0, 25, 45, NULL},
	{164, "Wasp jump corvette", SIM_CAT_SHIP, SIM_FTL_JUMP, 5, 0, 8, 30, NULL},
	{170, "Ark jump carrier", SIM_CAT_SHIP, SIM_FTL_JUMP, 25, 100, 60, 15, NULL},
	{175, "Tortoise ramjet hauler", SIM_CAT_SHIP, SIM_FTL_RAMJET, 0, 2000, 50, 20, NULL},
	{204, "Defense satellite", SIM_CAT_ORBITAL, SIM_FTL_NONE, 10, 0, 10, 60, NULL},
	{205, "Infantry legion", SIM_CAT_GROUND, SIM_FTL_NONE, 4, 0, 5, 20, NULL},
	{90, "Foodstuffs", SIM_CAT_COMMODITY, SIM_FTL_NONE, 0, 0, 1, 2, NULL},
	{130, "Ore", SIM_CAT_COMMODITY, SIM_FTL_NONE, 0, 0, 1, 1, NULL},
	{142, "Machinery", SIM_CAT_COMMODITY, SIM_FTL_NONE, 0, 0, 1, 6, NULL},
	{178, "Luxury goods", SIM_CAT_COMMODITY, SIM_FTL_NONE, 0, 0, 1, 12, NULL},
	{188, "Consumer goods", SIM_CAT_COMMODITY, SIM_FTL_NONE, 0, 0, 1, 3, NULL},
	{260, "Medical supplies", SIM_CAT_COMMODITY, SIM_FTL_NONE, 0, 0, 1, 9, NULL},
	{SIM_DESIG_UNASSIGNED, "Unassigned world", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, NULL},
	{SIM_DESIG_CAPITAL, "Imperial capital", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, "imperialCapital"},
	{72, "Citadel", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, "citadel"},
	{155, "Agricultural world", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, NULL},
	{163, "Shipyard", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, "shipyard"},
	{222, "Spaceport", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, "spaceport"},
	{SIM_DESIG_TRADING_HUB, "Trading hub", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, "tradingHub"},
	{275, "Sector capital", SIM_CAT_DESIGNATION, SIM_FTL_NONE, 0, 0, 0, 0, "sectorCapital"},
	{34, "Desert world", SIM_CAT_WORLDCLASS, SIM_FTL_NONE, 0, 0, 0, 0, NULL},
	{93, "Ocean world", SIM_CAT_WORLDCLASS, SIM_FTL_NONE, 0, 0, 0, 0, NULL},
	{103, "Terrestrial world", SIM_CAT_WORLDCLASS, SIM_FTL_NONE, 0, 0, 0, 0, NULL},
	{186, "Ice world", SIM_CAT_WORLDCLASS, SIM_FTL_NONE, 0, 0, 0, 0, NULL},
	{SIM_CULTURE_ID, "Imperial culture", SIM_CAT_CULTURE, SIM_FTL_NONE, 0, 0, 0, 0, NULL},
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

struct sim_catalog *sim_catalog_new(void)
{
	struct sim_catalog *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	for (size_t i = 0; i < sizeof fixed_items / sizeof fixed_items[0]; i++) {
		const struct fixed *f = &fixed_items[i];
		struct sim_item it = {f->id, (char *)f->name, f->cat, f->ftl, f->attack,
				      f->cargo, f->mass, f->price, f->role};
		if (add(c, &it) < 0) {
			sim_catalog_free(c);
			return NULL;
		}
	}
	return c;
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

const struct sim_item *sim_catalog_find(const struct sim_catalog *c, int64_t id)
{
	/* a few dozen entries: a scan is as fast as anything */
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return &c->v[i];
	return NULL;
}

int sim_catalog_ensure(struct sim_catalog *c, int64_t id, enum sim_cat cat)
{
	if (sim_catalog_find(c, id))
		return 0;
	char name[64];
	snprintf(name, sizeof name, "%s %lld",
		 cat == SIM_CAT_DESIGNATION ? "Designation" :
		 cat == SIM_CAT_WORLDCLASS ? "World class" :
		 cat == SIM_CAT_CULTURE ? "Culture" : "Commodity",
		 (long long)id);
	struct sim_item it = {id, name, cat, SIM_FTL_NONE, 0, 0, 1, 1, NULL};
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
	}
	return "commodity";
}

static const char *class_name(enum sim_cat cat)
{
	switch (cat) {
	case SIM_CAT_SHIP:
	case SIM_CAT_ORBITAL:
	case SIM_CAT_GROUND:
	case SIM_CAT_COMMODITY: return "resourceType";
	case SIM_CAT_CURRENCY: return "currencyType";
	default: return "trait";
	}
}

json_t *sim_catalog_json(const struct sim_catalog *c)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < c->n; i++) {
		const struct sim_item *it = &c->v[i];
		char unid[64];
		snprintf(unid, sizeof unid, "fleetsim:%lld", (long long)it->id);
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)it->id,
				      "class", class_name(it->cat), "category",
				      cat_name(it->cat), "nameDesc", it->name, "unid", unid);
		if (!o)
			continue;
		if (it->cat == SIM_CAT_SHIP || it->cat == SIM_CAT_ORBITAL ||
		    it->cat == SIM_CAT_GROUND || it->cat == SIM_CAT_COMMODITY) {
			json_object_set_new(o, "mass", json_real(it->mass));
			json_object_set_new(o, "attackValue", json_real(it->attack));
			json_object_set_new(o, "price", json_real(it->price));
		}
		if (it->cat == SIM_CAT_SHIP) {
			json_object_set_new(o, "FTL", json_string(sim_ftl_name(it->ftl)));
			json_object_set_new(o, "cargoSpace", json_real(it->cargo));
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
