"""triggers_retention.py -- --retain-days prunes a trigger's firing history
(trigger_firings) with a short retention (two seconds, as a fraction of a
day), with real fleetd and a real SQLite file, no simulator: job.succeeded
triggers fire on jobs that end by themselves.

- Settled firings, fired and skipped, are deleted once their event is
  older than the retention; the trigger stays, with its last_fired_at,
  and GET /v1/triggers/{id} shows an empty history with zero counts.
- The jobs a trigger made are not firings: a live one stays, and
  GET /v1/jobs?trigger= still lists it.
- Pruning never makes an event fire again: after it the trigger has made
  exactly the jobs it had made, and a new event fires it as before.
- /metrics counts the deleted rows under
  fleetd_retention_deleted_total{rows="other"}."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, check, until  # noqa: E402

KEEP_S = 2.0
fd = Fleetd(None, name="triggers_retention", extra=["--retain-days", repr(KEEP_S / 86400)])

st, trig = fd.call("POST", "/v1/triggers", {
    "name": "after tick", "on": "job.succeeded", "where": {"name": "tick"},
    "job": {"fleet": 9, "steps": [{"op": "wait", "seconds": 3600}]}})
check(st == 201, "POST /v1/triggers -> %d %s" % (st, trig))
TID = trig["id"]


def trigger():
    st, b = fd.call("GET", "/v1/triggers/%d?history=100" % TID)
    check(st == 200, "GET trigger -> %d %s" % (st, b))
    return b


def made_jobs():
    st, b = fd.call("GET", "/v1/jobs?trigger=%d" % TID)
    check(st == 200, "jobs?trigger -> %d %s" % (st, b))
    return sorted(j["id"] for j in b["jobs"])


def tick(k):
    """A job named tick that succeeds by itself; its firing settled."""
    before = trigger()["firing_counts"]["total"]
    j = fd.submit({"name": "tick", "fleet": 100 + k, "steps": [{"op": "wait", "seconds": 1}]})
    fd.wait_state(j["id"], ("succeeded",))

    def settled():
        t = trigger()
        return t["firing_counts"]["total"] == before + 1 and \
            all(f["state"] != "pending" for f in t["firings"]) and t
    return until("the firing of tick %d settled" % k, settled, timeout=30)


def other_deleted():
    st, _, raw = fd.raw("GET", "/metrics")
    check(st == 200, "/metrics -> %d" % st)
    for line in raw.decode().splitlines():
        if line.startswith('fleetd_retention_deleted_total{rows="other"}'):
            return float(line.rsplit(" ", 1)[1])
    check(False, "no fleetd_retention_deleted_total{rows=\"other\"}")


# one fired firing (its job holds fleet 9 and stays live), one skipped
t = tick(1)
t = tick(2)
check(t["firing_counts"] == {"total": 2, "fired": 1, "skipped": 1}, "counts %s" % t)
jobs = made_jobs()
check(len(jobs) == 1, "the trigger's jobs: %s" % jobs)
fired_at = t["last_fired_at"]
check(fired_at, "last_fired_at %s" % t)
deleted0 = other_deleted()
print("ok - a fired and a skipped firing recorded")

# both age out: the rows go, the trigger and its live job stay
until("trigger_firings pruned",
      lambda: fd.sql("SELECT count(*) FROM trigger_firings WHERE trigger_id = ?",
                     TID)[0][0] == 0, timeout=KEEP_S + 30)
t = trigger()
check(t["firings"] == [] and t["firing_counts"] == {"total": 0, "fired": 0, "skipped": 0},
      "history after pruning %s" % t)
check(t["last_fired_at"] == fired_at, "last_fired_at %s -> %s" % (fired_at, t["last_fired_at"]))
check(made_jobs() == jobs, "the trigger's jobs after pruning: %s" % made_jobs())
check(fd.job(jobs[0])["state"] in ("running", "waiting", "queued"),
      "the live job %s" % fd.job(jobs[0]))
check(other_deleted() >= deleted0 + 2, "retention other %s -> %s" % (deleted0, other_deleted()))
print("ok - settled firings pruned; the trigger and its live job stay")

# nothing fires again from the pruned history; a new event still fires
time.sleep(2 * KEEP_S)
check(made_jobs() == jobs and trigger()["firings"] == [], "a pruned event fired again")
fd.call("POST", "/v1/jobs/%d/cancel" % jobs[0])
t = tick(3)
check([f["state"] for f in t["firings"]] == ["fired"] and t["firings"][0]["job_id"] not in jobs,
      "a firing after pruning: %s (jobs before %s)" % (t["firings"], jobs))
check(t["firings"][0]["job_id"] in made_jobs(), "its job: %s" % made_jobs())
print("ok - pruning fires nothing again; a new event fires as before")
fd.stop()
