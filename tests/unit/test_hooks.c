/* test_hooks.c -- the fixed callback set (src/common/hooks.h), driven by
 * hooks_cases.txt: adding up to the capacity and no further, calls in the
 * order of adding, removal by argument and by pair keeping the order of
 * the rest; and a set of another signature, whose results the caller
 * sees. */
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "hooks.h"
#include "tap.h"

typedef void (*note_fn)(void *arg);

static char trace[256];

static void say(const char *word)
{
	if (trace[0])
		strncat(trace, " ", sizeof trace - strlen(trace) - 1);
	strncat(trace, word, sizeof trace - strlen(trace) - 1);
}

/* The arguments are the digits of this string, so each is a distinct,
 * printable pointer. */
static char args[] = "0123456789";

static void note(char fn, void *arg)
{
	char w[3] = {fn, *(char *)arg, 0};
	say(w);
}

static void fn_a(void *arg)
{
	note('a', arg);
}

static void fn_b(void *arg)
{
	note('b', arg);
}

static note_fn fn_named(char c)
{
	return c == 'a' ? fn_a : c == 'b' ? fn_b : NULL;
}

static void run_case(const char *expect, const char *input, int line)
{
	HOOKS(note_fn, 3) set = {.n = 0};
	char ops[256];
	snprintf(ops, sizeof ops, "%s", input);
	trace[0] = 0;
	for (char *op = strtok(ops, " "); op; op = strtok(NULL, " ")) {
		size_t len = strlen(op);
		int digit = op[len - 1] - '0';
		void *arg = digit >= 0 && digit <= 9 ? &args[digit] : NULL;
		if (op[0] == '=') {
			int calls = set.n;
			HOOKS_EACH(i, &set)
				set.at[i].fn(set.at[i].arg);
			if (!calls)
				say("none");
		} else if (op[0] == '+') {
			if (HOOKS_ADD(&set, fn_named(op[1]), arg) < 0)
				say("full");
		} else if (len == 2) {
			HOOKS_REMOVE_ARG(&set, arg);
		} else {
			HOOKS_REMOVE(&set, fn_named(op[1]), arg);
		}
	}
	if (strcmp(trace, expect) != 0)
		fprintf(stderr, "hooks_cases.txt:%d: %s gave \"%s\", expected \"%s\"\n",
			line, input, trace, expect);
	CHECK(strcmp(trace, expect) == 0);
}

/* Another signature: the caller reads each hook's result (as the loop
 * does with its idle hooks). */
typedef int (*count_fn)(void *arg, int by);

static int add_to(void *arg, int by)
{
	*(int *)arg += by;
	return *(int *)arg;
}

static void test_other_signature(void)
{
	HOOKS(count_fn, 2) set = {.n = 0};
	int x = 0, y = 10, z = 0;
	CHECK_EQ_INT(HOOKS_CAP(&set), 2);
	CHECK_EQ_INT(HOOKS_ADD(&set, add_to, &x), 0);
	CHECK_EQ_INT(HOOKS_ADD(&set, add_to, &y), 0);
	CHECK_EQ_INT(HOOKS_ADD(&set, add_to, &z), -1);
	CHECK_EQ_INT(set.n, 2);
	int sum = 0;
	HOOKS_EACH(i, &set)
		sum += set.at[i].fn(set.at[i].arg, 5);
	CHECK_EQ_INT(sum, 5 + 15);
	CHECK_EQ_INT(x, 5);
	CHECK_EQ_INT(y, 15);
	CHECK_EQ_INT(z, 0);
}

int main(void)
{
	int n = cases_run("hooks_cases.txt", run_case);
	CHECK(n >= 15);
	test_other_signature();
	return tap_done();
}
