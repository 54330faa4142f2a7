/* test_jsonx.c -- jsonx_check_keys(), the one refusal of unknown fields
 * (jobs, schedules, triggers, webhooks, queue posts), data-driven: every
 * line of jsonx_keys_cases.txt (cases.h) is an object and what the check
 * says of it -- ok, or the exact message, whose quoted name is cut at 40
 * bytes on a character boundary.  And jsonx_field(), json_object_get()
 * with a shortcut for an object without members: the same answers. */
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

static void test_field(void)
{
	json_t *empty = json_object(), *one = json_pack("{s:i}", "resend", 1);
	json_t *arr = json_pack("[i]", 1);
	CHECK(jsonx_field(empty, "resend") == NULL);
	CHECK(jsonx_field(NULL, "resend") == NULL);
	CHECK(jsonx_field(arr, "resend") == NULL);
	CHECK(jsonx_field(one, "resend") == json_object_get(one, "resend"));
	CHECK(json_integer_value(jsonx_field(one, "resend")) == 1);
	CHECK(jsonx_field(one, "cancelling") == NULL);
	json_object_del(one, "resend"); /* emptied: absent again */
	CHECK(jsonx_field(one, "resend") == NULL);
	json_decref(empty);
	json_decref(one);
	json_decref(arr);
}

int main(void)
{
	test_field();
	int cases = cases_run("jsonx_keys_cases.txt", run_case);
	CHECK(cases >= 10);
	return tap_done();
}
