/* test_api_common.c -- the answers api_common.h gives for the write
 * routes, through the real HTTP server and loop, with a client on a
 * loopback socket: api_reply_created() (the object with its status, a
 * Location of "<collection>/<id>" on 201 only, 500 store_failed and no
 * Location when the object cannot be read back), api_reply_created_json()
 * the same from a JSON object, and api_reply_not_stored() (500
 * store_failed with the route's message while the store works, 503
 * storage_unavailable with Retry-After once a write has failed on a full
 * database).  api_resource_register(): each verb and item route of a
 * resource reaches its handler with the app, a verb without a handler has
 * no route, and a path too long to route is refused.  One case a row of
 * a table; the waits are bounded loops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_common.h"
#include "app.h"
#include "embed.h"
#include "http.h"
#include "loop.h"
#include "loopback.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

static struct loop *loop;
static struct app app;
static int port;

static void on_created(struct http_req *req, void *arg)
{
	(void)arg;
	char text[64];
	int64_t id = http_param_id(req, 0);
	int n = snprintf(text, sizeof text, "{\"id\":%lld}", (long long)id);
	api_reply_created(req, id == 1 ? 200 : 201, "/v1/things", id, text, (size_t)n);
}

static void on_gone(struct http_req *req, void *arg)
{
	(void)arg;
	api_reply_created(req, 201, "/v1/things", http_param_id(req, 0), NULL, 0);
}

static void on_json(struct http_req *req, void *arg)
{
	(void)arg;
	int64_t id = http_param_id(req, 0);
	api_reply_created_json(req, 201, "/v1/others", id,
			       id ? json_pack("{s:I}", "id", (json_int_t)id) : NULL);
}

static void on_not_stored(struct http_req *req, void *arg)
{
	(void)arg;
	api_reply_not_stored(req, &app, "nothing was kept", "the thing could not be stored");
}

static void on_not_stored_same(struct http_req *req, void *arg)
{
	(void)arg;
	api_reply_not_stored(req, &app, "nothing was kept", NULL);
}

/* Which handler of the resource ran, with the path's ids (-1: none)
 * and whether it was given the app. */
static void on_res(struct http_req *req, void *arg)
{
	char text[128];
	int n = snprintf(text, sizeof text, "%s %s %lld %lld %s", http_method(req),
			 http_route_pattern(req), (long long)http_param_id(req, 0),
			 (long long)http_param_id(req, 1), arg == &app ? "app" : "other");
	http_reply(req, 200, "text/plain", text, (size_t)n);
}

static void get(const char *path, char *buf, size_t cap)
{
	loopback_request(loop, port, "GET", path, buf, cap);
}

static const struct answer_case {
	const char *path;
	const char *status;   /* the status line's code */
	const char *location; /* the Location header, NULL for none */
	const char *body;     /* a part of the body */
} CASES[] = {
	{"/created/42", "201", "/v1/things/42", "{\"id\":42}"},
	{"/created/1", "200", NULL, "{\"id\":1}"},
	{"/gone/7", "500", NULL, "\"store_failed\""},
	{"/gone/7", "500", NULL, "/v1/things/7 was stored but cannot be read back"},
	{"/json/9", "201", "/v1/others/9", "{\"id\":9}"},
	{"/json/0", "500", NULL, "\"store_failed\""},
	{"/not-stored", "500", NULL, "the thing could not be stored"},
	{"/not-stored-same", "500", NULL, "nothing was kept"},
};

static void check_answer(const struct answer_case *c, const char *buf)
{
	char want[64];
	const char *loc = strstr(buf, "\r\nLocation: ");
	CHECK(strcmp(loopback_status(buf), c->status) == 0);
	CHECK(strstr(buf, c->body) != NULL);
	if (c->location) {
		snprintf(want, sizeof want, "\r\nLocation: %s\r\n", c->location);
		CHECK(loc && strncmp(loc, want, strlen(want)) == 0);
	} else {
		CHECK(loc == NULL);
	}
	CHECK(strstr(buf, "\r\nContent-Type: application/json; charset=utf-8\r\n") != NULL);
}

static const struct api_resource things = {
	.base = "/v1/res", .create = on_res, .list = on_res, .get = on_res,
	.items = {{"POST", "act", on_res}, {"GET", "sub/{id}", on_res}},
};

static const struct resource_case {
	const char *method, *path;
	const char *status;
	const char *body; /* a part of the body */
} RESOURCE_CASES[] = {
	{"POST", "/v1/res", "200", "POST /v1/res -1 -1 app"},
	{"GET", "/v1/res", "200", "GET /v1/res -1 -1 app"},
	{"GET", "/v1/res/5", "200", "GET /v1/res/{id} 5 -1 app"},
	{"POST", "/v1/res/5/act", "200", "POST /v1/res/{id}/act 5 -1 app"},
	{"GET", "/v1/res/5/sub/6", "200", "GET /v1/res/{id}/sub/{id} 5 6 app"},
	{"DELETE", "/v1/res/5", "405", "method_not_allowed"}, /* no .del */
	{"GET", "/v1/res/5/act", "405", "method_not_allowed"},
	{"GET", "/v1/res/5/other", "404", "not_found"},
};

static void test_resource(void)
{
	char buf[4096], base[300];
	CHECK(api_resource_register(&app, &things) == 0);
	for (size_t i = 0; i < sizeof RESOURCE_CASES / sizeof RESOURCE_CASES[0]; i++) {
		const struct resource_case *c = &RESOURCE_CASES[i];
		loopback_request(loop, port, c->method, c->path, buf, sizeof buf);
		CHECK(strcmp(loopback_status(buf), c->status) == 0);
		CHECK(strstr(buf, c->body) != NULL);
	}
	/* a base no route can hold */
	memset(base, 'a', sizeof base - 1);
	base[0] = '/';
	base[sizeof base - 1] = 0;
	struct api_resource long_base = {.base = base, .list = on_res};
	CHECK(api_resource_register(&app, &long_base) == -1);
	struct api_resource long_item = {.base = "/v1/long", .items = {{"GET", base + 1, on_res}}};
	CHECK(api_resource_register(&app, &long_item) == -1);
}

/* A write that fails on a full database makes the store unavailable:
 * then a refused write is 503 with Retry-After and the first message. */
static void test_unavailable(struct store *st)
{
	char buf[4096];
	CHECK(store_exec(st, "CREATE TABLE t (b BLOB)") == 0);
	CHECK(store_begin(st) == 0);
	CHECK(store_exec(st, "PRAGMA max_page_count = 3") == 0);
	CHECK(store_exec(st, "INSERT INTO t VALUES (zeroblob(200000))") < 0);
	store_stmt(st, "SELECT 1"); /* sees the transaction gone */
	store_commit(st);
	CHECK(!store_available(st));
	get("/not-stored", buf, sizeof buf);
	CHECK(strcmp(loopback_status(buf), "503") == 0);
	CHECK(strstr(buf, "\r\nRetry-After: ") != NULL);
	CHECK(strstr(buf, "\"storage_unavailable\"") != NULL);
	CHECK(strstr(buf, "nothing was kept: ") != NULL);
	CHECK(strstr(buf, "could not be stored") == NULL);
}

static const struct embed_file no_migrations[] = {{NULL, NULL, 0}};

int main(void)
{
	char path[256], err[256];
	snprintf(path, sizeof path, "/tmp/fleetd-test-api-common-%d.db", (int)getpid());
	tmpdb_remove(path);
	loop = loop_new();
	struct store *st = store_open_with(path, no_migrations, err, sizeof err);
	struct http_config hc = {.listen = "127.0.0.1:0", .conn_limit = 16,
				 .body_limit = 4096, .conn_timeout_s = 30,
				 .conn_memory_limit = 32768};
	struct http_server *srv = loop ? http_server_new(loop, &hc, err, sizeof err) : NULL;
	if (!loop || !st || !srv) {
		fprintf(stderr, "setup: %s\n", err);
		return 99;
	}
	app = (struct app){.loop = loop, .store = st, .http = srv};
	http_route(srv, "GET", "/created/{id}", on_created, NULL);
	http_route(srv, "GET", "/gone/{id}", on_gone, NULL);
	http_route(srv, "GET", "/json/{id}", on_json, NULL);
	http_route(srv, "GET", "/not-stored", on_not_stored, NULL);
	http_route(srv, "GET", "/not-stored-same", on_not_stored_same, NULL);
	port = http_server_port(srv);
	char buf[4096];
	for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
		get(CASES[i].path, buf, sizeof buf);
		check_answer(&CASES[i], buf);
	}
	test_resource();
	test_unavailable(st);
	http_server_free(srv);
	store_close(st);
	loop_free(loop);
	tmpdb_remove(path);
	return tap_done();
}
