/* config.h -- fleetd's settings: flags, FLEETD_* variables, defaults and
 * the checks that can be made before anything starts.  Reads no file other
 * than what a flag names; secrets are read later by their owners (the
 * password by the session, the API token by the auth filter). */
#ifndef FLEETD_CONFIG_H
#define FLEETD_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "opts.h"

struct fleetd_config {
	char *listen;
	char *db;
	char *upstream;
	char *game;
	char *username;
	char *password_file;
	char *api_token_file;
	struct opt_list cors_origins;
	struct opt_list allowed_hosts; /* Host names served besides loopback */
	double rate;              /* upstream requests per second */
	char *log_level;
	int64_t max_body;         /* bytes */
	int64_t max_job_bytes;    /* a job spec, written compactly */
	int64_t max_page_bytes;   /* a list answer's items, roughly (one
				   * item always goes, however large) */
	int64_t max_connections;
	int64_t max_connections_per_ip; /* 0 until checked: then a quarter
					 * of max_connections unless given */
	int64_t conn_timeout;     /* seconds */
	int64_t shutdown_grace;   /* seconds to finish in-flight requests */
	char *web_root;           /* serve the dashboard from here, not embedded */
	int64_t webhook_max_age;  /* seconds a delivery is retried: then dead */
	double retain_days;       /* ended jobs and old events kept; 0: all */
	/* derived */
	char listen_host[256];
	int listen_port;
	int log_level_value;
};

/* 0: run; 1: --help/--version printed to out, exit 0; 2: error in err. */
int config_parse(struct fleetd_config *cfg, int argc, char **argv, FILE *out,
		 char *err, size_t errlen);
void config_free(struct fleetd_config *cfg);
/* Does the listen host resolve, and only to loopback addresses
 * (127.0.0.0/8, ::1)? */
int config_listen_is_loopback(const struct fleetd_config *cfg);

#endif
