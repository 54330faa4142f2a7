/* errmsg.h -- the one way a function that reports into its caller's
 * buffer fails: the message is written into err (errlen bytes, cut if
 * longer) and -1 is returned, so `return errmsg(err, errlen, ...)` is the
 * whole error path.  Owns nothing. */
#ifndef FLEETD_ERRMSG_H
#define FLEETD_ERRMSG_H

#include <stddef.h>

int errmsg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
