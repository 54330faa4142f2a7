/* ev_text.h -- the text of a hot event's data, written without a JSON
 * tree or printf: a woken job writes two or three events and each of the
 * player's fleets that moves one, and formatting them with printf cost a
 * tenth of a woken job's turn.
 *
 * Owns: a fixed buffer and the appending of constant text and of 64-bit
 * integers to it (a text that would not fit is cut, never overrun; the
 * callers' texts are short names and at most three numbers).
 * Must not touch: what an event means or where it is written (the event
 * log, its writers); it quotes nothing, so only text known to need no
 * JSON escaping (names of states, ops, wait kinds) may go in as it is. */
#ifndef FLEETD_EV_TEXT_H
#define FLEETD_EV_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct ev_text {
	char b[192];
	size_t n;
};

/* Append s ("(null)" for NULL, as printf wrote a name that is not one). */
void ev_put(struct ev_text *t, const char *s);
/* Append the n bytes at s. */
void ev_putn(struct ev_text *t, const char *s, size_t n);
/* Append a string literal: its length is known when compiling, so the
 * constant parts of an event cost a copy, not a strlen() each. */
#define EV_LIT(t, lit) ev_putn((t), "" lit, sizeof(lit) - 1)
/* Append v in decimal. */
void ev_int(struct ev_text *t, int64_t v);
/* Append v in decimal, or null for 0 (an id that names nothing). */
void ev_id(struct ev_text *t, int64_t v);

#endif
