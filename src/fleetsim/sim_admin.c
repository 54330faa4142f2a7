/* sim_admin.c -- the test routes of sim_admin.h: parse the body, apply the
 * change with sim_rules_admin(), answer the watch and the sequence the
 * change was given (it shows in the next getObjects like any other). */
#include "sim_admin.h"

#include <string.h>

#include "ipint.h"
#include "sim_rules.h"

static unsigned status_of(const char *code)
{
	if (strcmp(code, "unknownObject") == 0 || strcmp(code, "unknownChange") == 0)
		return 404;
	if (strcmp(code, "battleInProgress") == 0 || strcmp(code, "notEnemy") == 0)
		return 409;
	return 400;
}

static void on_change(struct http_req *req, void *arg)
{
	struct sim_galaxy *g = arg;
	const char *what = strrchr(http_route_pattern(req), '/') + 1; /* "/sim/move" */
	char err[160];
	json_t *body = http_body_json(req, err, sizeof err);
	if (!json_is_object(body)) {
		json_decref(body);
		http_reply_error(req, 400, "invalidParameter", "the body must be a JSON object%s%s",
				 body ? "" : ": ", body ? "" : err);
		return;
	}
	struct sim_refusal why = {0};
	int rc = sim_rules_admin(g, what, body, &why);
	json_decref(body);
	if (rc < 0) {
		http_reply_error(req, status_of(why.code), why.code, "%s", why.msg);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:I,s:o}", "watch", (json_int_t)g->watch,
					    "sequence", ipint_encode(g->seq)));
}

int sim_admin_routes(struct http_server *http, struct sim_galaxy *g)
{
	static const char *const routes[] = {"/sim/move", "/sim/battle", "/sim/owner",
					     "/sim/stock"};
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (http_route(http, "POST", routes[i], on_change, g) < 0)
			return -1;
	return 0;
}
