/* cases.h -- the case files of the table-driven unit tests
 * (jobspec_cases.txt, cond_cases.txt): one case a line, the expected
 * outcome, a TAB, then the input; lines starting with '#' are comments.
 * Found under $TESTS_SRCDIR/unit/, else $srcdir/tests/unit/. */
#ifndef FLEETD_TEST_CASES_H
#define FLEETD_TEST_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*case_fn)(const char *expect, const char *input, int line);

static inline int cases_run_file(const char *path, case_fn fn)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char buf[4096];
	int line = 0, cases = 0;
	while (fgets(buf, sizeof buf, f)) {
		line++;
		buf[strcspn(buf, "\n")] = 0;
		char *tab = strchr(buf, '\t');
		if (buf[0] == '#' || !tab)
			continue;
		*tab = 0;
		fn(buf, tab + 1, line);
		cases++;
	}
	fclose(f);
	return cases;
}

/* Run every case of file name; the number of cases, or -1 if not found. */
static inline int cases_run(const char *name, case_fn fn)
{
	const char *dir = getenv("TESTS_SRCDIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/unit/%s", dir ? dir : "tests", name);
	int n = cases_run_file(path, fn);
	if (n < 0) {
		snprintf(path, sizeof path, "%s/tests/unit/%s",
			 getenv("srcdir") ? getenv("srcdir") : ".", name);
		n = cases_run_file(path, fn);
	}
	return n;
}

#endif
