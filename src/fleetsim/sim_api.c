/* sim_api.c -- see sim_api.h.
 *
 * One route, /api/{}, dispatches by endpoint name (the router ignores a
 * trailing slash).  Order of work for a call: unknown name -> HTTP 404;
 * count it; draw the fault die (a faulted call never reaches the game);
 * read the body (POST JSON, or the query for GET getGameInfo); check the
 * token and the common fields; run the endpoint.  Game refusals are
 * hexError lists with HTTP 200.  An action that acted is counted and may
 * have its answer lost (sim_lost.h).  Every answer waits --latency-ms
 * first.
 * Watches end on a loop timer every --watch-ms, or at once on /sim/tick. */
#include "sim_api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "http.h"
#include "ipint.h"
#include "jsonx.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "rng.h"
#include "sim_galaxy.h"
#include "sim_lost.h"
#include "sim_rules.h"
#include "sim_time.h"

#define HEXE_MARKER "AEON2011:hexeError:v1"
#define MAX_TOKENS 1024
#define JSON_TYPE "application/json; charset=utf-8"

enum fault {
	FAULT_NONE = -1,
	FAULT_HTTP500,
	FAULT_HTTP503,
	FAULT_BUSY,
	FAULT_LATE,
	FAULT_CUT,
	FAULT_KINDS
};

static const char *const endpoints[] = {
	"login", "getGameInfo", "getObjects", "setDestination", "deployFleet",
	"transferFleet", "disbandFleet", "renameObject", "attack", "abortAttack",
	"getTactical", "sellFleet", "buyItem", "launchLAMs", "designateWorld",
	"buildImprovement", "destroyImprovement", "setIndustryAlloc", "setProductAlloc",
	"setTradeRoute", "stopTradeRoute", NULL};
#define N_ENDPOINTS (sizeof endpoints / sizeof endpoints[0] - 1)

struct pending {
	struct loop_timer timer; /* first: the timer callback gets the pending */
	struct http_req *req;
	unsigned status;
	char *body;
	size_t len, cut; /* cut < len: close the connection after cut bytes */
	struct list_node link; /* on sim_api.pending until answered */
};

struct sim_api {
	struct loop *loop;
	struct http_server *http;
	struct sim_galaxy *g;
	struct sim_api_config cfg;
	struct loop_timer watch_timer;
	int64_t next_watch_ms;
	char *tokens[MAX_TOKENS];
	size_t ntokens, token_next;
	uint64_t token_counter;
	struct rng rng;     /* fault draws only: reproducible from the seed */
	struct rng tok_rng; /* tokens: differ between runs */
	uint64_t calls[N_ENDPOINTS];
	uint64_t faults;
	struct sim_lost lost; /* faults after the effect, applied actions */
	struct list_node pending; /* of pending.link: answers waiting for latency */
	char *scenario; /* cached scenarioInfo text */
};

/* ------------------------------------------------------------ answers */

/* The "closed mid-answer" fault: the answer announces len bytes, sends
 * the first cut of them, then the connection is dropped. */
struct cut_body {
	char *data;
	size_t cut, sent;
};

static long cut_read(void *arg, char *buf, size_t max)
{
	struct cut_body *cb = arg;
	if (cb->sent >= cb->cut)
		return HTTP_STREAM_ABORT;
	return http_stream_copy(buf, max, cb->data, cb->cut, &cb->sent);
}

static void cut_free(void *arg)
{
	struct cut_body *cb = arg;
	free(cb->data);
	free(cb);
}

static void reply_cut(struct http_req *req, unsigned status, const char *body,
		      size_t len, size_t cut)
{
	struct cut_body *cb = calloc(1, sizeof *cb);
	if (cb && (cb->data = malloc(len ? len : 1)))
		memcpy(cb->data, body, len);
	if (!cb || !cb->data) {
		free(cb);
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	cb->cut = cut < len ? cut : len;
	http_reply_sized(req, status, JSON_TYPE, len, cut_read, cut_free, cb);
}

static void pending_fire(struct loop *loop, void *arg)
{
	(void)loop;
	struct pending *p = arg;
	list_remove(&p->link);
	if (p->cut < p->len)
		reply_cut(p->req, p->status, p->body, p->len, p->cut);
	else
		http_reply(p->req, p->status, JSON_TYPE, p->body, p->len);
	free(p->body);
	free(p);
}

/* Send body (taken) after delay_ms; cut < len truncates the answer. */
static void answer(struct sim_api *api, struct http_req *req, unsigned status,
		   char *body, size_t len, size_t cut, int64_t delay_ms)
{
	if (!body) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	if (delay_ms <= 0) {
		if (cut < len)
			reply_cut(req, status, body, len, cut);
		else
			http_reply(req, status, JSON_TYPE, body, len);
		free(body);
		return;
	}
	struct pending *p = calloc(1, sizeof *p);
	if (!p) {
		free(body);
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	p->req = req;
	p->status = status;
	p->body = body;
	p->len = len;
	p->cut = cut;
	loop_timer_init(&p->timer, pending_fire, p);
	if (loop_timer_arm(api->loop, &p->timer, clock_now_ms() + delay_ms) < 0) {
		answer(api, req, status, body, len, cut, 0);
		free(p);
		return;
	}
	list_push_front(&api->pending, &p->link);
	http_suspend(req);
}

static void answer_json(struct sim_api *api, struct http_req *req, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(v);
	answer(api, req, 200, text, text ? strlen(text) : 0, (size_t)-1, api->cfg.latency_ms);
}

static void answer_hexe(struct sim_api *api, struct http_req *req, const char *code,
			const char *endpoint, const char *msg)
{
	answer_json(api, req, json_pack("[ssss]", HEXE_MARKER, code, endpoint, msg));
}

/* ---------------------------------------------------------- the update */

static int64_t next_update_ms(const struct sim_api *api)
{
	int64_t left = api->next_watch_ms - clock_now_ms();
	return left < 0 ? 0 : left;
}

static void put_update(struct sim_api *api, struct textbuf *b)
{
	json_t *u = json_pack("{s:s,s:I,s:o,s:f,s:I}", "class", "update", "nextUpdateTime",
			      (json_int_t)next_update_ms(api), "sequence",
			      ipint_encode(api->g->seq), "update", (double)api->g->watch,
			      "year0", (json_int_t)api->g->year0);
	char *t = u ? json_dumps(u, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(u);
	if (!t) {
		b->oom = 1;
		return;
	}
	if (b->len && b->p[b->len - 1] != '[')
		textbuf_put(b, ",", 1);
	textbuf_puts(b, t);
	free(t);
}

/* A built text as a 200 answer (cut short at cut when it is below its
 * length); the answer takes the buffer. */
static void answer_buf(struct sim_api *api, struct http_req *req, struct textbuf *b,
		       size_t cut)
{
	if (b->oom) {
		textbuf_free(b);
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	answer(api, req, 200, b->p, b->len, cut, api->cfg.latency_ms);
}

/* [changed objects..., extra, update] as the answer, lost as `lost` says
 * (cut in half at once, or held for the latency and the fault delay and
 * then cut). */
static void answer_objects(struct sim_api *api, struct http_req *req, int64_t since,
			   const char *extra, enum sim_lost_kind lost)
{
	struct textbuf b = {0};
	textbuf_put(&b, "[", 1);
	sim_galaxy_write_since(api->g, since, &b);
	if (extra) {
		if (b.len > 1)
			textbuf_put(&b, ",", 1);
		textbuf_puts(&b, extra);
	}
	put_update(api, &b);
	textbuf_put(&b, "]", 1);
	if (lost == SIM_LOST_NONE || b.oom) {
		answer_buf(api, req, &b, (size_t)-1);
		return;
	}
	log_debug("answer lost", "kind=%s", lost == SIM_LOST_CUT ? "cut" : "held");
	answer(api, req, 200, b.p, b.len, b.len / 2,
	       lost == SIM_LOST_HELD ? api->cfg.latency_ms + api->cfg.fault_delay_ms : 0);
}

/* ------------------------------------------------------------- watches */

static void arm_watch(struct sim_api *api)
{
	api->next_watch_ms = clock_now_ms() + api->cfg.watch_ms;
	loop_timer_arm(api->loop, &api->watch_timer, api->next_watch_ms);
}

static void end_watch(struct sim_api *api)
{
	sim_time_end_watch(api->g);
	arm_watch(api);
	log_debug("watch", "watch=%" PRId64 " sequence=%" PRId64, api->g->watch, api->g->seq);
}

static void on_watch(struct loop *loop, void *arg)
{
	(void)loop;
	end_watch(arg);
}

/* ------------------------------------------------------------- tokens */

static const char *new_token(struct sim_api *api)
{
	char buf[64];
	uint64_t r = rng_next(&api->tok_rng);
	snprintf(buf, sizeof buf, "sim-%016" PRIx64 "-%" PRIu64, r, ++api->token_counter);
	size_t slot = api->token_next;
	free(api->tokens[slot]);
	api->tokens[slot] = strdup(buf);
	api->token_next = (slot + 1) % MAX_TOKENS;
	if (api->ntokens < MAX_TOKENS)
		api->ntokens++;
	return api->tokens[slot];
}

static int token_ok(const struct sim_api *api, const char *t)
{
	if (!t)
		return 0;
	for (size_t i = 0; i < MAX_TOKENS; i++)
		if (api->tokens[i] && strcmp(api->tokens[i], t) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ handlers */

static void do_login(struct sim_api *api, struct http_req *req, const json_t *body)
{
	const char *u = json_string_value(json_object_get(body, "username"));
	const char *p = json_string_value(json_object_get(body, "password"));
	if (!u || !p || strcmp(u, api->cfg.username) || strcmp(p, api->cfg.password)) {
		answer_hexe(api, req, "invalidLogin", "login", "Invalid username or password.");
		return;
	}
	const char *t = new_token(api);
	if (!t) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	answer_json(api, req, json_pack("{s:s,s:[s],s:i,s:s}", "authToken", t, "rights",
					"anacreon.player", "scopedCredentials", 0, "username",
					u));
}

/* The sovereigns are written from the same cached text as in getObjects,
 * so both answers carry the same objects byte for byte. */
static void do_game_info(struct sim_api *api, struct http_req *req)
{
	struct sim_galaxy *g = api->g;
	json_t *info = json_pack("{s:I,s:I,s:s,s:s,s:[],s:{}}", "sovereignID",
				 (json_int_t)g->player, "capitalObjID", (json_int_t)g->capital,
				 "gameID", api->cfg.game, "username", api->cfg.username,
				 "mapBookmarks", "uiOptions");
	struct textbuf b = {0};
	if (!api->scenario) {
		json_t *sc = sim_catalog_json(g->cat);
		struct textbuf sb = {0};
		if (sc)
			sim_json_write(&sb, sc);
		json_decref(sc);
		if (sc && !sb.oom)
			api->scenario = sb.p;
		else
			textbuf_free(&sb);
	}
	if (!info || !api->scenario)
		b.oom = 1;
	textbuf_puts(&b, "{\"scenarioInfo\":");
	if (api->scenario)
		textbuf_puts(&b, api->scenario);
	textbuf_puts(&b, ",\"sovereigns\":[");
	int first = 1;
	for (size_t i = 0; i < g->n; i++) {
		if (g->objs[i]->kind != SIM_SOVEREIGN)
			continue;
		size_t len;
		const char *t = sim_obj_text(g, g->objs[i], &len);
		if (!t) {
			b.oom = 1;
			break;
		}
		if (!first)
			textbuf_put(&b, ",", 1);
		textbuf_put(&b, t, len);
		first = 0;
	}
	textbuf_puts(&b, "],\"userInfo\":");
	if (info)
		sim_json_write(&b, info);
	textbuf_puts(&b, "}");
	json_decref(info);
	answer_buf(api, req, &b, (size_t)-1);
}

/* The client's sequence, 0 when absent or unreadable. */
static int64_t req_sequence(const json_t *body)
{
	int64_t q = 0;
	if (jsonx_get_int(body, "sequence", &q) < 0 || q < 0)
		q = 0;
	return q;
}

static void do_action(struct sim_api *api, struct http_req *req, const char *name,
		      const json_t *body)
{
	struct sim_refusal why = {0};
	int64_t before = api->g->seq, sel = 0;
	if (sim_rules_apply(api->g, name, body, &sel, &why) < 0) {
		answer_hexe(api, req, why.code, name, why.msg);
		return;
	}
	int64_t since = req_sequence(body);
	char extra[96] = "";
	if (sel)
		snprintf(extra, sizeof extra, "{\"class\":\"selection\",\"id\":%" PRId64 "}", sel);
	answer_objects(api, req, since > 0 && since < before ? since : before,
		       sel ? extra : NULL, sim_lost_applied(&api->lost, name));
}

/* Token, game and sovereign of a game call; answers and returns -1 if bad. */
static int check_common(struct sim_api *api, struct http_req *req, const char *name,
			const char *token, const char *game, const json_t *body)
{
	if (!token_ok(api, token)) {
		answer_hexe(api, req, "invalidAuthToken", name,
			    "Invalid or expired auth token: please log in again.");
		return -1;
	}
	if (!game || strcmp(game, api->cfg.game) != 0) {
		answer_hexe(api, req, "unknownGame", name, "Unknown game.");
		return -1;
	}
	int64_t sov;
	if (body && json_object_get(body, "sovereignID") &&
	    (jsonx_get_int(body, "sovereignID", &sov) < 0 || sov != api->g->player)) {
		answer_hexe(api, req, "notOwner", name, "That sovereign is not yours.");
		return -1;
	}
	return 0;
}

static int endpoint_index(const char *name)
{
	for (size_t i = 0; endpoints[i]; i++)
		if (strcmp(endpoints[i], name) == 0)
			return (int)i;
	return -1;
}

static enum fault draw_fault(struct sim_api *api)
{
	if (api->cfg.fault_rate <= 0)
		return FAULT_NONE;
	double u = rng_unit(&api->rng);
	if (u >= api->cfg.fault_rate)
		return FAULT_NONE;
	return (enum fault)(rng_next(&api->rng) % FAULT_KINDS);
}

static void answer_fault(struct sim_api *api, struct http_req *req, const char *name,
			 enum fault f)
{
	api->faults++;
	log_debug("fault injected", "endpoint=%s kind=%d", name, (int)f);
	switch (f) {
	case FAULT_HTTP500:
		answer(api, req, 500, strdup("Internal Server Error"), 21, (size_t)-1,
		       api->cfg.latency_ms);
		return;
	case FAULT_HTTP503:
	case FAULT_LATE:
		answer(api, req, 503, strdup("Service Unavailable"), 19, (size_t)-1,
		       api->cfg.latency_ms + (f == FAULT_LATE ? api->cfg.fault_delay_ms : 0));
		return;
	case FAULT_BUSY:
		answer_hexe(api, req, "busy", name, "The server is busy: try again later.");
		return;
	case FAULT_CUT: {
		struct textbuf b = {0};
		textbuf_put(&b, "[", 1);
		put_update(api, &b);
		textbuf_put(&b, "]", 1);
		answer_buf(api, req, &b, b.len / 2);
		return;
	}
	default:
		return;
	}
}

/* The watch ends on the clock, not on when the loop gets round to its
 * timer: a call arriving after the announced nextUpdateTime must see the
 * new watch even if this process was slow to run the timer (a loaded
 * machine), or a client timed by nextUpdateTime would be answered with the
 * old watch and poll again. */
static void catch_up_watch(struct sim_api *api)
{
	if (clock_now_ms() >= api->next_watch_ms)
		end_watch(api);
}

static void on_api(struct http_req *req, void *arg)
{
	struct sim_api *api = arg;
	catch_up_watch(api);
	const char *name = http_param(req, 0);
	int idx = name ? endpoint_index(name) : -1;
	if (idx < 0) {
		http_reply_error(req, 404, "not_found", "no endpoint %s", name ? name : "");
		return;
	}
	int get = strcmp(http_method(req), "GET") == 0;
	if (get && strcmp(name, "getGameInfo") != 0) {
		http_reply_error(req, 405, "method_not_allowed", "%s takes POST", name);
		return;
	}
	api->calls[idx]++;
	enum fault f = draw_fault(api);
	if (f != FAULT_NONE) {
		answer_fault(api, req, name, f);
		return;
	}
	if (get) {
		if (check_common(api, req, name, http_query(req, "authToken"),
				 http_query(req, "gameID"), NULL) == 0)
			do_game_info(api, req);
		return;
	}
	char err[160];
	json_t *body = http_body_json(req, err, sizeof err);
	if (!json_is_object(body)) {
		json_decref(body);
		answer_hexe(api, req, "invalidParameter", name,
			    "The request body must be a JSON object.");
		return;
	}
	if (strcmp(name, "login") == 0) {
		do_login(api, req, body);
	} else if (check_common(api, req, name,
				json_string_value(json_object_get(body, "authToken")),
				json_string_value(json_object_get(body, "gameID")),
				body) < 0) {
		/* answered */
	} else if (strcmp(name, "getGameInfo") == 0) {
		do_game_info(api, req);
	} else if (strcmp(name, "getObjects") == 0) {
		answer_objects(api, req, req_sequence(body), NULL, SIM_LOST_NONE);
	} else if (strcmp(name, "getTactical") == 0) {
		struct sim_refusal why = {0};
		json_t *t = sim_rules_tactical(api->g, body, &why);
		if (t)
			answer_json(api, req, t);
		else
			answer_hexe(api, req, why.code ? why.code : "internal", name,
				    why.code ? why.msg : "Out of memory.");
	} else {
		do_action(api, req, name, body);
	}
	json_decref(body);
}

static void on_stats(struct http_req *req, void *arg)
{
	struct sim_api *api = arg;
	json_t *calls = json_object();
	for (size_t i = 0; calls && i < N_ENDPOINTS; i++)
		json_object_set_new(calls, endpoints[i], json_integer((json_int_t)api->calls[i]));
	json_t *applied = json_object();
	for (size_t i = 0; applied && i < SIM_LOST_ACTIONS; i++)
		json_object_set_new(applied, sim_lost_actions[i],
				    json_integer((json_int_t)api->lost.applied[i]));
	http_reply_json(req, 200,
			json_pack("{s:I,s:o,s:I,s:I,s:o,s:o,s:I}", "watch",
				  (json_int_t)api->g->watch, "calls", calls, "faults",
				  (json_int_t)api->faults, "lost_answers",
				  (json_int_t)api->lost.lost, "applied", applied, "sequence",
				  ipint_encode(api->g->seq), "nextUpdateTime",
				  (json_int_t)next_update_ms(api)));
}

static void on_tick(struct http_req *req, void *arg)
{
	struct sim_api *api = arg;
	end_watch(api);
	http_reply_json(req, 200, json_pack("{s:I,s:o}", "watch", (json_int_t)api->g->watch,
					    "sequence", ipint_encode(api->g->seq)));
}

struct sim_api *sim_api_new(struct loop *loop, struct http_server *http,
			    struct sim_galaxy *g, const struct sim_api_config *cfg)
{
	struct sim_api *api = calloc(1, sizeof *api);
	if (!api)
		return NULL;
	api->loop = loop;
	api->http = http;
	api->g = g;
	api->cfg = *cfg;
	list_init(&api->pending);
	rng_seed(&api->rng, cfg->fault_seed ^ 0x5EEDFA17ull);
	sim_lost_init(&api->lost, cfg->lost_answer_rate, cfg->fault_seed);
	rng_seed(&api->tok_rng, rng_seed_now());
	loop_timer_init(&api->watch_timer, on_watch, api);
	if (http_route(http, "POST", "/api/{}", on_api, api) < 0 ||
	    http_route(http, "GET", "/api/{}", on_api, api) < 0 ||
	    http_route(http, "GET", "/sim/stats", on_stats, api) < 0 ||
	    http_route(http, "POST", "/sim/tick", on_tick, api) < 0) {
		free(api);
		return NULL;
	}
	arm_watch(api);
	return api;
}

void sim_api_flush(struct sim_api *api)
{
	struct list_node *n;
	while ((n = list_first(&api->pending))) {
		struct pending *p = LIST_ELEM(n, struct pending, link);
		loop_timer_disarm(api->loop, &p->timer);
		pending_fire(api->loop, p);
	}
}

void sim_api_free(struct sim_api *api)
{
	if (!api)
		return;
	sim_api_flush(api);
	loop_timer_disarm(api->loop, &api->watch_timer);
	for (size_t i = 0; i < MAX_TOKENS; i++)
		free(api->tokens[i]);
	free(api->scenario);
	free(api);
}
