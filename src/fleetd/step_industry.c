/* step_industry.c -- ops "industry" and "products": the share of world
 * W's work given to an industry (setIndustryAlloc: that trait's
 * targetAllocation) and what an industry builds (setProductAlloc: that
 * trait's buildData).  W as in step_world.h.  Both set a value, so the
 * galaxy shows whether the call acted whoever looks:
 *
 *   START  resolve `industry` (id or unid, category industry, or an
 *          improvement with allocations) into `cat`.  W already shows the
 *          value: done (job.note), nothing sent.  Else take W's intent
 *          lock, note the watch -> SENT, send the call.
 *   SENT   (persists: cat, intent_world, intent_watch, ambiguous_watch;
 *          step_settle) answer: done.  Resend: send again.  Neither
 *          (crash, lost answer): the value shows -> done at once
 *          (conclusive); otherwise, once the mirror holds a later watch,
 *          it never acted: a new intent, sent again.
 *
 * What "shows" means -- industry: the trait's targetAllocation equals
 * `percent` (to a tenth: the game keeps tenths).  products: every named
 * product's share in buildData is its percent scaled as the game scales
 * them (named shares to add up to 100), within half a point (the game
 * puts rounding's remainder on the largest), and every product not named
 * is at 0. */
#include <math.h>

#include "mirror.h"
#include "step_world.h"

static const struct mirror_trait *industry_of(const struct step_ctx *c,
					      const struct mirror_world *w)
{
	const struct mirror_trait *t = world_trait(w, step_cat(c));
	return t && t->structured ? t : NULL;
}

/* --- industry --------------------------------------------------------------- */

/* Both calls name the world and the industry, then their own value. */
static void send_industry(struct step_ctx *c, struct step_result *r, const char *method,
			  const char *key, const char *arg)
{
	step_intent_send(c, r, STEP_SENT, method,
			 json_pack("{s:I,s:I,s:O}", "objID", (json_int_t)step_op_world(c),
				   "industryID", (json_int_t)step_cat(c), key,
				   step_arg(c, arg)));
}

static void send_alloc(struct step_ctx *c, struct step_result *r)
{
	send_industry(c, r, "setIndustryAlloc", "allocValue", "percent");
}

static int alloc_shows(const struct step_ctx *c, const struct mirror_world *w)
{
	const struct mirror_trait *t = industry_of(c, w);
	return t && world_pct_eq(t->target_alloc, step_arg_num(c, "percent"));
}

static const struct world_op alloc_op = {
	.effect = {.op = "industry", .send = send_alloc, .shows = alloc_shows,
		   .conclusive = 1},
	.cat = "industry", .already = "the industry already has this share",
};

STEP_SENT_OP_DEFINE(step_industry, "industry", step_world_advance, &alloc_op);

/* --- products --------------------------------------------------------------- */

static void send_products(struct step_ctx *c, struct step_result *r)
{
	send_industry(c, r, "setProductAlloc", "alloc", "alloc");
}

/* The percent asked for product res, scaled to the named total; -1 if
 * res is not named. */
static double asked(const json_t *alloc, int64_t res)
{
	double sum = 0, mine = -1;
	for (size_t i = 0; i + 1 < json_array_size(alloc); i += 2) {
		double p = json_number_value(json_array_get(alloc, i + 1));
		sum += p;
		if (json_integer_value(json_array_get(alloc, i)) == res)
			mine = p;
	}
	return mine < 0 || sum <= 0 ? -1 : mine * 100.0 / sum;
}

static int products_show(const struct step_ctx *c, const struct mirror_world *w)
{
	const struct mirror_trait *t = industry_of(c, w);
	const json_t *alloc = step_arg(c, "alloc");
	if (!t || !t->nbuild)
		return 0;
	size_t named = 0;
	for (uint32_t i = 0; i < t->nbuild; i++) {
		double want = asked(alloc, t->build[i].resource);
		if (want < 0 ? t->build[i].percent > 0.05
			     : fabs(t->build[i].percent - want) > 0.5)
			return 0;
		named += want >= 0;
	}
	return named == json_array_size(alloc) / 2;
}

static const struct world_op products_op = {
	.effect = {.op = "products", .send = send_products, .shows = products_show,
		   .conclusive = 1},
	.cat = "industry", .already = "the industry already builds these shares",
};

STEP_SENT_OP_DEFINE(step_products, "products", step_world_advance, &products_op);
