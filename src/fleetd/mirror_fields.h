/* mirror_fields.h -- the one table of what the mirror reads from the game.
 *
 * Every key fleetd reads from a getObjects answer is one row here: the
 * class of object it belongs to, the game's key, how its value is read and,
 * for fleets, worlds and sovereigns, the member of the public record
 * (mirror.h) that keeps it.  The rest of the mirror is derived from it:
 *   - the scanner (mirror_scan.c) keeps the keys of the reduced classes and
 *     picks its reader by the row's read kind;
 *   - the merge (mirror.c) fills a record by walking its class's rows and
 *     frees it the same way; patches and updates name their keys by row;
 *   - the tests compare two mirrors row by row.
 * Adding a field is one row (and its member in mirror.h).
 *
 * Names: a field is "CLASS.KEY" with the game's spelling, e.g. "fleet.eta",
 * "world.population", "sovereign.capitalID"; mirror_field_find() looks one
 * up and mirror_field_get() reads it from a record, for the condition
 * language and the routes.
 *
 * Owns the table and the lookups over it; must not read JSON (the readers
 * of the game's quirks are mirror.c's) nor know any merge rule. */
#ifndef FLEETD_MIRROR_FIELDS_H
#define FLEETD_MIRROR_FIELDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The classes of objects the mirror merges, by their game name, and what
 * the scanner does with each at the top level of an answer:
 *   REDUCE  built with only the keys of its rows (records: fleet, world,
 *           sovereign; their other keys are most of the text);
 *   WHOLE   handed over complete (merged otherwise, or kept as JSON);
 *   INNER   not a top-level class: objects inside a record (a world's
 *           traits and tradeRoutes: the scanner reduces them to their
 *           class's rows), or keys every object has (any); dropped at the
 *           top; getGameInfo's scenarioInfo entries (the catalogue, read
 *           by mirror_set_game_info(), never by the scanner).
 * Classes not listed are dropped: mirror_merge() ignores them. */
#define MIRROR_CLASSES(X)                                                     \
	X(fleet, REDUCE)                                                      \
	X(world, REDUCE)                                                      \
	X(sovereign, REDUCE)                                                  \
	X(update, WHOLE)                                                      \
	X(history, WHOLE)                                                     \
	X(destroyedSpaceObject, WHOLE)                                        \
	X(battlePlan, WHOLE)                                                  \
	X(relationship, WHOLE)                                                \
	X(siege, WHOLE)                                                       \
	X(trait, INNER)                                                       \
	X(tradeRoute, INNER)                                                  \
	X(scenarioInfo, INNER)                                                \
	X(any, INNER)

/* How a value is read (mirror.c) and what the record keeps of it.  Absent,
 * null or malformed values read as 0, "" or none: the game's quirks. */
enum mirror_read {
	MIRROR_READ_CLASS,  /* the class name: chooses the record */
	MIRROR_READ_ID,     /* integer or ipInteger, reals rounded: int64_t */
	MIRROR_READ_INT,    /* the same, kept as int */
	MIRROR_READ_REAL,   /* number, -0.0 as 0: double */
	MIRROR_READ_STRING, /* copied string, "" if none: const char * */
	MIRROR_READ_FTL,    /* one of the known FTL types or "": const char * */
	MIRROR_READ_POS,    /* [x, y]: two doubles (member and second) */
	MIRROR_READ_RES,    /* flat id/qty pairs: const int64_t * and the
			     * number of pairs, size_t (second) */
	MIRROR_READ_IDS,    /* positive ids: const int64_t * and size_t */
	MIRROR_READ_BATTLE, /* a battle plan, on or off: int */
	MIRROR_READ_BOOL,   /* true, "true" or a non-zero number: int */
	MIRROR_READ_TRAITS, /* trait ids, or objects naming one in traitID
			     * with their allocations (the trait rows):
			     * const struct mirror_trait * and size_t */
	MIRROR_READ_ROUTES, /* trade route objects (the tradeRoute rows):
			     * const struct mirror_route * and size_t */
	MIRROR_READ_BUILD,  /* buildData: [resource, percent, extra] triples
			     * (inside a trait object) */
	MIRROR_READ_FLOWS,  /* imports/exports: [resource, percent, amount,
			     * extra] quadruples (inside a trade route) */
	MIRROR_READ_JSON,   /* kept as it came: json_t * (a reference) */
};

/* Fields kept in a record: X(class, key, read, member, second).  The member
 * of struct mirror_<class> that keeps the value; second is the other
 * member of a two-member read (y of a position, the count of a list) and
 * the member itself otherwise.  A world's `trading` is no row's: mirror.c
 * derives it from its traits and its designation. */
#define MIRROR_RECORD_FIELDS(X)                                               \
	X(fleet, id, ID, id, id)                                              \
	X(fleet, name, STRING, name, name)                                    \
	X(fleet, sovereignID, ID, sovereign, sovereign)                       \
	X(fleet, ftlType, FTL, ftl_type, ftl_type)                            \
	X(fleet, pos, POS, x, y)                                              \
	X(fleet, anchorObjID, ID, anchor, anchor)                             \
	X(fleet, destID, ID, dest_id, dest_id)                                \
	X(fleet, dest, POS, dest_x, dest_y)                                   \
	X(fleet, eta, REAL, eta, eta)                                         \
	X(fleet, resources, RES, res, nres)                                   \
	X(fleet, battlePlan, BATTLE, in_battle, in_battle)                    \
	X(world, id, ID, id, id)                                              \
	X(world, name, STRING, name, name)                                    \
	X(world, sovereignID, ID, sovereign, sovereign)                       \
	X(world, pos, POS, x, y)                                              \
	X(world, designation, ID, designation, designation)                   \
	X(world, techLevel, INT, tech_level, tech_level)                      \
	X(world, population, REAL, population, population)                    \
	X(world, battlePlan, BATTLE, in_battle, in_battle)                    \
	X(world, traits, TRAITS, traits, ntraits)                             \
	X(world, tradeRoutes, ROUTES, routes, nroutes)                        \
	X(world, resources, RES, res, nres)                                   \
	X(world, nearObjIDs, IDS, near, nnear)                                \
	X(sovereign, id, ID, id, id)                                          \
	X(sovereign, name, STRING, name, name)                                \
	X(sovereign, capitalID, ID, capital, capital)                         \
	X(sovereign, imperialMight, REAL, might, might)                       \
	X(sovereign, relationship, JSON, relationship, relationship)

/* Keys read but kept in no record of their class: Y(class, key, read).
 * A battlePlan object turns a fleet's or world's in_battle on or off; a
 * relationship object replaces a sovereign's; a trait object inside a
 * world's traits names its trait and, for a structure with allocations
 * (an industry), its target and current share of the world's work and
 * what it builds; a trade route names its partner world, what flows each
 * way and whether it is the game's `return` side; a catalogue entry
 * (getGameInfo's scenarioInfo) fills a struct mirror_type; every object
 * has a class and an id.  These fill the members of struct mirror_trait and
 * struct mirror_route (mirror.h). */
#define MIRROR_OTHER_FIELDS(Y)                                                \
	Y(any, class, CLASS)                                                  \
	Y(any, id, ID)                                                        \
	Y(battlePlan, battlePlan, BATTLE)                                     \
	Y(relationship, relationship, JSON)                                   \
	Y(trait, traitID, ID)                                                 \
	Y(trait, targetAllocation, REAL)                                      \
	Y(trait, allocation, REAL)                                            \
	Y(trait, buildData, BUILD)                                            \
	Y(tradeRoute, partnerObjID, ID)                                       \
	Y(tradeRoute, imports, FLOWS)                                         \
	Y(tradeRoute, exports, FLOWS)                                         \
	Y(tradeRoute, return, BOOL)                                           \
	Y(scenarioInfo, id, ID)                                               \
	Y(scenarioInfo, unid, STRING)                                         \
	Y(scenarioInfo, nameDesc, STRING)                                     \
	Y(scenarioInfo, class, STRING)                                        \
	Y(scenarioInfo, category, STRING)                                     \
	Y(scenarioInfo, role, STRING)                                         \
	Y(scenarioInfo, attackValue, REAL)                                    \
	Y(scenarioInfo, cargoSpace, REAL)                                     \
	Y(scenarioInfo, mass, REAL)                                           \
	Y(update, sequence, JSON)                                             \
	Y(update, update, REAL)                                               \
	Y(update, nextUpdateTime, REAL)                                       \
	Y(history, history, JSON)

enum mirror_use { MIRROR_USE_REDUCE, MIRROR_USE_WHOLE, MIRROR_USE_INNER };

/* No key is longer (checked at compile time): the scanner indexes keys by
 * their length. */
#define MIRROR_KEY_MAX 31

#define MIRROR_CLASS_ENUM(name, use) MIRROR_C_##name,
enum mirror_class { MIRROR_CLASSES(MIRROR_CLASS_ENUM) MIRROR_NCLASSES };
#undef MIRROR_CLASS_ENUM

/* Row numbers: MIRROR_F_fleet_eta, MIRROR_F_update_sequence, ... in table
 * order (records first, in the order above). */
#define MIRROR_RECORD_ENUM(cls, key, read, member, second) MIRROR_F_##cls##_##key,
#define MIRROR_OTHER_ENUM(cls, key, read) MIRROR_F_##cls##_##key,
enum mirror_field_id {
	MIRROR_RECORD_FIELDS(MIRROR_RECORD_ENUM)
	MIRROR_OTHER_FIELDS(MIRROR_OTHER_ENUM)
	MIRROR_NFIELDS
};
#undef MIRROR_RECORD_ENUM
#undef MIRROR_OTHER_ENUM

/* What a value is, for a reader of records. */
enum mirror_type {
	MIRROR_T_INT,    /* v.i */
	MIRROR_T_REAL,   /* v.d */
	MIRROR_T_BOOL,   /* v.i, 0 or 1 */
	MIRROR_T_STRING, /* v.s, never NULL */
	MIRROR_T_POS,    /* v.x, v.y */
	MIRROR_T_PAIRS,  /* v.list, v.n pairs of id and quantity */
	MIRROR_T_IDS,    /* v.list, v.n ids */
	MIRROR_T_TRAITS, /* v.traits, v.n */
	MIRROR_T_ROUTES, /* v.routes, v.n */
	MIRROR_T_JSON,   /* v.json, may be NULL */
};

struct mirror_trait; /* mirror.h */
struct mirror_route;

struct mirror_field {
	enum mirror_class cls; /* the class it belongs to */
	const char *key;       /* the game's key */
	size_t key_len;
	enum mirror_read read;
	enum mirror_type type;
	int in_record;         /* kept in struct mirror_<cls>: at, second */
	size_t at, second;     /* offsets in that record */
};

/* The table, indexed by enum mirror_field_id. */
extern const struct mirror_field mirror_fields[MIRROR_NFIELDS];

/* A value read from a record by mirror_field_get(); borrowed from the
 * record (valid until the next merge). */
struct mirror_value {
	enum mirror_type type;
	int64_t i;
	double d, x, y;
	const char *s;
	const int64_t *list;
	const struct mirror_trait *traits;
	const struct mirror_route *routes;
	size_t n;
	const json_t *json;
};

/* A class's game name ("fleet"), and what the scanner does with it. */
const char *mirror_class_name(enum mirror_class cls);
enum mirror_use mirror_class_use(enum mirror_class cls);
/* The class called name (len bytes), or -1 if the mirror has none. */
int mirror_class_find(const char *name, size_t len);

/* The rows of a class that its record keeps: *n rows from the returned one
 * (none for classes without a record). */
const struct mirror_field *mirror_record_fields(enum mirror_class cls, size_t *n);

/* A field by its name, "CLASS.KEY" ("fleet.eta"); NULL if there is none. */
const struct mirror_field *mirror_field_find(const char *name);
/* A field by class and key (len bytes); NULL if there is none. */
const struct mirror_field *mirror_field_of(enum mirror_class cls, const char *key,
					   size_t len);

/* The field's value in a record of its class (a struct mirror_fleet,
 * mirror_world or mirror_sovereign).  -1 if the field is kept in no
 * record. */
int mirror_field_get(const struct mirror_field *f, const void *record,
		     struct mirror_value *out);

#endif
