/* jsonx.h -- small JSON helpers shared by fleetd and fleetsim.
 *
 * Parsing of untrusted bodies goes through jsonx_parse(): a nesting cap is
 * checked on the raw bytes before jansson sees them, and the error text
 * names line and column. */
#ifndef FLEETD_JSONX_H
#define FLEETD_JSONX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JSONX_MAX_DEPTH 32

/* Parse buf as one JSON value; NULL with a message in err on failure
 * (bad syntax, invalid UTF-8, a NUL byte, nesting deeper than max_depth). */
json_t *jsonx_parse(const char *buf, size_t len, int max_depth, char *err,
		    size_t errlen);
/* The checks jsonx_parse() makes on the raw bytes before jansson reads
 * them: no NUL byte anywhere (jansson would end a number or literal at
 * one and accept "[13\0]"), nesting at most max_depth (0: any).  0 if
 * they pass, else -1 with a message in err.  For readers that parse
 * JSON themselves and must refuse what jsonx_parse() refuses. */
int jsonx_check_text(const char *buf, size_t len, int max_depth, char *err,
		     size_t errlen);
/* json_object_get(), except that an object without members (or a value
 * that is not an object) answers NULL before jansson hashes the key: for
 * the lookups of a hot path in objects that are mostly empty. */
static inline json_t *jsonx_field(const json_t *obj, const char *key)
{
	return json_object_size(obj) ? json_object_get(obj, key) : NULL;
}
/* Deepest nesting of arrays/objects in buf (strings skipped). */
int jsonx_depth(const char *buf, size_t len);
/* {"error": {"code": code, "message": message}} as a new reference. */
json_t *jsonx_error(const char *code, const char *message);
/* An integer field as int64 (also ipInteger); -1 if absent or not one. */
int jsonx_get_int(const json_t *obj, const char *key, int64_t *out);
/* A number field as double (integers too); -1 if absent or not one. */
int jsonx_get_num(const json_t *obj, const char *key, double *out);
/* How much of an unknown field's name an error quotes (bytes). */
#define JSONX_QUOTED_KEY_MAX 40
/* 0 if every key of obj is one of known (a NULL-terminated list); else -1
 * with "<key>: unknown field" in err for the first other one, its name
 * cut at JSONX_QUOTED_KEY_MAX bytes, never inside a UTF-8 character. */
int jsonx_check_keys(const json_t *obj, const char *const known[], char *err,
		     size_t errlen);
/* Game quirks: a boolean may be a JSON true or the string "true". */
int jsonx_truthy(const json_t *v);

#endif
