/* tmpdb.h -- a unit test's scratch database file: its path, and the
 * removal of it with the -wal and -shm files SQLite keeps beside it. */
#ifndef FLEETD_TEST_TMPDB_H
#define FLEETD_TEST_TMPDB_H

#include <stdio.h>
#include <unistd.h>

/* Remove path and its -wal and -shm files (missing ones are fine). */
static inline void tmpdb_remove(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char p[512];
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

#endif
