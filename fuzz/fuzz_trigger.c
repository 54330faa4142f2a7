/* fuzz_trigger.c -- a trigger as POST /v1/triggers meets it: raw bytes
 * through jsonx_parse(), then triggers_check_body() (src/fleetd/triggers.c:
 * the fields, the name, `on`, the cooldown, the job template and its
 * "$NAME" holders) and its `where` through trig_where_parse()
 * (src/fleetd/trigger_match.c); an accepted filter is then matched against
 * facts read from the same input by trig_facts_of_data().
 *
 * A refusal names what it refuses ("path: problem"; a body that is not an
 * object is refused whole).  An accepted trigger
 * has a known event, a cooldown within a job's longest delay, and a filter
 * that passes the facts it names itself and refuses a world, fleet or
 * sovereign it does not name.  No mirror: ids are not checked against a
 * galaxy, as when fleetd has none yet. */
#include <string.h>

#include "fuzz.h"
#include "jobspec.h"
#include "jsonx.h"
#include "trigger_match.h"
#include "triggers.h"

/* The facts a filter names, as an event with just those would carry. */
static void facts_of_where(const struct trig_where *w, struct trig_facts *f)
{
	memset(f, 0, sizeof *f);
	f->world = w->world;
	f->fleet = w->fleet;
	f->sovereign = w->sovereign;
	f->schedule = w->schedule;
	f->trigger = w->trigger;
	f->name = w->name;
}

static void accepted_holds(int ev, int64_t cooldown_s, const struct trig_where *w,
			   const uint8_t *data, size_t size)
{
	FUZZ_CHECK(trig_event_name(ev) != NULL && trig_event_of(trig_event_name(ev)) == ev);
	FUZZ_CHECK(cooldown_s >= 0 && cooldown_s <= JOBSPEC_MAX_DELAY_S);
	struct trig_facts f;
	facts_of_where(w, &f);
	FUZZ_CHECK(trig_where_match(w, &f));
	if (w->world) {
		f.world = w->world ^ 1; /* another world */
		FUZZ_CHECK(!trig_where_match(w, &f));
	}
	/* the input read as an event's data: never crashes, and binds only
	 * what a filter can name */
	trig_facts_of_data(&f, (const char *)data, size);
	(void)trig_where_match(w, &f);
	json_t *vars = trig_facts_vars(&f);
	FUZZ_CHECK(vars != NULL && json_is_object(vars));
	json_decref(vars);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[300];
	(void)trig_event_of_log("job.state", (const char *)data, size);
	json_t *body = jsonx_parse((const char *)data, size, JSONX_MAX_DEPTH, err, sizeof err);
	if (!body)
		return 0;
	int ev = -1;
	int64_t cooldown_s = -1;
	struct trig_where w;
	err[0] = 0;
	if (triggers_check_body(NULL, body, &ev, &cooldown_s, &w, err, sizeof err) < 0) {
		FUZZ_CHECK(err[0] != 0 &&
			   (strchr(err, ':') != NULL || !json_is_object(body)));
		json_decref(body);
		return 0;
	}
	accepted_holds(ev, cooldown_s, &w, data, size);
	trig_where_clear(&w);
	json_decref(body);
	return 0;
}
