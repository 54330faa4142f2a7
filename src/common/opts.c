/* opts.c -- see opts.h.  Environment first, then argv; the last value of a
 * flag given twice wins (lists accumulate). */
#include "opts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const struct opt *find(const struct opts_program *p, const char *name,
			      size_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->table[i].name) == len &&
		    strncmp(p->table[i].name, name, len) == 0)
			return &p->table[i];
	return NULL;
}

static int list_add(struct opt_list *l, const char *s, size_t len)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		return -1;
	l->v = v;
	if (!(l->v[l->n] = strndup(s, len)))
		return -1;
	l->n++;
	return 0;
}

/* Store one value.  `from` names where it came from, for the message. */
static int set_value(const struct opt *o, const char *val, const char *from,
		     char *err, size_t errlen)
{
	char *end;
	switch (o->type) {
	case OPT_STR: {
		char **dst = o->ptr;
		free(*dst);
		if (!(*dst = strdup(val))) {
			snprintf(err, errlen, "%s: out of memory", from);
			return -1;
		}
		return 0;
	}
	case OPT_INT: {
		errno = 0;
		long long v = strtoll(val, &end, 10);
		if (!*val || *end || errno || v < o->min || v > o->max) {
			snprintf(err, errlen,
				 "%s: invalid value '%s' (an integer from %.0f to %.0f)",
				 from, val, o->min, o->max);
			return -1;
		}
		*(int64_t *)o->ptr = v;
		return 0;
	}
	case OPT_DOUBLE: {
		errno = 0;
		double v = strtod(val, &end);
		if (!*val || *end || errno || !isfinite(v) || v < o->min ||
		    v > o->max) {
			snprintf(err, errlen,
				 "%s: invalid value '%s' (a number from %g to %g)",
				 from, val, o->min, o->max);
			return -1;
		}
		*(double *)o->ptr = v;
		return 0;
	}
	case OPT_FLAG:
		if (strcmp(val, "1") && strcmp(val, "true") && strcmp(val, "yes") &&
		    strcmp(val, "0") && strcmp(val, "false") && strcmp(val, "no")) {
			snprintf(err, errlen, "%s: invalid value '%s' (true or false)",
				 from, val);
			return -1;
		}
		*(int *)o->ptr = strchr("1ty", val[0]) != NULL;
		return 0;
	case OPT_LIST: {
		struct opt_list *l = o->ptr;
		const char *s = val;
		for (;;) {
			const char *c = strchr(s, ',');
			size_t len = c ? (size_t)(c - s) : strlen(s);
			if (len && list_add(l, s, len) < 0) {
				snprintf(err, errlen, "%s: out of memory", from);
				return -1;
			}
			if (!c)
				return 0;
			s = c + 1;
		}
	}
	}
	return -1;
}

static void usage(const struct opts_program *p, FILE *out)
{
	fprintf(out, "Usage: %s [OPTIONS]\n%s\n\nOptions:\n", p->name, p->summary);
	for (size_t i = 0; i < p->n; i++) {
		const struct opt *o = &p->table[i];
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", o->name,
			 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(out, "  %-28s %s", left, o->help);
		if (o->env)
			fprintf(out, " [env %s]", o->env);
		fputc('\n', out);
	}
	fprintf(out, "  %-28s %s\n  %-28s %s\n", "--help", "show this help and exit",
		"--version", "show the version and exit");
}

static int from_env(const struct opts_program *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct opt *o = &p->table[i];
		const char *v = o->env ? getenv(o->env) : NULL;
		if (!v || !*v)
			continue;
		if (set_value(o, v, o->env, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int opts_parse(const struct opts_program *p, int argc, char **argv, FILE *out,
	       char *err, size_t errlen)
{
	if (from_env(p, err, errlen) < 0)
		return OPTS_ERROR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(p, out);
			return OPTS_EXIT;
		}
		if (strcmp(a, "--version") == 0) {
			fprintf(out, "%s %s\n", p->name, p->version);
			return OPTS_EXIT;
		}
		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument '%s' (see --help)", a);
			return OPTS_ERROR;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt *o = find(p, name, len);
		if (!o) {
			snprintf(err, errlen, "unknown option '--%.*s' (see --help)",
				 (int)len, name);
			return OPTS_ERROR;
		}
		const char *val;
		if (o->type == OPT_FLAG && !eq)
			val = "1";
		else if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			snprintf(err, errlen, "option '--%s' needs a value", o->name);
			return OPTS_ERROR;
		}
		char from[80];
		snprintf(from, sizeof from, "--%s", o->name);
		if (set_value(o, val, from, err, errlen) < 0)
			return OPTS_ERROR;
	}
	return OPTS_OK;
}

void opts_free(const struct opts_program *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct opt *o = &p->table[i];
		if (o->type == OPT_STR) {
			free(*(char **)o->ptr);
			*(char **)o->ptr = NULL;
		} else if (o->type == OPT_LIST) {
			struct opt_list *l = o->ptr;
			for (size_t k = 0; k < l->n; k++)
				free(l->v[k]);
			free(l->v);
			l->v = NULL;
			l->n = 0;
		}
	}
}

int opts_split_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon;
	const char *h = s;
	size_t hl;
	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return -1;
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p < 0 || p > 65535)
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	*port = (int)p;
	return 0;
}

int opts_check_listen(const char *listen, char *host, size_t hostlen, int *port,
		      char *err, size_t errlen)
{
	if (opts_split_hostport(listen, host, hostlen, port) == 0)
		return 0;
	snprintf(err, errlen, "--listen: invalid value '%s' (want HOST:PORT)", listen);
	return -1;
}

int opts_check_log_level(const char *level, char *err, size_t errlen)
{
	int v = log_level_parse(level);
	if (v < 0)
		snprintf(err, errlen, "--log-level: invalid value '%s' (" LOG_LEVEL_NAMES ")",
			 level);
	return v;
}
