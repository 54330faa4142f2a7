"""schedules_refused.py -- a firing that is already recorded is refused
(schedules.c: engine_submit()'s on_id hook, fired_row(), fails on the
firing's key) against a real fleetd and fleetsim.

While a schedule fires every second, another writer of the database (this
test, through SQLite, as an operator's script or a restored copy could)
records its next three firing numbers first.  Then:

  - each of those numbers keeps the row it had: nothing of a job is
    stored for it -- no job names the schedule but the jobs of its
    `fired` rows, and no `job.created` event is left without its job;
  - the schedule goes on past them: a later number fires a job, and its
    numbers stay one row each, with no gap;
  - the refusal is logged once per refused number, not once a second."""
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, until  # noqa: E402

TAKEN = 3  # the numbers recorded by the other writer
REASON = "recorded by another writer"

sim = Sim("--watch-ms", "400", "--seed", "23", "--fleets", "8", "--worlds", "40")
fd = Fleetd(sim)
fd.wait_ready()
mine = [f for f in fd.fleets().values() if f["mine"] and f["anchor"]]
check(mine, "no anchored fleet of mine")
fleet = mine[0]


def firings(sid):
    return fd.sql("SELECT firing, through, outcome, job, reason FROM schedule_firings "
                  "WHERE schedule = ? ORDER BY firing", sid)


st, s = fd.call("POST", "/v1/schedules", {
    "name": "refused", "every": {"seconds": 1}, "overlap": "allow",
    "job": {"fleet": fleet["id"], "steps": [{"op": "move", "to": fleet["anchor"]}]}})
check(st == 201, "POST /v1/schedules -> %d %s" % (st, s))
sid = s["id"]
until("two fired firings", lambda: sum(r[2] == "fired" for r in firings(sid)) >= 2)

# the next numbers, taken in one transaction: fleetd cannot write between
# the read of the last number and the rows
con = sqlite3.connect(fd.db, timeout=10, isolation_level=None)
con.execute("BEGIN IMMEDIATE")
last, due = con.execute("SELECT through, due FROM schedule_firings WHERE schedule = ? "
                        "ORDER BY firing DESC LIMIT 1", (sid,)).fetchone()
taken = list(range(last + 1, last + 1 + TAKEN))
now_ms = int(time.time() * 1000)
for i, n in enumerate(taken):
    con.execute("INSERT INTO schedule_firings (schedule, firing, through, due, at, outcome, "
                "reason) VALUES (?, ?, ?, ?, ?, 'skipped', ?)",
                (sid, n, n, due + 1000 * (i + 1), now_ms, REASON))
con.execute("COMMIT")
con.close()

until("a firing past the taken numbers",
      lambda: [r for r in firings(sid) if r[0] > taken[-1] and r[2] == "fired"], timeout=20)
rows = firings(sid)
for n in taken:
    mine_rows = [r for r in rows if r[0] == n]
    check(mine_rows == [(n, n, "skipped", None, REASON)],
          "number %d was not left as recorded: %r" % (n, mine_rows))
expect = rows[0][0]
for firing, through, _, _, _ in rows:
    check(firing == expect, "firing %d after %d: a gap or a repeat (%r)" %
          (firing, expect - 1, rows))
    expect = through + 1

fired_jobs = sorted(r[3] for r in rows if r[2] == "fired")
st, b = fd.call("GET", "/v1/jobs?schedule=%d&limit=1000" % sid)
check(st == 200, "GET /v1/jobs?schedule= -> %d" % st)
check(sorted(j["id"] for j in b["jobs"]) == fired_jobs,
      "jobs of the schedule %r, jobs of its fired rows %r" %
      (sorted(j["id"] for j in b["jobs"]), fired_jobs))
orphans = fd.sql("SELECT job_id FROM events WHERE type = 'job.created' AND "
                 "job_id NOT IN (SELECT id FROM jobs)")
check(orphans == [], "job.created events without their job: %r" % orphans)

time.sleep(2)  # two more seconds of firing: no refusal loop
fd.stop()
log = open(fd.logname, errors="replace").read()
refusals = log.count("already recorded")
check(1 <= refusals <= TAKEN, "refusals logged %d times (numbers taken: %d)" %
      (refusals, TAKEN))
print("ok")
