/* ipint.h -- the game's large integers ("AEON2011:ipInteger:v1").
 *
 * A large integer travels as ["AEON2011:ipInteger:v1", "<base64>"]; the
 * decoded bytes begin with a 4-byte sign tag ("+1PI" or "-1PI") and a length
 * field whose meaning differs between writers, so only the bytes from offset
 * 6 on are read: one big-endian magnitude.  Both fleetd and fleetsim accept a
 * plain JSON number wherever this form may appear. */
#ifndef FLEETD_IPINT_H
#define FLEETD_IPINT_H

#include <jansson.h>
#include <stdint.h>

#define IPINT_MARKER "AEON2011:ipInteger:v1"

/* Accept a JSON integer, an integral real, or the ipInteger form.
 * Returns 0 and sets *out, or -1 if v is none of these or overflows. */
int ipint_decode(const json_t *v, int64_t *out);
/* A new reference: a plain integer when it fits in 32 bits signed,
 * otherwise the ipInteger form (as the game server writes it). */
json_t *ipint_encode(int64_t v);
/* Always the ipInteger form. */
json_t *ipint_encode_wide(int64_t v);

#endif
