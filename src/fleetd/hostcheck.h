/* hostcheck.h -- the DNS-rebinding guard: does a request's Host header
 * name this server?
 *
 * A page on http://rebind.example:8080 whose name the attacker re-points
 * to 127.0.0.1 reaches fleetd from the victim's browser as a same-origin
 * page: its Origin matches its Host, so neither CORS nor the cross-site
 * guard stops it.  What the page cannot choose is the Host header: the
 * browser always sends the page's own name.  So a request is served only
 * when its Host is a loopback name or address ("localhost", 127.0.0.0/8,
 * ::1), the host of the listen address, or a host named with
 * --allowed-host; the port is not compared.  Names compare without case
 * and without one trailing dot; addresses compare as addresses (so
 * [::0001] is [::1]).  A request without Host (HTTP/1.0) cannot come from
 * a browser and is served.
 *
 * Also the one place that says what "loopback" is: the --listen check
 * resolves the listen host and wants every address it has to be loopback.
 * Owns its copies of the names; knows nothing of HTTP. */
#ifndef FLEETD_HOSTCHECK_H
#define FLEETD_HOSTCHECK_H

#include <stddef.h>

struct hostcheck;

/* Is s fit for --allowed-host: a DNS name (letters, digits, '-', '_',
 * dots) or an IPv4 or IPv6 address (IPv6 bare or in brackets)?  No port,
 * scheme, path or wildcard. */
int hostcheck_name_valid(const char *s);

/* listen_host as config.c split it from --listen (IPv6 without brackets);
 * every allowed[i] must pass hostcheck_name_valid.  NULL when out of
 * memory or given an invalid name. */
struct hostcheck *hostcheck_new(const char *listen_host, char *const *allowed,
				size_t n);
void hostcheck_free(struct hostcheck *hc);

/* 1 if the Host header value ("host" or "host:port", IPv6 in brackets)
 * names this server, or if there is none (NULL); 0 otherwise, including
 * for any malformed value. */
int hostcheck_allows(const struct hostcheck *hc, const char *host_header);

/* 1 if host (a name, or an address without brackets) resolves, and every
 * address it resolves to is a loopback address; 0 otherwise. */
int hostcheck_is_loopback(const char *host);

#endif
