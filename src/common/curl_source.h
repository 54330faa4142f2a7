/* curl_source.h -- the two halves of driving a libcurl multi handle from
 * the loop (loop.h): what its prepare() and dispatch() do for curl.
 *
 * Shared by fleetd's game client (upstream.c) and its webhook sender,
 * which each keep their own queue and policy around these.  Owns nothing:
 * the multi handle and its easy handles are the caller's. */
#ifndef FLEETD_CURL_SOURCE_H
#define FLEETD_CURL_SOURCE_H

#include <curl/curl.h>
#include <stdint.h>

#include "loop.h"

/* Add the multi handle's descriptors to fds and lower *timeout_ms to
 * curl's own timeout.  running: transfers are under way (curl may then
 * have no socket yet while it resolves or connects: poll soon). */
void curl_source_prepare(CURLM *multi, int running, struct loop_fds *fds,
			 int64_t *timeout_ms);

/* Let curl work, then hand each finished transfer to done (which may
 * remove it from the multi handle, and usually does). */
typedef void (*curl_source_done_fn)(void *arg, CURL *easy, CURLcode result);
void curl_source_perform(CURLM *multi, curl_source_done_fn done, void *arg);

/* The options every transfer sets, whoever makes it: no signals (the
 * loop owns them), http and https only, the user agent, and the two
 * timeouts in ms (the whole transfer, the connection). */
void curl_source_easy_defaults(CURL *easy, const char *user_agent, long timeout_ms,
			       long connect_timeout_ms);

#endif
