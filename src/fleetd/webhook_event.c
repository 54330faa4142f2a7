/* webhook_event.c -- see webhook_event.h.  Owns the table of public event
 * names and the wording of the Discord lines; must not touch the store or
 * know how deliveries are sent. */
#include "webhook_event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

const char *const webhook_event_names[] = {
	"job.succeeded", "job.failed", "job.cancelled", "fleet.arrived",
	"fleet.departed", "fleet.sighted", "world.attacked", "world.lost",
	"world.gained", NULL};

/* The job states that end a job, which "job.state" events are named by. */
static const char *const job_ends[] = {"succeeded", "failed", "cancelled", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int webhook_event_known(const char *name)
{
	return name && in_list(webhook_event_names, name);
}

const char *webhook_format_name(enum webhook_format f)
{
	return f == WEBHOOK_DISCORD ? "discord" : "json";
}

int webhook_format_of(const char *name)
{
	if (name && strcmp(name, "json") == 0)
		return WEBHOOK_JSON;
	if (name && strcmp(name, "discord") == 0)
		return WEBHOOK_DISCORD;
	return -1;
}

static json_t *row_data(const struct eventlog_row *row)
{
	return json_loadb(row->data, row->data_len, 0, NULL);
}

/* A "job.state" event: the state the job moved to, when it ended. */
static int job_end_name(const struct eventlog_row *row, char *name)
{
	/* cheap test first: most job.state events are not ends */
	if (!memmem(row->data, row->data_len, "\"to\":", 5))
		return 0;
	json_t *d = row_data(row);
	const char *to = json_string_value(json_object_get(d, "to"));
	int ok = to && in_list(job_ends, to);
	if (ok)
		snprintf(name, WEBHOOK_EVENT_NAME_MAX, "job.%s", to);
	json_decref(d);
	return ok;
}

int webhook_event_name(const struct eventlog_row *row,
		       char name[WEBHOOK_EVENT_NAME_MAX])
{
	name[0] = 0;
	if (strcmp(row->type, "job.state") == 0)
		return job_end_name(row, name);
	if (strncmp(row->type, "job.", 4) == 0 || !webhook_event_known(row->type))
		return 0;
	snprintf(name, WEBHOOK_EVENT_NAME_MAX, "%s", row->type);
	return 1;
}

/* --- the Discord line ----------------------------------------------------- */

/* "12", or "?" when the field is missing or not an integer. */
static const char *id_of(const json_t *d, const char *key, char *buf, size_t n)
{
	const json_t *v = json_object_get(d, key);
	if (!json_is_integer(v))
		return "?";
	snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	return buf;
}

static void say_job(struct textbuf *t, const char *name,
		    const struct eventlog_row *row, const json_t *d)
{
	char step[24];
	textbuf_puts(t, "Job ");
	textbuf_int(t, row->job_id);
	if (strcmp(name, "job.succeeded") == 0) {
		textbuf_puts(t, " succeeded.");
	} else if (strcmp(name, "job.failed") == 0) {
		textbuf_puts(t, " failed at step ");
		textbuf_puts(t, id_of(d, "step", step, sizeof step));
		textbuf_puts(t, ".");
	} else {
		textbuf_puts(t, " was cancelled.");
	}
}

static void say_game(struct textbuf *t, const char *name, const json_t *d)
{
	char f[24], w[24], s[24];
	const char *fleet = id_of(d, "fleet", f, sizeof f);
	const char *world = id_of(d, "world", w, sizeof w);
	if (strcmp(name, "fleet.arrived") == 0) {
		textbuf_puts(t, "Fleet ");
		textbuf_puts(t, fleet);
		textbuf_puts(t, " arrived at world ");
		textbuf_puts(t, world);
	} else if (strcmp(name, "fleet.departed") == 0) {
		textbuf_puts(t, "Fleet ");
		textbuf_puts(t, fleet);
		textbuf_puts(t, " left world ");
		textbuf_puts(t, id_of(d, "from", w, sizeof w));
	} else if (strcmp(name, "fleet.sighted") == 0) {
		textbuf_puts(t, "Foreign fleet ");
		textbuf_puts(t, fleet);
		textbuf_puts(t, " of sovereign ");
		textbuf_puts(t, id_of(d, "sovereign", s, sizeof s));
		textbuf_puts(t, " sighted at world ");
		textbuf_puts(t, world);
	} else if (strcmp(name, "world.attacked") == 0) {
		textbuf_puts(t, "World ");
		textbuf_puts(t, world);
		textbuf_puts(t, " is under attack");
	} else if (strcmp(name, "world.lost") == 0) {
		textbuf_puts(t, "World ");
		textbuf_puts(t, world);
		textbuf_puts(t, " was lost");
	} else {
		textbuf_puts(t, "World ");
		textbuf_puts(t, world);
		textbuf_puts(t, " was gained");
	}
	textbuf_puts(t, ".");
}

/* Make the text one line: control characters (line breaks included) become
 * spaces; then cut it at WEBHOOK_DISCORD_MAX characters (UTF-8 sequences,
 * what Discord counts), never inside one. */
static void one_line(char *s, size_t *len)
{
	size_t i = 0, chars = 0;
	while (i < *len && chars < WEBHOOK_DISCORD_MAX) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			s[i] = ' ';
		size_t n = utf8_seq_len((const unsigned char *)s + i, *len - i);
		i += n ? n : 1;
		chars++;
	}
	*len = i;
	s[i] = 0;
}

char *webhook_discord_line(const char *name, const struct eventlog_row *row)
{
	json_t *d = row_data(row);
	struct textbuf t = {0};
	textbuf_puts(&t, "fleetd: ");
	if (strncmp(name, "job.", 4) == 0)
		say_job(&t, name, row, d);
	else
		say_game(&t, name, d);
	json_decref(d);
	size_t len;
	char *s = textbuf_take(&t, &len);
	if (s) {
		utf8_scrub(s, len);
		one_line(s, &len);
	}
	return s;
}

char *webhook_event_body(enum webhook_format fmt, const char *name,
			 const struct eventlog_row *row, size_t *len)
{
	struct textbuf t = {0};
	if (fmt == WEBHOOK_DISCORD) {
		char *line = webhook_discord_line(name, row);
		if (!line)
			return NULL;
		textbuf_puts(&t, "{\"content\":");
		textbuf_json_str(&t, line, strlen(line));
		textbuf_puts(&t, ",\"username\":\"fleetd\",\"allowed_mentions\":{\"parse\":[]}}");
		free(line);
	} else {
		textbuf_puts(&t, "{\"event\":");
		textbuf_json_str(&t, name, strlen(name));
		textbuf_puts(&t, ",\"event_id\":");
		textbuf_int(&t, row->id);
		textbuf_puts(&t, ",\"ts\":");
		textbuf_int(&t, row->ts);
		textbuf_puts(&t, ",\"job_id\":");
		if (row->job_id > 0)
			textbuf_int(&t, row->job_id);
		else
			textbuf_puts(&t, "null");
		textbuf_puts(&t, ",\"data\":");
		textbuf_put(&t, row->data, row->data_len);
		textbuf_puts(&t, "}");
	}
	return textbuf_take(&t, len);
}
