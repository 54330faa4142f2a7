/* mirror_scan.h -- a fast reader for large getObjects answers.
 *
 * A full answer is megabytes of JSON of which the mirror reads a few fields
 * per object.  Building jansson's tree for all of it costs about nine times
 * the text in memory and most of the time of a full load.  The scanner
 * validates the whole text as strictly as jsonx_parse() (syntax, UTF-8,
 * nesting), but builds JSON values only for what the mirror uses: world,
 * fleet and sovereign objects come out reduced to the fields mirror_merge()
 * reads; the other classes it merges (update, history, battlePlan, ...)
 * come out whole, and classes it ignores are dropped.
 * Feeding the result to mirror_merge() gives the same mirror as feeding the
 * fully parsed answer.  Knows nothing of the mirror's records. */
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

/* The number of values of a packed list, their bytes in *values (read
 * them with memcpy: no alignment), or (size_t)-1 if v is not one. */
size_t mirror_scan_ints(const json_t *v, const char **values);

#endif
