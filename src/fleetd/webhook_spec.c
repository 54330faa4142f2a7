/* webhook_spec.c -- see webhook_spec.h.  Owns the rules of a registration;
 * must not touch the store or send anything. */
#include "webhook_spec.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "jsonx.h"

uint32_t webhook_event_bit(const char *name)
{
	for (size_t i = 0; webhook_event_names[i]; i++)
		if (strcmp(webhook_event_names[i], name) == 0)
			return (uint32_t)1 << i;
	return 0;
}

json_t *webhook_events_json(uint32_t events)
{
	json_t *a = json_array();
	for (size_t i = 0; a && webhook_event_names[i]; i++)
		if (events & ((uint32_t)1 << i))
			json_array_append_new(a, json_string(webhook_event_names[i]));
	return a;
}

static int printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* The parts curl's URL parser finds: scheme, host and no credentials. */
static int url_parts_ok(CURLU *u, char *err, size_t errlen)
{
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	int rc = -1;
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (!scheme || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		errmsg(err, errlen, "url: the scheme must be http or https");
	else if (!host || !*host)
		errmsg(err, errlen, "url: a host is required");
	else if (user || pass)
		errmsg(err, errlen, "url: must not hold credentials (user:password@); "
			       "use the secret to authenticate deliveries");
	else
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	return rc;
}

int webhook_url_check(const char *url, char *err, size_t errlen)
{
	size_t len = strlen(url);
	if (len == 0 || len > WEBHOOK_URL_MAX)
		return errmsg(err, errlen, "url: must be 1 to %d bytes", WEBHOOK_URL_MAX);
	if (!printable(url, len) || strchr(url, ' '))
		return errmsg(err, errlen, "url: must be printable ASCII without spaces "
				       "(percent-encode anything else)");
	/* the scheme is checked before curl sees the text: no guessing */
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return errmsg(err, errlen, "url: must start with http:// or https://");
	/* "http:///path" names no host, whatever a parser might make of it */
	if (url[strcspn(url, ":") + 3] == '/' || url[strcspn(url, ":") + 3] == 0)
		return errmsg(err, errlen, "url: a host is required");
	CURLU *u = curl_url();
	if (!u)
		return errmsg(err, errlen, "out of memory");
	int rc;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		rc = errmsg(err, errlen, "url: not a valid URL");
	else
		rc = url_parts_ok(u, err, errlen);
	curl_url_cleanup(u);
	return rc;
}

/* "a, b, c": the public names, for an error message. */
static const char *names_list(char *buf, size_t n)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; webhook_event_names[i] && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "",
				       webhook_event_names[i]);
	return buf;
}

static int parse_events(const json_t *v, uint32_t *out, char *err, size_t errlen)
{
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > WEBHOOK_MAX_EVENTS)
		return errmsg(err, errlen, "events: must be an array of 1 to %d event names",
			      WEBHOOK_MAX_EVENTS);
	size_t i;
	const json_t *e;
	*out = 0;
	json_array_foreach(v, i, e) {
		const char *name = json_string_value(e);
		uint32_t bit = name ? webhook_event_bit(name) : 0;
		if (!bit) {
			char names[400];
			return errmsg(err, errlen, "events[%zu]: must be one of %s", i,
				      names_list(names, sizeof names));
		}
		if (*out & bit)
			return errmsg(err, errlen, "events[%zu]: %s is listed twice", i, name);
		*out |= bit;
	}
	return 0;
}

static int parse_secret(const json_t *v, char **out, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (!s || len < WEBHOOK_SECRET_MIN || len > WEBHOOK_SECRET_MAX ||
	    !printable(s, len))
		return errmsg(err, errlen,
			      "secret: must be %d to %d printable ASCII characters "
			      "(or left out: fleetd then makes one)",
			      WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX);
	if (!(*out = strdup(s)))
		return errmsg(err, errlen, "out of memory");
	return 0;
}

static const char *const known_fields[] = {"url", "events", "format", "secret", NULL};

static int parse_fields(const json_t *body, struct webhook_spec *out, char *err,
			size_t errlen)
{
	if (jsonx_check_keys(body, known_fields, err, errlen) < 0)
		return -1;
	const json_t *url = json_object_get(body, "url");
	const char *us = json_string_value(url);
	if (!us)
		return errmsg(err, errlen, "url: required, a string");
	if (strlen(us) != json_string_length(url))
		return errmsg(err, errlen, "url: must not hold a NUL");
	if (webhook_url_check(us, err, errlen) < 0)
		return -1;
	if (parse_events(json_object_get(body, "events"), &out->events, err, errlen) < 0)
		return -1;
	const json_t *fmt = json_object_get(body, "format");
	int f = fmt ? webhook_format_of(json_string_value(fmt)) : WEBHOOK_JSON;
	if (f < 0)
		return errmsg(err, errlen, "format: must be \"json\" or \"discord\"");
	out->format = (enum webhook_format)f;
	const json_t *sec = json_object_get(body, "secret");
	if (sec && parse_secret(sec, &out->secret, err, errlen) < 0)
		return -1;
	if (!(out->url = strdup(us)))
		return errmsg(err, errlen, "out of memory");
	return 0;
}

int webhook_spec_parse(const json_t *body, struct webhook_spec *out, char *err,
		       size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(body))
		return errmsg(err, errlen, "the body must be a JSON object");
	if (parse_fields(body, out, err, errlen) < 0) {
		webhook_spec_clear(out);
		return -1;
	}
	return 0;
}

void webhook_spec_clear(struct webhook_spec *s)
{
	if (s->secret) {
		memset(s->secret, 0, strlen(s->secret));
		free(s->secret);
	}
	free(s->url);
	memset(s, 0, sizeof *s);
}
