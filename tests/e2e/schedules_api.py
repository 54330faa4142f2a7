"""schedules_api.py -- schedules end to end against fleetsim with fast
watches: a schedule every watch creates one job per watch, each naming
its schedule (GET /v1/jobs?schedule=); overlap "skip" records a skipped
firing while the previous job is live, and so does a fleet held by
another job; pause records the firings due meanwhile as skipped at the
resume; delete stops it; the firings table holds one row per number,
none twice and no gap; --retain-days prunes old firing rows but never a
schedule's newest."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, fail  # noqa: E402

sim = Sim("--watch-ms", "300", "--seed", "17", "--fleets", "12", "--worlds", "60")
fd = Fleetd(sim)
fd.wait_ready()
mine = [f for f in fd.fleets().values() if f["mine"] and f["anchor"]]
check(len(mine) >= 3, "want 3 of my fleets anchored, have %d" % len(mine))
f1, f2, f3 = mine[0], mine[1], mine[2]


def create(body, expect=201):
    st, b = fd.call("POST", "/v1/schedules", body)
    check(st == expect, "POST /v1/schedules %s -> %d %s" % (body, st, b))
    return b


def sched(sid):
    st, b = fd.call("GET", "/v1/schedules/%d" % sid)
    check(st == 200, "GET schedule %d -> %d %s" % (sid, st, b))
    return b


def jobs_of(sid):
    st, b = fd.call("GET", "/v1/jobs?schedule=%d&limit=1000" % sid)
    check(st == 200, "GET /v1/jobs?schedule=%d -> %d" % (sid, st))
    return b["jobs"]


def wait_for(what, pred, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    fail("timed out waiting for " + what)


def firings(sid):
    return fd.sql("SELECT firing, through, outcome, job FROM schedule_firings "
                  "WHERE schedule = ? ORDER BY firing", sid)


def contiguous(rows):
    n = rows[0][0] if rows else 0
    for firing, through, _, _ in rows:
        check(firing == n, "firing %d recorded after %d: a gap or a repeat (%r)" %
              (firing, n - 1, rows))
        n = through + 1
    return n


# -- every watch: a move to where the fleet is ends at once, so no overlap
s1 = create({"name": "upkeep", "every": {"watches": 1},
             "job": {"name": "tick", "fleet": f1["id"],
                     "steps": [{"op": "move", "to": f1["anchor"]}]}})
check(s1["every"] == {"watches": 1} and s1["overlap"] == "skip" and
      s1["catch_up"] == "one" and s1["paused"] is False,
      "defaults: %r" % s1)
wait_for("5 jobs of schedule %d" % s1["id"], lambda: len(jobs_of(s1["id"])) >= 5)
js = jobs_of(s1["id"])
check(all(j["schedule"] == s1["id"] and j["name"] == "tick" for j in js),
      "jobs name their schedule: %r" % [(j["id"], j.get("schedule")) for j in js])
a = sched(s1["id"])
check(a["last_firing"] and a["last_firing"]["outcome"] in ("fired", "skipped"),
      "last_firing: %r" % a.get("last_firing"))
check(a["next_firing"]["number"] == a["last_firing"]["through"] + 1 and
      a["next_firing"]["due_watch"] is not None, "next_firing: %r" % a["next_firing"])
check(len(a["history"]) >= 5, "history: %r" % a["history"])
watches = fd.sql("SELECT due FROM schedule_firings WHERE schedule = ? AND outcome = 'fired'",
                 s1["id"])
check(len(watches) == len(set(watches)), "two firings in one watch: %r" % watches)

# -- pause: nothing fires; resume: the watches passed are recorded skipped
st, p = fd.call("POST", "/v1/schedules/%d/pause" % s1["id"])
check(st == 200 and p["paused"] is True and p["next_firing"] is None, "pause: %d %r" % (st, p))
n_paused = len(jobs_of(s1["id"]))
time.sleep(1.5)  # five watches
check(len(jobs_of(s1["id"])) == n_paused, "a paused schedule fired")
st, p = fd.call("POST", "/v1/schedules/%d/resume" % s1["id"])
check(st == 200 and p["paused"] is False, "resume: %d %r" % (st, p))
wait_for("a job after the resume", lambda: len(jobs_of(s1["id"])) > n_paused)
rows = firings(s1["id"])
check(any(r[2] == "skipped" and r[1] > r[0] for r in rows),
      "the paused watches are one skipped run: %r" % rows)

# -- overlap skip: the job waits 2 s, the schedule fires every watch
s2 = create({"name": "slow", "every": {"watches": 1}, "overlap": "skip",
             "job": {"fleet": f2["id"], "steps": [{"op": "wait", "seconds": 2}]}})
wait_for("a skipped firing of %d" % s2["id"],
         lambda: any(r[2] == "skipped" for r in firings(s2["id"])))
reasons = fd.sql("SELECT reason FROM schedule_firings WHERE schedule = ? AND "
                 "outcome = 'skipped'", s2["id"])
check(any("still live" in r[0] for r in reasons), "skip reasons: %r" % reasons)
live = [j for j in jobs_of(s2["id"]) if j["state"] in ("queued", "running", "waiting")]
check(len(live) <= 1, "overlap skip let %d jobs live at once" % len(live))

# -- a fleet held by another job: skipped, not an error loop
hold = fd.submit({"fleet": f3["id"], "steps": [{"op": "wait", "seconds": 60}]})
s3 = create({"name": "held", "every": {"watches": 1}, "overlap": "allow",
             "job": {"fleet": f3["id"], "steps": [{"op": "wait", "seconds": 1}]}})
wait_for("a held firing of %d" % s3["id"],
         lambda: len(firings(s3["id"])) >= 3)
# (a watch fleetd did not see, under load, is recorded missed: not a job)
reasons = fd.sql("SELECT outcome, reason FROM schedule_firings WHERE schedule = ? "
                 "AND outcome != 'missed'", s3["id"])
check(reasons and all(o == "skipped" and ("held by job %d" % hold["id"]) in r
                      for o, r in reasons), "held fleet firings: %r" % reasons)
check(jobs_of(s3["id"]) == [], "a job was made for a held fleet")

# -- delete
st, b = fd.call("DELETE", "/v1/schedules/%d" % s2["id"])
check(st == 204, "DELETE -> %d %r" % (st, b))
st, b = fd.call("GET", "/v1/schedules/%d" % s2["id"])
check(st == 404 and b["error"]["code"] == "not_found", "GET deleted -> %d %r" % (st, b))
n2 = len(jobs_of(s2["id"]))
time.sleep(1.0)
check(len(jobs_of(s2["id"])) == n2, "a deleted schedule fired")
st, b = fd.call("DELETE", "/v1/schedules/%d" % s2["id"])
check(st == 404, "DELETE twice -> %d" % st)

# -- list
st, b = fd.call("GET", "/v1/schedules?limit=1")
check(st == 200 and len(b["schedules"]) == 1 and b["next_cursor"], "page 1: %r" % b)
st, b2 = fd.call("GET", "/v1/schedules?limit=10&cursor=" + b["next_cursor"])
ids = [s["id"] for s in b["schedules"] + b2["schedules"]]
check(ids == [s1["id"], s3["id"]] and b2["next_cursor"] is None, "list: %r" % ids)

for sid in (s1["id"], s3["id"]):
    check(firings(sid)[0][0] == 0, "schedule %d: firing 0 not recorded" % sid)
    contiguous(firings(sid))
n_upkeep = len(firings(s1["id"]))

# -- retention (--retain-days of 2.6 s): old firing rows go, in order,
# never a schedule's newest; numbering goes on from where it was
fd.stop()
fd.extra += ["--retain-days", "0.00003"]
fd.start()
fd.wait_ready()
wait_for("old firings pruned",
         lambda: fd.sql("SELECT min(firing) FROM schedule_firings WHERE schedule = ?",
                        s1["id"])[0][0] > 5, 30)
for sid in (s1["id"], s3["id"]):
    rows = firings(sid)
    check(rows, "schedule %d lost every firing row" % sid)
    contiguous(rows)
    a = sched(sid)
    check(a["next_firing"]["number"] > rows[-1][1], "next after pruning: %r" % a["next_firing"])
old = fd.sql("SELECT count(*) FROM schedule_firings WHERE at < ?",
             int(time.time() * 1000) - 10000)[0][0]
check(old == 0, "%d firing rows older than 10 s survived a 2.6 s retention" % old)
fd.stop()
sim.stop()
print("ok - schedules: %d firings of 'upkeep', old ones pruned" % n_upkeep)
