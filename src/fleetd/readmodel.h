/* readmodel.h -- the read model's JSON: what GET /v1/worlds, /v1/fleets,
 * /v1/catalogue and /v1/sovereigns say of the mirror beyond its plain
 * fields (a world's designation unid, improvements, industries and trade
 * routes; a fleet's strength; catalogue entries; sovereigns), and the
 * checks of those routes' query values.
 *
 * Pure functions of the mirror: no HTTP, no I/O, so the unit tests can
 * read them against the real excerpt.  Which trait is an improvement and
 * which an industry is mirror_trait_kind()'s rule (mirror.h). */
#ifndef FLEETD_READMODEL_H
#define FLEETD_READMODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mirror.h"

/* Add to a world's object: designation_unid, improvements, industries,
 * other_traits and trade_routes.  -1 when out of memory. */
int readmodel_world_add(const struct mirror *m, const struct mirror_world *w, json_t *obj);

/* A fleet's strength ({"space", "ground", "known", "unknown"}) or null
 * when the catalogue knows none of its resources. */
json_t *readmodel_strength(const struct mirror *m, const struct mirror_fleet *f);

/* One catalogue entry; one sovereign (with its visible worlds and fleets
 * counted). */
json_t *readmodel_cat_json(const struct mirror_cat *c);
json_t *readmodel_sovereign_json(const struct mirror *m, const struct mirror_sovereign *s);

/* List pages: ?limit= (1..READMODEL_MAX_LIMIT, default
 * READMODEL_DEFAULT_LIMIT) and ?cursor= (an id as given in next_cursor;
 * the page starts after it).  NULL values mean absent.  -1 with a message
 * naming the parameter. */
#define READMODEL_DEFAULT_LIMIT 100
#define READMODEL_MAX_LIMIT 1000
int readmodel_page_args(const char *limit, const char *cursor, int64_t *limit_out,
			int64_t *after, char *err, size_t errlen);

/* ?category=: a camelCase word of 1..READMODEL_MAX_WORD letters.
 * ?unid=: 1..READMODEL_MAX_UNID printable ASCII characters, no space.
 * 0 when acceptable, -1 with a message. */
#define READMODEL_MAX_WORD 64
#define READMODEL_MAX_UNID 200
int readmodel_check_category(const char *category, char *err, size_t errlen);
int readmodel_check_unid(const char *unid, char *err, size_t errlen);

#endif
