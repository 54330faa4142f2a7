/* fleetsim_main.c -- start-up and shutdown of fleetsim: read the flags
 * (each with a FLEETSIM_* environment variable), build or load the galaxy,
 * serve it on one loop, and on SIGTERM/SIGINT answer what is delayed and
 * exit 0.  Owns the lifetime of every part; no game logic here. */
#include "autoconf.h" /* PACKAGE_VERSION */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "opts.h"
#include "signals.h"
#include "sim_admin.h"
#include "sim_api.h"
#include "sim_catalog.h"
#include "sim_galaxy.h"

struct sim_flags {
	char *listen, *galaxy, *user, *game, *log_level;
	int64_t watch_ms, seed, worlds, fleets, sovereign, latency_ms, fault_delay_ms;
	double fault_rate, lost_answer_rate;
	/* derived */
	char host[256];
	int port;
	char *username, *password;
};

#define SIM_TABLE(f)                                                                  \
	{                                                                             \
		{"listen", "FLEETSIM_LISTEN", OPT_STR, &f->listen, "HOST:PORT",       \
		 "address to serve on (default 127.0.0.1:8081; port 0: any free)", 0, 0}, \
		{"watch-ms", "FLEETSIM_WATCH_MS", OPT_INT, &f->watch_ms, "MS",        \
		 "length of a watch (default 60000)", 10, 86400000},                  \
		{"galaxy", "FLEETSIM_GALAXY", OPT_STR, &f->galaxy, "FILE",            \
		 "load a real getObjects dump instead of generating a galaxy", 0, 0}, \
		{"sovereign", "FLEETSIM_SOVEREIGN", OPT_INT, &f->sovereign, "ID",     \
		 "with --galaxy: play this sovereign (default: most fleets)", 1,      \
		 9e15},                                                               \
		{"seed", "FLEETSIM_SEED", OPT_INT, &f->seed, "N",                     \
		 "seed of the generated galaxy and of the faults (default 1)", 0,     \
		 9e15},                                                               \
		{"worlds", "FLEETSIM_WORLDS", OPT_INT, &f->worlds, "N",               \
		 "worlds in a generated galaxy (default 200)", 4, 100000},            \
		{"fleets", "FLEETSIM_FLEETS", OPT_INT, &f->fleets, "N",               \
		 "fleets in a generated galaxy, 3/4 the player's (default 20)", 0,    \
		 200000},                                                             \
		{"user", "FLEETSIM_USER", OPT_STR, &f->user, "NAME:PASSWORD",         \
		 "the account that may log in (default demo:demo)", 0, 0},            \
		{"game", "FLEETSIM_GAME", OPT_STR, &f->game, "ID",                    \
		 "the game id (default sim)", 0, 0},                                  \
		{"fault-rate", "FLEETSIM_FAULT_RATE", OPT_DOUBLE, &f->fault_rate, "P", \
		 "fraction of API calls that fail by injected fault (default 0)", 0,  \
		 1},                                                                  \
		{"fault-delay-ms", "FLEETSIM_FAULT_DELAY_MS", OPT_INT,                \
		 &f->fault_delay_ms, "MS",                                            \
		 "how late the 'late answer' fault answers (default 31000)", 0,       \
		 600000},                                                             \
		{"lost-answer-rate", "FLEETSIM_LOST_ANSWER_RATE", OPT_DOUBLE,         \
		 &f->lost_answer_rate, "P",                                           \
		 "fraction of actions that act, then lose their answer (default 0)", \
		 0, 1},                                                               \
		{"latency-ms", "FLEETSIM_LATENCY_MS", OPT_INT, &f->latency_ms, "MS",  \
		 "delay every API answer by this much (default 0)", 0, 600000},       \
		{"log-level", "FLEETSIM_LOG_LEVEL", OPT_STR, &f->log_level, "LEVEL",  \
		 LOG_LEVEL_NAMES " (default info)", 0, 0},                            \
	}

static struct opts_program program(struct opt *table, size_t n)
{
	struct opts_program p = {"fleetsim", PACKAGE_VERSION,
				 "A stand-in Anacreon 3 game server for tests and demos.",
				 table, n};
	return p;
}

static int check(struct sim_flags *f, char *err, size_t errlen)
{
	if (opts_check_listen(f->listen, f->host, sizeof f->host, &f->port, err, errlen) < 0 ||
	    opts_check_log_level(f->log_level, err, errlen) < 0)
		return -1;
	const char *colon = strchr(f->user, ':');
	if (!colon || colon == f->user || !colon[1]) {
		snprintf(err, errlen, "--user: invalid value '%s' (want NAME:PASSWORD)", f->user);
		return -1;
	}
	if (!*f->game) {
		snprintf(err, errlen, "--game: must not be empty");
		return -1;
	}
	if (f->galaxy && (f->worlds >= 0 || f->fleets >= 0)) {
		snprintf(err, errlen, "--galaxy cannot be combined with --worlds or --fleets");
		return -1;
	}
	if (!f->galaxy && f->sovereign) {
		snprintf(err, errlen, "--sovereign needs --galaxy");
		return -1;
	}
	f->username = strndup(f->user, (size_t)(colon - f->user));
	f->password = strdup(colon + 1);
	if (!f->username || !f->password) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (f->worlds < 0)
		f->worlds = 200;
	if (f->fleets < 0)
		f->fleets = 20;
	return 0;
}

static int parse(struct sim_flags *f, int argc, char **argv, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->listen = strdup("127.0.0.1:8081");
	f->user = strdup("demo:demo");
	f->game = strdup("sim");
	f->log_level = strdup("info");
	f->watch_ms = 60000;
	f->seed = 1;
	f->worlds = -1;
	f->fleets = -1;
	f->fault_delay_ms = 31000;
	err[0] = 0;
	if (!f->listen || !f->user || !f->game || !f->log_level) {
		snprintf(err, errlen, "out of memory"); /* flags_free frees the rest */
		return OPTS_ERROR;
	}
	struct opt table[] = SIM_TABLE(f);
	struct opts_program p = program(table, sizeof table / sizeof table[0]);
	int rc = opts_parse(&p, argc, argv, stdout, err, errlen);
	if (rc != OPTS_OK)
		return rc;
	return check(f, err, errlen) < 0 ? OPTS_ERROR : OPTS_OK;
}

static void flags_free(struct sim_flags *f)
{
	struct opt table[] = SIM_TABLE(f);
	struct opts_program p = program(table, sizeof table / sizeof table[0]);
	opts_free(&p);
	free(f->username);
	free(f->password);
}

static int stopping;

static void on_signal(int signo, void *arg)
{
	struct http_server *http = arg;
	if (signo == SIGHUP)
		return;
	if (!stopping)
		log_info("shutting down", "signal=%d", signo);
	stopping = 1;
	http_server_quiesce(http);
}

static int serve(const struct sim_flags *f, struct sim_galaxy *g)
{
	char err[512];
	struct loop *loop = loop_new();
	if (!loop) {
		fprintf(stderr, "fleetsim: out of memory\n");
		return 1;
	}
	struct http_config hc = {.listen = f->listen, .conn_limit = 512,
				 .body_limit = 1 << 20, .conn_timeout_s = 120,
				 .conn_memory_limit = 65536};
	struct http_server *http = http_server_new(loop, &hc, err, sizeof err);
	if (!http) {
		fprintf(stderr, "fleetsim: %s\n", err);
		loop_free(loop);
		return 1;
	}
	struct sim_api_config ac = {f->username, f->password, f->game, f->watch_ms,
				    f->fault_rate, (uint64_t)f->seed, f->latency_ms,
				    f->fault_delay_ms, f->lost_answer_rate};
	struct sim_api *api = sim_api_new(loop, http, g, &ac);
	int rc = 0;
	if (!api || sim_admin_routes(http, g) < 0 || signals_install(loop, on_signal, http) < 0) {
		fprintf(stderr, "fleetsim: cannot start the API\n");
		rc = 1;
	} else {
		log_info("listening", "host=%s port=%d", f->host, http_server_port(http));
		while (!stopping && rc == 0)
			if (loop_run_once(loop, -1) < 0)
				rc = 1;
		sim_api_flush(api);
		int64_t deadline = clock_now_ms() + 2000;
		while (http_server_inflight(http) > 0 && clock_now_ms() < deadline)
			if (loop_run_once(loop, 50) < 0)
				break;
	}
	sim_api_free(api);
	http_server_free(http);
	loop_free(loop);
	return rc;
}

int main(int argc, char **argv)
{
	struct sim_flags f;
	char err[512];
	int rc = parse(&f, argc, argv, err, sizeof err);
	if (rc != OPTS_OK) {
		if (rc == OPTS_ERROR)
			fprintf(stderr, "fleetsim: %s\n", err[0] ? err : "out of memory");
		flags_free(&f);
		return rc == OPTS_EXIT ? 0 : 2;
	}
	log_set_level((enum log_level)log_level_parse(f.log_level));
	struct sim_catalog *cat = sim_catalog_new();
	struct sim_galaxy *g = cat ? sim_galaxy_new(cat) : NULL;
	if (!g) {
		fprintf(stderr, "fleetsim: out of memory\n");
		rc = 1;
	} else if (f.galaxy ? sim_galaxy_load(g, f.galaxy, f.sovereign, err, sizeof err) :
			      sim_galaxy_generate(g, (uint64_t)f.seed, (int)f.worlds,
						  (int)f.fleets, err, sizeof err)) {
		fprintf(stderr, "fleetsim: %s\n", err);
		rc = 1;
	} else {
		size_t nw = 0, nf = 0;
		for (size_t i = 0; i < g->n; i++) {
			nw += g->objs[i]->kind == SIM_WORLD;
			nf += g->objs[i]->kind == SIM_FLEET;
		}
		log_info("galaxy ready", "worlds=%zu fleets=%zu player=%lld watch=%lld",
			 nw, nf, (long long)g->player, (long long)g->watch);
		/* warm the object cache so the first full getObjects is fast */
		size_t len;
		for (size_t i = 0; i < g->n; i++)
			sim_obj_text(g, g->objs[i], &len);
		rc = serve(&f, g);
	}
	sim_galaxy_free(g);
	sim_catalog_free(cat);
	flags_free(&f);
	if (rc == 0)
		log_info("stopped", NULL);
	return rc;
}
