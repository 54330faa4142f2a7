"""conds_profile.py -- the dense watch of bench.py's conds group (500 worlds
and 500 fleets change, named by 12,900 of 100,000 waiting conditions), and
its control (as many objects no condition names), once each, with fleetd
under callgrind: instruction counts do not move with the load of the
machine, so a change to the mirror's merge or to the conditions can be
measured on a shared machine.  Run by hand, not by `make bench`.

usage: python3 bench/conds_profile.py BUILDDIR OUT [callgrind|native|perf]
env:   BENCH_CONDS_JOBS (default 100000): the jobs waiting, as in bench.py;
       ROUNDS (native mode, default 1): pairs of watches, for a median.

The jobs are submitted once (bench.py's plan: wrk + post_jobs.lua) and the
database is kept as OUT/conds-JOBS.db for the next runs.  fleetd then starts
on a copy under `valgrind --tool=callgrind --instr-atstart=no`; after its
first watch, for each of the two kinds of change: right after a watch
boundary, instrumentation on, the objects' stock set (/sim/stock), the next
watch read, fleetd quiet, instrumentation off and the profile dumped
(OUT/callgrind.out.1: the unnamed watch, .2: the named one; read them with
`callgrind_annotate --inclusive=yes`).  In native mode each window's CPU
time is printed instead (schedstat, as bench.py measures it); in perf mode,
both, with `perf record -p` over each window (OUT/perf.data.1.* and .2.*,
one per round: the cache misses and kernel time callgrind does not see)."""
import http.client as httpclient
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "e2e")]
import bench  # noqa: E402 (the conds group's galaxy and plan)
import benchlib  # noqa: E402
from benchlib import Proc, http, say, settle_cpu  # noqa: E402

WATCH_MS = 6000  # bench.py's 2 s is too short for fleetd under callgrind


def evaluations(url):
    st, raw = http("GET", url + "/metrics")
    m = re.search(rb"^fleetd_job_condition_evaluations_total (\S+)$", raw, re.M)
    return int(float(m.group(1))) if m else -1


def fill(build, sim, plan, db, kept):
    """The waiting jobs, submitted once and kept for the next runs."""
    if os.path.exists(kept):
        shutil.copy(kept, db)
        return
    fd = bench.Fleetd(sim, db, "fleetd-fill")
    bench.wait_loaded(fd)
    bench.post_range(fd, plan.fleets[0], len(plan.fleets), len(plan.fleets), db,
                     steps=plan.steps, rate=5000.0)
    fd.daemon.stop()
    shutil.copy(db, kept)


def control(pid, *args):
    subprocess.run(["callgrind_control"] + list(args) + [str(pid)], check=True,
                   capture_output=True)


def window(sim, fd, url, objs, qty, mode, out, n):
    """One watch in which objs change: (CPU ns, evaluations, getObjects)."""
    callgrind = mode == "callgrind"
    n0 = sim.stats()["calls"]["getObjects"]
    while sim.stats()["calls"]["getObjects"] == n0:
        time.sleep(0.05)
    cpu_a = settle_cpu(fd, 0.5, 300)
    e0 = evaluations(url)
    g0 = sim.stats()["calls"]["getObjects"]
    if callgrind:
        control(fd.pid, "-z")
        control(fd.pid, "-i", "on")
    perf = None
    if mode == "perf":
        perf = subprocess.Popen(["perf", "record", "-q", "-F", "25000", "-p", str(fd.pid), "-o",
                                 os.path.join(out, "perf.data.%d.%d" % (n, time.time_ns()))])
        time.sleep(0.5)
    conn = httpclient.HTTPConnection("127.0.0.1", sim.port, timeout=30)
    bench.sim_stock(conn, objs, qty)
    conn.close()
    if sim.stats()["calls"]["getObjects"] != g0:
        if callgrind:
            control(fd.pid, "-i", "off")
        say("the watch ended while the changes were set; again")
        return window(sim, fd, url, objs, qty + 1000, mode, out, n)
    while sim.stats()["calls"]["getObjects"] == g0:
        time.sleep(0.1)
    cpu_b = settle_cpu(fd, 0.5, 300)
    if callgrind:
        control(fd.pid, "-i", "off")
        control(fd.pid, "-d")
    if perf:
        perf.send_signal(2)
        perf.wait()
    return cpu_b - cpu_a, evaluations(url) - e0, sim.stats()["calls"]["getObjects"] - g0


def main():
    build, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "callgrind"
    os.makedirs(out, exist_ok=True)
    bench.WATCH_MS = WATCH_MS if mode != "native" else bench.WATCH_MS
    args = type("Args", (), {"builddir": build})()
    bench.use_build(args)
    gal = bench.Galaxy(args)
    plan = bench.CondPlan(gal, bench.COND_JOBS)
    db = os.path.join(benchlib.SCRATCH, "conds.db")
    fill(build, gal.sim, plan, db, os.path.join(out, "conds-%d.db" % len(plan.fleets)))

    pw = os.path.join(benchlib.SCRATCH, "password")
    with open(pw, "w") as f:
        f.write("demo\n")
    os.chmod(pw, 0o600)
    pre = []
    if mode == "callgrind":
        pre = ["valgrind", "--tool=callgrind", "--instr-atstart=no"] + \
            (["--cache-sim=yes"] if os.environ.get("CACHE_SIM") else []) + [
               "--callgrind-out-file=" + os.path.join(out, "callgrind.out")]
    fd = Proc("fleetd-profile", pre + [
        os.path.join(build, "fleetd"), "--listen", "127.0.0.1:0", "--db", db,
        "--upstream", "http://127.0.0.1:%d/api/" % gal.sim.port, "--username", "demo",
        "--password-file", pw, "--rate", "1000", "--max-connections", "512"])
    url = "http://127.0.0.1:%d" % fd.port(600)
    fd.wait_log(r'msg="game state loaded"', 900)
    res = {"mode": mode, "jobs": len(plan.fleets)}
    qty = 5000
    rounds = int(os.environ.get("ROUNDS", "1")) if mode != "callgrind" else 1
    for r in range(rounds):
        for n, (key, objs) in enumerate((("unnamed", plan.unnamed), ("named", plan.named))):
            qty += 1
            cpu, ev, calls = window(gal.sim, fd, url, objs, qty, mode, out, n + 1)
            res.setdefault(key, {"cpu_ms": [], "evaluations": ev, "getObjects": calls})
            res[key]["cpu_ms"].append(round(cpu / 1e6, 3))
    for key in ("unnamed", "named"):
        res[key]["median_ms"] = benchlib.median(res[key]["cpu_ms"])
    with open("/proc/loadavg") as f:
        res["loadavg"] = " ".join(f.read().split()[:3])
    print(json.dumps(res))
    fd.stop()


if __name__ == "__main__":
    main()
