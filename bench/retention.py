"""retention.py -- what --retain-days costs while it works (run by hand:
`python3 bench/retention.py --builddir build [--jobs 100000]`).

A database is filled beside fleetd (sqlite3, fleetd stopped) with N ended
jobs that finished 40 days ago, five events each, plus one live job; then
fleetd starts with the default --retain-days 30 and deletes them from its
idle hook.  Measured: how long until only the live job and the newest job
are left (jobs and events per second), the batches, fleetd's longest loop
turn over that time (fleetd_loop_turn_max_seconds: a batch must stay a
short turn), GET /healthz round trips (p50, p99, max) while it deletes
and after, and the database's page and free-page counts before and after
(the free pages are what new rows reuse).  Measures, never asserts.
Prints one JSON object last."""
import argparse
import json
import os
import sqlite3
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "e2e")]
import jobslib  # noqa: E402
from benchlib import percentile, say  # noqa: E402
from simlib import SCRATCH  # noqa: E402

DAY_MS = 86400000


def metric(fd, name):
    with urllib.request.urlopen(fd.base + "/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return None


def healthz_ms(fd):
    t = time.perf_counter()
    with urllib.request.urlopen(fd.base + "/healthz", timeout=30) as r:
        r.read()
    return (time.perf_counter() - t) * 1000


def fill(db, n):
    now = int(time.time() * 1000)
    old = now - 40 * DAY_MS
    con = sqlite3.connect(db)
    spec = '{"fleet":%d,"steps":[{"op":"wait","seconds":1}]}'
    with con:
        con.executemany(
            "INSERT INTO jobs (id, name, fleet, spec, state, created_at, updated_at, "
            "started_at, finished_at, step) VALUES (?, 'old', ?, ?, 'succeeded', ?, ?, ?, ?, 1)",
            ((i, 1000 + i, spec % (1000 + i), old - 5000, old, old - 5000, old)
             for i in range(1, n + 1)))
        con.executemany(
            "INSERT INTO events (ts, job_id, type, data) VALUES (?, ?, ?, '{}')",
            ((old, i, t) for i in range(1, n + 1)
             for t in ("job.created", "job.step_started", "job.state", "job.step_done",
                       "job.state")))
    con.close()


def pages(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    out = (con.execute("PRAGMA page_count").fetchone()[0],
           con.execute("PRAGMA freelist_count").fetchone()[0],
           con.execute("SELECT count(*) FROM jobs").fetchone()[0],
           con.execute("SELECT count(*) FROM events").fetchone()[0])
    con.close()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--jobs", type=int, default=100000)
    a = ap.parse_args()
    jobslib.FLEETD = os.path.join(os.path.abspath(a.builddir), "fleetd")
    db = os.path.join(SCRATCH, "retention.db")
    fd = jobslib.Fleetd(None, db=db, extra=["--retain-days", "0"])  # migrate only
    fd.stop()
    say("filling %d ended jobs, %d events" % (a.jobs, 5 * a.jobs))
    fill(db, a.jobs)
    before = pages(db)
    load = os.getloadavg()
    fd.extra = []  # the default: 30 days
    fd.start()
    t0 = time.time()
    live = fd.submit({"name": "live", "fleet": 7, "steps": [{"op": "wait", "seconds": 86400}]})
    during = []
    while True:
        during.append(healthz_ms(fd))
        left = fd.sql("SELECT count(*) FROM jobs")[0][0]
        if left <= 2:
            break
        time.sleep(0.01)
    took = time.time() - t0
    turn_max_ms = (metric(fd, "fleetd_loop_turn_max_seconds") or 0) * 1000
    batches = metric(fd, "fleetd_retention_batches_total")
    after_hz = [healthz_ms(fd) for _ in range(300)]
    check_live = fd.job(live["id"])["state"]
    fd.stop()
    after = pages(db)
    res = {
        "jobs": a.jobs, "events": 5 * a.jobs, "seconds": round(took, 2),
        "rows_per_s": round(6 * a.jobs / took), "batches": batches,
        "loop_turn_max_ms": round(turn_max_ms, 2),
        "healthz_during_ms": {"n": len(during), "p50": round(percentile(during, 50), 2),
                              "p99": round(percentile(during, 99), 2),
                              "max": round(max(during), 2)},
        "healthz_after_ms": {"p50": round(percentile(after_hz, 50), 2),
                             "p99": round(percentile(after_hz, 99), 2),
                             "max": round(max(after_hz), 2)},
        "pages_before": before[0], "pages_after": after[0], "free_pages_after": after[1],
        "rows_after": {"jobs": after[2], "events": after[3]}, "live_job": check_live,
        "load_before": [round(x, 2) for x in load], "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(res))


main()
