/* test_api_galaxy.c -- api_galaxy_first_after(), where a galaxy list's
 * page starts: for lists of every length from 0 to 9 with gaps between
 * the ids, and every cursor from below the first id to past the last, the
 * index is that of the first id above the cursor, as a scan finds it.
 * The list is the test's own (the id function never reads the mirror). */
#include <stddef.h>
#include <stdint.h>

#include "api_galaxy.h"
#include "tap.h"

static const int64_t IDS[] = {2, 3, 5, 9, 10, 40, 41, 100, 1000};
#define NIDS (sizeof IDS / sizeof IDS[0])

static int64_t id_at(const struct mirror *m, size_t i)
{
	(void)m;
	return IDS[i];
}

/* The first index whose id is > after, by a plain scan. */
static size_t scan(size_t n, int64_t after)
{
	size_t i = 0;
	while (i < n && IDS[i] <= after)
		i++;
	return i;
}

int main(void)
{
	for (size_t n = 0; n <= NIDS; n++)
		for (int64_t after = -1; after <= 1001; after++)
			CHECK_EQ_INT(api_galaxy_first_after(NULL, n, after, id_at), scan(n, after));
	CHECK_EQ_INT(api_galaxy_first_after(NULL, NIDS, INT64_MAX, id_at), NIDS);
	CHECK_EQ_INT(api_galaxy_first_after(NULL, NIDS, INT64_MIN, id_at), 0);
	return tap_done();
}
