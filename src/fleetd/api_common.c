/* api_common.c -- see api_common.h.  The checks of a job against the
 * galaxy (its fleets, worlds, sovereigns, resources and catalogue entries)
 * read the mirror and nothing else. */
#include "api_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_guard.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "jobspec.h"
#include "mirror.h"
#include "step_world.h"
#include "store.h"

/* --- references against the galaxy ---------------------------------------- */

struct ref_check {
	const struct mirror *m;
	char *err;
	size_t errlen;
};

/* The spec's form for the ids of conditions and filters. */
static int unknown(struct ref_check *rc, const char *path, const char *what, int64_t id)
{
	snprintf(rc->err, rc->errlen, "%s: unknown %s %lld", path, what, (long long)id);
	return 1;
}

static int check_ref(void *arg, const char *path, enum jobspec_ref kind, int64_t id)
{
	struct ref_check *rc = arg;
	const struct mirror_fleet *f = mirror_fleet(rc->m, id);
	const struct mirror_world *w = mirror_world(rc->m, id);
	switch (kind) {
	case REF_FLEET:
		if (!f) {
			snprintf(rc->err, rc->errlen, "%s: no fleet %lld is known", path,
				 (long long)id);
			return 1;
		}
		if (f->sovereign != mirror_player(rc->m)) {
			snprintf(rc->err, rc->errlen, "%s: fleet %lld is not one of your fleets",
				 path, (long long)id);
			return 1;
		}
		return 0;
	case REF_WORLD:
		if (!w) {
			snprintf(rc->err, rc->errlen, "%s: must be a world id (no world %lld is known)",
				 path, (long long)id);
			return 1;
		}
		return 0;
	case REF_OBJECT:
		if (!w && !f) {
			snprintf(rc->err, rc->errlen, "%s: no world or fleet %lld is known",
				 path, (long long)id);
			return 1;
		}
		return 0;
	case REF_ANY_FLEET:
		return f ? 0 : unknown(rc, path, "fleet", id);
	case REF_COND_WORLD:
		return w ? 0 : unknown(rc, path, "world", id);
	case REF_SOVEREIGN:
		return mirror_sovereign_name(rc->m, id) ? 0 : unknown(rc, path, "sovereign", id);
	case REF_RESOURCE:
		return mirror_resource_name(rc->m, id) ? 0 : unknown(rc, path, "resource", id);
	case REF_OWN_WORLD:
		if (!w || w->sovereign != mirror_player(rc->m)) {
			snprintf(rc->err, rc->errlen, "%s: world %lld is not one of your worlds",
				 path, (long long)id);
			return 1;
		}
		return 0;
	}
	return 0;
}

/* A world op's catalogue reference: an id or unid of the right category
 * in getGameInfo's catalogue. */
static int check_cat_ref(void *arg, const char *path, const char *category,
			 const json_t *v)
{
	struct ref_check *rc = arg;
	char why[200];
	if (world_cat_resolve(rc->m, v, category, why, sizeof why))
		return 0;
	snprintf(rc->err, rc->errlen, "%s: %s", path, why);
	return 1;
}

/* The media type must be exactly application/json, in any case (media
 * types are case-insensitive), alone or with parameters ("; charset=
 * utf-8"): never a prefix match, for application/jsonp or json-seq are
 * other types.  A missing Content-Type is refused too: a page's fetch()
 * of a Blob body sends none, and is then a simple request that needs no
 * preflight. */
static int content_type_ok(struct http_req *req)
{
	static const char json[] = "application/json";
	const char *ct = http_header(req, "Content-Type");
	if (!ct)
		return 0;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, json, sizeof json - 1) != 0)
		return 0;
	ct += sizeof json - 1;
	ct += strspn(ct, " \t");
	return *ct == 0 || *ct == ';';
}

/* The body of a write as JSON, or NULL when it was answered
 * (a media type other than JSON, an empty body, bad JSON). */
json_t *api_json_body(struct http_req *req)
{
	char err[300];
	size_t len;
	const char *buf = http_body(req, &len);
	if (!content_type_ok(req)) {
		/* A form or text/plain body is what a web page may post to any
		 * origin without asking; refusing it forces a CORS preflight.
		 * curl -d sends a form type by default, so say how to fix it. */
		http_reply_error(req, 415, "unsupported_media_type",
				 "send Content-Type: application/json "
				 "(curl: -H 'Content-Type: application/json')");
		return NULL;
	}
	if (!buf || len == 0) {
		http_reply_error(req, 400, "bad_json", "the body is empty; send JSON");
		return NULL;
	}
	json_t *body = http_body_json(req, err, sizeof err);
	if (!body)
		http_reply_error(req, 400, "bad_json", "%s", err);
	return body;
}

/* The spec is kept as given and copied into every answer of the job and
 * into its job.created event: its size is what one request can make the
 * daemon store and send again, so it is capped (compact form, so that
 * whitespace neither counts nor helps).  1 if answered 413. */
int api_job_too_large(struct http_req *req, struct app *app, const json_t *body)
{
	/* No need to write it out to know when the bytes received are few:
	 * the compact form drops whitespace, writes strings, integers and
	 * literals no longer than they came (escapes only shrink; UTF-8 stays
	 * as sent) and a real (3 bytes at the least, "0.1") in 24 at the
	 * most, so it is never more than 8 times the body (nor is that of a
	 * job inside the body, a schedule's template). */
	size_t received;
	http_body(req, &received);
	if (received <= (size_t)app->cfg->max_job_bytes / 8)
		return 0;
	size_t size = json_dumpb(body, NULL, 0, JSON_COMPACT);
	if (size <= (size_t)app->cfg->max_job_bytes)
		return 0;
	http_reply_error(req, 413, "job_too_large",
			 "the job is %zu bytes written compactly; the limit is %lld "
			 "(--max-job-bytes)", size, (long long)app->cfg->max_job_bytes);
	return 1;
}

int api_job_refused(struct http_req *req, struct app *app, const json_t *job,
		    const char *prefix)
{
	char err[300];
	if (jobspec_validate(job, clock_now_ms(), err, sizeof err) < 0) {
		http_reply_error(req, 422, "invalid_job", "%s%s", prefix, err);
		return 1;
	}
	if (app->mirror && mirror_ready(app->mirror)) {
		struct ref_check rc = {app->mirror, err, sizeof err};
		if (jobspec_refs(job, check_ref, &rc) ||
		    jobspec_cat_refs(job, check_cat_ref, &rc)) {
			http_reply_error(req, 422, "invalid_job", "%s%s", prefix, err);
			return 1;
		}
	}
	return 0;
}

/* A read answers from committed state.  The group commit waits for the
 * loop to go idle, so a transaction may still be open here: commit it
 * first, so that what a client reads is on disk (and what another reader
 * of the database file sees). */
void api_read_committed(struct app *app)
{
	if (store_in_tx(app->store))
		store_commit(app->store);
}

struct after_commit {
	struct http_req *req;
	struct app *app;
	api_answer_fn fn;
	int64_t id;
	unsigned status;
};

static void on_committed(void *arg, int ok)
{
	struct after_commit *ac = arg;
	if (ok)
		ac->fn(ac->req, ac->app, ac->id, ac->status);
	else
		api_reply_storage_unavailable(ac->req, ac->app->commit,
					      "the change could not be committed; nothing was stored");
	free(ac);
}

void api_after_commit(struct http_req *req, struct app *app, api_answer_fn fn, int64_t id,
		      unsigned status)
{
	struct after_commit *ac = malloc(sizeof *ac);
	if (!ac) {
		http_reply_error(req, 503, "overloaded", "out of memory");
		return;
	}
	*ac = (struct after_commit){req, app, fn, id, status};
	if (store_begin(app->store) < 0) {
		free(ac);
		api_reply_storage_unavailable(req, app->commit, "nothing was changed");
		return;
	}
	if (store_on_commit(app->store, on_committed, ac) < 0) {
		free(ac);
		http_reply_error(req, 503, "overloaded", "cannot queue the answer");
		return;
	}
	http_suspend(req);
}
