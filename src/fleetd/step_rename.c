/* step_rename.c -- op "rename": give the job's fleet a new name.
 *
 *   START  the fleet already bears the name: done.  -> SENT, send
 *          renameObject.
 *   SENT   with the answer, or once the mirror shows the name: done.
 *          Otherwise (restart, lost answer, transient fault) send again:
 *          renaming is idempotent. */
#include <string.h>

#include "mirror.h"
#include "step.h"

static void rename_advance(struct step_ctx *c, struct step_result *r)
{
	const char *name = json_string_value(json_object_get(c->args, "name"));
	const struct mirror_fleet *f = step_fleet(c, r);
	if (!f)
		return;
	int named = f->name && strcmp(f->name, name) == 0;
	if (c->reply || named) {
		step_done(r);
		return;
	}
	c->sub = STEP_SENT;
	step_call(r, "renameObject",
		  json_pack("{s:I,s:s}", "objID", (json_int_t)c->fleet, "name", name),
		  CALL_IDEMPOTENT);
}

const struct step_op step_rename = STEP_SENT_OP("rename", rename_advance);
