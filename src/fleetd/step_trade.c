/* step_trade.c -- ops "trade_route" (setTradeRoute) and
 * "stop_trade_route" (stopTradeRoute).  W (step_world.h) is the importer
 * of trade_route, whose `from` is the exporter; stop_trade_route ends the
 * route between W and `with`.  The intent lock is W's.
 *
 *   START  the galaxy already shows the effect: done (job.note), nothing
 *          sent.  Else take W's lock, note the watch -> SENT, send.
 *   SENT   (persists: intent_world, intent_watch, ambiguous_watch;
 *          step_settle) answer: done.  Resend: send again.  Neither
 *          (crash, lost answer): the effect shows -> done at once
 *          (conclusive); otherwise, once the mirror holds a later watch,
 *          it never acted: a new intent, sent again.
 *
 * What shows, by kind (allocType) -- default (addDefaultRoute) and export
 * (addExportRoute): both worlds list the route (tradeRoutes with the
 * other as partnerObjID).  consumption: W's route from `from` imports
 * `resource` at `value` percent (to a tenth; 0: no entry for it, or one
 * at 0).  quota (setExportQuota): the same on the exporter's exports.  tech: the
 * mirror does not keep a route's tech level, so it never shows: after an
 * unknown outcome the call is sent again once a later watch is in, which
 * is harmless -- it sets the level it already set.
 * stop_trade_route: neither world lists a route with the other (the game
 * removes both sides whichever set it). */
#include <string.h>

#include "mirror.h"
#include "step_world.h"

static const char *alloc_type(const char *kind)
{
	static const char *const map[][2] = {
		{"default", "addDefaultRoute"}, {"export", "addExportRoute"},
		{"tech", "tech"}, {"consumption", "consumption"}, {"quota", "setExportQuota"}};
	for (size_t i = 0; kind && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], kind))
			return map[i][1];
	return "addDefaultRoute";
}

static const char *kind_of(const struct step_ctx *c)
{
	const char *k = json_string_value(step_arg(c, "kind"));
	return k ? k : "default";
}

/* --- trade_route ------------------------------------------------------------ */

static void send_route(struct step_ctx *c, struct step_result *r)
{
	json_t *p = json_pack("{s:I,s:I,s:s}", "objID", (json_int_t)step_op_world(c),
			      "sourceObjID", (json_int_t)step_arg_id(c, "from"),
			      "allocType", alloc_type(kind_of(c)));
	if (step_arg(c, "value"))
		json_object_set_new(p, "allocValue", json_deep_copy(step_arg(c, "value")));
	if (step_arg(c, "resource"))
		json_object_set_new(p, "resType", json_deep_copy(step_arg(c, "resource")));
	step_intent_send(c, r, STEP_SENT, "setTradeRoute", p);
}

/* The flow of res in list, or NULL. */
static const struct mirror_flow *flow(const struct mirror_flow *v, uint32_t n, int64_t res)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].resource == res)
			return &v[i];
	return NULL;
}

/* A share of 0 shows as no entry, or as an entry at 0: the game keeps
 * listing a resource whose share was set to 0 (at -0.0, as the excerpt
 * shows). */
static int share_shows(const struct mirror_flow *f, double value)
{
	if (value < 0.05)
		return f == NULL || f->percent < 0.05;
	return f && world_pct_eq(f->percent, value);
}

static int route_shows(const struct step_ctx *c, const struct mirror_world *imp)
{
	int64_t from = step_arg_id(c, "from");
	const struct mirror_route *ri = world_route(imp, from);
	const struct mirror_route *re = imp ? world_route(mirror_world(c->m, from), imp->id)
					    : NULL;
	const char *kind = kind_of(c);
	int64_t res = step_arg_id(c, "resource");
	double value = step_arg_num(c, "value");
	if (!strcmp(kind, "default") || !strcmp(kind, "export"))
		return ri && re;
	if (!strcmp(kind, "consumption"))
		return ri && share_shows(flow(ri->imports, ri->nimports, res), value);
	if (!strcmp(kind, "quota"))
		return re && share_shows(flow(re->exports, re->nexports, res), value);
	return 0; /* tech: not kept by the mirror */
}

static const struct world_op route_op = {
	.effect = {.op = "trade_route", .send = send_route, .shows = route_shows,
		   .conclusive = 1},
	.already = "the trade route is already so",
};

STEP_SENT_OP_DEFINE(step_trade_route, "trade_route", step_world_advance, &route_op);

/* --- stop_trade_route ------------------------------------------------------- */

static void send_stop(struct step_ctx *c, struct step_result *r)
{
	step_intent_send(c, r, STEP_SENT, "stopTradeRoute",
			 json_pack("{s:I,s:I}", "objID", (json_int_t)step_op_world(c),
				   "sourceObjID", (json_int_t)step_arg_id(c, "with")));
}

static int stopped(const struct step_ctx *c, const struct mirror_world *w)
{
	int64_t with = step_arg_id(c, "with");
	return w && !world_route(w, with) && !world_route(mirror_world(c->m, with), w->id);
}

static const struct world_op stop_op = {
	.effect = {.op = "stop_trade_route", .send = send_stop, .shows = stopped,
		   .conclusive = 1},
	.already = "there is no trade route between the worlds",
};

STEP_SENT_OP_DEFINE(step_stop_trade_route, "stop_trade_route", step_world_advance, &stop_op);
