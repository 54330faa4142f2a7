/* curl_source.c -- see curl_source.h.  Owns no state. */
#include "curl_source.h"

/* curl with no socket yet is polled this often (ms) */
#define CURL_POLL_MS 50

void curl_source_prepare(CURLM *multi, int running, struct loop_fds *fds,
			 int64_t *timeout_ms)
{
	int maxfd = -1;
	curl_multi_fdset(multi, &fds->rd, &fds->wr, &fds->ex, &maxfd);
	if (maxfd > fds->maxfd)
		fds->maxfd = maxfd;
	if (!running)
		return;
	long t = -1;
	curl_multi_timeout(multi, &t);
	if (maxfd < 0 && (t < 0 || t > CURL_POLL_MS))
		t = CURL_POLL_MS;
	if (t >= 0 && (*timeout_ms < 0 || t < *timeout_ms))
		*timeout_ms = t;
}

void curl_source_perform(CURLM *multi, curl_source_done_fn done, void *arg)
{
	int running, left;
	curl_multi_perform(multi, &running);
	CURLMsg *msg;
	while ((msg = curl_multi_info_read(multi, &left)))
		if (msg->msg == CURLMSG_DONE)
			done(arg, msg->easy_handle, msg->data.result);
}

void curl_source_easy_defaults(CURL *easy, const char *user_agent, long timeout_ms,
			       long connect_timeout_ms)
{
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}
