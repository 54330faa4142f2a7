/* fixture.h -- where the unit tests find the real game answer
 * ($FLEETD_SHARED/fixtures/anacreon/getObjects-excerpt.json, else
 * $TOP_SRCDIR/../shared/...).  Only names and probes the file: it is read
 * in place, never copied or written. */
#ifndef FLEETD_FIXTURE_H
#define FLEETD_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

/* The excerpt's path into path: 0 when it opens; -1, after a SKIP line,
 * when it does not (the caller then exits 77 unless a check failed). */
static inline int fixture_excerpt(char *path, size_t n)
{
	const char *shared = getenv("FLEETD_SHARED");
	const char *top = getenv("TOP_SRCDIR");
	if (shared && *shared)
		snprintf(path, n, "%s/fixtures/anacreon/getObjects-excerpt.json", shared);
	else
		snprintf(path, n, "%s/../shared/fixtures/anacreon/getObjects-excerpt.json",
			 top && *top ? top : "..");
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "SKIP: no fixture at %s\n", path);
		return -1;
	}
	fclose(fp);
	return 0;
}

#endif
