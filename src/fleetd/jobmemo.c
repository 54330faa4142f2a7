/* jobmemo.c -- see jobmemo.h.  Owns its copies of the texts and one
 * reference to each tree; knows nothing of SQLite or of what a spec says. */
#include "jobmemo.h"

#include <stdlib.h>
#include <string.h>

void jobmemo_init(struct jobmemo *m)
{
	memset(m, 0, sizeof *m);
}

static void row_clear(struct jobmemo *m, struct jobmemo_slot *s)
{
	m->bytes -= s->row_len;
	free(s->row_text);
	s->row_text = NULL;
	s->row_len = 0;
	memset(&s->row, 0, sizeof s->row);
}

static void slot_clear(struct jobmemo *m, struct jobmemo_slot *s)
{
	row_clear(m, s);
	m->bytes -= s->len;
	free(s->text);
	json_decref(s->spec);
	memset(s, 0, sizeof *s);
}

void jobmemo_free(struct jobmemo *m)
{
	for (size_t i = 0; i < JOBMEMO_SLOTS; i++)
		if (m->slot[i].id)
			slot_clear(m, &m->slot[i]);
}

static struct jobmemo_slot *slot_of(struct jobmemo *m, int64_t id)
{
	return &m->slot[(uint64_t)id % JOBMEMO_SLOTS];
}

json_t *jobmemo_parse(struct jobmemo *m, int64_t id, const char *text, size_t len)
{
	struct jobmemo_slot *s = slot_of(m, id);
	if (id > 0 && s->id == id && s->len == len && memcmp(s->text, text, len) == 0) {
		m->hits++;
		return json_incref(s->spec);
	}
	m->misses++;
	json_t *spec = json_loadb(text, len, 0, NULL);
	if (!spec || id <= 0 || len > JOBMEMO_MAX_TEXT)
		return spec;
	if (s->id)
		slot_clear(m, s);
	char *copy;
	if (m->bytes + len > JOBMEMO_MAX_BYTES || !(copy = malloc(len ? len : 1)))
		return spec; /* not kept: the answer is the same */
	memcpy(copy, text, len);
	*s = (struct jobmemo_slot){.id = id, .text = copy, .len = len,
				   .spec = json_incref(spec)};
	m->bytes += len;
	return spec;
}

/* Copy t into *o (advancing it); t NULL stays NULL. */
static const char *put_text(char **o, const char *t)
{
	if (!t)
		return NULL;
	size_t n = strlen(t) + 1;
	char *at = *o;
	memcpy(at, t, n);
	*o += n;
	return at;
}

void jobmemo_keep_row(struct jobmemo *m, const struct job_row *row)
{
	struct jobmemo_slot *s = slot_of(m, row->id);
	if (row->id <= 0 || s->id != row->id)
		return;
	if (row->vars) { /* not kept: the row is read instead */
		row_clear(m, s);
		return;
	}
	const char *texts[] = {row->sub_state, row->step_data, row->last_error};
	size_t len = 0;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		len += texts[i] ? strlen(texts[i]) + 1 : 0;
	char *buf = NULL;
	if (len <= JOBMEMO_MAX_TEXT && m->bytes - s->row_len + len <= JOBMEMO_MAX_BYTES)
		buf = malloc(len ? len : 1);
	struct job_row kept = *row;
	if (buf) {
		/* copied before the old row goes: row may point into it */
		char *o = buf;
		kept.sub_state = put_text(&o, row->sub_state);
		kept.step_data = put_text(&o, row->step_data);
		kept.last_error = put_text(&o, row->last_error);
	}
	row_clear(m, s); /* the old row is stale either way */
	if (!buf)
		return;
	kept.spec = NULL; /* the slot's tree stands for it */
	kept.name = kept.idem_key = kept.idem_body = NULL;
	s->row = kept;
	s->row_text = buf;
	s->row_len = len;
	m->bytes += len;
}

const struct job_row *jobmemo_row(struct jobmemo *m, int64_t id, json_t **spec)
{
	struct jobmemo_slot *s = slot_of(m, id);
	if (id <= 0 || s->id != id || s->row.id != id)
		return NULL;
	m->row_hits++;
	*spec = json_incref(s->spec);
	return &s->row;
}

void jobmemo_forget_row(struct jobmemo *m, int64_t id)
{
	struct jobmemo_slot *s = slot_of(m, id);
	if (id > 0 && s->id == id)
		row_clear(m, s);
}

void jobmemo_forget_rows(struct jobmemo *m)
{
	for (size_t i = 0; i < JOBMEMO_SLOTS; i++)
		if (m->slot[i].row.id)
			row_clear(m, &m->slot[i]);
}

void jobmemo_forget(struct jobmemo *m, int64_t id)
{
	struct jobmemo_slot *s = slot_of(m, id);
	if (id > 0 && s->id == id)
		slot_clear(m, s);
}
