/* ev_text.c -- see ev_text.h. */
#include "ev_text.h"

#include <string.h>

void ev_putn(struct ev_text *t, const char *s, size_t n)
{
	size_t room = sizeof t->b - 1 - t->n;
	if (n > room)
		n = room;
	memcpy(t->b + t->n, s, n);
	t->n += n;
	t->b[t->n] = 0;
}

void ev_put(struct ev_text *t, const char *s)
{
	if (!s)
		s = "(null)";
	ev_putn(t, s, strlen(s));
}

void ev_int(struct ev_text *t, int64_t v)
{
	char d[24], *end = d + sizeof d, *p = end;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	ev_putn(t, p, (size_t)(end - p));
}

void ev_id(struct ev_text *t, int64_t v)
{
	if (v)
		ev_int(t, v);
	else
		EV_LIT(t, "null");
}
