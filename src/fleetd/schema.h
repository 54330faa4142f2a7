/* schema.h -- fleetd's database: the store (src/common/store.h) opened with
 * the migrations of migrations/, compiled in by embedgen.  Owns nothing but
 * that binding; the tables belong to the parts that write them. */
#ifndef FLEETD_SCHEMA_H
#define FLEETD_SCHEMA_H

#include <stddef.h>

#include "embed.h"
#include "store.h"

/* the files of migrations/, in order (generated: migrations_data.c) */
extern const struct embed_file migrations_files[];

/* Open (creating with mode 0600) and migrate with the built-in migrations. */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Highest version among the built-in migrations. */
int store_latest_version(void);

#endif
