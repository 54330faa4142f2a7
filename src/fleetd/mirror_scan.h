/* mirror_scan.h -- a fast reader for large getObjects answers.
 *
 * A full answer is megabytes of JSON of which the mirror reads a few fields
 * per object.  Building jansson's tree for all of it costs about nine times
 * the text in memory and most of the time of a full load.  The scanner
 * validates the whole text for syntax, UTF-8 and nesting as jsonx_parse()
 * does, but builds JSON values only for what the mirror uses: world, fleet
 * and sovereign objects come out reduced to the keys mirror_fields.h lists
 * for them, as flat values (struct mirror_scan_value: no JSON value per
 * scalar or integer list); the other classes it merges (update, history,
 * battlePlan, ...) come out whole, and classes it ignores are dropped.
 * Feeding the result to mirror_merge_scanned() gives the same mirror as
 * feeding the answer parsed by json_loadb() to mirror_merge(); so does
 * mirror_scan_answer(), the same scan as JSON.  Knows nothing of the
 * mirror's records.
 *
 * Duplicate keys: accepted, and the last one wins, as json_loadb() does
 * without flags (in a reduced object, in a class kept whole, and in a
 * trait or trade route object).  jsonx_parse() differs here: it refuses them
 * (JSON_REJECT_DUPLICATES).  A duplicate inside a skipped value is not
 * looked for. */
#ifndef FLEETD_MIRROR_SCAN_H
#define FLEETD_MIRROR_SCAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mirror_fields.h"

/* What a kept value of a reduced object is.  Scalars and the lists the
 * mirror copies come out flat (no allocation of their own); anything else
 * (an ipInteger, a nested object, a list of mixed values) is built as
 * jansson would build it, so its reader sees the game's text as it was. */
enum mirror_scan_kind {
	MIRROR_V_NULL,     /* null */
	MIRROR_V_FALSE,
	MIRROR_V_TRUE,     /* true; also a battle plan that is an object or list */
	MIRROR_V_INT,      /* a JSON integer: u.i */
	MIRROR_V_REAL,     /* a JSON real: u.d, bit for bit jansson's */
	MIRROR_V_STRING,   /* u.s, n bytes, NUL-terminated */
	MIRROR_V_INTS,     /* a list of JSON integers (nearObjIDs, resources):
			    * u.ints, n values */
	MIRROR_V_POSITIVE, /* the same, every value > 0 (a reader keeping only
			    * ids > 0 can copy them) */
	MIRROR_V_POS,      /* a list of two numbers: u.xy; bit 0 of n set when x
			    * was a JSON integer, bit 1 for y (both exact) */
	MIRROR_V_PACKED,   /* traits or trade routes packed as below: u.s, n
			    * bytes, the tag first (mirror_scan_packed_bytes()) */
	MIRROR_V_JSON,     /* anything else, and traits and trade routes that
			    * are not packed (reduced): u.json, owned by the
			    * answer */
};

struct mirror_scan_value {
	enum mirror_scan_kind kind;
	unsigned key; /* the key's number: mirror_scanned.key_of[row] */
	size_t n;
	union {
		int64_t i;
		double d;
		const char *s;
		const int64_t *ints;
		double xy[2];
		json_t *json;
	} u;
};

/* One top-level object the mirror merges.  A reduced class (world, fleet,
 * sovereign) is its kept values, values[first] to values[first + n - 1],
 * in the order of the text (a duplicate key: the later one wins); a class
 * merged whole is the object as jansson builds it. */
struct mirror_scan_item {
	enum mirror_class cls;
	json_t *whole; /* classes merged whole; NULL for reduced ones */
	size_t first, n;
};

/* A scanned answer.  Keys are numbered: key_of[row] is the number of the
 * key of a row of mirror_fields[] that the scanner keeps (the same for
 * every row with that key), 255 for the others; key_row[k] is a row with
 * key number k.  Everything it points to is owned by it. */
struct mirror_scanned {
	struct mirror_scan_item *items;
	size_t nitems, cap_items;
	struct mirror_scan_value *values;
	size_t nvalues, cap_values;
	char *arena; /* the strings and lists values point into */
	unsigned char key_of[MIRROR_NFIELDS];
	const struct mirror_field *key_row[MIRROR_NFIELDS];
	unsigned nkeys;
};
#define MIRROR_SCAN_NO_KEY 255

/* An answer read for mirror_merge_scanned(), or NULL with err (not JSON,
 * not a list, bad UTF-8, nested deeper than max_depth).  Free it with
 * mirror_scanned_free(). */
struct mirror_scanned *mirror_scan(const char *buf, size_t len, int max_depth, char *err,
				   size_t errlen);
void mirror_scanned_free(struct mirror_scanned *a);

/* A kept value as jansson would give it (a new reference; NULL when out of
 * memory), with the scanner's reductions: a packed list as below, traits
 * as their ids, a battle plan as its truth. */
json_t *mirror_scan_value_json(const struct mirror_scan_value *v);

/* The same answer as a new JSON list of the objects (reduced ones with
 * only their kept keys), or NULL with err: what tests and tools compare
 * with jansson; mirror_merge() takes it. */
json_t *mirror_scan_answer(const char *buf, size_t len, int max_depth, char *err,
			   size_t errlen);

/* Lists of integers the mirror copies (nearObjIDs, resources) come out
 * of mirror_scan_answer() packed: a string holding this 8-byte tag, then
 * the values as int64_t in host order.  No JSON text gives such a string
 * (a NUL is refused in strings), so it cannot be confused with a value of
 * the answer. */
#define MIRROR_SCAN_INTS_TAG "\0ints64"

/* A world's traits and tradeRoutes come out packed too when their ids
 * are plain integers and no key repeats: a string holding one of these
 * tags, then 8-byte slots (int64_t or double, host order) holding what
 * mirror.c reads from them, -0.0 and non-numbers already read as 0.
 *   traits: per trait id, nbuild | structured << 32, targetAllocation,
 *           allocation, then nbuild (resource, percent) pairs; a bare
 *           id is structured 0 with no pairs; ids may be 0 (none);
 *   routes: per route partnerObjID, nimports | nexports << 24 |
 *           return << 48 | exports-first << 49, then the (resource,
 *           percent, amount) flows of the list that came first, then
 *           the other's; only tuples with a resource id > 0 are packed.
 * Otherwise they come out as lists, their objects reduced to the rows of
 * the trait and tradeRoute classes. */
#define MIRROR_SCAN_TRAITS_TAG "\0trait64"
#define MIRROR_SCAN_ROUTES_TAG "\0route64"

/* The number of 8-byte slots of a string packed under tag (either above),
 * their bytes in *slots (read them with memcpy), or (size_t)-1 if v is
 * not one; the same of n bytes at b (a MIRROR_V_PACKED value). */
size_t mirror_scan_packed(const json_t *v, const char *tag, const char **slots);
size_t mirror_scan_packed_bytes(const char *b, size_t n, const char *tag, const char **slots);

/* The number of values of a packed list, their bytes in *values (read
 * them with memcpy: no alignment), or (size_t)-1 if v is not one. */
size_t mirror_scan_ints(const json_t *v, const char **values);

#endif
