#!/usr/bin/env python3
"""jobs_engine.py -- figures of the job engine (a benchmark, not a test).

  1. durable POST /v1/jobs per second (wrk, group commit), while filling
     the database with N waiting jobs;
  2. resident memory per waiting job: VmRSS of a fleetd that loaded N
     waiting jobs after kill -9, minus that of one with an empty database,
     divided by N;
  3. restart to all resumed: from exec to the moment /healthz reports N
     live jobs (every timer armed, every condition indexed), and the
     "jobs loaded" log line.

Two kinds of waiting job: `wait` for a week (a timer in the loop's heap)
and `move` with no game state yet (a condition: "mirror ready").  fleetd
runs without --upstream so nothing but the engine is measured.

usage: bench/jobs_engine.py BUILD_DIR [N]   (N defaults to 100000)"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
FLEETD = os.path.join(BUILD, "fleetd")
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "post_jobs.lua")
SCRATCH = tempfile.mkdtemp(prefix="fleetd-bench.")
KINDS = {
    "timer": '{"op":"wait","seconds":604800}',
    "condition": '{"op":"move","to":1}',
}


def start(db):
    log = os.path.join(SCRATCH, "fleetd.log")
    t0 = time.time()
    p = subprocess.Popen([FLEETD, "--listen", "127.0.0.1:0", "--db", db,
                          "--max-connections", "256"],
                         stdout=open(log, "w"), stderr=subprocess.STDOUT)
    port = None
    while port is None:
        with open(log) as f:
            m = re.search(r'msg="listening".* port=(\d+)', f.read())
        if m:
            port = int(m.group(1))
        elif p.poll() is not None:
            sys.exit("fleetd failed: " + open(log).read())
        else:
            time.sleep(0.002)
    return p, "http://127.0.0.1:%d" % port, t0, log


def health(url):
    with urllib.request.urlopen(url + "/healthz") as r:
        return json.loads(r.read())


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def fill(url, kind, n):
    """wrk until n jobs are stored; returns (created, seconds)."""
    created, secs = 0, 0.0
    first = 1
    while created < n:
        d = max(2, min(30, int((n - created) / 4000) + 1))
        out = subprocess.run(["wrk", "-t2", "-c64", "-d%ds" % d, "-s", LUA, url + "/v1/jobs",
                              "--", str(first), str(10 ** 9), "0", "2", KINDS[kind]],
                             capture_output=True, text=True).stdout
        m = re.search(r"created=(\d+)", out)
        c = int(m.group(1)) if m else 0
        first += c + 1000
        created += c
        secs += d
    return created, secs


def run(kind):
    db = os.path.join(SCRATCH, kind + ".db")
    p, url, _, _ = start(db)
    created, secs = fill(url, kind, N)
    post_rate = created / secs
    p.send_signal(signal.SIGKILL)
    p.wait()
    # what is committed counts (wrk may stop before a committed job's 201)
    con = sqlite3.connect(db)
    stored = con.execute("SELECT count(*) FROM jobs WHERE state = 'waiting'").fetchone()[0]
    con.close()
    live = None
    # an empty database for the baseline
    empty = os.path.join(SCRATCH, kind + "-empty.db")
    pe, urle, _, _ = start(empty)
    health(urle)
    base = rss_kb(pe.pid)
    pe.kill()
    pe.wait()
    # restart on the full one, three times (kill -9 each time)
    runs = []
    for _ in range(3):
        p, url, t0, log = start(db)
        while True:
            h = health(url)
            live = h["jobs"]["live"]
            if live >= stored:
                break
            time.sleep(0.001)
        resumed = time.time() - t0
        with open(log) as f:
            text = f.read()
        loaded = int(re.search(r'msg="jobs loaded" live=(\d+)', text).group(1))
        time.sleep(0.5)
        rss = rss_kb(p.pid)
        p.send_signal(signal.SIGKILL)
        p.wait()
        runs.append(resumed)
    runs.sort()
    resumed = runs[1]
    return {"kind": kind, "jobs": stored, "post_per_s": post_rate,
            "restart_to_all_resumed_s": resumed, "restarts_s": runs, "loaded_log": loaded,
            "rss_kb": rss, "rss_empty_kb": base,
            "bytes_per_waiting_job": (rss - base) * 1024 / stored}


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")
    res = [run(k) for k in KINDS]
    for r in res:
        print("%-9s jobs=%d  durable POST/s=%.0f  restart->all resumed=%.3fs  "
              "RSS=%d KiB (empty %d KiB)  bytes/waiting job=%.0f" % (
                  r["kind"], r["jobs"], r["post_per_s"], r["restart_to_all_resumed_s"],
                  r["rss_kb"], r["rss_empty_kb"], r["bytes_per_waiting_job"]))
    print(json.dumps(res))
    print("(restart: the median of three kill -9 + start; all three: %s)" %
          "; ".join("%s %s" % (r["kind"], ", ".join("%.3f" % t for t in r["restarts_s"]))
                    for r in res))
    shutil.rmtree(SCRATCH, ignore_errors=True)


main()
