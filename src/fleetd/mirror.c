/* mirror.c -- see mirror.h.  Owns every record of the galaxy and the
 * indexes over them; must not touch the network, SQLite or the clock of the
 * loop (it reads wall-clock time only to turn nextUpdateTime into a date).
 *
 * Records live in id maps (O(1) lookup) and in id-sorted arrays for
 * iteration.  A changed object is rewritten in place, so a record's address
 * only ends when the object is destroyed, and its strings and lists go into
 * the memory of the old ones where they fit; dead records are unlinked and
 * freed at the end of the merge that removed them.  The arrays are re-sorted
 * once per merge, and only when objects came or went.
 *
 * Which keys are read, and into which member, is mirror_fields.h's table:
 * a record is filled and freed by walking its class's rows, and the other
 * keys are named by their rows.  What this file owns is how each kind of
 * value is read (the game's quirks) and the merge rules. */
#include "mirror.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "clock.h"
#include "hooks.h"
#include "idmap.h"
#include "ipint.h"
#include "jsonx.h"
#include "mirror_fields.h"
#include "mirror_scan.h"

#define MAX_SUBSCRIBERS 8
#define DEFAULT_WATCH_MS 60000

/* The game's key of a row of the table: KEY(update, sequence). */
#define KEY(c, k) (mirror_fields[MIRROR_F_##c##_##k].key)

struct fleet_rec {
	struct mirror_fleet pub; /* first: lookups hand out &rec->pub */
	uint64_t seen_gen;       /* merge that last carried it */
	uint64_t chg_gen;        /* merge that last reported it changed */
	int dead;
};

struct world_rec {
	struct mirror_world pub;
	uint64_t seen_gen;
	uint64_t chg_gen;
	int dead;
};

/* A catalogue entry: the public record, whose strings it owns. */
struct cat_entry {
	struct mirror_cat pub;
};

/* A record class's rows of the table (numbers in mirror_fields[]), looked
 * up once: those a merge reads (all but the id, which merge_one() has
 * read already), and those whose member owns memory. */
struct record_rows {
	unsigned char read[MIRROR_NFIELDS], owned[MIRROR_NFIELDS];
	size_t nread, nowned;
};
_Static_assert(MIRROR_NFIELDS <= 255, "row numbers are kept in bytes");

struct mirror {
	struct idmap fleets, worlds, sovs, catalogue, sieges;
	struct cat_entry **cat_arr;  /* the catalogue in id order */
	struct cat_entry **cat_unid; /* those with a unid, in unid order */
	size_t ncat_arr, ncat_unid;
	int64_t *sov_ids;            /* sovereigns in id order */
	size_t nsov_ids, cap_sov_ids;
	int sov_dirty;               /* a sovereign came or went */
	struct fleet_rec **fleet_arr;
	size_t nfleet_arr, cap_fleet_arr;
	struct world_rec **world_arr;
	size_t nworld_arr, cap_world_arr;
	int order_dirty;
	struct idmap at_world;   /* world id -> struct idvec * of fleet ids */
	struct idmap of_sov;     /* sovereign id -> struct idvec * */
	struct idmap worlds_of;  /* sovereign id -> count, stored as (void*)(n) */

	int ready;
	int64_t asked_ms;        /* mirror_asked_ms */
	int64_t player;
	double watch;
	int have_watch;
	int64_t next_watch_ms;
	int64_t watch_ms;
	json_t *sequence;
	int64_t sequence_value;
	json_t *history;

	uint64_t gen;
	uint64_t merges, stale, gaps;
	struct idvec ch_fleets, ch_worlds, ch_removed;

	HOOKS(mirror_change_fn, MAX_SUBSCRIBERS) subs;
	mirror_job_lookup_fn job_fn;
	void *job_arg;
	struct record_rows rows[MIRROR_NCLASSES];
};

/* --- field readers for the game's quirks ---------------------------------- */

/* The memory of the member of the same row in the record a merge replaces,
 * offered to the new record (merge_fleet(), merge_world()): taken when
 * what the new value needs fits in it, which saves a malloc and a free
 * per string and list of a changed object (most keep their size from
 * watch to watch).  cap: the bytes the old member is known to span (from
 * its count; its allocation may be larger).  Taken, p is NULL, and the
 * new member is the old one's pointer (record_clear_except()). */
struct donor {
	void *p;
	size_t cap;
};

/* n bytes for a member: the donor's when they fit, else new; zeroed when
 * zero.  NULL when out of memory. */
static void *member_alloc(struct donor *d, size_t n, int zero)
{
	void *p = d->p;
	if (!p || n > d->cap)
		return zero ? calloc(1, n) : malloc(n);
	d->p = NULL;
	return zero ? memset(p, 0, n) : p;
}

/* A copy of n bytes and a NUL for a string member. */
static char *member_str(struct donor *d, const char *s, size_t n)
{
	char *c = member_alloc(d, n + 1, 0);
	if (c) {
		memcpy(c, s, n);
		c[n] = 0;
	}
	return c;
}

/* -0.0 becomes 0.0; absent, null or non-numbers give def. */
static double num_or(const json_t *v, double def)
{
	if (!json_is_number(v))
		return def;
	double d = json_number_value(v);
	if (!isfinite(d))
		return def;
	return d + 0.0;
}

static int64_t int_or(const json_t *v, int64_t def)
{
	int64_t out;
	if (v && ipint_decode(v, &out) == 0)
		return out;
	if (json_is_real(v) && isfinite(json_real_value(v)))
		return (int64_t)llround(json_real_value(v));
	return def;
}

static void pos_of(const json_t *v, double *x, double *y)
{
	*x = num_or(json_array_get(v, 0), 0);
	*y = num_or(json_array_get(v, 1), 0);
}

/* A battle plan is "on" when present and not null/false/empty. */
static int battle_on(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_string(v))
		return jsonx_truthy(v);
	return 1;
}

static char *dup_str(const json_t *v, struct donor *d)
{
	const char *s = json_string_value(v);
	return member_str(d, s ? s : "", s ? strlen(s) : 0);
}

/* A list of integers as a list, packed (mirror_scan_answer()), or flat
 * from the scanner; the elements of the last two are all JSON integers,
 * read as int_or() reads them. */
struct int_list {
	const json_t *arr;
	const char *packed;
	const int64_t *flat;
	size_t n;
	int positive; /* flat, every value > 0 */
};

static void int_list_of(const json_t *v, struct int_list *l)
{
	l->arr = v;
	l->flat = NULL;
	l->positive = 0;
	l->n = mirror_scan_ints(v, &l->packed);
	if (l->n == (size_t)-1) {
		l->packed = NULL;
		l->n = json_array_size(v);
	}
}

static inline int64_t int_list_at(const struct int_list *l, size_t i, int64_t def)
{
	int64_t v;
	if (l->flat)
		return l->flat[i];
	if (!l->packed)
		return int_or(json_array_get(l->arr, i), def);
	memcpy(&v, l->packed + i * sizeof v, sizeof v);
	return v;
}

/* Flat id/qty list: numbers or ipIntegers; malformed pairs are dropped. */
static int parse_res(const struct int_list *lp, int64_t **out, size_t *npairs, struct donor *d)
{
	*out = NULL;
	*npairs = 0;
	struct int_list l = *lp;
	size_t n = l.n / 2;
	if (!n)
		return 0;
	int64_t *r = member_alloc(d, 2 * n * sizeof *r, 0);
	if (!r)
		return -1;
	size_t k = 0;
	if (l.positive) { /* every pair is kept */
		memcpy(r, l.flat, 2 * n * sizeof *r);
		k = n;
	}
	for (size_t i = 0; !l.positive && i < n; i++) {
		int64_t id = int_list_at(&l, 2 * i, -1);
		int64_t q = int_list_at(&l, 2 * i + 1, INT64_MIN);
		if (id < 0 || q == INT64_MIN)
			continue;
		r[2 * k] = id;
		r[2 * k + 1] = q;
		k++;
	}
	*out = r;
	*npairs = k;
	return 0;
}

static int parse_ids(const struct int_list *lp, int64_t **out, size_t *n, struct donor *d)
{
	*out = NULL;
	*n = 0;
	struct int_list l = *lp;
	size_t len = l.n;
	if (!len)
		return 0;
	int64_t *r = member_alloc(d, len * sizeof *r, 0);
	if (!r)
		return -1;
	size_t k = 0;
	if (l.positive) {
		/* the scanner's lists, most of a watch's ids: all kept */
		memcpy(r, l.flat, len * sizeof *r);
		k = len;
	} else if (l.flat) {
		/* no branch per id */
		for (size_t i = 0; i < len; i++) {
			r[k] = l.flat[i];
			k += l.flat[i] > 0;
		}
	}
	for (size_t i = 0; !l.flat && i < len; i++) {
		int64_t id = int_list_at(&l, i, -1);
		if (id > 0)
			r[k++] = id;
	}
	*out = r;
	*n = k;
	return 0;
}

static const char *ftl_name(const char *s)
{
	static const char *const known[] = {"jump", "warp", "explorer", "ramjet"};
	for (size_t i = 0; s && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(s, known[i]) == 0)
			return known[i];
	return "";
}

/* --- traits and trade routes ---------------------------------------------- */

/* Entries of a flat list of tuples (buildData triples, imports/exports
 * quadruples) whose first element is a resource id; malformed ones are
 * dropped. */
static size_t tuples_count(const json_t *v, size_t width)
{
	size_t n = 0, len = json_array_size(v);
	for (size_t i = 0; i + width <= len; i += width)
		if (int_or(json_array_get(v, i), 0) > 0)
			n++;
	return n;
}

static size_t read_build(const json_t *v, struct mirror_build *out)
{
	size_t n = 0, len = json_array_size(v);
	for (size_t i = 0; i + 3 <= len; i += 3) {
		int64_t res = int_or(json_array_get(v, i), 0);
		if (res <= 0)
			continue;
		out[n].resource = res;
		out[n++].percent = num_or(json_array_get(v, i + 1), 0);
	}
	return n;
}

static size_t read_flows(const json_t *v, struct mirror_flow *out)
{
	size_t n = 0, len = json_array_size(v);
	for (size_t i = 0; i + 4 <= len; i += 4) {
		int64_t res = int_or(json_array_get(v, i), 0);
		if (res <= 0)
			continue;
		out[n].resource = res;
		out[n].percent = num_or(json_array_get(v, i + 1), 0);
		out[n++].amount = num_or(json_array_get(v, i + 2), 0);
	}
	return n;
}

/* A trait's id: a bare id, or an object's traitID; 0 names none. */
static int64_t trait_id(const json_t *t)
{
	int64_t id = int_or(json_is_object(t) ? json_object_get(t, KEY(trait, traitID)) : t, 0);
	return id > 0 ? id : 0;
}

/* Packed slots (mirror_scan.h), read in order. */
struct slots {
	const char *p;
	size_t left;
};

static int64_t slot_i64(struct slots *sl)
{
	int64_t v = 0;
	if (sl->left) {
		memcpy(&v, sl->p, 8);
		sl->p += 8;
		sl->left--;
	}
	return v;
}

static double slot_double(struct slots *sl)
{
	double v = 0;
	if (sl->left) {
		memcpy(&v, sl->p, 8);
		sl->p += 8;
		sl->left--;
	}
	return v;
}

/* Packed traits (the scanner's): counted, then read into the block. */
static void packed_traits_count(struct slots sl, size_t *nt, size_t *nb)
{
	*nt = *nb = 0;
	while (sl.left >= 4) {
		int64_t id = slot_i64(&sl), flags = slot_i64(&sl);
		size_t nbuild = (size_t)(flags & 0xffffffff);
		sl.left -= 2;
		sl.p += 16;
		sl.left = sl.left >= 2 * nbuild ? sl.left - 2 * nbuild : 0;
		sl.p += 16 * nbuild;
		if (id > 0) {
			++*nt;
			*nb += nbuild;
		}
	}
}

static void packed_traits_read(struct slots sl, struct mirror_trait *tr,
			       struct mirror_build *b)
{
	size_t k = 0;
	while (sl.left >= 4) {
		int64_t id = slot_i64(&sl), flags = slot_i64(&sl);
		struct mirror_trait t = {.id = id, .structured = (int)(flags >> 32 & 1)};
		t.target_alloc = slot_double(&sl);
		t.alloc = slot_double(&sl);
		t.nbuild = (uint32_t)(flags & 0xffffffff);
		if (id <= 0) { /* names no trait: its pairs are not kept */
			for (uint32_t i = 0; i < 2 * t.nbuild; i++)
				slot_i64(&sl);
			continue;
		}
		t.build = t.structured ? b : NULL;
		for (uint32_t i = 0; i < t.nbuild; i++) {
			b[i].resource = slot_i64(&sl);
			b[i].percent = slot_double(&sl);
		}
		b += t.nbuild;
		tr[k++] = t;
	}
}

/* Packed traits (sl.left slots at sl.p) into one block, as parse_traits()
 * does. */
static int packed_traits(struct slots sl, struct mirror_trait **out, size_t *n, struct donor *d)
{
	size_t nt, nb;
	*out = NULL;
	*n = 0;
	packed_traits_count(sl, &nt, &nb);
	if (!nt)
		return 0;
	struct mirror_trait *tr =
		member_alloc(d, nt * sizeof *tr + nb * sizeof(struct mirror_build), 1);
	if (!tr)
		return -1;
	packed_traits_read(sl, tr, (struct mirror_build *)(tr + nt));
	*out = tr;
	*n = nt;
	return 0;
}

/* A world's traits into one block: the trait records, then every build
 * entry they point to (one allocation per world, freed as one). */
static int parse_traits(const json_t *v, struct mirror_trait **out, size_t *n, struct donor *d)
{
	*out = NULL;
	*n = 0;
	size_t nt = 0, nb = 0;
	struct slots sl;
	sl.left = mirror_scan_packed(v, MIRROR_SCAN_TRAITS_TAG, &sl.p);
	if (sl.left != (size_t)-1)
		return packed_traits(sl, out, n, d);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *t = json_array_get(v, i);
		if (!trait_id(t))
			continue;
		nt++;
		nb += tuples_count(json_object_get(t, KEY(trait, buildData)), 3);
	}
	if (!nt)
		return 0;
	struct mirror_trait *tr =
		member_alloc(d, nt * sizeof *tr + nb * sizeof(struct mirror_build), 1);
	if (!tr)
		return -1;
	struct mirror_build *b = (struct mirror_build *)(tr + nt);
	size_t k = 0;
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *t = json_array_get(v, i);
		int64_t id = trait_id(t);
		if (!id)
			continue;
		tr[k].id = id;
		if (json_is_object(t)) {
			tr[k].structured = 1;
			tr[k].target_alloc = num_or(json_object_get(t, KEY(trait, targetAllocation)), 0);
			tr[k].alloc = num_or(json_object_get(t, KEY(trait, allocation)), 0);
			tr[k].build = b;
			tr[k].nbuild = read_build(json_object_get(t, KEY(trait, buildData)), b);
			b += tr[k].nbuild;
		}
		k++;
	}
	*out = tr;
	*n = nt;
	return 0;
}

/* Packed routes: counted, then read into the block. */
static void packed_routes_count(struct slots sl, size_t *nr, size_t *nf)
{
	*nr = *nf = 0;
	while (sl.left >= 2) {
		int64_t partner = slot_i64(&sl), flags = slot_i64(&sl);
		size_t flows = (size_t)(flags & 0xffffff) + (size_t)(flags >> 24 & 0xffffff);
		sl.left = sl.left >= 3 * flows ? sl.left - 3 * flows : 0;
		sl.p += 24 * flows;
		if (partner > 0) {
			++*nr;
			*nf += flows;
		}
	}
}

static void read_packed_flows(struct slots *sl, struct mirror_flow *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		f[i].resource = slot_i64(sl);
		f[i].percent = slot_double(sl);
		f[i].amount = slot_double(sl);
	}
}

static void packed_routes_read(struct slots sl, struct mirror_route *rt,
			       struct mirror_flow *fl)
{
	size_t k = 0;
	while (sl.left >= 2) {
		int64_t partner = slot_i64(&sl), flags = slot_i64(&sl);
		struct mirror_route r = {.partner = partner};
		r.nimports = (uint32_t)(flags & 0xffffff);
		r.nexports = (uint32_t)(flags >> 24 & 0xffffff);
		r.is_return = (int)(flags >> 48 & 1);
		int exports_first = (int)(flags >> 49 & 1);
		size_t flows = (size_t)r.nimports + r.nexports;
		if (partner <= 0) { /* no partner: its flows are not kept */
			for (size_t i = 0; i < 3 * flows; i++)
				slot_i64(&sl);
			continue;
		}
		r.imports = exports_first ? fl + r.nexports : fl;
		r.exports = exports_first ? fl : fl + r.nimports;
		read_packed_flows(&sl, fl, flows);
		fl += flows;
		rt[k++] = r;
	}
}

/* Packed trade routes into one block, as parse_traits() does. */
static int packed_routes(struct slots sl, struct mirror_route **out, size_t *n, struct donor *d)
{
	size_t nr, nf;
	*out = NULL;
	*n = 0;
	packed_routes_count(sl, &nr, &nf);
	if (!nr)
		return 0;
	struct mirror_route *rt =
		member_alloc(d, nr * sizeof *rt + nf * sizeof(struct mirror_flow), 1);
	if (!rt)
		return -1;
	packed_routes_read(sl, rt, (struct mirror_flow *)(rt + nr));
	*out = rt;
	*n = nr;
	return 0;
}

/* A world's trade routes into one block, as parse_traits() does. */
static int parse_routes(const json_t *v, struct mirror_route **out, size_t *n, struct donor *d)
{
	*out = NULL;
	*n = 0;
	size_t nr = 0, nf = 0;
	struct slots sl;
	sl.left = mirror_scan_packed(v, MIRROR_SCAN_ROUTES_TAG, &sl.p);
	if (sl.left != (size_t)-1)
		return packed_routes(sl, out, n, d);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *r = json_array_get(v, i);
		if (int_or(json_object_get(r, KEY(tradeRoute, partnerObjID)), 0) <= 0)
			continue;
		nr++;
		nf += tuples_count(json_object_get(r, KEY(tradeRoute, imports)), 4);
		nf += tuples_count(json_object_get(r, KEY(tradeRoute, exports)), 4);
	}
	if (!nr)
		return 0;
	struct mirror_route *rt =
		member_alloc(d, nr * sizeof *rt + nf * sizeof(struct mirror_flow), 1);
	if (!rt)
		return -1;
	struct mirror_flow *fl = (struct mirror_flow *)(rt + nr);
	size_t k = 0;
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *r = json_array_get(v, i);
		int64_t partner = int_or(json_object_get(r, KEY(tradeRoute, partnerObjID)), 0);
		if (partner <= 0)
			continue;
		rt[k].partner = partner;
		rt[k].is_return = jsonx_truthy(json_object_get(r, KEY(tradeRoute, return)));
		rt[k].imports = fl;
		fl += rt[k].nimports = read_flows(json_object_get(r, KEY(tradeRoute, imports)), fl);
		rt[k].exports = fl;
		fl += rt[k].nexports = read_flows(json_object_get(r, KEY(tradeRoute, exports)), fl);
		k++;
	}
	*out = rt;
	*n = nr;
	return 0;
}

/* --- indexes --------------------------------------------------------------- */

static int index_add(struct idmap *ix, int64_t key, int64_t id)
{
	struct idvec *iv = idmap_get(ix, key);
	if (!iv) {
		if (!(iv = calloc(1, sizeof *iv)))
			return -1;
		if (idmap_put(ix, key, iv) < 0) {
			free(iv);
			return -1;
		}
	}
	return idvec_push(iv, id);
}

static void index_remove(struct idmap *ix, int64_t key, int64_t id)
{
	struct idvec *iv = idmap_get(ix, key);
	if (!iv)
		return;
	idvec_remove(iv, id);
	if (!iv->n) {
		idmap_del(ix, key);
		idvec_free(iv);
		free(iv);
	}
}

static void index_free(struct idmap *ix)
{
	size_t pos = 0;
	int64_t k;
	void *v;
	while (idmap_next(ix, &pos, &k, &v)) {
		idvec_free(v);
		free(v);
	}
	idmap_free(ix);
}

static void count_adjust(struct idmap *ix, int64_t key, int delta)
{
	uintptr_t n = (uintptr_t)idmap_get(ix, key);
	n = (uintptr_t)((intptr_t)n + delta);
	if (n)
		idmap_put(ix, key, (void *)n);
	else
		idmap_del(ix, key);
}

/* --- records ----------------------------------------------------------------- */

static const struct cat_entry *cat(const struct mirror *m, int64_t id)
{
	return idmap_get(&m->catalogue, id);
}

static int is_trading_type(const struct mirror *m, int64_t id)
{
	const struct cat_entry *c = cat(m, id);
	if (!c)
		return 0;
	return (c->pub.role && strcmp(c->pub.role, "tradingHub") == 0) ||
	       (c->pub.category && strcmp(c->pub.category, "bureauOfTrade") == 0);
}

/* Whether a world trades: one of its traits or its designation is a
 * trading hub in the catalogue. */
static int world_trades(const struct mirror *m, const struct mirror_world *w)
{
	for (size_t i = 0; i < w->ntraits; i++)
		if (is_trading_type(m, w->traits[i].id))
			return 1;
	return w->designation && is_trading_type(m, w->designation);
}

/* A record's member at an offset, as the type its row's read stores
 * (mirror_fields.c checks each row's member at compile time). */
#define MEMBER(T, rec, off) (*(T *)((char *)(rec) + (off)))

/* A list (resources or ids) into its pointer and count members. */
static int read_list(const struct mirror_field *f, const struct int_list *l, void *rec,
		     struct donor *d)
{
	int64_t *list;
	size_t *n = &MEMBER(size_t, rec, f->second);
	int rc = f->read == MIRROR_READ_RES ? parse_res(l, &list, n, d)
					     : parse_ids(l, &list, n, d);
	MEMBER(const int64_t *, rec, f->at) = list;
	return rc;
}

/* One value into a record, read as its row says; -1 when out of memory. */
static int read_json_field(const struct mirror_field *f, const json_t *v, void *rec,
			   struct donor *d)
{
	struct int_list l;
	switch (f->read) {
	case MIRROR_READ_ID:
		MEMBER(int64_t, rec, f->at) = int_or(v, 0);
		return 0;
	case MIRROR_READ_INT:
		MEMBER(int, rec, f->at) = (int)int_or(v, 0);
		return 0;
	case MIRROR_READ_REAL:
		MEMBER(double, rec, f->at) = num_or(v, 0);
		return 0;
	case MIRROR_READ_STRING:
		return (MEMBER(const char *, rec, f->at) = dup_str(v, d)) ? 0 : -1;
	case MIRROR_READ_FTL:
		MEMBER(const char *, rec, f->at) = ftl_name(json_string_value(v));
		return 0;
	case MIRROR_READ_POS:
		pos_of(v, &MEMBER(double, rec, f->at), &MEMBER(double, rec, f->second));
		return 0;
	case MIRROR_READ_RES:
	case MIRROR_READ_IDS:
		int_list_of(v, &l);
		return read_list(f, &l, rec, d);
	case MIRROR_READ_BATTLE:
		MEMBER(int, rec, f->at) = battle_on(v);
		return 0;
	case MIRROR_READ_BOOL:
		MEMBER(int, rec, f->at) = jsonx_truthy(v);
		return 0;
	case MIRROR_READ_TRAITS: {
		struct mirror_trait *t;
		int rc = parse_traits(v, &t, &MEMBER(size_t, rec, f->second), d);
		MEMBER(const struct mirror_trait *, rec, f->at) = t;
		return rc;
	}
	case MIRROR_READ_ROUTES: {
		struct mirror_route *r;
		int rc = parse_routes(v, &r, &MEMBER(size_t, rec, f->second), d);
		MEMBER(const struct mirror_route *, rec, f->at) = r;
		return rc;
	}
	case MIRROR_READ_JSON:
		MEMBER(json_t *, rec, f->at) = json_incref((json_t *)v);
		return 0;
	case MIRROR_READ_CLASS:
	case MIRROR_READ_BUILD:
	case MIRROR_READ_FLOWS:
		break;
	}
	return 0;
}

/* One flat value from the scanner into a record when it is of the kind
 * the row's read expects: 1 when read, 0 when not (read_field() then reads
 * it as JSON), -1 when out of memory.  Each case gives what
 * read_json_field() gives for the same text. */
static int read_flat(const struct mirror_field *f, const struct mirror_scan_value *v,
		     void *rec, struct donor *d)
{
	switch (f->read) {
	case MIRROR_READ_ID:
		if (v->kind != MIRROR_V_INT)
			return 0;
		MEMBER(int64_t, rec, f->at) = v->u.i;
		return 1;
	case MIRROR_READ_INT:
		if (v->kind != MIRROR_V_INT)
			return 0;
		MEMBER(int, rec, f->at) = (int)v->u.i;
		return 1;
	case MIRROR_READ_REAL:
		if (v->kind == MIRROR_V_INT)
			MEMBER(double, rec, f->at) = (double)v->u.i + 0.0;
		else if (v->kind == MIRROR_V_REAL && isfinite(v->u.d))
			MEMBER(double, rec, f->at) = v->u.d + 0.0;
		else
			return 0;
		return 1;
	case MIRROR_READ_STRING: {
		if (v->kind != MIRROR_V_STRING)
			return 0;
		char *c = member_str(d, v->u.s, v->n);
		if (!c)
			return -1;
		MEMBER(const char *, rec, f->at) = c;
		return 1;
	}
	case MIRROR_READ_FTL:
		if (v->kind != MIRROR_V_STRING)
			return 0;
		MEMBER(const char *, rec, f->at) = ftl_name(v->u.s);
		return 1;
	case MIRROR_READ_POS:
		if (v->kind != MIRROR_V_POS)
			return 0;
		MEMBER(double, rec, f->at) = v->u.xy[0] + 0.0;
		MEMBER(double, rec, f->second) = v->u.xy[1] + 0.0;
		return 1;
	case MIRROR_READ_RES:
	case MIRROR_READ_IDS: {
		if (v->kind != MIRROR_V_INTS && v->kind != MIRROR_V_POSITIVE)
			return 0;
		struct int_list l = {.flat = v->u.ints, .n = v->n,
				     .positive = v->kind == MIRROR_V_POSITIVE};
		return read_list(f, &l, rec, d) < 0 ? -1 : 1;
	}
	case MIRROR_READ_TRAITS:
	case MIRROR_READ_ROUTES: {
		struct slots sl;
		if (v->kind != MIRROR_V_PACKED)
			return 0;
		sl.left = mirror_scan_packed_bytes(v->u.s, v->n,
						   f->read == MIRROR_READ_TRAITS ? MIRROR_SCAN_TRAITS_TAG
										 : MIRROR_SCAN_ROUTES_TAG,
						   &sl.p);
		if (sl.left == (size_t)-1)
			return 0;
		int rc;
		if (f->read == MIRROR_READ_TRAITS) {
			struct mirror_trait *t;
			rc = packed_traits(sl, &t, &MEMBER(size_t, rec, f->second), d);
			MEMBER(const struct mirror_trait *, rec, f->at) = t;
		} else {
			struct mirror_route *r;
			rc = packed_routes(sl, &r, &MEMBER(size_t, rec, f->second), d);
			MEMBER(const struct mirror_route *, rec, f->at) = r;
		}
		return rc < 0 ? -1 : 1;
	}
	case MIRROR_READ_BATTLE:
		if (v->kind == MIRROR_V_NULL || v->kind == MIRROR_V_FALSE)
			MEMBER(int, rec, f->at) = 0;
		else if (v->kind == MIRROR_V_TRUE)
			MEMBER(int, rec, f->at) = 1;
		else if (v->kind == MIRROR_V_STRING)
			MEMBER(int, rec, f->at) = strcmp(v->u.s, "true") == 0;
		else
			return 0;
		return 1;
	default:
		return 0;
	}
}

/* One value (NULL when absent) into a record, read as its row says; -1
 * when out of memory.  A flat value of an unexpected kind is read as the
 * JSON it stands for. */
static int read_field(const struct mirror_field *f, const struct mirror_scan_value *v,
		      void *rec, struct donor *d)
{
	if (!v || v->kind == MIRROR_V_JSON)
		return read_json_field(f, v ? v->u.json : NULL, rec, d);
	int done = read_flat(f, v, rec, d);
	if (done)
		return done < 0 ? -1 : 0;
	json_t *j = mirror_scan_value_json(v);
	if (!j)
		return -1;
	int rc = read_json_field(f, j, rec, d);
	json_decref(j);
	return rc;
}

/* Where a merge reads an object's keys: a jansson object (an action's
 * answer, or a class merged whole), or a scanned object's flat values by
 * key number (by_key, NULL where the object has none). */
struct src {
	const json_t *obj;
	const struct mirror_scanned *a;
	const struct mirror_scan_value *const *by_key;
};

/* The value of a row's key in an object, NULL when absent; a jansson value
 * is handed out through *tmp. */
static const struct mirror_scan_value *src_get(const struct src *s, size_t row,
					       struct mirror_scan_value *tmp)
{
	if (s->a) {
		unsigned k = s->a->key_of[row];
		return k == MIRROR_SCAN_NO_KEY ? NULL : s->by_key[k];
	}
	tmp->kind = MIRROR_V_JSON;
	tmp->u.json = json_object_get(s->obj, mirror_fields[row].key);
	return tmp->u.json ? tmp : NULL;
}

/* The bytes a trait or route block spans: the records, then the build
 * entries or flows they point into (parse_traits(), parse_routes()). */
static size_t traits_bytes(const struct mirror_trait *t, size_t n)
{
	size_t b = n * sizeof *t;
	for (size_t i = 0; i < n; i++)
		b += t[i].nbuild * sizeof(struct mirror_build);
	return b;
}

static size_t routes_bytes(const struct mirror_route *r, size_t n)
{
	size_t b = n * sizeof *r;
	for (size_t i = 0; i < n; i++)
		b += ((size_t)r[i].nimports + r[i].nexports) * sizeof(struct mirror_flow);
	return b;
}

/* What the old record's member of row f offers (none without one). */
static struct donor donor_of(const struct mirror_field *f, void *old)
{
	struct donor d = {0};
	if (!old)
		return d;
	switch (f->read) {
	case MIRROR_READ_STRING: {
		char *str = (char *)MEMBER(const char *, old, f->at);
		d = (struct donor){str, str ? strlen(str) + 1 : 0};
		break;
	}
	case MIRROR_READ_RES:
	case MIRROR_READ_IDS:
		d.p = (void *)MEMBER(const int64_t *, old, f->at);
		d.cap = MEMBER(size_t, old, f->second) * sizeof(int64_t) *
			(f->read == MIRROR_READ_RES ? 2 : 1);
		break;
	case MIRROR_READ_TRAITS:
		d.p = (void *)MEMBER(const struct mirror_trait *, old, f->at);
		d.cap = traits_bytes(d.p, MEMBER(size_t, old, f->second));
		break;
	case MIRROR_READ_ROUTES:
		d.p = (void *)MEMBER(const struct mirror_route *, old, f->at);
		d.cap = routes_bytes(d.p, MEMBER(size_t, old, f->second));
		break;
	default:
		break;
	}
	return d;
}

/* A zeroed record of a class filled from a game object (but its id), in
 * the memory of old's members where it fits (old: the record it replaces,
 * or NULL); -1 when out of memory, with what was read so far still in it
 * (record_clear_except() frees). */
static int read_record(const struct mirror *m, enum mirror_class cls,
		       const struct src *o, void *rec, void *old)
{
	const struct record_rows *r = &m->rows[cls];
	for (size_t i = 0; i < r->nread; i++) {
		struct mirror_scan_value tmp;
		const struct mirror_field *f = &mirror_fields[r->read[i]];
		struct donor d = donor_of(f, old);
		if (read_field(f, src_get(o, r->read[i], &tmp), rec, &d) < 0)
			return -1;
	}
	return 0;
}

/* An object's id, read as int_or() reads it; 0 when it has none. */
static int64_t src_id(const struct src *o)
{
	struct mirror_scan_value tmp;
	const struct mirror_scan_value *v = src_get(o, MIRROR_F_any_id, &tmp);
	if (!v)
		return 0;
	if (v->kind == MIRROR_V_INT)
		return v->u.i;
	if (v->kind == MIRROR_V_JSON)
		return int_or(v->u.json, 0);
	json_t *j = mirror_scan_value_json(v);
	int64_t id = int_or(j, 0);
	json_decref(j);
	return id;
}

/* Free what a record owns (strings, lists, JSON) but the memory it
 * shares with keep (the record that took it over from it, or that it took
 * it from: read_record(); NULL: none), and forget it. */
static void record_clear_except(const struct mirror *m, enum mirror_class cls, void *rec,
				void *keep)
{
	const struct record_rows *r = &m->rows[cls];
	for (size_t i = 0; i < r->nowned; i++) {
		const struct mirror_field *f = &mirror_fields[r->owned[i]];
		switch (f->read) {
		case MIRROR_READ_STRING:
		case MIRROR_READ_RES:
		case MIRROR_READ_IDS:
		case MIRROR_READ_TRAITS: /* one block each (parse_traits()) */
		case MIRROR_READ_ROUTES: {
			void *p = (void *)MEMBER(const void *, rec, f->at);
			if (!keep || p != MEMBER(const void *, keep, f->at))
				free(p);
			MEMBER(const void *, rec, f->at) = NULL;
			break;
		}
		case MIRROR_READ_JSON:
			json_decref(MEMBER(json_t *, rec, f->at));
			MEMBER(json_t *, rec, f->at) = NULL;
			break;
		default:
			break;
		}
	}
}

static void record_clear(const struct mirror *m, enum mirror_class cls, void *rec)
{
	record_clear_except(m, cls, rec, NULL);
}

/* A record that failed to read (out of memory) given up: what it took
 * over from old (the record it was to replace) stays old's, which keeps
 * valid memory (its lists may hold new values); old's trait and route
 * blocks it took are emptied, their layout changed. */
static void record_abandon(const struct mirror *m, enum mirror_class cls, void *rec, void *old)
{
	const struct record_rows *r = &m->rows[cls];
	for (size_t i = 0; old && i < r->nowned; i++) {
		const struct mirror_field *f = &mirror_fields[r->owned[i]];
		if ((f->read == MIRROR_READ_TRAITS || f->read == MIRROR_READ_ROUTES) &&
		    MEMBER(const void *, rec, f->at) &&
		    MEMBER(const void *, rec, f->at) == MEMBER(const void *, old, f->at))
			MEMBER(size_t, old, f->second) = 0;
	}
	record_clear_except(m, cls, rec, old);
}

static void fleet_clear(const struct mirror *m, struct fleet_rec *f)
{
	record_clear(m, MIRROR_C_fleet, &f->pub);
}

static void world_clear(const struct mirror *m, struct world_rec *w)
{
	record_clear(m, MIRROR_C_world, &w->pub);
}

static void sov_free(const struct mirror *m, struct mirror_sovereign *s)
{
	if (!s)
		return;
	record_clear(m, MIRROR_C_sovereign, s);
	free(s);
}

static void note_change(struct idvec *iv, uint64_t *chg_gen, uint64_t gen,
			int64_t id)
{
	if (*chg_gen == gen)
		return;
	*chg_gen = gen;
	idvec_push(iv, id);
}

static int arr_push(void ***arr, size_t *n, size_t *cap, void *p)
{
	void **a = array_grow(*arr, cap, *n, sizeof *a, 64);
	if (!a)
		return -1;
	*arr = a;
	(*arr)[(*n)++] = p;
	return 0;
}

/* A new zeroed record of size bytes, under id in its map and at the end
 * of its array (sorted at the end of the merge); NULL when out of memory,
 * with nothing left behind. */
static void *record_new(struct mirror *m, struct idmap *map, void ***arr, size_t *n,
			size_t *cap, size_t size, int64_t id)
{
	void *r = calloc(1, size);
	if (!r)
		return NULL;
	if (idmap_put(map, id, r) < 0 || arr_push(arr, n, cap, r) < 0) {
		idmap_del(map, id);
		free(r);
		return NULL;
	}
	m->order_dirty = 1;
	return r;
}

static int merge_fleet(struct mirror *m, const struct src *o, int64_t id)
{
	struct mirror_fleet nf;
	memset(&nf, 0, sizeof nf);
	struct fleet_rec *f = idmap_get(&m->fleets, id);
	if (read_record(m, MIRROR_C_fleet, o, &nf, f ? &f->pub : NULL) < 0)
		goto oom;
	nf.id = id;

	/* Index entries move only when their key changes: removing one is a
	 * scan of its vector, and the player's vector holds every fleet. */
	int new_anchor = 1, new_sov = 1;
	if (!f) {
		if (!(f = record_new(m, &m->fleets, (void ***)&m->fleet_arr, &m->nfleet_arr,
				     &m->cap_fleet_arr, sizeof *f, id)))
			goto oom;
	} else {
		new_anchor = f->pub.anchor != nf.anchor;
		new_sov = f->pub.sovereign != nf.sovereign;
		if (new_anchor && f->pub.anchor)
			index_remove(&m->at_world, f->pub.anchor, id);
		if (new_sov)
			index_remove(&m->of_sov, f->pub.sovereign, id);
		record_clear_except(m, MIRROR_C_fleet, &f->pub, &nf);
	}
	f->pub = nf;
	f->seen_gen = m->gen;
	if (new_anchor && nf.anchor)
		index_add(&m->at_world, nf.anchor, id);
	if (new_sov)
		index_add(&m->of_sov, nf.sovereign, id);
	note_change(&m->ch_fleets, &f->chg_gen, m->gen, id);
	return 0;
oom:
	record_abandon(m, MIRROR_C_fleet, &nf, f ? &f->pub : NULL);
	return -1;
}

static int merge_world(struct mirror *m, const struct src *o, int64_t id)
{
	struct mirror_world nw;
	memset(&nw, 0, sizeof nw);
	struct world_rec *w = idmap_get(&m->worlds, id);
	if (read_record(m, MIRROR_C_world, o, &nw, w ? &w->pub : NULL) < 0)
		goto oom;
	nw.id = id;
	nw.trading = world_trades(m, &nw);

	if (!w) {
		if (!(w = record_new(m, &m->worlds, (void ***)&m->world_arr, &m->nworld_arr,
				     &m->cap_world_arr, sizeof *w, id)))
			goto oom;
	} else {
		count_adjust(&m->worlds_of, w->pub.sovereign, -1);
		record_clear_except(m, MIRROR_C_world, &w->pub, &nw);
	}
	w->pub = nw;
	w->seen_gen = m->gen;
	count_adjust(&m->worlds_of, nw.sovereign, +1);
	note_change(&m->ch_worlds, &w->chg_gen, m->gen, id);
	return 0;
oom:
	record_abandon(m, MIRROR_C_world, &nw, w ? &w->pub : NULL);
	return -1;
}

static int merge_sovereign(struct mirror *m, const struct src *o, int64_t id)
{
	struct mirror_sovereign *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	if (read_record(m, MIRROR_C_sovereign, o, s, NULL) < 0) {
		sov_free(m, s);
		return -1;
	}
	s->id = id;
	struct mirror_sovereign *old = idmap_get(&m->sovs, id);
	m->sov_dirty |= !old;
	sov_free(m, old);
	if (idmap_put(&m->sovs, id, s) < 0) {
		idmap_del(&m->sovs, id);
		sov_free(m, s);
		return -1;
	}
	return 0;
}

static void kill_fleet(struct mirror *m, struct fleet_rec *f)
{
	idmap_del(&m->fleets, f->pub.id);
	if (f->pub.anchor)
		index_remove(&m->at_world, f->pub.anchor, f->pub.id);
	index_remove(&m->of_sov, f->pub.sovereign, f->pub.id);
	f->dead = 1;
	m->order_dirty = 1;
	idvec_push(&m->ch_removed, f->pub.id);
}

static void kill_world(struct mirror *m, struct world_rec *w)
{
	idmap_del(&m->worlds, w->pub.id);
	count_adjust(&m->worlds_of, w->pub.sovereign, -1);
	w->dead = 1;
	m->order_dirty = 1;
	idvec_push(&m->ch_removed, w->pub.id);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void remove_object(struct mirror *m, int64_t id)
{
	struct fleet_rec *f = idmap_get(&m->fleets, id);
	struct world_rec *w = idmap_get(&m->worlds, id);
	if (f)
		kill_fleet(m, f);
	if (w)
		kill_world(m, w);
	json_decref(idmap_del(&m->sieges, id));
	struct mirror_sovereign *s = idmap_del(&m->sovs, id);
	m->sov_dirty |= s != NULL;
	sov_free(m, s);
}

/* Sovereign ids in order, after a merge in which one came or went. */
static int sov_order(struct mirror *m)
{
	if (!m->sov_dirty)
		return 0;
	m->nsov_ids = 0;
	size_t pos = 0;
	int64_t id;
	void *v;
	while (idmap_next(&m->sovs, &pos, &id, &v)) {
		int64_t *a = array_grow(m->sov_ids, &m->cap_sov_ids, m->nsov_ids,
					sizeof *a, 16);
		if (!a)
			return -1; /* stays dirty: the next merge tries again */
		m->sov_ids = a;
		a[m->nsov_ids++] = id;
	}
	if (m->nsov_ids > 1)
		qsort(m->sov_ids, m->nsov_ids, sizeof *m->sov_ids, cmp_i64);
	m->sov_dirty = 0;
	return 0;
}

static void patch_battle(struct mirror *m, const json_t *o, int64_t id)
{
	int on = battle_on(json_object_get(o, KEY(battlePlan, battlePlan)));
	struct fleet_rec *f = idmap_get(&m->fleets, id);
	struct world_rec *w = idmap_get(&m->worlds, id);
	if (f && f->pub.in_battle != on) {
		f->pub.in_battle = on;
		note_change(&m->ch_fleets, &f->chg_gen, m->gen, id);
	}
	if (w && w->pub.in_battle != on) {
		w->pub.in_battle = on;
		note_change(&m->ch_worlds, &w->chg_gen, m->gen, id);
	}
}

static void patch_relationship(struct mirror *m, const json_t *o, int64_t id)
{
	struct mirror_sovereign *s = idmap_get(&m->sovs, id);
	if (!s)
		return;
	json_decref(s->relationship);
	s->relationship = json_incref(json_object_get(o, KEY(relationship, relationship)));
}

static void merge_update(struct mirror *m, const json_t *o)
{
	const json_t *seq = json_object_get(o, KEY(update, sequence));
	if (seq && !json_is_null(seq)) {
		json_decref(m->sequence);
		m->sequence = json_incref((json_t *)seq);
		int64_t v;
		m->sequence_value = ipint_decode(seq, &v) == 0 ? v : -1;
	}
	const json_t *wv = json_object_get(o, KEY(update, update));
	const json_t *nv = json_object_get(o, KEY(update, nextUpdateTime));
	int64_t next_ms = json_is_number(nv)
				  ? clock_now_ms() + (int64_t)num_or(nv, 0)
				  : m->next_watch_ms;
	if (json_is_number(wv)) {
		double w = num_or(wv, 0);
		if (m->have_watch && w > m->watch && json_is_number(nv)) {
			double per = (double)(next_ms - m->next_watch_ms) / (w - m->watch);
			if (per >= 10)
				m->watch_ms = (int64_t)per;
		}
		if (!m->have_watch || w != m->watch) {
			m->watch = w;
			m->have_watch = 1;
		}
	}
	m->next_watch_ms = next_ms;
}

/* The class of a game object; -1 when it has none the mirror knows. */
static int class_of(const json_t *o)
{
	const json_t *c = json_object_get(o, KEY(any, class));
	if (!json_is_string(c))
		return -1;
	return mirror_class_find(json_string_value(c), json_string_length(c));
}

/* The update's sequence, or -1 if the answer carries none. */
static int64_t answer_sequence(const json_t *answer)
{
	for (size_t i = 0; i < json_array_size(answer); i++) {
		const json_t *o = json_array_get(answer, i);
		int64_t v;
		if (class_of(o) == MIRROR_C_update &&
		    jsonx_get_int(o, KEY(update, sequence), &v) == 0)
			return v;
	}
	return -1;
}

static void keep_siege(struct mirror *m, const json_t *o, int64_t id)
{
	json_t *old = idmap_get(&m->sieges, id);
	if (idmap_put(&m->sieges, id, json_incref((json_t *)o)) < 0)
		json_decref((json_t *)o);
	else
		json_decref(old);
}

/* One object of class cls (-1: none the mirror knows); o->obj is set for
 * every class but a scanned record's. */
static int merge_one(struct mirror *m, int cls, const struct src *src)
{
	const json_t *o = src->obj;
	if (cls == MIRROR_C_update) {
		merge_update(m, o);
		return 0;
	}
	if (cls == MIRROR_C_history) {
		json_decref(m->history);
		m->history = json_incref(json_object_get(o, KEY(history, history)));
		return 0;
	}
	int64_t id = src_id(src);
	if (id <= 0)
		return 0; /* an object without an id cannot be placed */
	switch (cls) {
	case MIRROR_C_fleet:
		return merge_fleet(m, src, id);
	case MIRROR_C_world:
		return merge_world(m, src, id);
	case MIRROR_C_sovereign:
		return merge_sovereign(m, src, id);
	case MIRROR_C_destroyedSpaceObject:
		remove_object(m, id);
		break;
	case MIRROR_C_battlePlan:
		patch_battle(m, o, id);
		break;
	case MIRROR_C_relationship:
		patch_relationship(m, o, id);
		break;
	case MIRROR_C_siege:
		keep_siege(m, o, id);
		break;
	default:
		break; /* unknown classes, and trait or any at the top level */
	}
	return 0;
}

static int cmp_fleet(const void *a, const void *b)
{
	int64_t x = (*(struct fleet_rec *const *)a)->pub.id;
	int64_t y = (*(struct fleet_rec *const *)b)->pub.id;
	return (x > y) - (x < y);
}

static int cmp_world(const void *a, const void *b)
{
	int64_t x = (*(struct world_rec *const *)a)->pub.id;
	int64_t y = (*(struct world_rec *const *)b)->pub.id;
	return (x > y) - (x < y);
}

/* Unlink and free dead records, then restore id order. */
static void settle_order(struct mirror *m)
{
	if (!m->order_dirty)
		return;
	size_t k = 0;
	for (size_t i = 0; i < m->nfleet_arr; i++) {
		struct fleet_rec *f = m->fleet_arr[i];
		if (f->dead) {
			fleet_clear(m, f);
			free(f);
		} else {
			m->fleet_arr[k++] = f;
		}
	}
	m->nfleet_arr = k;
	k = 0;
	for (size_t i = 0; i < m->nworld_arr; i++) {
		struct world_rec *w = m->world_arr[i];
		if (w->dead) {
			world_clear(m, w);
			free(w);
		} else {
			m->world_arr[k++] = w;
		}
	}
	m->nworld_arr = k;
	/* an answer with worlds but no fleet leaves fleet_arr NULL, which
	 * qsort may not be given */
	if (m->nfleet_arr > 1)
		qsort(m->fleet_arr, m->nfleet_arr, sizeof *m->fleet_arr, cmp_fleet);
	if (m->nworld_arr > 1)
		qsort(m->world_arr, m->nworld_arr, sizeof *m->world_arr, cmp_world);
	m->order_dirty = 0;
}

/* After a full answer, whatever it did not carry no longer exists. */
static void sweep_unseen(struct mirror *m)
{
	for (size_t i = 0; i < m->nfleet_arr; i++) {
		struct fleet_rec *f = m->fleet_arr[i];
		if (!f->dead && f->seen_gen != m->gen)
			kill_fleet(m, f);
	}
	for (size_t i = 0; i < m->nworld_arr; i++) {
		struct world_rec *w = m->world_arr[i];
		if (!w->dead && w->seen_gen != m->gen)
			kill_world(m, w);
	}
}

/* Before a merge: 0 when the answer (whose update carries seq, -1 if
 * none) is older than what is merged and is skipped, else 1. */
static int merge_begin(struct mirror *m, int64_t seq, int full)
{
	/* Answers can overtake each other (a delta and an action sent from the
	 * same sequence).  One older than what is merged already describes a
	 * past state, and everything it says is in what was merged since. */
	if (!full && seq >= 0 && m->sequence_value >= 0 && seq < m->sequence_value) {
		m->stale++;
		return 0;
	}
	m->gen++;
	m->merges++;
	m->ch_fleets.n = m->ch_worlds.n = m->ch_removed.n = 0;
	return 1;
}

/* After a merge: sweep, order, and the change feed. */
static void merge_end(struct mirror *m, int full, int rc, double old_watch, int had_watch)
{
	if (full && rc == 0) {
		sweep_unseen(m);
		m->ready = 1;
	}
	settle_order(m);
	sov_order(m); /* on failure the list stays as it was: its ids are looked up */
	struct mirror_changes ch = {
		.fleets = m->ch_fleets.v,
		.nfleets = m->ch_fleets.n,
		.worlds = m->ch_worlds.v,
		.nworlds = m->ch_worlds.n,
		.removed = m->ch_removed.v,
		.nremoved = m->ch_removed.n,
		.watch_changed = m->have_watch && (!had_watch || old_watch != m->watch),
		.watch = m->watch,
	};
	HOOKS_EACH(i, &m->subs)
		m->subs.at[i].fn(m->subs.at[i].arg, &ch);
}

int mirror_merge(struct mirror *m, const json_t *answer, int full, char *err,
		 size_t errlen)
{
	if (!json_is_array(answer)) {
		snprintf(err, errlen, "answer is not a list of objects");
		return -1;
	}
	if (!merge_begin(m, answer_sequence(answer), full))
		return 0;
	double old_watch = m->watch;
	int had_watch = m->have_watch;
	int rc = 0;
	for (size_t i = 0; i < json_array_size(answer); i++) {
		const json_t *o = json_array_get(answer, i);
		struct src src = {.obj = o};
		if (merge_one(m, class_of(o), &src) < 0) {
			snprintf(err, errlen, "out of memory while merging");
			rc = -1;
		}
	}
	merge_end(m, full, rc, old_watch, had_watch);
	return rc;
}

int mirror_merge_scanned(struct mirror *m, const struct mirror_scanned *a, int full,
			 char *err, size_t errlen)
{
	int64_t seq = -1;
	for (size_t i = 0; i < a->nitems && seq < 0; i++) {
		int64_t v;
		if (a->items[i].cls == MIRROR_C_update &&
		    jsonx_get_int(a->items[i].whole, KEY(update, sequence), &v) == 0)
			seq = v;
	}
	if (!merge_begin(m, seq, full))
		return 0;
	double old_watch = m->watch;
	int had_watch = m->have_watch;
	int rc = 0;
	const struct mirror_scan_value *by_key[MIRROR_NFIELDS];
	for (size_t i = 0; i < a->nitems; i++) {
		const struct mirror_scan_item *it = &a->items[i];
		struct src src = {.obj = it->whole};
		if (!it->whole) {
			/* in the text's order: of a duplicate key, the last wins */
			memset(by_key, 0, a->nkeys * sizeof *by_key);
			for (size_t k = 0; k < it->n; k++)
				by_key[a->values[it->first + k].key] = &a->values[it->first + k];
			src.a = a;
			src.by_key = by_key;
		}
		if (merge_one(m, (int)it->cls, &src) < 0) {
			snprintf(err, errlen, "out of memory while merging");
			rc = -1;
		}
	}
	merge_end(m, full, rc, old_watch, had_watch);
	return rc;
}

/* --- game info ----------------------------------------------------------------- */

static void cat_free(struct cat_entry *c)
{
	if (!c)
		return;
	free((char *)c->pub.unid);
	free((char *)c->pub.name);
	free((char *)c->pub.class_name);
	free((char *)c->pub.category);
	free((char *)c->pub.role);
	free(c);
}

/* A string of a catalogue entry, or NULL when absent. */
static int dup_opt(const json_t *t, enum mirror_field_id row, const char **out)
{
	const char *s = json_string_value(json_object_get(t, mirror_fields[row].key));
	*out = NULL;
	return s && !(*out = strdup(s)) ? -1 : 0;
}

/* A number of a catalogue entry: 1 when present. */
static unsigned num_opt(const json_t *t, enum mirror_field_id row, double *out)
{
	const json_t *v = json_object_get(t, mirror_fields[row].key);
	*out = num_or(v, 0);
	return json_is_number(v) && isfinite(json_number_value(v));
}

/* One scenarioInfo entry read (id aside); NULL when out of memory. */
static struct cat_entry *cat_read(const json_t *t, int64_t id)
{
	struct cat_entry *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	struct mirror_cat *p = &c->pub;
	p->id = id;
	if (dup_opt(t, MIRROR_F_scenarioInfo_unid, &p->unid) < 0 ||
	    dup_opt(t, MIRROR_F_scenarioInfo_nameDesc, &p->name) < 0 ||
	    dup_opt(t, MIRROR_F_scenarioInfo_class, &p->class_name) < 0 ||
	    dup_opt(t, MIRROR_F_scenarioInfo_category, &p->category) < 0 ||
	    dup_opt(t, MIRROR_F_scenarioInfo_role, &p->role) < 0) {
		cat_free(c);
		return NULL;
	}
	p->has_attack = num_opt(t, MIRROR_F_scenarioInfo_attackValue, &p->attack);
	p->has_cargo = num_opt(t, MIRROR_F_scenarioInfo_cargoSpace, &p->cargo);
	p->has_mass = num_opt(t, MIRROR_F_scenarioInfo_mass, &p->mass);
	return c;
}

static int cmp_cat_id(const void *a, const void *b)
{
	int64_t x = (*(struct cat_entry *const *)a)->pub.id;
	int64_t y = (*(struct cat_entry *const *)b)->pub.id;
	return (x > y) - (x < y);
}

static int cmp_cat_unid(const void *a, const void *b)
{
	return strcmp((*(struct cat_entry *const *)a)->pub.unid,
		      (*(struct cat_entry *const *)b)->pub.unid);
}

/* The catalogue's two orders, rebuilt from its map after every load. */
static int cat_index(struct mirror *m)
{
	size_t n = m->catalogue.n, k = 0, u = 0;
	struct cat_entry **byid = n ? malloc(n * sizeof *byid) : NULL;
	struct cat_entry **byunid = n ? malloc(n * sizeof *byunid) : NULL;
	if (n && (!byid || !byunid)) {
		/* lookups by id still work; the lists are empty until a load */
		free(byid);
		free(byunid);
		free(m->cat_arr);
		free(m->cat_unid);
		m->cat_arr = m->cat_unid = NULL;
		m->ncat_arr = m->ncat_unid = 0;
		return -1;
	}
	size_t pos = 0;
	int64_t key;
	void *v;
	while (idmap_next(&m->catalogue, &pos, &key, &v)) {
		struct cat_entry *c = v;
		byid[k++] = c;
		if (c->pub.unid)
			byunid[u++] = c;
	}
	if (k > 1)
		qsort(byid, k, sizeof *byid, cmp_cat_id);
	if (u > 1)
		qsort(byunid, u, sizeof *byunid, cmp_cat_unid);
	free(m->cat_arr);
	free(m->cat_unid);
	m->cat_arr = byid;
	m->ncat_arr = k;
	m->cat_unid = byunid;
	m->ncat_unid = u;
	return 0;
}

/* The catalogue's entries, each replacing an older one of its id. */
static int cat_load(struct mirror *m, const json_t *types)
{
	for (size_t i = 0; i < json_array_size(types); i++) {
		const json_t *t = json_array_get(types, i);
		int64_t id = int_or(json_object_get(t, KEY(scenarioInfo, id)), 0);
		if (id <= 0)
			continue;
		struct cat_entry *c = cat_read(t, id);
		if (!c) {
			cat_index(m);
			return -1;
		}
		struct cat_entry *old = idmap_get(&m->catalogue, id);
		if (idmap_put(&m->catalogue, id, c) < 0) {
			cat_free(c);
			continue; /* the old one stays where it was */
		}
		cat_free(old);
	}
	return cat_index(m);
}

int mirror_set_game_info(struct mirror *m, const json_t *info, char *err,
			 size_t errlen)
{
	if (!json_is_object(info)) {
		snprintf(err, errlen, "game info is not an object");
		return -1;
	}
	const json_t *user = json_object_get(info, "userInfo");
	int64_t sov = int_or(json_object_get(user, "sovereignID"), 0);
	if (sov <= 0) {
		snprintf(err, errlen, "game info has no userInfo.sovereignID");
		return -1;
	}
	m->player = sov;
	int rc = cat_load(m, json_object_get(info, "scenarioInfo"));
	const json_t *sovs = json_object_get(info, "sovereigns");
	for (size_t i = 0; rc == 0 && i < json_array_size(sovs); i++) {
		const json_t *o = json_array_get(sovs, i);
		int64_t id = int_or(json_object_get(o, KEY(any, id)), 0);
		struct src src = {.obj = o};
		if (id > 0 && merge_sovereign(m, &src, id) < 0)
			rc = -1;
	}
	if (sov_order(m) < 0)
		rc = -1;
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* --- life and lookups ----------------------------------------------------- */

static int owns_memory(enum mirror_read read)
{
	return read == MIRROR_READ_STRING || read == MIRROR_READ_RES ||
	       read == MIRROR_READ_IDS || read == MIRROR_READ_JSON ||
	       read == MIRROR_READ_TRAITS || read == MIRROR_READ_ROUTES;
}

static void rows_init(struct record_rows *r, enum mirror_class cls)
{
	size_t n;
	const struct mirror_field *f = mirror_record_fields(cls, &n);
	const char *id = KEY(any, id);
	for (size_t i = 0; i < n; i++) {
		unsigned char row = (unsigned char)(&f[i] - mirror_fields);
		if (strcmp(f[i].key, id) != 0)
			r->read[r->nread++] = row;
		if (owns_memory(f[i].read))
			r->owned[r->nowned++] = row;
	}
}

struct mirror *mirror_new(void)
{
	struct mirror *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->sequence_value = -1;
	m->watch_ms = DEFAULT_WATCH_MS;
	for (int c = 0; c < MIRROR_NCLASSES; c++)
		rows_init(&m->rows[c], (enum mirror_class)c);
	return m;
}

void mirror_free(struct mirror *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfleet_arr; i++) {
		fleet_clear(m, m->fleet_arr[i]);
		free(m->fleet_arr[i]);
	}
	for (size_t i = 0; i < m->nworld_arr; i++) {
		world_clear(m, m->world_arr[i]);
		free(m->world_arr[i]);
	}
	free(m->fleet_arr);
	free(m->world_arr);
	idmap_free(&m->fleets);
	idmap_free(&m->worlds);
	size_t pos = 0;
	int64_t k;
	void *v;
	while (idmap_next(&m->sovs, &pos, &k, &v))
		sov_free(m, v);
	idmap_free(&m->sovs);
	pos = 0;
	while (idmap_next(&m->catalogue, &pos, &k, &v))
		cat_free(v);
	idmap_free(&m->catalogue);
	free(m->cat_arr);
	free(m->cat_unid);
	free(m->sov_ids);
	pos = 0;
	while (idmap_next(&m->sieges, &pos, &k, &v))
		json_decref(v);
	idmap_free(&m->sieges);
	index_free(&m->at_world);
	index_free(&m->of_sov);
	idmap_free(&m->worlds_of);
	idvec_free(&m->ch_fleets);
	idvec_free(&m->ch_worlds);
	idvec_free(&m->ch_removed);
	json_decref(m->sequence);
	json_decref(m->history);
	free(m);
}

int mirror_subscribe(struct mirror *m, mirror_change_fn fn, void *arg)
{
	return HOOKS_ADD(&m->subs, fn, arg);
}

int mirror_ready(const struct mirror *m)
{
	return m->ready;
}

int64_t mirror_player(const struct mirror *m)
{
	return m->player;
}

double mirror_watch(const struct mirror *m)
{
	return m->watch;
}

int64_t mirror_next_watch_ms(const struct mirror *m)
{
	return m->next_watch_ms;
}

const json_t *mirror_sequence(const struct mirror *m)
{
	return m->sequence;
}

int64_t mirror_sequence_value(const struct mirror *m)
{
	return m->sequence_value;
}

const struct mirror_fleet *mirror_fleet(const struct mirror *m, int64_t id)
{
	struct fleet_rec *f = idmap_get(&m->fleets, id);
	return f ? &f->pub : NULL;
}

const struct mirror_world *mirror_world(const struct mirror *m, int64_t id)
{
	struct world_rec *w = idmap_get(&m->worlds, id);
	return w ? &w->pub : NULL;
}

size_t mirror_fleet_count(const struct mirror *m)
{
	return m->nfleet_arr;
}

size_t mirror_world_count(const struct mirror *m)
{
	return m->nworld_arr;
}

const struct mirror_fleet *mirror_fleet_at(const struct mirror *m, size_t i)
{
	return i < m->nfleet_arr ? &m->fleet_arr[i]->pub : NULL;
}

const struct mirror_world *mirror_world_at(const struct mirror *m, size_t i)
{
	return i < m->nworld_arr ? &m->world_arr[i]->pub : NULL;
}

int64_t mirror_qty(const int64_t *res, size_t nres, int64_t resource_id)
{
	int64_t q = 0;
	for (size_t i = 0; i < nres; i++)
		if (res[2 * i] == resource_id)
			q += res[2 * i + 1];
	return q;
}

int64_t mirror_held(const struct mirror *m, int64_t obj, int64_t resource_id)
{
	const struct mirror_fleet *f = mirror_fleet(m, obj);
	if (f)
		return mirror_qty(f->res, f->nres, resource_id);
	const struct mirror_world *w = mirror_world(m, obj);
	return w ? mirror_qty(w->res, w->nres, resource_id) : 0;
}

const char *mirror_resource_name(const struct mirror *m, int64_t id)
{
	const struct cat_entry *c = cat(m, id);
	return c ? c->pub.name : NULL;
}

const char *mirror_resource_category(const struct mirror *m, int64_t id)
{
	const struct cat_entry *c = cat(m, id);
	return c ? c->pub.category : NULL;
}

size_t mirror_cat_count(const struct mirror *m)
{
	return m->ncat_arr;
}

const struct mirror_cat *mirror_cat_at(const struct mirror *m, size_t i)
{
	return i < m->ncat_arr ? &m->cat_arr[i]->pub : NULL;
}

const struct mirror_cat *mirror_cat(const struct mirror *m, int64_t id)
{
	const struct cat_entry *c = cat(m, id);
	return c ? &c->pub : NULL;
}

const struct mirror_cat *mirror_cat_by_unid(const struct mirror *m, const char *unid)
{
	size_t lo = 0, hi = m->ncat_unid;
	while (unid && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->cat_unid[mid]->pub.unid, unid);
		if (!c)
			return &m->cat_unid[mid]->pub;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int is_category(const struct mirror_cat *t, const char *category)
{
	return t && t->category && strcmp(t->category, category) == 0;
}

enum mirror_trait_kind mirror_trait_kind(const struct mirror *m,
					 const struct mirror_trait *t)
{
	const struct mirror_cat *ty = mirror_cat(m, t->id);
	if (is_category(ty, "improvement"))
		return MIRROR_TRAIT_IMPROVEMENT;
	if (is_category(ty, "industry"))
		return MIRROR_TRAIT_INDUSTRY;
	if (ty && ty->category)
		return MIRROR_TRAIT_OTHER;
	return t->structured ? MIRROR_TRAIT_INDUSTRY : MIRROR_TRAIT_UNKNOWN;
}

int mirror_fleet_strength(const struct mirror *m, const struct mirror_fleet *f,
			  struct mirror_strength *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < f->nres; i++) {
		const struct mirror_cat *t = mirror_cat(m, f->res[2 * i]);
		if (!t) {
			out->unknown++;
			continue;
		}
		out->known++;
		if (!t->has_attack)
			continue;
		double v = (double)f->res[2 * i + 1] * t->attack;
		if (is_category(t, "groundUnit"))
			out->ground += v;
		else
			out->space += v;
	}
	return out->known ? 0 : -1;
}

size_t mirror_sovereign_count(const struct mirror *m)
{
	return m->nsov_ids;
}

const struct mirror_sovereign *mirror_sovereign_at(const struct mirror *m, size_t i)
{
	return i < m->nsov_ids ? idmap_get(&m->sovs, m->sov_ids[i]) : NULL;
}

static size_t index_ids(const struct idmap *ix, int64_t key, const int64_t **ids)
{
	const struct idvec *iv = idmap_get(ix, key);
	*ids = iv ? iv->v : NULL;
	return iv ? iv->n : 0;
}

size_t mirror_fleets_at(const struct mirror *m, int64_t world_id,
			const int64_t **ids)
{
	return index_ids(&m->at_world, world_id, ids);
}

size_t mirror_fleets_of(const struct mirror *m, int64_t sovereign_id,
			const int64_t **ids)
{
	return index_ids(&m->of_sov, sovereign_id, ids);
}

size_t mirror_world_count_of(const struct mirror *m, int64_t sovereign_id)
{
	return (size_t)(uintptr_t)idmap_get(&m->worlds_of, sovereign_id);
}

const char *mirror_sovereign_name(const struct mirror *m, int64_t id)
{
	const struct mirror_sovereign *s = mirror_sovereign(m, id);
	return s ? s->name : NULL;
}

const struct mirror_sovereign *mirror_sovereign(const struct mirror *m, int64_t id)
{
	return idmap_get(&m->sovs, id);
}

int64_t mirror_watch_ms(const struct mirror *m)
{
	return m->watch_ms;
}

int64_t mirror_watch_time_ms(const struct mirror *m, double watch)
{
	/* next_watch_ms is when watch+1 begins */
	double d = (watch - (m->watch + 1)) * (double)m->watch_ms;
	return m->next_watch_ms + (int64_t)llround(d);
}

const json_t *mirror_history(const struct mirror *m)
{
	return m->history;
}

uint64_t mirror_merges(const struct mirror *m)
{
	return m->merges;
}

uint64_t mirror_stale_skipped(const struct mirror *m)
{
	return m->stale;
}

int64_t mirror_asked_ms(const struct mirror *m)
{
	return m->asked_ms;
}

void mirror_note_asked(struct mirror *m, int64_t asked_ms, int full)
{
	if (full || asked_ms > m->asked_ms)
		m->asked_ms = asked_ms;
}

int mirror_continues(struct mirror *m, int64_t since)
{
	if (since < 0 || m->sequence_value < 0 || since <= m->sequence_value)
		return 1;
	m->gaps++;
	return 0;
}

uint64_t mirror_gaps_skipped(const struct mirror *m)
{
	return m->gaps;
}

void mirror_set_job_lookup(struct mirror *m, mirror_job_lookup_fn fn, void *arg)
{
	m->job_fn = fn;
	m->job_arg = arg;
}

int64_t mirror_fleet_job(const struct mirror *m, int64_t fleet_id)
{
	return m->job_fn ? m->job_fn(m->job_arg, fleet_id) : 0;
}
