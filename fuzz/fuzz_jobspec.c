/* fuzz_jobspec.c -- the job language (src/fleetd/jobspec.c) as a
 * submission meets it: raw bytes through jsonx_parse(), then
 * jobspec_validate().  An accepted spec must hold what the engine relies
 * on: ids in range, a start time that prints as RFC 3339 and reads back
 * the same, a pass count; a group's children are jobs too.  Inputs short enough to be a date-time are also
 * given to jobspec_parse_time() as they are. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "group.h"
#include "jobspec.h"
#include "jsonx.h"

/* "now" for validation: fixed, so runs are deterministic (2026-01-01). */
#define FUZZ_NOW_MS 1767225600000LL

static int digits_at(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* YYYY-MM-DDTHH:MM:SS.mmmZ exactly. */
static int rfc3339_shape(const char *s)
{
	return strlen(s) == 24 && digits_at(s, 4) && s[4] == '-' && digits_at(s + 5, 2) &&
	       s[7] == '-' && digits_at(s + 8, 2) && s[10] == 'T' && digits_at(s + 11, 2) &&
	       s[13] == ':' && digits_at(s + 14, 2) && s[16] == ':' && digits_at(s + 17, 2) &&
	       s[19] == '.' && digits_at(s + 20, 3) && s[23] == 'Z';
}

/* Any time the parser accepts prints well and reads back the same. */
static void time_round_trip(int64_t ms)
{
	char buf[64];
	int64_t back;
	jobspec_format_time(ms, buf, sizeof buf);
	if (!rfc3339_shape(buf))
		fprintf(stderr, "%lld printed as '%s'\n", (long long)ms, buf);
	FUZZ_CHECK(rfc3339_shape(buf));
	FUZZ_CHECK(jobspec_parse_time(buf, &back) == 0 && back == ms);
}

static int check_ref(void *arg, const char *path, enum jobspec_ref kind, int64_t id)
{
	(void)arg;
	FUZZ_CHECK(path && *path);
	FUZZ_CHECK(kind >= REF_FLEET && kind <= REF_RESOURCE);
	FUZZ_CHECK(id >= 1 && id <= JOBSPEC_MAX_ID);
	return 0;
}

/* An accepted group (group.h): a list resolves to 2..1000 distinct ids
 * (a filter needs the galaxy), and every child's spec is a job the
 * language accepts. */
static void group_holds(const json_t *body)
{
	const json_t *fleets = json_object_get(body, "fleets");
	if (!fleets || group_is_filter(fleets))
		return;
	char err[300];
	int64_t *ids = NULL;
	long n = group_resolve(fleets, NULL, NULL, NULL, &ids, err, sizeof err);
	FUZZ_CHECK(n >= GROUP_MIN_FLEETS && n <= GROUP_MAX_FLEETS && ids);
	for (long i = 0; i < n; i++) {
		for (long k = 0; k < i; k++)
			FUZZ_CHECK(ids[k] != ids[i]);
		json_t *child = group_child_spec(body, ids[i]);
		FUZZ_CHECK(child && jobspec_validate(child, FUZZ_NOW_MS, err, sizeof err) == 0);
		json_decref(child);
	}
	free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 64) {
		char s[64];
		int64_t ms;
		memcpy(s, data, size);
		s[size] = 0;
		if (jobspec_parse_time(s, &ms) == 0) {
			FUZZ_CHECK(ms >= 0);
			time_round_trip(ms);
		}
	}
	char err[300];
	json_t *body = jsonx_parse((const char *)data, size, JSONX_MAX_DEPTH, err, sizeof err);
	if (!body)
		return 0;
	/* jansson alone would take "[13\0]" for [13] */
	FUZZ_CHECK(!memchr(data, 0, size));
	if (jobspec_validate(body, FUZZ_NOW_MS, err, sizeof err) < 0) {
		/* every refusal names what it refuses */
		FUZZ_CHECK(err[0] != 0 && strchr(err, ':') != NULL);
		json_decref(body);
		return 0;
	}
	const json_t *steps = json_object_get(body, "steps");
	FUZZ_CHECK(json_is_array(steps) && json_array_size(steps) >= 1 &&
		   json_array_size(steps) <= JOBSPEC_MAX_STEPS);
	for (size_t i = 0; i < json_array_size(steps); i++) {
		int op = jobspec_step_op(json_array_get(steps, i));
		FUZZ_CHECK(op >= 0 && op < OP_COUNT);
		FUZZ_CHECK(jobspec_op_name((enum job_op)op) != NULL);
	}
	int64_t start = jobspec_start_ms(body, FUZZ_NOW_MS);
	FUZZ_CHECK(start >= 0 && start <= FUZZ_NOW_MS + JOBSPEC_MAX_DELAY_S * 1000);
	time_round_trip(start);
	int64_t passes = jobspec_passes(body);
	FUZZ_CHECK(passes == -1 || (passes >= 1 && passes <= 1000000));
	FUZZ_CHECK(jobspec_refs(body, check_ref, NULL) == 0);
	group_holds(body);
	json_decref(body);
	return 0;
}
