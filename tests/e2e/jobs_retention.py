"""jobs_retention.py -- --retain-days with a short retention (two seconds,
given as a fraction of a day): rounds of jobs that end (cancelled) are
deleted with their events once they have been ended that long, and the
database stops growing -- its row counts come back to the same few rows
after each round and its page count stays where it was after the first
rounds (the pages of deleted rows are reused, not added).  A live job
submitted before all of them keeps its row and every event whatever their
age, and so does the newest job (ids are never handed out twice).  An old
event about no job is deleted by its age.  Pruning resumes after kill -9
(nothing of it lives only in memory).  A pruned job is 404 and gone from
the list."""
import os
import signal
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, check  # noqa: E402

KEEP_S = 2.0
fd = Fleetd(None, extra=["--retain-days", repr(KEEP_S / 86400)])
live = fd.submit({"name": "keeper", "fleet": 7, "steps": [{"op": "wait", "seconds": 3600}]})
check(fd.call("POST", "/v1/jobs/%d/pause" % live["id"])[0] == 200, "pause the keeper")
live_events = len(fd.events(live["id"]))


def counts():
    return {
        "jobs": fd.sql("SELECT count(*) FROM jobs")[0][0],
        "events": fd.sql("SELECT count(*) FROM events")[0][0],
        "pages": fd.sql("PRAGMA page_count")[0][0],
        "free": fd.sql("PRAGMA freelist_count")[0][0],
    }


def round_of(n, base):
    ids = []
    for k in range(n):
        j = fd.submit({"name": "round", "fleet": base + k,
                       "steps": [{"op": "wait", "seconds": 3600}]})
        st, _ = fd.call("POST", "/v1/jobs/%d/cancel" % j["id"])
        check(st == 200, "cancel %d: %d" % (j["id"], st))
        ids.append(j["id"])
    return ids


def wait_pruned(ids, timeout=30):
    """Until every job of ids but the newest job is gone."""
    newest = fd.sql("SELECT max(id) FROM jobs")[0][0]
    end = time.time() + timeout
    while time.time() < end:
        left = fd.sql("SELECT count(*) FROM jobs WHERE name = 'round' AND id != ?", newest)[0][0]
        if left == 0:
            return newest
        time.sleep(0.2)
    check(False, "ended jobs were not pruned: %d left" % left)


seen = []
loose = None
for r in range(8):
    if r == 2:
        # an old event about no job, written beside fleetd (WAL: a second writer)
        con = sqlite3.connect(fd.db, timeout=10)
        with con:
            loose = con.execute("INSERT INTO events (ts, job_id, type, data) "
                                "VALUES (1, NULL, 'fleet.arrived', '{}')").lastrowid
        con.close()
    ids = round_of(150, 100000 + r * 1000)
    check(fd.sql("SELECT count(*) FROM jobs WHERE id = ?", ids[-2])[0][0] == 1,
          "a job just ended was pruned before it aged")
    newest = wait_pruned(ids)
    c = counts()
    seen.append(c)
    print("round %d: %s" % (r, c))
    # the keeper, the newest job: nothing else
    rows = fd.sql("SELECT id FROM jobs ORDER BY id")
    check([x[0] for x in rows] == [live["id"], newest], "rows left: %s" % rows[:5])
    st, b = fd.call("GET", "/v1/jobs/%d" % ids[0])
    check(st == 404, "a pruned job answers %d" % st)
    st, b = fd.call("GET", "/v1/jobs?name=round")
    check(st == 200 and [x["id"] for x in b["jobs"]] == [newest], "list: %s" % b["jobs"][:3])
    check(fd.sql("SELECT count(*) FROM events WHERE job_id = ?", ids[0])[0][0] == 0,
          "a pruned job's events stayed")
    check(len(fd.events(live["id"])) == live_events and fd.job(live["id"])["state"] == "paused",
          "the live job lost its history")
    if loose:
        end = time.time() + 10
        while fd.sql("SELECT count(*) FROM events WHERE id = ?", loose)[0][0] and \
                time.time() < end:
            time.sleep(0.2)
        check(fd.sql("SELECT count(*) FROM events WHERE id = ?", loose)[0][0] == 0,
              "the old event about no job stayed")

# the database stopped growing: the same rows after each round, the pages
# of the first rounds reused ever since
check(len(set((c["jobs"], c["events"]) for c in seen)) == 1, "rows after each round: %s" % seen)
check(max(c["pages"] for c in seen[3:]) <= seen[2]["pages"],
      "the file grew: pages %s" % [c["pages"] for c in seen])

# what it deleted shows in /metrics
st, _, body = fd.raw("GET", "/metrics")
m = {}
for line in body.decode().splitlines():
    if line.startswith("fleetd_retention_"):
        k, v = line.rsplit(" ", 1)
        m[k] = float(v)
check(st == 200 and m.get('fleetd_retention_deleted_total{rows="jobs"}', 0) >= 8 * 149 and
      m.get('fleetd_retention_deleted_total{rows="events"}', 0) >= 8 * 149 * 3 and
      m.get("fleetd_retention_batches_total", 0) >= 8, "retention metrics: %s" % m)

# kill -9 with ended jobs not yet aged: a new fleetd prunes them
ids = round_of(50, 900000)
fd.stop(signal.SIGKILL)
time.sleep(KEEP_S + 0.5)
fd.start()
newest = wait_pruned(ids)
check(fd.sql("SELECT count(*) FROM jobs")[0][0] == 2, "after the restart")
check(len(fd.events(live["id"])) == live_events, "the live job after the restart")
check(fd.stop() == 0, "fleetd's exit status (a sanitizer's finding makes it fail)")
print("ok")
