/* fuzz_webhook_spec.c -- a webhook registration as POST /v1/webhooks meets
 * it: raw bytes through jsonx_parse(), then webhook_spec_parse().  What it
 * accepts must hold what the sender relies on: an http(s) URL of at most
 * WEBHOOK_URL_MAX printable bytes without credentials, at least one known
 * event, a format, and a secret in bounds when given.  A refusal names
 * the field and never quotes the URL or the secret. */
#include <string.h>

#include "fuzz.h"
#include "jsonx.h"
#include "webhook_spec.h"

static void check_accepted(const json_t *body, const struct webhook_spec *s)
{
	size_t n = strlen(s->url);
	FUZZ_CHECK(n >= 8 && n <= WEBHOOK_URL_MAX);
	FUZZ_CHECK(strncmp(s->url, "http://", 7) == 0 || strncmp(s->url, "https://", 8) == 0);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(s->url[i] > 0x20 && s->url[i] < 0x7f);
	/* no credentials in what every GET shows */
	const char *auth = strstr(s->url, "://") + 3;
	size_t alen = strcspn(auth, "/?#");
	FUZZ_CHECK(!memchr(auth, '@', alen));
	FUZZ_CHECK(s->events != 0);
	json_t *names = webhook_events_json(s->events);
	FUZZ_CHECK(json_array_size(names) >= 1 &&
		   json_array_size(names) == json_array_size(json_object_get(body, "events")));
	json_decref(names);
	FUZZ_CHECK(s->format == WEBHOOK_JSON || s->format == WEBHOOK_DISCORD);
	if (s->secret)
		FUZZ_CHECK(strlen(s->secret) >= WEBHOOK_SECRET_MIN &&
			   strlen(s->secret) <= WEBHOOK_SECRET_MAX);
	else
		FUZZ_CHECK(!json_object_get(body, "secret"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[400];
	json_t *body = jsonx_parse((const char *)data, size, JSONX_MAX_DEPTH, err, sizeof err);
	if (!body)
		return 0;
	struct webhook_spec s;
	if (webhook_spec_parse(body, &s, err, sizeof err) < 0) {
		FUZZ_CHECK(err[0] != 0 && strchr(err, ':') != NULL);
		const char *url = json_string_value(json_object_get(body, "url"));
		if (url && strlen(url) >= 12)
			FUZZ_CHECK(!strstr(err, url));
		const char *sec = json_string_value(json_object_get(body, "secret"));
		if (sec && strlen(sec) >= 8)
			FUZZ_CHECK(!strstr(err, sec));
	} else {
		check_accepted(body, &s);
		webhook_spec_clear(&s);
	}
	json_decref(body);
	return 0;
}
