"""jobs_retry.py -- POST /v1/jobs/{id}/retry against fleetsim, and the
GET /v1/jobs filters name, since and retry_of.

A job renames its fleet (step 0), takes food from the world it is anchored
at, named by the variable $home (step 1), and renames it again (step 2).
The world has no food, so the game refuses step 1 and the job fails there.  Its retry is refused while
another job holds the fleet (409 naming the holder); once food is stocked
the retry -- a new job whose retry_of names the failed one -- starts at
once (not after the spec's delay_seconds) at step 1 with the failed job's
variables: the first rename is never sent
again, the transfer and the last rename are, and the retry succeeds.  An
Idempotency-Key makes a repeated retry answer the same job.  Hostile
requests (unknown or live jobs, bodies with fields, bad JSON, bad keys,
wrong methods) change nothing.  A failed group's parent is refused
(409 is_group); a failed child is retried as a job of its own.  The list filters combine with each other
and with cursor pagination, and each bad value is a 400 naming its
parameter."""
import datetime
import json
import os
import socket
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, qty, sim_res, sim_state  # noqa: E402

FOOD = 90
sim = Sim("--watch-ms", "600", "--seed", "17", "--fleets", "60", "--worlds", "200")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
cands = sorted((f for f in F.values() if f["mine"] and f["anchor"] and not f["job"] and
                Wd[f["anchor"]]["sovereign"] == me), key=lambda f: f["id"])
check(len(cands) >= 2, "need 2 fleets anchored at our worlds, found %d" % len(cands))
f = cands[0]
W = f["anchor"]
st, _ = sim.raw("POST", "/sim/stock", {"object": W, "resource": FOOD, "quantity": 0})
check(st == 200, "emptying the world's food: %d" % st)
sim.raw("POST", "/sim/tick")
end = time.time() + 20
while qty(fd.worlds()[W].get("resources"), FOOD) and time.time() < end:
    time.sleep(0.2)
check(qty(fd.worlds()[W].get("resources"), FOOD) == 0, "fleetd still sees food at %d" % W)

# the transfer names its world through a variable, bound in the row while
# fleetd is stopped (as jobs_vars.py does: groups and triggers bind them);
# the job is queued for an hour until then, which a retry does not wait
spec = {"name": "retry me", "fleet": f["id"], "delay_seconds": 3600, "steps": [
    {"op": "rename", "name": "Before Retry"},
    {"op": "transfer", "to": "$home", "resources": [FOOD, 5]},
    {"op": "rename", "name": "After Retry"}]}
t0 = int(time.time() * 1000)
a = fd.submit(spec)
check(a["retry_of"] is None, "a plain job's retry_of: %r" % a["retry_of"])
fd.stop()
con = sqlite3.connect(fd.db)
with con:
    con.execute("UPDATE jobs SET vars = ?, wake_at = ? WHERE id = ?",
                ('{"home": %d}' % W, int(time.time() * 1000), a["id"]))
con.close()
fd.start()
fd.wait_ready()
a = fd.wait_state(a["id"], ["succeeded", "failed", "cancelled"])
check(a["state"] == "failed" and a["step"] == 1 and "game error" in (a["last_error"] or ""),
      "the job did not fail at the transfer: %s %s %r" % (a["state"], a["step"], a["last_error"]))
renames0 = sim.stats()["applied"].get("renameObject", 0)


def retry(jid, body=None, headers=None, raw=None):
    if raw is not None:
        st, _, data = fd.raw("POST", "/v1/jobs/%d/retry" % jid, raw, headers)
        return st, json.loads(data) if data else None
    return fd.call("POST", "/v1/jobs/%s/retry" % jid, body, headers)


# --- refused: nothing is created ---------------------------------------------------------
count0 = fd.sql("SELECT count(*) FROM jobs")[0][0]
st, b = retry(999999)
check(st == 404 and b["error"]["code"] == "not_found", "unknown job: %d %s" % (st, b))
st, b = fd.call("POST", "/v1/jobs/abc/retry")
check(st == 404, "a job id that is not a number: %d %s" % (st, b))
st, b = fd.call("POST", "/v1/jobs/0/retry")
check(st == 404, "job 0: %d %s" % (st, b))
st, b = fd.call("GET", "/v1/jobs/%d/retry" % a["id"])
check(st == 405, "GET of retry: %d %s" % (st, b))
st, b = retry(a["id"], {"step": 0})
check(st == 422 and b["error"]["message"].startswith("step: unknown field"),
      "a body with a field: %d %s" % (st, b))
st, b = retry(a["id"], [1])
check(st == 422, "a body that is not an object: %d %s" % (st, b))
st, b = retry(a["id"], raw=b"{bad json", headers={"Content-Type": "application/json"})
check(st == 400 and b["error"]["code"] == "bad_json", "bad JSON: %d %s" % (st, b))
st, b = retry(a["id"], raw=b"{}", headers={"Content-Type": "text/plain"})
check(st == 415, "a text/plain body: %d %s" % (st, b))
# a body over --max-body: the size announced earns 413, the body unread
with socket.create_connection(("127.0.0.1", fd.port), timeout=20) as so:
    so.sendall(b"POST /v1/jobs/%d/retry HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/json\r\nContent-Length: 8388608\r\n\r\n" % a["id"])
    head = so.recv(4096)
check(head.startswith(b"HTTP/1.1 413"), "a huge body: %r" % head[:100])
st, b = retry(a["id"], headers={"Idempotency-Key": "bad key"})
check(st == 400 and b["error"]["code"] == "bad_idempotency_key", "bad key: %d %s" % (st, b))
# a live job, and then an ended one that did not fail
hold = fd.submit({"name": "holder", "fleet": f["id"], "steps": [{"op": "wait", "seconds": 600}]})
st, b = retry(hold["id"])
check(st == 409 and b["error"]["code"] == "not_failed" and
      any(s in b["error"]["message"] for s in ("queued", "running", "waiting")),
      "retry of a live job: %d %s" % (st, b))
# the fleet is held: 409 naming the holder
st, b = retry(a["id"])
check(st == 409 and b["error"]["code"] == "fleet_busy" and b["error"]["holder"] == hold["id"] and
      ("held by job %d" % hold["id"]) in b["error"]["message"],
      "retry while the fleet is held: %d %s" % (st, b))
check(fd.call("POST", "/v1/jobs/%d/cancel" % hold["id"])[0] == 200, "cancel the holder")
fd.wait_state(hold["id"], ["cancelled"])
st, b = retry(hold["id"])
check(st == 409 and b["error"]["code"] == "not_failed" and "cancelled" in b["error"]["message"],
      "retry of a cancelled job: %d %s" % (st, b))
check(fd.sql("SELECT count(*) FROM jobs")[0][0] == count0 + 1, "a refused retry made a job")

# --- the retry resumes at the failed step ------------------------------------------------
st, _ = sim.raw("POST", "/sim/stock", {"object": W, "resource": FOOD, "quantity": 50})
check(st == 200, "stocking food: %d" % st)
sim.raw("POST", "/sim/tick")
end = time.time() + 20
while qty(fd.worlds()[W].get("resources"), FOOD) < 50 and time.time() < end:
    time.sleep(0.2)
S0 = sim_state(sim)
key = {"Idempotency-Key": "retry-%d" % a["id"]}
st, r = retry(a["id"], headers=key)
check(st == 201 and r["retry_of"] == a["id"] and r["id"] != a["id"] and r["step"] >= 1 and
      r["vars"] == {"home": W} and r["state"] != "queued", "retry: %d %s" % (st, r))
st2, r2 = retry(a["id"], headers=key)
check(st2 == 200 and r2["id"] == r["id"], "the same key again: %d %s" % (st2, r2))
st3, b = retry(hold["id"], headers=key)
check(st3 == 422 and b["error"]["code"] == "idempotency_mismatch",
      "the key for another job: %d %s" % (st3, b))
st4, b = fd.call("POST", "/v1/jobs", {"fleet": f["id"], "steps": [{"op": "wait", "seconds": 1}]},
                 key)
check(st4 == 422 and b["error"]["code"] == "idempotency_mismatch",
      "the key for a submission: %d %s" % (st4, b))
r = fd.wait_state(r["id"], ["succeeded", "failed", "cancelled"])
check(r["state"] == "succeeded" and r["retry_of"] == a["id"],
      "the retry did not succeed: %s %r" % (r["state"], r["last_error"]))
ev = fd.events(r["id"])
created = ev[0]
check(created["type"] == "job.created" and created["data"]["retry_of"] == a["id"] and
      created["data"]["step"] == 1 and created["data"]["spec"]["steps"] == spec["steps"],
      "the retry's job.created: %s" % created)
started = [e["data"]["step"] for e in ev if e["type"] == "job.step_started"]
check(started == [1, 2], "the retry ran steps %s (want [1, 2])" % started)
check(sim.stats()["applied"].get("renameObject", 0) == renames0 + 1,
      "renames: the first step ran again (%d -> %d)" % (
          renames0, sim.stats()["applied"].get("renameObject", 0)))
S = sim_state(sim)
check(S[f["id"]].get("name") == "After Retry", "fleet name: %s" % S[f["id"]].get("name"))
check(sim_res(S[f["id"]], FOOD) == sim_res(S0[f["id"]], FOOD) + 5, "food moved once")
# the failed job is unchanged but for the note of its retry
a2 = fd.job(a["id"])
check(a2["state"] == "failed" and a2["step"] == 1, "the failed job changed: %s" % a2)
check([e["data"]["job"] for e in fd.events(a["id"]) if e["type"] == "job.retried"] ==
      [r["id"]], "job.retried of the failed job")
check(fd.sql("SELECT retry_of FROM jobs WHERE id = ?", r["id"]) == [(a["id"],)],
      "retry_of in the row")
# the retry_of answer survives a restart (read back from the row)
check(fd.stop() == 0, "fleetd's exit status (a sanitizer's finding makes it fail)")
fd.start()
check(fd.job(r["id"])["retry_of"] == a["id"], "retry_of after a restart")

# --- list filters --------------------------------------------------------------------------
others = [fd.submit({"name": "filter %d" % (k % 2), "fleet": c["id"],
                     "steps": [{"op": "wait", "seconds": 600}]}) for k, c in
          enumerate(cands[1:3])]


def ids(q):
    out, cursor = [], None
    while True:
        st, b = fd.call("GET", "/v1/jobs?" + q + ("&cursor=" + cursor if cursor else ""))
        check(st == 200, "GET /v1/jobs?%s -> %d %s" % (q, st, b))
        out += [x["id"] for x in b["jobs"]]
        cursor = b["next_cursor"]
        if not cursor:
            return out


check(ids("name=retry%20me") == [a["id"], r["id"]], "name filter: %s" % ids("name=retry%20me"))
check(ids("name=retry%20me&state=failed") == [a["id"]], "name and state")
check(ids("name=retry%%20me&state=succeeded&fleet=%d" % f["id"]) == [r["id"]],
      "name, state and fleet")
check(ids("retry_of=%d" % a["id"]) == [r["id"]], "retry_of filter")
check(ids("name=filter%200&limit=1") == [others[0]["id"]], "name with a limit")
check(ids("name=nobody") == [], "a name nobody has")
all_ids = ids("limit=1")
check(all_ids == ids("limit=1000") and len(all_ids) == fd.sql("SELECT count(*) FROM jobs")[0][0],
      "pages of 1")
since = others[0]["created_at"]
check(ids("since=" + since) == [o["id"] for o in others], "since (RFC 3339): %s" %
      ids("since=" + since))
ms = fd.sql("SELECT created_at FROM jobs WHERE id = ?", others[0]["id"])[0][0]
check(ids("since=%d" % ms) == [o["id"] for o in others], "since (ms)")
check(ids("since=%d" % (ms + 1)) == [others[1]["id"]] or
      fd.sql("SELECT created_at FROM jobs WHERE id = ?", others[1]["id"])[0][0] == ms,
      "since is 'at or after'")
check(ids("since=%d&name=retry%%20me" % t0) == [a["id"], r["id"]], "since and name")
zulu = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
off = zulu.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
check(ids("since=" + off.isoformat(timespec="milliseconds").replace("+", "%2B")) ==
      [o["id"] for o in others], "since with a +02:00 offset")
for bad, param in (("name=", "name"), ("name=" + "x" * 101, "name"), ("since=yesterday", "since"),
                   ("since=-5", "since"), ("since=2026-13-01T00:00:00Z", "since"),
                   ("retry_of=0", "retry_of"), ("retry_of=x", "retry_of"),
                   ("state=FAILED", "state"), ("fleet=1.5", "fleet"),
                   ("since=99999999999999999999", "since"), ("retry_of=1%20", "retry_of")):
    st, b = fd.call("GET", "/v1/jobs?" + bad + "&state=failed")
    check(st == 400 and b["error"]["code"] == "bad_query" and
          b["error"]["message"].startswith(param + ": "), "%s: %d %s" % (bad, st, b))
for o in others:
    fd.call("POST", "/v1/jobs/%d/cancel" % o["id"])
    fd.wait_state(o["id"], ["cancelled"])

# --- a group: its parent is not retried, a failed child is, on its own ---------------
g = fd.submit({"name": "doomed group", "fleets": [c["id"] for c in cands[1:3]],
               "steps": [{"op": "move", "to": "$nowhere"}]})
g = fd.wait_state(g["id"], ["succeeded", "failed", "cancelled"])
check(g["state"] == "failed", "the group ended %s" % g["state"])
st, b = retry(g["id"])
check(st == 409 and b["error"]["code"] == "is_group" and
      ("parent=%d&state=failed" % g["id"]) in b["error"]["message"],
      "retry of a group's parent: %d %s" % (st, b))
child = ids("parent=%d&state=failed" % g["id"])[0]
st, c = retry(child)
check(st == 201 and c["retry_of"] == child and c.get("parent") is None,
      "retry of a group's child: %d %s" % (st, c))
fd.wait_state(c["id"], ["failed"])
print("ok")
