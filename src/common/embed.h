/* embed.h -- files compiled into the binary by embedgen (migrations, web
 * assets).  A table ends with an entry whose name is NULL; entries are sorted
 * by name. */
#ifndef FLEETD_EMBED_H
#define FLEETD_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *name; /* base name, e.g. "0001_init.sql" */
	const unsigned char *data; /* NUL-terminated for convenience */
	size_t len;
};

#endif
