/* api_health.c -- GET /healthz: liveness and readiness in one JSON answer.
 * Reads the other parts' public state; changes nothing.  Never requires
 * authentication (load balancers and systemd probes call it). */
#include <jansson.h>

#include "app.h"
#include "autoconf.h"
#include "clock.h"
#include "http.h"
#include "store.h"

static void on_healthz(struct http_req *req, void *arg)
{
	struct app *app = arg;
	json_t *body = json_pack("{s:s,s:s,s:I,s:i,s:s,s:n}",
				 "status", app->stopping ? "stopping" : "ok",
				 "version", PACKAGE_VERSION,
				 "uptime_ms", (json_int_t)(clock_now_ms() - app->started_ms),
				 "schema_version", store_schema_version(app->store),
				 "upstream", "down",
				 "watch");
	http_reply_json(req, 200, body);
}

void api_health_register(struct app *app)
{
	http_route(app->http, "GET", "/healthz", on_healthz, app);
}
