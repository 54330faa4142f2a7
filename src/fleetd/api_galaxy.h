/* api_galaxy.h -- what the galaxy routes share (api_mirror.c: fleets and
 * worlds; api_readmodel.c: catalogue and sovereigns): the mirror or a 503,
 * JSON answers with reals at 15 digits, where a page starts in a list in
 * id order, and list pages cut by bytes.
 *
 * A page is written item by item and stops before the item that would
 * take it past --max-page-bytes (one item always goes); next_cursor then
 * carries on from the last item sent, so no request can make the daemon
 * build an answer of unbounded size. */
#ifndef FLEETD_API_GALAXY_H
#define FLEETD_API_GALAXY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "textbuf.h"

struct app;
struct http_req;
struct mirror;

/* The mirror, or NULL after answering 503 (no_upstream, or not_ready
 * with Retry-After until the first full state). */
const struct mirror *api_galaxy_mirror(struct app *app, struct http_req *req);

/* 200 with body (stolen), doubles at 15 significant digits: positions
 * come from the game with two decimals and should read back that way.
 * 500 when body is NULL. */
void api_galaxy_reply(struct http_req *req, json_t *body);

/* GET of one item by the path's {id}: 503 as api_galaxy_mirror(), else
 * find(m, id, &found) gives the item's JSON (answered as
 * api_galaxy_reply() does) or says there is none (found 0): 404
 * not_found "no <what> <id> in the game state". */
typedef json_t *(*api_galaxy_find_fn)(const struct mirror *m, int64_t id, int *found);
void api_galaxy_get(struct http_req *req, struct app *app, const char *what,
		    api_galaxy_find_fn find);

/* The first index, of a list of the mirror's in id order of n items
 * (id_at(m, i) the id of item i), whose id is > after: where the page
 * after cursor `after` starts (a binary search). */
typedef int64_t (*api_galaxy_id_fn)(const struct mirror *m, size_t i);
size_t api_galaxy_first_after(const struct mirror *m, size_t n, int64_t after,
			      api_galaxy_id_fn id_at);

struct api_page {
	struct textbuf items; /* the items written so far, comma-separated */
	size_t count, max_bytes;
	int64_t last;         /* id of the last item written */
	int full;             /* an item was left for the next page */
};

/* Write item (stolen), whose id is id, unless it would take the page past
 * its cap: then the page is full and the item starts the next one. */
void api_page_add(struct api_page *p, json_t *item, int64_t id);

/* {"count":N,"<key>":[...],"next_cursor":"<id>","watch":W}: next_cursor
 * only when the page is full, watch only with a mirror.  Frees the page. */
void api_page_reply(struct http_req *req, const struct mirror *m, struct api_page *p,
		    const char *key);

#endif
