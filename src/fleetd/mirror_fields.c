/* mirror_fields.c -- see mirror_fields.h.  Owns the table built from its
 * lists and the lookups over it; holds no state and reads no JSON.
 *
 * Each row that names a record member is checked at compile time: the
 * member has the C type its read kind stores, and a two-member read names
 * two members (one-member reads name the same one twice).  A row that does
 * not fit its record does not compile. */
#include "mirror_fields.h"

#include <string.h>

#include "mirror.h"

/* --- the classes --------------------------------------------------------- */

#define CLASS_NAME(name, use) #name,
static const char *const class_names[MIRROR_NCLASSES] = {MIRROR_CLASSES(CLASS_NAME)};
#undef CLASS_NAME

#define CLASS_LEN(name, use) sizeof #name - 1,
static const size_t class_lens[MIRROR_NCLASSES] = {MIRROR_CLASSES(CLASS_LEN)};
#undef CLASS_LEN

#define CLASS_USE(name, use) MIRROR_USE_##use,
static const enum mirror_use class_uses[MIRROR_NCLASSES] = {MIRROR_CLASSES(CLASS_USE)};
#undef CLASS_USE

/* --- compile-time checks of the record rows ------------------------------ */

#define MEMBER(cls, m) (((struct mirror_##cls *)0)->m)
#define OFF(cls, m) offsetof(struct mirror_##cls, m)
#define IS(cls, m, T) _Generic(MEMBER(cls, m), T: 1, default: 0)
#define ONE(cls, m, s, T) (IS(cls, m, T) && OFF(cls, m) == OFF(cls, s))
#define TWO(cls, m, s, T, U) (IS(cls, m, T) && IS(cls, s, U) && OFF(cls, m) != OFF(cls, s))

#define FITS_CLASS(cls, m, s) 0 /* never kept in a record */
#define FITS_ID(cls, m, s) ONE(cls, m, s, int64_t)
#define FITS_INT(cls, m, s) ONE(cls, m, s, int)
#define FITS_REAL(cls, m, s) ONE(cls, m, s, double)
#define FITS_STRING(cls, m, s) ONE(cls, m, s, const char *)
#define FITS_FTL(cls, m, s) ONE(cls, m, s, const char *)
#define FITS_POS(cls, m, s) TWO(cls, m, s, double, double)
#define FITS_RES(cls, m, s) TWO(cls, m, s, const int64_t *, size_t)
#define FITS_IDS(cls, m, s) TWO(cls, m, s, const int64_t *, size_t)
#define FITS_BATTLE(cls, m, s) ONE(cls, m, s, int)
#define FITS_BOOL(cls, m, s) ONE(cls, m, s, int)
#define FITS_TRAITS(cls, m, s) TWO(cls, m, s, const struct mirror_trait *, size_t)
#define FITS_ROUTES(cls, m, s) TWO(cls, m, s, const struct mirror_route *, size_t)
#define FITS_BUILD(cls, m, s) 0 /* inside a trait object only */
#define FITS_FLOWS(cls, m, s) 0 /* inside a trade route only */
#define FITS_JSON(cls, m, s) ONE(cls, m, s, json_t *)

#define CHECK_ROW(cls, key, read, m, s)                                         \
	_Static_assert(FITS_##read(cls, m, s),                                  \
		       "mirror field " #cls "." #key ": member " #m " or " #s   \
		       " does not fit a " #read " read");
MIRROR_RECORD_FIELDS(CHECK_ROW)
#undef CHECK_ROW

#define CHECK_LEN(cls, key, ...)                                                \
	_Static_assert(sizeof #key - 1 <= MIRROR_KEY_MAX,                       \
		       "mirror field " #cls "." #key ": key longer than MIRROR_KEY_MAX");
MIRROR_RECORD_FIELDS(CHECK_LEN)
MIRROR_OTHER_FIELDS(CHECK_LEN)
#undef CHECK_LEN

/* --- the table ---------------------------------------------------------- */

#define TYPE_CLASS MIRROR_T_STRING
#define TYPE_ID MIRROR_T_INT
#define TYPE_INT MIRROR_T_INT
#define TYPE_REAL MIRROR_T_REAL
#define TYPE_STRING MIRROR_T_STRING
#define TYPE_FTL MIRROR_T_STRING
#define TYPE_POS MIRROR_T_POS
#define TYPE_RES MIRROR_T_PAIRS
#define TYPE_IDS MIRROR_T_IDS
#define TYPE_BATTLE MIRROR_T_BOOL
#define TYPE_BOOL MIRROR_T_BOOL
#define TYPE_TRAITS MIRROR_T_TRAITS
#define TYPE_ROUTES MIRROR_T_ROUTES
#define TYPE_BUILD MIRROR_T_JSON
#define TYPE_FLOWS MIRROR_T_JSON
#define TYPE_JSON MIRROR_T_JSON

#define RECORD_ROW(cls, key, read, m, s)                                        \
	{MIRROR_C_##cls, #key, sizeof #key - 1, MIRROR_READ_##read, TYPE_##read, \
	 1, OFF(cls, m), OFF(cls, s)},
#define OTHER_ROW(cls, key, read)                                               \
	{MIRROR_C_##cls, #key, sizeof #key - 1, MIRROR_READ_##read, TYPE_##read, \
	 0, 0, 0},
const struct mirror_field mirror_fields[MIRROR_NFIELDS] = {
	MIRROR_RECORD_FIELDS(RECORD_ROW)
	MIRROR_OTHER_FIELDS(OTHER_ROW)
};
#undef RECORD_ROW
#undef OTHER_ROW

/* --- lookups ------------------------------------------------------------ */

const char *mirror_class_name(enum mirror_class cls)
{
	return (unsigned)cls < MIRROR_NCLASSES ? class_names[cls] : NULL;
}

enum mirror_use mirror_class_use(enum mirror_class cls)
{
	return (unsigned)cls < MIRROR_NCLASSES ? class_uses[cls] : MIRROR_USE_INNER;
}

int mirror_class_find(const char *name, size_t len)
{
	for (int c = 0; c < MIRROR_NCLASSES; c++)
		if (class_lens[c] == len && len && class_names[c][0] == name[0] &&
		    memcmp(class_names[c], name, len) == 0)
			return c;
	return -1;
}

const struct mirror_field *mirror_record_fields(enum mirror_class cls, size_t *n)
{
	/* the rows of a record are written together in the list */
	size_t i = 0;
	while (i < MIRROR_NFIELDS && !(mirror_fields[i].cls == cls && mirror_fields[i].in_record))
		i++;
	size_t first = i;
	while (i < MIRROR_NFIELDS && mirror_fields[i].cls == cls && mirror_fields[i].in_record)
		i++;
	*n = i - first;
	return *n ? &mirror_fields[first] : NULL;
}

const struct mirror_field *mirror_field_of(enum mirror_class cls, const char *key,
					   size_t len)
{
	for (size_t i = 0; i < MIRROR_NFIELDS; i++) {
		const struct mirror_field *f = &mirror_fields[i];
		if (f->cls == cls && f->key_len == len && memcmp(f->key, key, len) == 0)
			return f;
	}
	return NULL;
}

const struct mirror_field *mirror_field_find(const char *name)
{
	const char *dot = name ? strchr(name, '.') : NULL;
	if (!dot)
		return NULL;
	int cls = mirror_class_find(name, (size_t)(dot - name));
	if (cls < 0)
		return NULL;
	return mirror_field_of((enum mirror_class)cls, dot + 1, strlen(dot + 1));
}

/* --- reading a record ---------------------------------------------------- */

/* The member at an offset of a record, as the type the row's check proved. */
#define AT(T, rec, off) (*(T const *)((const char *)(rec) + (off)))

int mirror_field_get(const struct mirror_field *f, const void *record,
		     struct mirror_value *out)
{
	if (!f || !f->in_record || !record)
		return -1;
	memset(out, 0, sizeof *out);
	out->type = f->type;
	switch (f->read) {
	case MIRROR_READ_ID:
		out->i = AT(int64_t, record, f->at);
		return 0;
	case MIRROR_READ_INT:
	case MIRROR_READ_BATTLE:
	case MIRROR_READ_BOOL:
		out->i = AT(int, record, f->at);
		return 0;
	case MIRROR_READ_TRAITS:
		out->traits = AT(const struct mirror_trait *, record, f->at);
		out->n = AT(size_t, record, f->second);
		return 0;
	case MIRROR_READ_ROUTES:
		out->routes = AT(const struct mirror_route *, record, f->at);
		out->n = AT(size_t, record, f->second);
		return 0;
	case MIRROR_READ_REAL:
		out->d = AT(double, record, f->at);
		return 0;
	case MIRROR_READ_STRING:
	case MIRROR_READ_FTL:
		out->s = AT(const char *, record, f->at);
		if (!out->s)
			out->s = "";
		return 0;
	case MIRROR_READ_POS:
		out->x = AT(double, record, f->at);
		out->y = AT(double, record, f->second);
		return 0;
	case MIRROR_READ_RES:
	case MIRROR_READ_IDS:
		out->list = AT(const int64_t *, record, f->at);
		out->n = AT(size_t, record, f->second);
		return 0;
	case MIRROR_READ_JSON:
		out->json = AT(json_t *, record, f->at);
		return 0;
	case MIRROR_READ_CLASS:
	case MIRROR_READ_BUILD:
	case MIRROR_READ_FLOWS:
		break;
	}
	return -1;
}
