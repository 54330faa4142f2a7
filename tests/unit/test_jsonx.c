/* test_jsonx.c -- jsonx_check_keys(), the one refusal of unknown fields
 * (jobs, schedules, triggers, webhooks, queue posts), data-driven: every
 * line of jsonx_keys_cases.txt (cases.h) is an object and what the check
 * says of it -- ok, or the exact message, whose quoted name is cut at 40
 * bytes on a character boundary. */
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "jsonx.h"
#include "tap.h"

static const char *const KNOWN[] = {"name", "fleet", "steps", NULL};

static void run_case(const char *expect, const char *input, int line)
{
	json_error_t jerr;
	json_t *obj = json_loads(input, 0, &jerr);
	CHECK(json_is_object(obj));
	if (!obj) {
		fprintf(stderr, "line %d: not JSON: %s\n", line, jerr.text);
		return;
	}
	char err[200] = "";
	int rc = jsonx_check_keys(obj, KNOWN, err, sizeof err);
	int ok = strcmp(expect, "ok") == 0 ? rc == 0 && !err[0]
					   : rc == -1 && strcmp(err, expect) == 0;
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "line %d: expected '%s', got %d '%s'\n", line, expect, rc, err);
	json_decref(obj);
}

int main(void)
{
	int cases = cases_run("jsonx_keys_cases.txt", run_case);
	CHECK(cases >= 10);
	return tap_done();
}
