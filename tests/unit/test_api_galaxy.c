/* test_api_galaxy.c -- api_galaxy_first_after(), where a galaxy list's
 * page starts: for lists of every length from 0 to 9 with gaps between
 * the ids, and every cursor from below the first id to past the last, the
 * index is that of the first id above the cursor, as a scan finds it.
 * The list is the test's own (the id function never reads the mirror).
 *
 * api_galaxy_get(), GET of one item, through the real HTTP server and
 * loop: 503 no_upstream without a mirror, 503 not_ready before its first
 * full state, then the item found (200, reals at 15 digits), none (404
 * naming the kind and id) or found but not written (500). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api_galaxy.h"
#include "app.h"
#include "http.h"
#include "loop.h"
#include "loopback.h"
#include "mirror.h"
#include "tap.h"

static const int64_t IDS[] = {2, 3, 5, 9, 10, 40, 41, 100, 1000};
#define NIDS (sizeof IDS / sizeof IDS[0])

static int64_t id_at(const struct mirror *m, size_t i)
{
	(void)m;
	return IDS[i];
}

/* The first index whose id is > after, by a plain scan. */
static size_t scan(size_t n, int64_t after)
{
	size_t i = 0;
	while (i < n && IDS[i] <= after)
		i++;
	return i;
}

/* Item 1 is found, item 2 is found but cannot be written (NULL), no
 * other is. */
static json_t *thing_by_id(const struct mirror *m, int64_t id, int *found)
{
	(void)m;
	*found = id == 1 || id == 2;
	return id == 1 ? json_pack("{s:I,s:f}", "id", (json_int_t)1, "x", 0.1 + 0.2) : NULL;
}

static struct app app;

static void on_thing(struct http_req *req, void *arg)
{
	api_galaxy_get(req, arg, "thing", thing_by_id);
}

static const struct get_case {
	const char *path;
	const char *status;
	const char *body; /* a part of the body */
} GET_CASES[] = {
	{"/things/1", "200", "{\"id\":1,\"x\":0.3}"}, /* 0.1 + 0.2 at 15 digits */
	{"/things/2", "500", "\"internal\""},
	{"/things/3", "404", "no thing 3 in the game state"},
	{"/things/0", "404", "\"not_found\""},
};

static void test_get(void)
{
	char err[256], buf[4096];
	struct http_config hc = {.listen = "127.0.0.1:0", .conn_limit = 16,
				 .body_limit = 4096, .conn_timeout_s = 30,
				 .conn_memory_limit = 32768};
	app.loop = loop_new();
	app.http = app.loop ? http_server_new(app.loop, &hc, err, sizeof err) : NULL;
	CHECK(app.http != NULL);
	if (!app.http)
		return;
	CHECK(http_route(app.http, "GET", "/things/{id}", on_thing, &app) == 0);
	int port = http_server_port(app.http);
	loopback_request(app.loop, port, "GET", "/things/1", buf, sizeof buf);
	CHECK(strcmp(loopback_status(buf), "503") == 0 && strstr(buf, "\"no_upstream\""));
	app.mirror = mirror_new();
	loopback_request(app.loop, port, "GET", "/things/1", buf, sizeof buf);
	CHECK(strcmp(loopback_status(buf), "503") == 0 && strstr(buf, "\"not_ready\""));
	json_t *none = json_array();
	CHECK(mirror_merge(app.mirror, none, 1, err, sizeof err) == 0 && mirror_ready(app.mirror));
	json_decref(none);
	for (size_t i = 0; i < sizeof GET_CASES / sizeof GET_CASES[0]; i++) {
		loopback_request(app.loop, port, "GET", GET_CASES[i].path, buf, sizeof buf);
		CHECK(strcmp(loopback_status(buf), GET_CASES[i].status) == 0);
		CHECK(strstr(buf, GET_CASES[i].body) != NULL);
	}
	http_server_free(app.http);
	mirror_free(app.mirror);
	loop_free(app.loop);
}

int main(void)
{
	test_get();
	for (size_t n = 0; n <= NIDS; n++)
		for (int64_t after = -1; after <= 1001; after++)
			CHECK_EQ_INT(api_galaxy_first_after(NULL, n, after, id_at), scan(n, after));
	CHECK_EQ_INT(api_galaxy_first_after(NULL, NIDS, INT64_MAX, id_at), NIDS);
	CHECK_EQ_INT(api_galaxy_first_after(NULL, NIDS, INT64_MIN, id_at), 0);
	return tap_done();
}
