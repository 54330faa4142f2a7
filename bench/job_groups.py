"""job_groups.py -- the "groups" group of make bench (issue 16): what a
child of a group job costs beside a single job, and how long one cancel
of a 1,000-child group takes.

Each run starts two fresh fleetd processes on fresh databases against
one fleetsim galaxy with more than 1,000 of the player's fleets:

  - singles: 1,000 POST /v1/jobs of a one-week `wait`, one per fleet, in
    turn on one keep-alive connection (as a script would send them);
  - group:   one POST /v1/jobs with `"fleets": [1,000 ids]` and the same
    step, then one POST /v1/jobs/{id}/cancel of its parent.

Measured on fleetd's process: CPU (utime + stime) and resident memory
(VmRSS) added by the 1,000 jobs, per job; the wall time of the group's
POST and of its cancel (each answered after its commit).  The bar: a
child costs no more than a single job (the ratios <= 1)."""
import http.client
import json
import os
import time

from benchlib import settle_cpu

N = 1000
WEEK = 7 * 86400
SIM_FLEETS = 1400  # 3/4 the player's: 1,050


def post(conn, path, body):
    data = json.dumps(body).encode() if body is not None else None
    conn.request("POST", path, data, {"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, json.loads(r.read() or b"null")


def start(jobslib, Proc, sim, scratch, name):
    db = os.path.join(scratch, name + ".db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    fd = jobslib.Fleetd(sim, db, name, extra=["--max-body", "1048576"])
    fd.daemon = Proc.of(name, fd.proc)
    fd.wait_ready(120)
    return fd


def live_jobs(fd):
    return fd.sql("SELECT count(*) FROM jobs WHERE state = 'waiting'")[0][0]


def singles(fd, fleets):
    """(cpu ns, rss kB) added by N single jobs."""
    conn = http.client.HTTPConnection("127.0.0.1", fd.port, timeout=60)
    cpu0, rss0 = settle_cpu(fd.daemon), fd.daemon.rss_kb()
    for f in fleets:
        st, b = post(conn, "/v1/jobs", {"fleet": f, "steps": [{"op": "wait", "seconds": WEEK}]})
        assert st == 201, "single job: %d %s" % (st, b)
    cpu1, rss1 = settle_cpu(fd.daemon), fd.daemon.rss_kb()
    conn.close()
    assert live_jobs(fd) == N
    return cpu1 - cpu0, rss1 - rss0


def group(fd, fleets):
    """(cpu ns, rss kB, submit s, cancel s) of one N-child group."""
    conn = http.client.HTTPConnection("127.0.0.1", fd.port, timeout=60)
    cpu0, rss0 = settle_cpu(fd.daemon), fd.daemon.rss_kb()
    t0 = time.perf_counter()
    st, p = post(conn, "/v1/jobs", {"fleets": fleets,
                                    "steps": [{"op": "wait", "seconds": WEEK}]})
    submit = time.perf_counter() - t0
    assert st == 201 and len(p["children"]) == N, "group: %d %s" % (st, str(p)[:200])
    cpu1, rss1 = settle_cpu(fd.daemon), fd.daemon.rss_kb()
    assert live_jobs(fd) == N + 1
    t0 = time.perf_counter()
    st, j = post(conn, "/v1/jobs/%d/cancel" % p["id"], None)
    cancel = time.perf_counter() - t0
    assert st == 200 and j["children_states"] == {"cancelled": N}, "cancel: %d" % st
    conn.close()
    return cpu1 - cpu0, rss1 - rss0, submit, cancel


def group_fig(scratch, runs, fig, commands, notes, jobslib, simlib, Proc, say):
    say("groups: a 1,000-child group beside 1,000 single jobs")
    sim = simlib.Sim("--worlds", "300", "--fleets", str(SIM_FLEETS), "--watch-ms", "2000",
                     name="sim-groups")
    sim.login()
    st, raw = sim.raw("POST", "/api/getObjects", sim.common(sequence=0), timeout=60)
    objs = json.loads(raw)
    fleets = sorted(o["id"] for o in objs if o.get("class") == "fleet" and
                    o.get("sovereignID") == sim.sov)[:N]
    assert len(fleets) == N, "galaxy: %d fleets of the player's" % len(fleets)
    cpu_s, cpu_c, rss_s, rss_c, submit, cancel = [], [], [], [], [], []
    for run in range(runs):
        order = ("single", "group") if run % 2 == 0 else ("group", "single")
        for kind in order:
            fd = start(jobslib, Proc, sim, scratch, "groups-" + kind)
            if kind == "single":
                cpu, rss = singles(fd, fleets)
                cpu_s.append(cpu / N / 1000)
                rss_s.append(rss * 1024 / N)
            else:
                cpu, rss, t_sub, t_can = group(fd, fleets)
                cpu_c.append(cpu / N / 1000)
                rss_c.append(rss * 1024 / N)
                submit.append(t_sub * 1000)
                cancel.append(t_can * 1000)
            fd.stop()
        say("groups, run %d: CPU per single %.1f us, per child %.1f us; RSS per single "
            "%.0f B, per child %.0f B; group POST %.0f ms, cancel %.0f ms"
            % (run + 1, cpu_s[-1], cpu_c[-1], rss_s[-1], rss_c[-1], submit[-1], cancel[-1]))
    sim.stop()
    fig("groups", "fleetd CPU per job: 1,000 single jobs (1,000 POSTs)", "µs", cpu_s, fmt="%.1f")
    fig("groups", "fleetd CPU per child: one 1,000-child group (one POST)", "µs", cpu_c,
        fmt="%.1f")
    fig("groups", "CPU per child ÷ CPU per single job", "×",
        [c / s for c, s in zip(cpu_c, cpu_s)], "≤ 1 ×", lambda v: v <= 1, fmt="%.2f",
        note="runs paired")
    fig("groups", "fleetd resident memory per job: 1,000 single jobs", "B", rss_s, fmt="%.0f")
    fig("groups", "fleetd resident memory per child: one 1,000-child group", "B", rss_c,
        fmt="%.0f")
    fig("groups", "POST of a 1,000-child group, answered after its commit", "ms", submit,
        fmt="%.0f")
    fig("groups", "POST /v1/jobs/{id}/cancel of a 1,000-child group (every child and "
        "the parent ended, committed)", "ms", cancel, fmt="%.0f")
    commands["groups"] = [
        "fleetsim --listen 127.0.0.1:0 --worlds 300 --fleets %d --watch-ms 2000" % SIM_FLEETS,
        "each run: a fresh fleetd and database per kind (order alternating); singles: "
        "1,000 POST /v1/jobs `{\"fleet\": F, \"steps\": [{\"op\": \"wait\", \"seconds\": "
        "604800}]}` on one keep-alive connection; group: one POST with `\"fleets\"`: the "
        "same 1,000 ids, then POST /v1/jobs/{parent}/cancel"]
    notes["groups"] = [
        "CPU and memory are fleetd's own (utime + stime, VmRSS), read once it has been "
        "idle for 0.3 s before and after the 1,000 jobs; memory includes SQLite's page "
        "cache, which grows with the rows either way.  The singles' CPU includes 1,000 "
        "HTTP requests, the group's one: that is what a client saves by sending a group."]
