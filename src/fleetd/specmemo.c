/* specmemo.c -- see specmemo.h.  Owns its copies of the texts and one
 * reference to each tree; knows nothing of SQLite or of what a spec says. */
#include "specmemo.h"

#include <stdlib.h>
#include <string.h>

void specmemo_init(struct specmemo *m)
{
	memset(m, 0, sizeof *m);
}

static void slot_clear(struct specmemo *m, struct specmemo_slot *s)
{
	m->bytes -= s->len;
	free(s->text);
	json_decref(s->spec);
	memset(s, 0, sizeof *s);
}

void specmemo_free(struct specmemo *m)
{
	for (size_t i = 0; i < SPECMEMO_SLOTS; i++)
		if (m->slot[i].id)
			slot_clear(m, &m->slot[i]);
}

static struct specmemo_slot *slot_of(struct specmemo *m, int64_t id)
{
	return &m->slot[(uint64_t)id % SPECMEMO_SLOTS];
}

json_t *specmemo_parse(struct specmemo *m, int64_t id, const char *text, size_t len)
{
	struct specmemo_slot *s = slot_of(m, id);
	if (id > 0 && s->id == id && s->len == len && memcmp(s->text, text, len) == 0) {
		m->hits++;
		return json_incref(s->spec);
	}
	m->misses++;
	json_t *spec = json_loadb(text, len, 0, NULL);
	if (!spec || id <= 0 || len > SPECMEMO_MAX_TEXT)
		return spec;
	if (s->id)
		slot_clear(m, s);
	char *copy;
	if (m->bytes + len > SPECMEMO_MAX_BYTES || !(copy = malloc(len ? len : 1)))
		return spec; /* not kept: the answer is the same */
	memcpy(copy, text, len);
	*s = (struct specmemo_slot){.id = id, .text = copy, .len = len,
				    .spec = json_incref(spec)};
	m->bytes += len;
	return spec;
}

void specmemo_forget(struct specmemo *m, int64_t id)
{
	struct specmemo_slot *s = slot_of(m, id);
	if (id > 0 && s->id == id)
		slot_clear(m, s);
}
