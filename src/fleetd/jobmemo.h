/* jobmemo.h -- what a recently run job's row holds, kept so that waking
 * the job again reads and parses nothing.
 *
 * Two things per job, both copies of what the row holds, never the truth:
 *
 * - The parsed spec.  A job's spec never changes after it is accepted, yet
 *   the engine reads it at every wake, and jansson's parser costs far more
 *   than the row's read (mostly fixed cost: a 50-byte spec took about
 *   6,400 instructions).  A tree is handed out for a text only if the text
 *   is byte for byte the one it was parsed from, so it can never answer for
 *   a row that changed or for an id used again after a rolled-back
 *   submission.
 * - The row as this process last wrote it (jobmemo_keep_row), which stands
 *   in for the SELECT when the job wakes again.  Its owner must drop it
 *   whenever the row may no longer match: at every other write of the row
 *   (jobmemo_forget_row) and when a transaction that wrote rows is rolled
 *   back (jobmemo_forget_rows).  A row is kept only beside its job's spec,
 *   and not at all if it has variables (vars).
 *
 * A fixed table of JOBMEMO_SLOTS entries, one per id modulo the size (a
 * newer job evicts an older one in its slot); texts longer than
 * JOBMEMO_MAX_TEXT are not kept and the texts held together stay under
 * JOBMEMO_MAX_BYTES, so memory stays bounded however many jobs exist.  The
 * trees handed out are shared and must not be changed.  Knows nothing of
 * SQLite. */
#ifndef FLEETD_JOBMEMO_H
#define FLEETD_JOBMEMO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "job_row.h"

#define JOBMEMO_SLOTS 1024
#define JOBMEMO_MAX_TEXT 2048
#define JOBMEMO_MAX_BYTES ((size_t)512 << 10)

struct jobmemo_slot {
	int64_t id; /* 0: empty */
	char *text; /* the spec's text */
	size_t len;
	json_t *spec;
	struct job_row row; /* row.id != 0: the row as written; its texts
			     * (sub_state, step_data, last_error) in row_text */
	char *row_text;
	size_t row_len;
};

struct jobmemo {
	struct jobmemo_slot slot[JOBMEMO_SLOTS];
	size_t bytes;
	uint64_t hits, misses, row_hits;
};

void jobmemo_init(struct jobmemo *m);
void jobmemo_free(struct jobmemo *m);
/* The tree of job id's spec, whose text is text (len bytes, as the row
 * holds it): a new reference the caller releases, or NULL if the text does
 * not parse (or on ENOMEM). */
json_t *jobmemo_parse(struct jobmemo *m, int64_t id, const char *text, size_t len);
/* Keep row (of the columns the engine reads, as job_row_as_stored() gives
 * them) as the row of job row->id just written; its texts are copied, its
 * spec is not (the memo's tree of the same job stands for it).  Not kept
 * if the memo holds no spec of that job, or past the caps. */
void jobmemo_keep_row(struct jobmemo *m, const struct job_row *row);
/* The kept row of job id (valid until the memo next changes) and *spec a
 * new reference to its spec tree; NULL if there is none. */
const struct job_row *jobmemo_row(struct jobmemo *m, int64_t id, json_t **spec);
/* The row of id may have changed: drop it (the spec stays). */
void jobmemo_forget_row(struct jobmemo *m, int64_t id);
/* Rows may have been rolled back: drop every kept row. */
void jobmemo_forget_rows(struct jobmemo *m);
/* id ended: drop all of it (harmless if there is nothing). */
void jobmemo_forget(struct jobmemo *m, int64_t id);

#endif
