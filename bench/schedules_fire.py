"""schedules_fire.py -- the "schedules" group of make bench (issue 17,
point 7): 10,000 schedules firing in the same watch, and how long fleetd
takes to create their 10,000 jobs (bar: under 200 ms).

fleetsim with 14,000 fleets (about 10,500 of them the player's) and
watches of WATCH_MS; fleetd holds 10,000 schedules `every: {"watches":
1}`, each on its own fleet with a job of one `wait` of a second (so the
previous firing's job has ended when the next watch comes, and every
firing makes a job: none is skipped).  When the mirror reports a new
watch, every schedule is due: one batch, one transaction.  Figures per
watch, from fleetd's log: the batch in the loop (`msg="schedules fired"`:
every firing row written, every job inserted and started), and until the
batch's transaction was committed to disk (`msg="schedule firings
committed"`).  The number of jobs made in the watch is checked in the
database.

Also runnable alone: schedules_fire.py BUILD_DIR [RUNS]."""
import json
import os
import re
import sqlite3
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

N = int(os.environ.get("BENCH_SCHEDULES", "10000"))
FLEETS = 14000
WATCH_MS = 6000
BAR_MS = 200


def my_fleets(base, want):
    out, cursor = [], None
    while len(out) < want:
        q = base + "/v1/fleets?limit=1000" + ("&cursor=%s" % cursor if cursor else "")
        with urllib.request.urlopen(q, timeout=60) as r:
            b = json.loads(r.read())
        out += [f["id"] for f in b["fleets"] if f.get("mine")]
        cursor = b.get("next_cursor")
        if not cursor:
            break
    return out[:want]


def create(base, fleet):
    body = json.dumps({"name": "bench %d" % fleet, "every": {"watches": 1},
                       "job": {"fleet": fleet, "steps": [{"op": "wait", "seconds": 1}]}})
    req = urllib.request.Request(base + "/v1/schedules", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        if r.status != 201:
            raise RuntimeError("POST /v1/schedules: %d" % r.status)


def batches(logname, after):
    """(firings, loop us, commit us, loop CPU us) of each big batch logged
    after byte `after`."""
    with open(logname, "rb") as f:
        f.seek(after)
        text = f.read().decode(errors="replace")
    fired = re.findall(r'msg="schedules fired" firings=(\d+) us=(\d+) cpu_us=(\d+)', text)
    done = re.findall(r'msg="schedule firings committed" firings=(\d+) us=(\d+) ok=1', text)
    return [(int(a), int(b), int(d[1]), int(c)) for (a, b, c), d in zip(fired, done)]


def measure(sim, fd, runs, say):
    base = fd.base
    fleets = my_fleets(base, N)
    if len(fleets) < N:
        raise RuntimeError("only %d of the player's fleets" % len(fleets))
    say("schedules: creating %d schedules" % N)
    t0 = time.time()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda f: create(base, f), fleets))
    say("schedules: %d created in %.1f s" % (N, time.time() - t0))
    mark = os.path.getsize(fd.logname)
    got = []
    end = time.time() + (runs + 4) * WATCH_MS / 1000 + 60
    while time.time() < end:
        got = [b for b in batches(fd.logname, mark) if b[0] == N]
        if len(got) >= runs:
            break
        time.sleep(0.2)
    if len(got) < runs:
        raise RuntimeError("%d full batches of %d firings in the log (%r)" %
                           (len(got), N, batches(fd.logname, mark)))
    con = sqlite3.connect("file:%s?mode=ro" % fd.db, uri=True, timeout=30)
    per_watch = con.execute("SELECT due, count(*) FROM schedule_firings WHERE "
                            "outcome = 'fired' GROUP BY due ORDER BY due DESC LIMIT 2"
                            ).fetchall()
    con.close()
    return got[:runs], per_watch


def group(scratch, runs, fig, commands, notes, jobslib, Proc, say):
    say("schedules: %d schedules firing in one watch" % N)
    sim = jobslib.Sim("--watch-ms", str(WATCH_MS), "--seed", "11", "--fleets", str(FLEETS),
                      "--worlds", "2000")
    fd = jobslib.Fleetd(sim, os.path.join(scratch, "schedules.db"), "schedules",
                        extra=["--max-connections", "512"])
    Proc.of("schedules", fd.proc).wait_log(r'msg="game state loaded"', 120)
    got, per_watch = measure(sim, fd, runs, say)
    fd.stop()
    sim.stop()
    fig("schedules", "%s schedules due in one watch: firing rows and jobs created "
        "(inserted and started), fleetd's loop" % f"{N:,}", "ms",
        [b[1] / 1000 for b in got], "< %d ms" % BAR_MS, lambda v: v < BAR_MS)
    fig("schedules", "the same, until the batch's transaction is on disk", "ms",
        [b[2] / 1000 for b in got])
    fig("schedules", "the same batch, CPU time of fleetd's thread (what the loop's wall "
        "time is when fleetd has a core to itself)", "ms", [b[3] / 1000 for b in got])
    commands["schedules"] = [
        "fleetsim --watch-ms %d --fleets %d --worlds 2000; %s POST /v1/schedules "
        "(every watch, one fleet each, job: wait 1 s)" % (WATCH_MS, FLEETS, f"{N:,}"),
        "figures from fleetd's log at the next watches: msg=\"schedules fired\" and "
        "msg=\"schedule firings committed\""]
    notes["schedules"] = ["jobs fired per watch, newest watches: %s" % per_watch]


if __name__ == "__main__":
    sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                 "e2e")]
    import simlib  # noqa: E402
    import jobslib  # noqa: E402
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    simlib.FLEETSIM = os.path.join(build, "fleetsim")
    jobslib.FLEETD = os.path.join(build, "fleetd")
    simlib.START_TIMEOUT = 120
    sim = jobslib.Sim("--watch-ms", str(WATCH_MS), "--seed", "11", "--fleets", str(FLEETS),
                      "--worlds", "2000")
    fd = jobslib.Fleetd(sim, None, "schedules", extra=["--max-connections", "512"])
    fd.wait_ready(120)
    got, per_watch = measure(sim, fd, int(sys.argv[2]) if len(sys.argv) > 2 else 3,
                             lambda m: print(m, flush=True))
    for firings, loop_us, commit_us, cpu_us in got:
        print("%d firings: %.1f ms in the loop (%.1f ms CPU), %.1f ms to the commit" %
              (firings, loop_us / 1000, cpu_us / 1000, commit_us / 1000))
    print("fired per watch: %s" % per_watch)
    fd.stop()
    sim.stop()
