/* fuzz_schedule.c -- a schedule as POST /v1/schedules meets it: raw bytes
 * through jsonx_parse(), then schedules_parse() (src/fleetd/schedules.c),
 * and the firing arithmetic (src/fleetd/sched_time.c) on numbers taken
 * from the input.
 *
 * A refusal names what it refuses ("path: problem").  An accepted schedule
 * has a period within its unit's range, a start at most a year ahead, and
 * a job template that is an object with neither start_at nor fleets.  For
 * any base, period, next and now, sched_plan() runs at most the last due
 * firing, records missed only numbers from next on and before it, and
 * never goes back. */
#include <string.h>

#include "fuzz.h"
#include "jobspec.h"
#include "jsonx.h"
#include "sched_time.h"
#include "schedules.h"

/* "now": fixed, so runs are deterministic (2026-01-01). */
#define FUZZ_NOW_MS 1767225600000LL

static int64_t take(const uint8_t *data, size_t size, size_t at)
{
	int64_t v = 0;
	if (at + sizeof v <= size)
		memcpy(&v, data + at, sizeof v);
	return v;
}

static void plan_holds(const uint8_t *data, size_t size)
{
	/* a base and a now within 2^40 (a watch number or ms till year 2004
	 * plus as much), a period of 1 .. 2^35, a next of 0 .. 2^30 */
	int64_t base = take(data, size, 0) & ((1LL << 40) - 1);
	int64_t every = (take(data, size, 8) & ((1LL << 35) - 1)) + 1;
	int64_t next = take(data, size, 16) & ((1LL << 30) - 1);
	int64_t now = take(data, size, 24) & ((1LL << 41) - 1);
	int watches = size > 32 && (data[32] & 1);
	int one = size > 32 && (data[32] & 2);
	struct sched_plan p;
	sched_plan(base, every, next, now, sched_grace(watches, every), one, &p);
	int64_t last = sched_last_due(base, every, now);
	FUZZ_CHECK(p.next >= next);
	FUZZ_CHECK(p.run == -1 || (p.run >= next && p.run == last));
	FUZZ_CHECK(p.missed_from == next);
	FUZZ_CHECK(p.missed_through < p.next && (p.run < 0 || p.missed_through < p.run));
	if (last < next)
		FUZZ_CHECK(p.run == -1 && p.next == next && p.missed_through < p.missed_from);
	else
		FUZZ_CHECK(p.next == last + 1 && (p.run >= 0 || p.missed_through == last));
	if (one && last >= next)
		FUZZ_CHECK(p.run == last); /* catch_up "one": the last due always runs */
	if (last >= 0)
		FUZZ_CHECK(sched_due(base, every, last) <= now &&
			   sched_due(base, every, last + 1) > now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	plan_holds(data, size);
	char err[300];
	json_t *body = jsonx_parse((const char *)data, size, JSONX_MAX_DEPTH, err, sizeof err);
	if (!body)
		return 0;
	struct sched_def d;
	if (schedules_parse(body, FUZZ_NOW_MS, &d, err, sizeof err) < 0) {
		FUZZ_CHECK(err[0] != 0 && strchr(err, ':') != NULL);
		json_decref(body);
		return 0;
	}
	FUZZ_CHECK(d.name && *d.name);
	FUZZ_CHECK(d.every_given >= 1 &&
		   d.every_given <= (d.watches ? SCHED_MAX_WATCHES : SCHED_MAX_SECONDS));
	FUZZ_CHECK(d.every == (d.watches ? d.every_given : d.every_given * 1000));
	FUZZ_CHECK(json_is_object(d.job) && !json_object_get(d.job, "start_at") &&
		   !json_object_get(d.job, "fleets"));
	FUZZ_CHECK(d.start_at >= 0 && d.start_at <= FUZZ_NOW_MS + JOBSPEC_MAX_DELAY_S * 1000);
	int64_t first = sched_first_base(d.start_at, d.every, FUZZ_NOW_MS);
	FUZZ_CHECK(first >= FUZZ_NOW_MS || first == d.start_at);
	json_decref(body);
	return 0;
}
