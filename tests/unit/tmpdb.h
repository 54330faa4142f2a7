/* tmpdb.h -- a unit test's scratch database file: its path, the store
 * opened on it with the test's migrations (fleetd's: migrations_files of
 * schema.h), and the removal of it with the -wal and -shm files SQLite
 * keeps beside it.  Only store.h is needed: the common tests use it too. */
#ifndef FLEETD_TEST_TMPDB_H
#define FLEETD_TEST_TMPDB_H

#include <stdio.h>
#include <unistd.h>

#include "store.h"

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

/* A fresh database for the test called name: its path (this process's
 * own, anything left there before removed) written into path (n bytes),
 * and the store open on it with migs; NULL, with the reason on stderr. */
static inline struct store *tmpdb_open(char *path, size_t n, const char *name,
				       const struct embed_file *migs)
{
	char err[256];
	snprintf(path, n, "/tmp/fleetd-test-%s-%d.db", name, (int)getpid());
	tmpdb_remove(path);
	struct store *st = store_open_with(path, migs, err, sizeof err);
	if (!st)
		fprintf(stderr, "%s: %s\n", path, err);
	return st;
}

/* Close st (NULL is fine) and remove its files. */
static inline void tmpdb_close(struct store *st, const char *path)
{
	if (st)
		store_close(st);
	tmpdb_remove(path);
}

#endif
