/* row_page.h -- the rows of a SELECT as a JSON array, all of them or one
 * page of a keyset-paged list: what the stored lists (schedules, triggers,
 * a webhook's deliveries) share under api_list_page() and the other list
 * routes that answer them, and the short lists inside an answer (a
 * schedule's or trigger's recent firings, a queue's items).
 *
 * A page's SELECT orders by its first column, an integer key (the id), and
 * takes its LIMIT as a parameter: row_page binds limit + 1 there, so that
 * the one row past the page tells whether another page follows.  The
 * cursor it gives back is the key of the last row sent; the SELECT's
 * "id > ?" (ascending) or "id < ?" (descending) carries on from it.
 *
 * Owns nothing: the statement stays the caller's (these reset it)
 * and each row's JSON is the caller's fn.  Must not know HTTP. */
#ifndef FLEETD_ROW_PAGE_H
#define FLEETD_ROW_PAGE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct store;

/* The JSON of the row s is on (a new reference), or NULL on failure. */
typedef json_t *(*row_json_fn)(void *arg, sqlite3_stmt *s);

/* Every row of s (its parameters bound by the caller), each as fn(arg,
 * s), in a new array; NULL on a database error or when fn fails.  s is
 * reset in every case. */
json_t *row_list(sqlite3_stmt *s, row_json_fn fn, void *arg);

/* The first limit (>= 1) rows of s, each as fn(arg, s), in a new array;
 * the caller has bound s's other parameters, row_page binds parameter
 * limit_param.  *next is the key of the last row of the page when more
 * rows follow, else 0.  NULL (and *next 0) on a database error or when fn
 * fails; s is reset in every case. */
json_t *row_page(sqlite3_stmt *s, int limit_param, int limit, row_json_fn fn, void *arg,
		 int64_t *next);

/* The same for the usual list, in id order from a cursor: sql is
 * "SELECT id, ... WHERE id > ?1 ORDER BY id LIMIT ?2" (a statement of
 * st's cache).  NULL also when the statement cannot be had. */
json_t *row_page_after(struct store *st, const char *sql, int64_t after, int limit,
		       row_json_fn fn, void *arg, int64_t *next);

#endif
