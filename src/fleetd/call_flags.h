/* call_flags.h -- the flags of one game call, shared by the side that asks
 * for a call (a step op's result, step.h) and the side that sends it (the
 * session, session.h), so that neither has to include the other.  Only
 * constants; no code. */
#ifndef FLEETD_CALL_FLAGS_H
#define FLEETD_CALL_FLAGS_H

#define CALL_IDEMPOTENT 1 /* safe to resend after an ambiguous failure */

#endif
