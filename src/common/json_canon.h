/* json_canon.h -- the canonical text of a jansson value: compact, keys
 * sorted, byte for byte what json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
 * JSON_ENCODE_ANY) writes.
 *
 * fleetd stores a job's spec in that form, compares Idempotency-Key
 * bodies in it and writes the spec's parts into every job answer, so the
 * text must never differ from jansson's (rows written by an older fleetd
 * are compared with new ones).  jansson's dumper pays for generality on
 * every call (a hash table of the containers it is inside, a printf of
 * each container's address, a sorted copy of each object's keys looked up
 * again by name, a callback per token); this writer walks the tree once
 * into a textbuf and hands jansson only what it does not write itself:
 * reals, strings holding anything but printable ASCII, and trees nested
 * deeper than JSON_CANON_MAX_DEPTH (where jansson also finds cycles).
 *
 * Owns nothing beyond the call; must not change the value. */
#ifndef FLEETD_JSON_CANON_H
#define FLEETD_JSON_CANON_H

#include <jansson.h>
#include <stddef.h>

#include "textbuf.h"

/* Containers nested deeper than this are written by jansson. */
#define JSON_CANON_MAX_DEPTH 64

/* Append v's canonical text to t.  0, or -1 where json_dumps() gives NULL
 * (a string that is not UTF-8, a reference cycle) or t ran out of memory;
 * t then holds part of the text. */
int json_canon_put(struct textbuf *t, const json_t *v);
/* The canonical text as a new string (the caller frees it; *len may be
 * NULL); NULL where json_canon_put() fails. */
char *json_canon_text(const json_t *v, size_t *len);

#endif
