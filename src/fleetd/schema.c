/* schema.c -- opens the store with fleetd's built-in migrations (see
 * schema.h); must not know any table. */
#include "schema.h"

struct store *store_open(const char *path, char *err, size_t errlen)
{
	return store_open_with(path, migrations_files, err, errlen);
}

int store_latest_version(void)
{
	return store_latest_version_of(migrations_files);
}
