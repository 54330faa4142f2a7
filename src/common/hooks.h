/* hooks.h -- the one idiom for a short, fixed set of callbacks: an array
 * of {function, argument} pairs that a module calls in the order they were
 * added (the loop's turn and idle hooks, the store's flushes, the event
 * log's subscribers and taps, the mirror's subscribers).
 *
 * HOOKS(fn_type, cap) is the type of such a set, written where a member or
 * variable is declared; a zeroed set is empty.  fn_type is a pointer-to-
 * function typedef, so every set keeps its own signature and the compiler
 * checks each function added to it (no casts between function types):
 *
 *	typedef void (*tick_fn)(void *arg);
 *	struct part { HOOKS(tick_fn, 8) ticks; };      (calloc'ed: empty)
 *	if (HOOKS_ADD(&p->ticks, fn, arg) < 0) ...     (-1: all cap in use)
 *	HOOKS_EACH(i, &p->ticks)
 *		p->ticks.at[i].fn(p->ticks.at[i].arg);
 *	HOOKS_REMOVE_ARG(&p->ticks, arg);              (every pair with arg)
 *	HOOKS_REMOVE(&p->ticks, fn, arg);              (one add undone)
 *
 * Removal keeps the order of the rest and is not for the body of a
 * HOOKS_EACH over the same set.  The macros evaluate their set argument
 * more than once: pass a plain address.  Nothing here allocates; the set
 * owns no argument. */
#ifndef FLEETD_HOOKS_H
#define FLEETD_HOOKS_H

#define HOOKS(fn_type, cap)                 \
	struct {                            \
		struct {                    \
			fn_type fn;         \
			void *arg;          \
		} at[cap];                  \
		int n;                      \
	}

/* How many pairs the set can hold. */
#define HOOKS_CAP(h) ((int)(sizeof (h)->at / sizeof (h)->at[0]))

/* Add {f, a} after the others: 0, or -1 (nothing added) when full. */
#define HOOKS_ADD(h, f, a)                                          \
	((h)->n == HOOKS_CAP(h)                                     \
		 ? -1                                               \
		 : ((h)->at[(h)->n].fn = (f), (h)->at[(h)->n].arg = (a), \
		    (h)->n++, 0))

/* Every index of the set, first added first. */
#define HOOKS_EACH(i, h) for (int i = 0; i < (h)->n; i++)

/* Keep the pairs for which keep (an expression of hooks_i_) holds. */
#define HOOKS_KEEP_IF_(h, keep)                                          \
	do {                                                             \
		int hooks_kept_ = 0;                                     \
		for (int hooks_i_ = 0; hooks_i_ < (h)->n; hooks_i_++)    \
			if (keep)                                        \
				(h)->at[hooks_kept_++] = (h)->at[hooks_i_]; \
		(h)->n = hooks_kept_;                                    \
	} while (0)

/* Remove every pair whose argument is a, whatever its function. */
#define HOOKS_REMOVE_ARG(h, a) HOOKS_KEEP_IF_(h, (h)->at[hooks_i_].arg != (a))

/* Remove the first {f, a}: one HOOKS_ADD of that pair undone. */
#define HOOKS_REMOVE(h, f, a)                                                \
	do {                                                                 \
		int hooks_i_ = 0;                                            \
		while (hooks_i_ < (h)->n && ((h)->at[hooks_i_].fn != (f) ||  \
					     (h)->at[hooks_i_].arg != (a)))  \
			hooks_i_++;                                          \
		if (hooks_i_ < (h)->n)                                       \
			for ((h)->n--; hooks_i_ < (h)->n; hooks_i_++)        \
				(h)->at[hooks_i_] = (h)->at[hooks_i_ + 1];   \
	} while (0)

#endif
