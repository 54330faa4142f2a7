/* test_step_cargo.c -- step_cargo_send and step_cargo_moved (step_common.c),
 * what the cargo ops transfer and sell share: the intent's "before" is the
 * fleet's holdings of the listed resources, the call names the fleet, the
 * step's `to` and the list under the op's own keys, it leaves in STEP_SENT
 * not idempotent, and a fleet whose holdings moved from "before" shows the
 * call acted.  On the step-op harness (steps_fixture.h): the real game
 * answer in a real mirror. */
#include "steps_fixture.h"

struct cargo_case {
	const char *endpoint, *fleet_key, *to_key;
	const char *res;    /* the list sent, JSON */
	const char *before; /* FLEET_A's holdings of it, JSON */
	const char *params; /* the call, JSON with sorted keys */
};

static const struct cargo_case cases[] = {
	{"transferFleet", "fleetObjID", "destObjID", "[122,-3]", "[122,403]",
	 "{\"destObjID\":583,\"fleetObjID\":4647969,\"resources\":[122,-3]}"},
	{"sellFleet", "objID", "buyerObjID", "[170,1,122,5]", "[170,1,122,403]",
	 "{\"buyerObjID\":583,\"objID\":4647969,\"resources\":[170,1,122,5]}"},
	/* a resource the fleet does not hold is kept at 0 */
	{"sellFleet", "objID", "buyerObjID", "[144,2]", "[144,0]",
	 "{\"buyerObjID\":583,\"objID\":4647969,\"resources\":[144,2]}"},
};

static int same_json(const json_t *v, const char *text)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	int ok = s && strcmp(s, text) == 0;
	if (!ok)
		fprintf(stderr, "  expected %s, got %s\n", text, s ? s : "-");
	free(s);
	return ok;
}

static void test_send(const struct cargo_case *k)
{
	json_t *args = json_pack("{s:s,s:i}", "op", "sell", "to", WORLD_B);
	json_t *res = json_loads(k->res, 0, NULL);
	struct step_ctx c = {.m = H.m, .fleet = FLEET_A, .args = args,
			     .data = json_object(), .sub = STEP_START};
	struct step_result r = {0};
	step_cargo_send(&c, &r, k->endpoint, k->fleet_key, k->to_key, res);
	CHECK_EQ_INT(c.sub, STEP_SENT);
	CHECK(same_json(json_object_get(c.data, "before"), k->before));
	CHECK_EQ_INT(step_data_int(&c, "intent_watch", -1), watch_now());
	CHECK(r.verdict == STEP_CALL && r.flags == 0);
	CHECK(r.endpoint && strcmp(r.endpoint, k->endpoint) == 0);
	CHECK(same_json(r.params, k->params));
	/* the list is the caller's still */
	CHECK(same_json(res, k->res));
	json_decref(r.params);
	json_decref(res);
	json_decref(args);
	json_decref(c.data);
}

static void test_moved(void)
{
	struct step_ctx c = {.m = H.m, .fleet = FLEET_A, .data = json_object()};
	json_object_set_new(c.data, "before", json_pack("[i,i,i,i]", 170, 1, 122, 403));
	CHECK_EQ_INT(step_cargo_moved(&c), 0);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,400]");
	CHECK_EQ_INT(step_cargo_moved(&c), 1);
	/* a resource gained counts as well as one given up */
	put_fleet(FLEET_A, WORLD_A, 0, "[170,2,122,403]");
	CHECK_EQ_INT(step_cargo_moved(&c), 1);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	CHECK_EQ_INT(step_cargo_moved(&c), 0);
	json_decref(c.data);
}

int main(void)
{
	char path[512];
	if (fixture_excerpt(path, sizeof path) < 0)
		return 77;
	int ok = setup(path, json_array()) == 0;
	CHECK(ok);
	if (ok) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			test_send(&cases[i]);
		test_moved();
	}
	teardown();
	return tap_done();
}
