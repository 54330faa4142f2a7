/* json_quick.h -- a parser for the plain JSON a client usually sends,
 * in front of jansson's.
 *
 * It reads only texts made of objects, arrays, integers, true, false,
 * null and strings of printable ASCII without escapes, and builds from
 * them exactly the tree json_loadb(JSON_DECODE_ANY |
 * JSON_REJECT_DUPLICATES) builds (same values, keys in the same order).
 * Anything else -- a real, an escape, a byte outside printable ASCII, a
 * duplicate key, an integer beyond 64 bits, nesting deeper than
 * JSON_QUICK_MAX_DEPTH, any syntax error -- is left to jansson, which
 * then gives the tree or the error it always gave: what is accepted and
 * every error message stay jansson's.  A small POST body costs about a
 * third of jansson's work (no token buffer, no per-character stream).
 *
 * Owns nothing beyond the call. */
#ifndef FLEETD_JSON_QUICK_H
#define FLEETD_JSON_QUICK_H

#include <jansson.h>
#include <stddef.h>

#define JSON_QUICK_MAX_DEPTH 64

/* The value of buf[0..len), or NULL when the text is not in the plain
 * form above, nests deeper than max_depth (0: JSON_QUICK_MAX_DEPTH; more
 * than that is never taken) or memory ran out: parse it with jansson
 * then.  A text taken holds no NUL byte and nests at most max_depth, so
 * it passes jsonx_check_text() (jsonx.h) as well. */
json_t *json_quick_parse(const char *buf, size_t len, int max_depth);

#endif
