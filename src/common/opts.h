/* opts.h -- table-driven command lines with environment fallbacks.
 *
 * Each option has a long flag and an environment variable; the variable is
 * read first, the flag wins.  Values are checked by type and range; the
 * first problem becomes one line of text for the caller to print before
 * exiting 2.  Used by fleetd and fleetsim alike; knows nothing of either
 * beyond the two flags they share, --listen and --log-level, whose checks
 * are here. */
#ifndef FLEETD_OPTS_H
#define FLEETD_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_type {
	OPT_STR,    /* char **: a strdup'd copy */
	OPT_INT,    /* int64_t *, within [min, max] */
	OPT_DOUBLE, /* double *, within [min, max] */
	OPT_FLAG,   /* int *: set to 1, takes no value */
	OPT_LIST,   /* struct opt_list *: repeatable; env is comma-separated */
};

struct opt_list {
	char **v;
	size_t n;
};

struct opt {
	const char *name; /* without the leading "--" */
	const char *env;  /* NULL for none */
	enum opt_type type;
	void *ptr;
	const char *metavar;
	const char *help;
	double min, max; /* for OPT_INT and OPT_DOUBLE */
};

enum { OPTS_OK = 0, OPTS_EXIT = 1, OPTS_ERROR = 2 };

struct opts_program {
	const char *name;
	const char *version;
	const char *summary;
	const struct opt *table;
	size_t n;
};

/* Parse; prints --help/--version to out and returns OPTS_EXIT for them.
 * On OPTS_ERROR, err holds one line (no newline). */
int opts_parse(const struct opts_program *prog, int argc, char **argv,
	       FILE *out, char *err, size_t errlen);
void opts_free(const struct opts_program *prog);

/* Split "host:port" or "[v6]:port"; port 0 means "any free port".
 * host receives a copy; -1 on a malformed value. */
int opts_split_hostport(const char *s, char *host, size_t hostlen, int *port);

/* The value of --listen split as above; -1 with the message in err. */
int opts_check_listen(const char *listen, char *host, size_t hostlen, int *port,
		      char *err, size_t errlen);
/* The log_level_parse() of --log-level's value; -1 with the message in
 * err. */
int opts_check_log_level(const char *level, char *err, size_t errlen);

#endif
