/* sched_time.c -- see sched_time.h. */
#include "sched_time.h"

int64_t sched_due(int64_t base, int64_t every, int64_t n)
{
	if (n > 0 && every > (INT64_MAX - base) / n)
		return INT64_MAX;
	return base + n * every;
}

int64_t sched_last_due(int64_t base, int64_t every, int64_t now)
{
	return now < base ? -1 : (now - base) / every;
}

int64_t sched_first_base(int64_t start, int64_t every, int64_t now)
{
	if (start >= now)
		return start;
	int64_t k = (now - start + every - 1) / every;
	return sched_due(start, every, k);
}

int64_t sched_grace(int watches, int64_t every)
{
	if (watches)
		return SCHED_GRACE_WATCHES;
	return every < SCHED_GRACE_MS ? every : SCHED_GRACE_MS;
}

void sched_plan(int64_t base, int64_t every, int64_t next, int64_t now, int64_t grace,
		int catch_up_one, struct sched_plan *p)
{
	int64_t last = sched_last_due(base, every, now);
	*p = (struct sched_plan){.missed_from = next, .missed_through = next - 1,
				 .run = -1, .next = next};
	if (last < next)
		return; /* nothing due yet */
	int64_t due = sched_due(base, every, last);
	int on_time = now - due < grace;
	p->next = last + 1;
	if (on_time || catch_up_one)
		p->run = last;
	p->missed_through = p->run >= 0 ? last - 1 : last;
}
