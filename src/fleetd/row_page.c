/* row_page.c -- see row_page.h. */
#include "row_page.h"

#include "store.h"

/* The rows of s, each as fn(arg, s), in a new array: at most limit (-1:
 * all of them), *next the key of the last one taken when a row past the
 * limit exists (else 0).  s is reset; NULL on any failure. */
static json_t *collect(sqlite3_stmt *s, int limit, row_json_fn fn, void *arg, int64_t *next)
{
	json_t *a = json_array();
	int rc = SQLITE_NOMEM, n = 0;
	int64_t last = 0;
	*next = 0;
	while (a && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == limit) {
			*next = last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		if (json_array_append_new(a, fn(arg, s)) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(a);
		*next = 0;
		return NULL;
	}
	return a;
}

json_t *row_list(sqlite3_stmt *s, row_json_fn fn, void *arg)
{
	int64_t next;
	return collect(s, -1, fn, arg, &next);
}

json_t *row_page(sqlite3_stmt *s, int limit_param, int limit, row_json_fn fn, void *arg,
		 int64_t *next)
{
	if (sqlite3_bind_int64(s, limit_param, (int64_t)limit + 1) != SQLITE_OK) {
		sqlite3_reset(s);
		*next = 0;
		return NULL;
	}
	return collect(s, limit, fn, arg, next);
}

json_t *row_page_after(struct store *st, const char *sql, int64_t after, int limit,
		       row_json_fn fn, void *arg, int64_t *next)
{
	*next = 0;
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, after);
	return row_page(s, 2, limit, fn, arg, next);
}
