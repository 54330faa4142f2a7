/* signals.h -- SIGTERM/SIGINT/SIGHUP delivered to the loop through a
 * self-pipe, so handlers run as ordinary loop callbacks, never inside a
 * signal handler.  SIGPIPE is ignored (a peer closing a socket is an
 * ordinary error return). */
#ifndef FLEETD_SIGNALS_H
#define FLEETD_SIGNALS_H

struct loop;

typedef void (*signals_fn)(int signo, void *arg);

int signals_install(struct loop *loop, signals_fn fn, void *arg);

#endif
