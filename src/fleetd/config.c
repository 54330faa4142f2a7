/* config.c -- see config.h.  The table below is the one list of fleetd's
 * flags; --help is generated from it. */
#include "autoconf.h" /* PACKAGE_VERSION */
#include "config.h"

#include <string.h>
#include <sys/select.h>

#include "cors.h"
#include "hostcheck.h"
#include "log.h"


/* -1 when out of memory; what was copied is freed by config_free. */
static int defaults(struct fleetd_config *c)
{
	memset(c, 0, sizeof *c);
	c->rate = 5.0;
	c->max_body = 1 << 20;
	c->max_job_bytes = 64 << 10;
	c->max_page_bytes = 1 << 20;
	c->max_connections = 512;
	c->conn_timeout = 60;
	c->shutdown_grace = 10;
	c->webhook_max_age = 24 * 3600;
	c->retain_days = 30;
	c->listen = strdup("127.0.0.1:8080");
	c->db = strdup("fleetd.db");
	c->game = strdup("sim");
	c->log_level = strdup("info");
	return c->listen && c->db && c->game && c->log_level ? 0 : -1;
}

#define TABLE(c)                                                                    \
	{                                                                           \
		{"listen", "FLEETD_LISTEN", OPT_STR, &c->listen, "HOST:PORT",       \
		 "address of the REST API (default 127.0.0.1:8080)", 0, 0},         \
		{"db", "FLEETD_DB", OPT_STR, &c->db, "FILE",                        \
		 "SQLite database (default fleetd.db; created mode 0600)", 0, 0},   \
		{"upstream", "FLEETD_UPSTREAM", OPT_STR, &c->upstream, "URL",       \
		 "base URL of the game API, e.g. https://anacreon.kronosaur.com/api/", \
		 0, 0},                                                             \
		{"game", "FLEETD_GAME", OPT_STR, &c->game, "GAMEID",                \
		 "game id (default sim)", 0, 0},                                    \
		{"username", "FLEETD_USERNAME", OPT_STR, &c->username, "NAME",      \
		 "game login name", 0, 0},                                          \
		{"password-file", "FLEETD_PASSWORD_FILE", OPT_STR,                  \
		 &c->password_file, "FILE",                                         \
		 "file holding the game password (or set FLEETD_PASSWORD)", 0, 0}, \
		{"api-token-file", "FLEETD_API_TOKEN_FILE", OPT_STR,                \
		 &c->api_token_file, "FILE",                                        \
		 "require Authorization: Bearer with the token in FILE", 0, 0},     \
		{"cors-origin", "FLEETD_CORS_ORIGIN", OPT_LIST, &c->cors_origins,   \
		 "ORIGIN", "allow this origin (repeatable)", 0, 0},                 \
		{"allowed-host", "FLEETD_ALLOWED_HOST", OPT_LIST,                   \
		 &c->allowed_hosts, "HOST",                                         \
		 "serve requests whose Host is HOST too (repeatable)", 0, 0},       \
		{"rate", "FLEETD_RATE", OPT_DOUBLE, &c->rate, "N",                  \
		 "upstream requests per second (default 5)", 0.01, 1000},           \
		{"log-level", "FLEETD_LOG_LEVEL", OPT_STR, &c->log_level, "LEVEL",  \
		 LOG_LEVEL_NAMES " (default info)", 0, 0},                          \
		{"max-body", "FLEETD_MAX_BODY", OPT_INT, &c->max_body, "BYTES",     \
		 "largest request body (default 1048576)", 1024, 64 << 20},         \
		{"max-job-bytes", "FLEETD_MAX_JOB_BYTES", OPT_INT,                  \
		 &c->max_job_bytes, "BYTES",                                        \
		 "largest job spec, written compactly (default 65536); beyond: 413", \
		 256, 64 << 20},                                                    \
		{"max-page-bytes", "FLEETD_MAX_PAGE_BYTES", OPT_INT,                \
		 &c->max_page_bytes, "BYTES",                                       \
		 "a list answer stops at about this size, its cursor going on "     \
		 "(default 1048576)", 4096, 64 << 20},                              \
		{"max-connections", "FLEETD_MAX_CONNECTIONS", OPT_INT,              \
		 &c->max_connections, "N",                                          \
		 "open connections served (default 512); beyond: 503", 1,          \
		 FD_SETSIZE - 128},                                                 \
		{"max-connections-per-ip", "FLEETD_MAX_CONNECTIONS_PER_IP", OPT_INT, \
		 &c->max_connections_per_ip, "N",                                   \
		 "open connections from one address (default a quarter of "         \
		 "--max-connections); more are closed at once", 1,                  \
		 FD_SETSIZE - 128},                                                 \
		{"conn-timeout", "FLEETD_CONN_TIMEOUT", OPT_INT, &c->conn_timeout,  \
		 "SECONDS", "close idle client connections after this, and any "    \
		 "whose request takes longer to arrive (default 60)", 1, 3600},     \
		{"shutdown-grace", "FLEETD_SHUTDOWN_GRACE", OPT_INT,                \
		 &c->shutdown_grace, "SECONDS",                                     \
		 "time given to in-flight requests on SIGTERM (default 10)", 0, 600}, \
		{"web-root", "FLEETD_WEB_ROOT", OPT_STR, &c->web_root, "DIR",       \
		 "serve the dashboard from DIR instead of the built-in copy", 0, 0}, \
		{"webhook-max-age", "FLEETD_WEBHOOK_MAX_AGE", OPT_INT,              \
		 &c->webhook_max_age, "SECONDS",                                    \
		 "retry a webhook delivery this long, then keep it as a dead "      \
		 "letter (default 86400)", 1, 30 * 86400},                          \
		{"retain-days", "FLEETD_RETAIN_DAYS", OPT_DOUBLE, &c->retain_days,  \
		 "N", "delete ended jobs, their events and delivered webhook rows " \
		 "N days after they end (default 30; fractions allowed; 0 keeps "   \
		 "everything)", 0, 36500},                                          \
	}

static struct opts_program program(struct fleetd_config *c, struct opt *table,
				   size_t n)
{
	struct opts_program p = {
		"fleetd", PACKAGE_VERSION,
		"Durable fleet-management jobs for Anacreon 3, served over HTTP.",
		table, n};
	return p;
}

/* s itself in an error message when it is short, printable ASCII: a
 * value from the environment may hold a newline or a terminal escape. */
static const char *shown(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] > 0x7e || n == 100)
			return "(not shown: unprintable or too long)";
	return s;
}

/* Each --allowed-host must be a host name or address alone: no port,
 * scheme, path or wildcard (none of them would ever match a Host). */
static int check_allowed_hosts(const struct fleetd_config *c, char *err,
			       size_t errlen)
{
	for (size_t i = 0; i < c->allowed_hosts.n; i++) {
		const char *h = c->allowed_hosts.v[i];
		if (!hostcheck_name_valid(h)) {
			snprintf(err, errlen,
				 "--allowed-host: invalid value '%s' (want a host name or "
				 "an IP address, without port or scheme)",
				 shown(h));
			return -1;
		}
	}
	return 0;
}

/* Who may reach the API: a non-loopback listener needs a token, and a
 * wildcard CORS origin would let any web page drive a token-holding
 * front end, so "*" is refused together with a token. */
static int check_exposure(struct fleetd_config *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->cors_origins.n; i++) {
		const char *o = c->cors_origins.v[i];
		if (!cors_origin_valid(o)) {
			snprintf(err, errlen,
				 "--cors-origin: invalid value '%s' (want http(s)://host[:port] or *)",
				 o);
			return -1;
		}
		if (strcmp(o, "*") == 0 && c->api_token_file) {
			snprintf(err, errlen,
				 "--cors-origin '*' cannot be combined with --api-token-file: name the origins");
			return -1;
		}
	}
	if (c->api_token_file && !*c->api_token_file) {
		snprintf(err, errlen, "--api-token-file: must name a file");
		return -1;
	}
	if (!c->api_token_file && !config_listen_is_loopback(c)) {
		snprintf(err, errlen,
			 "refusing to listen on non-loopback address %s without "
			 "--api-token-file (a name must resolve to loopback addresses only)",
			 shown(c->listen_host));
		return -1;
	}
	return 0;
}

static int check(struct fleetd_config *c, char *err, size_t errlen)
{
	if (opts_check_listen(c->listen, c->listen_host, sizeof c->listen_host,
			      &c->listen_port, err, errlen) < 0)
		return -1;
	c->log_level_value = opts_check_log_level(c->log_level, err, errlen);
	if (c->log_level_value < 0)
		return -1;
	if (!*c->db) {
		snprintf(err, errlen, "--db: must name a file");
		return -1;
	}
	if (c->upstream && strncmp(c->upstream, "http://", 7) != 0 &&
	    strncmp(c->upstream, "https://", 8) != 0) {
		snprintf(err, errlen, "--upstream: invalid value '%s' (an http:// or https:// URL)",
			 c->upstream);
		return -1;
	}
	if (check_exposure(c, err, errlen) < 0 ||
	    check_allowed_hosts(c, err, errlen) < 0)
		return -1;
	if (!c->max_connections_per_ip) /* not given: a share of the cap */
		c->max_connections_per_ip = (c->max_connections + 3) / 4;
	if (c->upstream && !c->username) {
		snprintf(err, errlen, "--upstream needs --username (and a password)");
		return -1;
	}
	return 0;
}

int config_parse(struct fleetd_config *c, int argc, char **argv, FILE *out,
		 char *err, size_t errlen)
{
	err[0] = 0;
	if (defaults(c) < 0) {
		snprintf(err, errlen, "out of memory");
		return OPTS_ERROR;
	}
	struct opt table[] = TABLE(c);
	struct opts_program p = program(c, table, sizeof table / sizeof table[0]);
	int rc = opts_parse(&p, argc, argv, out, err, errlen);
	if (rc != OPTS_OK)
		return rc;
	return check(c, err, errlen) < 0 ? OPTS_ERROR : OPTS_OK;
}

void config_free(struct fleetd_config *c)
{
	struct opt table[] = TABLE(c);
	struct opts_program p = program(c, table, sizeof table / sizeof table[0]);
	opts_free(&p);
}

/* Resolved, never compared as text: "127.evil.invalid" starts like a
 * loopback address and is not one. */
int config_listen_is_loopback(const struct fleetd_config *c)
{
	return hostcheck_is_loopback(c->listen_host);
}
