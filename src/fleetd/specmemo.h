/* specmemo.h -- the parsed spec of recently run jobs, so that a job woken
 * again does not parse the same text once more.
 *
 * A job's spec never changes after it is accepted, yet the engine reads it
 * from the row at every wake, and jansson's parser costs far more than the
 * row's read (most of it fixed cost: a 50-byte spec took about 6,400
 * instructions).  The memo maps the spec text to its tree: an entry is
 * used only if the text the row holds now is byte for byte the text it was
 * parsed from, so it can never answer for a row that changed or for an id
 * used again after a rolled-back submission; the row stays the truth.
 *
 * A fixed table of SPECMEMO_SLOTS entries, one per id modulo the size (a
 * newer job evicts an older one in its slot); texts longer than
 * SPECMEMO_MAX_TEXT are not kept and the texts held together stay under
 * SPECMEMO_MAX_BYTES, so memory stays bounded however many jobs exist.
 * The trees handed out are shared and must not be changed. */
#ifndef FLEETD_SPECMEMO_H
#define FLEETD_SPECMEMO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SPECMEMO_SLOTS 1024
#define SPECMEMO_MAX_TEXT 2048
#define SPECMEMO_MAX_BYTES ((size_t)256 << 10)

struct specmemo_slot {
	int64_t id; /* 0: empty */
	char *text;
	size_t len;
	json_t *spec;
};

struct specmemo {
	struct specmemo_slot slot[SPECMEMO_SLOTS];
	size_t bytes;
	uint64_t hits, misses;
};

void specmemo_init(struct specmemo *m);
void specmemo_free(struct specmemo *m);
/* The tree of job id's spec, whose text is text (len bytes, as the row
 * holds it): a new reference the caller releases, or NULL if the text does
 * not parse (or on ENOMEM). */
json_t *specmemo_parse(struct specmemo *m, int64_t id, const char *text, size_t len);
/* id ended: drop its entry (harmless if it has none). */
void specmemo_forget(struct specmemo *m, int64_t id);

#endif
