/* mirror_scan.h -- a fast reader for large getObjects answers.
 *
 * A full answer is megabytes of JSON of which the mirror reads a few fields
 * per object.  Building jansson's tree for all of it costs about nine times
 * the text in memory and most of the time of a full load.  The scanner
 * validates the whole text for syntax, UTF-8 and nesting as jsonx_parse()
 * does, but builds JSON values only for what the mirror uses: world, fleet
 * and sovereign objects come out reduced to the keys mirror_fields.h lists
 * for them; the other classes it merges (update, history, battlePlan, ...)
 * come out whole, and classes it ignores are dropped.
 * Feeding the result to mirror_merge() gives the same mirror as feeding the
 * answer parsed by json_loadb().  Knows nothing of the mirror's records.
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

/* A new JSON list, or NULL with err (not JSON, not a list, bad UTF-8,
 * nested deeper than max_depth). */
json_t *mirror_scan_answer(const char *buf, size_t len, int max_depth, char *err,
			   size_t errlen);

/* Lists of integers the mirror copies (nearObjIDs, resources) come out
 * packed when all their elements are JSON integers: a string holding this
 * 8-byte tag, then the values as int64_t in host order.  No JSON text
 * gives such a string (a NUL is refused in strings), so it cannot be
 * confused with a value of the answer.  Other lists come out as lists. */
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
 * not one. */
size_t mirror_scan_packed(const json_t *v, const char *tag, const char **slots);

/* The number of values of a packed list, their bytes in *values (read
 * them with memcpy: no alignment), or (size_t)-1 if v is not one. */
size_t mirror_scan_ints(const json_t *v, const char **values);

#endif
