/* api_commit.c -- see api_commit.h.  Moved here from api_jobs.c so that
 * the job, trigger (and other) routes answer a change the same way. */
#include "api_commit.h"

#include <stdlib.h>

#include "api_guard.h"
#include "app.h"
#include "http.h"
#include "store.h"

struct after_commit {
	struct http_req *req;
	struct app *app;
	int64_t id;
	unsigned status;
	api_commit_fn answer;
};

static void committed(void *arg, int ok)
{
	struct after_commit *ac = arg;
	if (ok)
		ac->answer(ac->req, ac->app, ac->id, ac->status);
	else
		api_reply_storage_unavailable(ac->req, ac->app->commit,
					      "the change could not be committed; nothing was stored");
	free(ac);
}

void api_reply_after_commit(struct http_req *req, struct app *app, int64_t id,
			    unsigned status, api_commit_fn answer)
{
	struct after_commit *ac = malloc(sizeof *ac);
	if (!ac) {
		http_reply_error(req, 503, "overloaded", "out of memory");
		return;
	}
	*ac = (struct after_commit){req, app, id, status, answer};
	if (store_begin(app->store) < 0) {
		free(ac);
		api_reply_storage_unavailable(req, app->commit, "nothing was changed");
		return;
	}
	if (store_on_commit(app->store, committed, ac) < 0) {
		free(ac);
		http_reply_error(req, 503, "overloaded", "cannot queue the answer");
		return;
	}
	http_suspend(req);
}
