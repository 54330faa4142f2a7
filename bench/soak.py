"""soak.py -- the soak behind `make soak` (never part of `make check`).

Runs fleetd against fleetsim for SOAK_MINUTES (default 60) with the load
a long-lived installation sees, and watches fleetd's process for what a
short test cannot show: memory, descriptors or disk that grow without end.

- Jobs of every op (move, wait, explore, attack, transfer, deploy, sell,
  buy, disband, rename), submitted in turn at a modest rate with a cap on
  the jobs alive at once; fleetsim's test routes (/sim/stock) refill the
  stocks the jobs consume, so they keep finding something to do.  Each
  submission carries an Idempotency-Key and is retried with it when a
  restart cut it.
- SSE readers on /v1/events that reconnect with Last-Event-ID (after each
  restart, and by themselves now and then); at the end every reader's ids
  are compared with the event log: nothing missed, nothing twice.
- fleetsim faults of both kinds: --fault-rate (the call fails before the
  game acts) and --lost-answer-rate (the game acts, the answer is lost),
  the second only when this fleetsim offers it (`fleetsim --help`).
- A restart every SOAK_RESTART_SECONDS (default 300) on the same
  database, SIGTERM and SIGKILL in turn.

Every SOAK_SAMPLE_SECONDS (default 30) it samples fleetd's VmRSS
(/proc/PID/status), its open descriptors (/proc/PID/fd), the database and
WAL sizes and the jobs by state (read-only SQL).  At the end it prints a
table, rewrites the part of docs/PERFORMANCE.md between the soak markers,
and exits non-zero if

- fleetd logged an error-level line that is not an expected fault (a
  log-in or getGameInfo call failed as transient or ambiguous: fleetsim
  faulted it), or exited non-zero on
  SIGTERM, or died by itself;
- RSS or descriptors grew after warm-up.  The rule: only samples taken at
  least SOAK_WARMUP_SECONDS (default 60) after a start count ("warm"); the
  run is cut in thirds by time; the median of the warm samples of the last
  third may exceed the median of those of the middle third by at most
  10 % + 1 MiB (RSS) and by at most 3 (descriptors);
- an SSE reader missed an event or got one twice.

The database grows with every job and event (fleetd keeps every job and its
history; there is no retention), so its size is reported, per job, and not
held to be flat.  The WAL is.

SOAK_FLEETSIM=PATH runs another fleetsim binary (say, one built from a
branch that has --lost-answer-rate) against this tree's fleetd; the
report names it.  SOAK_LIVE_JOBS, SOAK_JOBS_PER_MINUTE, SOAK_SSE_READERS,
SOAK_FAULT_RATE, SOAK_LOST_ANSWER_RATE and SOAK_SEED set the load.

Processes are started with the end-to-end harness's classes
(tests/e2e/simlib.Sim, jobslib.Fleetd), as bench/bench.py does."""
import argparse
import datetime
import json
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import http.client
import urllib.error

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "e2e")]
import jobslib  # noqa: E402
import simlib  # noqa: E402
from benchlib import say, status_kb  # noqa: E402

MINUTES = float(os.environ.get("SOAK_MINUTES", "60"))
RESTART_S = float(os.environ.get("SOAK_RESTART_SECONDS", "300"))
SAMPLE_S = float(os.environ.get("SOAK_SAMPLE_SECONDS", "30"))
WARMUP_S = float(os.environ.get("SOAK_WARMUP_SECONDS", "60"))
LIVE_JOBS = int(os.environ.get("SOAK_LIVE_JOBS", "16"))        # alive at once, at most
JOBS_PER_MIN = float(os.environ.get("SOAK_JOBS_PER_MINUTE", "40"))
SSE_READERS = int(os.environ.get("SOAK_SSE_READERS", "3"))
FAULT_RATE = os.environ.get("SOAK_FAULT_RATE", "0.05")
LOST_RATE = os.environ.get("SOAK_LOST_ANSWER_RATE", "0.05")
SEED = int(os.environ.get("SOAK_SEED", "14"))
RSS_TOL, RSS_SLACK_KB, FD_TOL = 0.10, 1024, 3

OPS = ["move", "wait", "explore", "attack", "transfer", "deploy", "sell", "buy",
       "disband", "rename"]
TERMINAL = ("succeeded", "failed", "cancelled")
STATES = ("queued", "running", "waiting", "paused") + TERMINAL
FOOD, FRIGATE, SATELLITE = 90, 122, 204

# error-level lines fleetd writes when fleetsim faults its session's calls
EXPECTED_ERRORS = re.compile(r'msg="(login|getGameInfo) failed".* '
                             r'error="(login|getGameInfo): (transient|ambiguous)')


# --- talking to fleetd through restarts ------------------------------------------

class Down(Exception):
    """fleetd did not answer (it is restarting)."""


def fd_call(fd, method, path, body=None, headers=None, timeout=10):
    """(status, JSON) from the fleetd running now; Down when none answers."""
    try:
        st, _, raw = fd.raw(method, path, body, headers, timeout=timeout)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        raise Down(str(e))
    try:
        return st, json.loads(raw) if raw else None
    except ValueError:
        return st, raw


def sim_stock(sim, obj, res, q):
    st, data = sim.raw("POST", "/sim/stock", {"object": obj, "resource": res, "quantity": q})
    if st != 200:
        raise RuntimeError("/sim/stock %s %s %s: %s %r" % (obj, res, q, st, data[:200]))


# --- SSE readers -------------------------------------------------------------------

class Reader(threading.Thread):
    """A client of /v1/events: resumes with Last-Event-ID after a cut, and
    drops its connection by itself every `redial` seconds."""

    def __init__(self, fd, n, redial):
        super().__init__(daemon=True)
        self.fd, self.n, self.redial = fd, n, redial
        self.ids, self.connects, self.dups = [], 0, 0
        self.last = None
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.stream()
            except (OSError, http.client.HTTPException, ValueError):
                pass
            self.stop.wait(0.5)

    def stream(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.fd.port, timeout=30)
        headers = {} if self.last is None else {"Last-Event-ID": str(self.last)}
        conn.request("GET", "/v1/events", headers=headers)
        resp = conn.getresponse()
        if resp.status != 200:
            conn.close()
            return
        self.connects += 1
        until = time.time() + self.redial
        try:
            ev = {}
            while not self.stop.is_set() and time.time() < until:
                line = resp.readline()    # a timeout raises: reconnect
                if not line:
                    return
                line = line.decode().rstrip("\n")
                if line == "":
                    if "id" in ev and "data" in ev:
                        i = int(ev["id"])
                        if self.last is not None and i <= self.last:
                            self.dups += 1
                        else:
                            self.ids.append(i)
                            self.last = i
                    ev = {}
                elif not line.startswith(":"):
                    k, _, v = line.partition(": ")
                    ev[k] = v
        finally:
            conn.close()


# --- the jobs ------------------------------------------------------------------------

class Load:
    """Chooses and submits the jobs, one op after the other."""

    def __init__(self, sim, fd, rnd):
        self.sim, self.fd, self.rnd = sim, fd, rnd
        self.worlds = {}
        self.me = None
        self.live = {}          # job id -> (op, fleet, target world)
        self.pending = []       # submissions cut by a restart: (key, body, op, fleet, tgt)
        self.submitted = {op: 0 for op in OPS}
        self.ended = {op: {s: 0 for s in TERMINAL} for op in OPS}
        self.errors = {}        # last_error of failed jobs -> count
        self.refused = 0        # 409/422 answers (a fleet taken meanwhile)
        self.turn = 0
        self.keys = 0

    def load_galaxy(self):
        self.worlds = self.fd.worlds()
        cap = next(w for w in self.worlds.values()
                   if w["designation_name"] == "Imperial capital")
        self.me = cap["sovereign"]
        self.hubs = [w for w in self.worlds.values() if w["trading"]]
        self.own = [w for w in self.worlds.values() if w["sovereign"] == self.me]
        self.indep = [w for w in self.worlds.values() if w["sovereign"] == 1]

    def near(self, pos, pool, k=1, exclude=()):
        c = [w for w in pool if w["id"] not in exclude]
        c.sort(key=lambda w: math.hypot(w["position"]["x"] - pos["x"],
                                        w["position"]["y"] - pos["y"]))
        return c[:k]

    def free_fleets(self):
        st, b = fd_call(self.fd, "GET", "/v1/fleets")
        if st != 200:
            raise Down("GET /v1/fleets: %s" % st)
        held = {f for (_, f, _) in self.live.values()} | {p[3] for p in self.pending}
        return [f for f in b["fleets"] if f["mine"] and f["anchor"] and not f.get("destination")
                and not f.get("job") and f["id"] not in held and f["resources"]]

    def body(self, op, f):
        """(job body, fleet, world it targets) for op, or None."""
        n = self.submitted[op]
        if op == "deploy":
            src = self.rnd.choice(self.own)
            sim_stock(self.sim, src["id"], FRIGATE, 400)
            return {"name": "soak deploy", "steps": [
                {"op": "deploy", "from": src["id"], "resources": [FRIGATE, 2]},
                {"op": "rename", "name": "Soak %d" % n}]}, None, src["id"]
        if f is None:
            return None
        here = self.worlds.get(f["anchor"])
        pos = here["position"] if here else f["position"]
        if op == "move":
            to = self.rnd.choice(self.near(pos, list(self.worlds.values()), 4, (f["anchor"],)))
            steps = [{"op": "move", "to": to["id"]}]
        elif op == "wait":
            steps = [{"op": "wait", "seconds": self.rnd.randint(2, 8)},
                     {"op": "wait", "watches": 1}]
        elif op == "explore":
            steps = [{"op": "explore", "max": 2, "radius": 150}]
        elif op == "attack":
            busy = {t for (o, _, t) in self.live.values() if o == "attack"}
            t = self.near(pos, self.indep, 1, busy)
            if not t:
                return None
            t = t[0]
            sim_stock(self.sim, f["id"], FRIGATE, 60)
            sim_stock(self.sim, t["id"], SATELLITE, 3)
            steps = [{"op": "move", "to": t["id"]},
                     {"op": "attack", "objective": "spaceSupremacy", "enemies": [1]},
                     {"op": "wait", "watches": 1}]
            return {"name": "soak attack", "fleet": f["id"], "steps": steps}, f["id"], t["id"]
        elif op in ("transfer", "disband"):
            w = self.near(pos, self.own)[0]
            sim_stock(self.sim, w["id"], FRIGATE, 400)
            steps = [{"op": "move", "to": w["id"]}]
            if op == "transfer":
                sim_stock(self.sim, f["id"], FRIGATE, 10)
                steps += [{"op": "transfer", "to": w["id"], "resources": [FRIGATE, 2]},
                          {"op": "transfer", "to": w["id"], "resources": [FRIGATE, -1]}]
            else:
                steps += [{"op": "disband", "into": w["id"]}]
        elif op in ("sell", "buy"):
            h = self.near(pos, self.hubs)[0]
            steps = [{"op": "move", "to": h["id"]}]
            if op == "sell":
                sim_stock(self.sim, f["id"], FOOD, 40)
                steps += [{"op": "sell", "to": h["id"], "resources": [FOOD, 20]}]
            else:
                sim_stock(self.sim, h["id"], FRIGATE, 400)
                steps += [{"op": "buy", "item": FRIGATE, "count": 1}]
        elif op == "rename":
            steps = [{"op": "rename", "name": "Soak %s %d" % (op, n)}]
        return {"name": "soak " + op, "fleet": f["id"], "steps": steps}, f["id"], None

    def submit_one(self):
        """Submit the next op's job (or retry a cut submission)."""
        if self.pending:
            key, body, op, fleet, tgt = self.pending[0]
        else:
            op = OPS[self.turn % len(OPS)]
            free = self.free_fleets()
            if op != "deploy" and len(free) < 4:
                # keep a few fleets for the ops that need one: disband
                # waits while deploys make more
                if op == "disband":
                    self.turn += 1
                    return
            f = self.rnd.choice(free) if free else None
            made = self.body(op, f)
            self.turn += 1
            if not made:
                return
            body, fleet, tgt = made
            self.keys += 1
            key = "soak-%d-%d" % (SEED, self.keys)
            self.pending.append((key, body, op, fleet, tgt))
        st, b = fd_call(self.fd, "POST", "/v1/jobs", body, {"Idempotency-Key": key})
        self.pending.pop(0)
        if st in (200, 201):
            if b["id"] not in self.live:
                self.submitted[op] += 1
            self.live[b["id"]] = (op, fleet, tgt)
        elif st in (409, 422):
            self.refused += 1
        else:
            raise RuntimeError("POST /v1/jobs answered %s: %s" % (st, b))

    def poll(self):
        for jid in list(self.live):
            st, j = fd_call(self.fd, "GET", "/v1/jobs/%d" % jid)
            if st != 200:
                raise RuntimeError("GET /v1/jobs/%d: %s %s" % (jid, st, j))
            if j["state"] in TERMINAL:
                op = self.live.pop(jid)[0]
                self.ended[op][j["state"]] += 1
                if j["state"] == "failed":
                    e = re.sub(r"\d+", "N", j.get("last_error") or "?")[:120]
                    self.errors[e] = self.errors.get(e, 0) + 1


# --- samples -------------------------------------------------------------------------

def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def fsize(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def sample(t0, fd, started_at, load, readers):
    counts = dict.fromkeys(STATES, 0)
    try:
        for state, n in fd.sql("SELECT state, count(*) FROM jobs GROUP BY state"):
            counts[state] = n
    except Exception:  # noqa: BLE001 -- a locked moment: the row says -1
        counts = dict.fromkeys(STATES, -1)
    pid = fd.proc.pid
    return {
        "t": time.time() - t0, "start": fd.starts, "age": time.time() - started_at,
        "rss_kb": status_kb(pid, "VmRSS"), "fds": fd_count(pid),
        "db": fsize(fd.db), "wal": fsize(fd.db + "-wal"),
        "jobs": counts, "submitted": sum(load.submitted.values()),
        "events": sum(len(r.ids) for r in readers),
    }


def fmt_row(s):
    j = s["jobs"]
    live = sum(j[k] for k in ("queued", "running", "waiting", "paused"))
    return "| %d:%02d | %d | %.0f | %.1f | %d | %.0f | %.0f | %d | %d | %d | %d | %d |" % (
        int(s["t"]) // 60, int(s["t"]) % 60, s["start"], s["age"], s["rss_kb"] / 1024,
        s["fds"], s["db"] / 1024, s["wal"] / 1024, live, j["succeeded"], j["failed"],
        j["cancelled"], s["events"])


HEADER = ["| time | start | up s | RSS MiB | fds | db KiB | WAL KiB | live jobs | "
          "succeeded | failed | cancelled | SSE events |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


# --- the verdict ----------------------------------------------------------------------

def growth(samples, duration):
    """The flatness rule: medians of warm samples, middle vs last third."""
    warm = [s for s in samples if s["age"] >= WARMUP_S and s["rss_kb"] > 0]
    mid = [s for s in warm if duration / 3 <= s["t"] < 2 * duration / 3]
    last = [s for s in warm if s["t"] >= 2 * duration / 3]
    if not mid or not last:
        return None, ["too few warm samples to judge growth (%d middle, %d last)"
                      % (len(mid), len(last))]
    m = {k: statistics.median(s[k] for s in mid) for k in ("rss_kb", "fds")}
    la = {k: statistics.median(s[k] for s in last) for k in ("rss_kb", "fds")}
    bad = []
    if la["rss_kb"] > m["rss_kb"] * (1 + RSS_TOL) + RSS_SLACK_KB:
        bad.append("RSS grew: median %.1f MiB in the last third, %.1f MiB in the middle"
                   % (la["rss_kb"] / 1024, m["rss_kb"] / 1024))
    if la["fds"] > m["fds"] + FD_TOL:
        bad.append("descriptors grew: median %d in the last third, %d in the middle"
                   % (la["fds"], m["fds"]))
    return (m, la), bad


def log_errors(logs):
    bad, expected = [], 0
    for name in logs:
        with open(name, errors="replace") as f:
            for line in f:
                if "level=error" not in line:
                    continue
                if EXPECTED_ERRORS.search(line):
                    expected += 1
                else:
                    bad.append("%s: %s" % (os.path.basename(name), line.strip()))
    return bad, expected


def check_readers(fd, readers):
    bad = []
    for r in readers:
        if r.dups:
            bad.append("SSE reader %d got %d events twice" % (r.n, r.dups))
        if len(r.ids) < 2:
            bad.append("SSE reader %d received %d events" % (r.n, len(r.ids)))
            continue
        want = [i for (i,) in fd.sql("SELECT id FROM events WHERE id BETWEEN ? AND ? "
                                     "ORDER BY id", r.ids[0], r.ids[-1])]
        if want != r.ids:
            missed = sorted(set(want) - set(r.ids))
            bad.append("SSE reader %d: %d events missed (first %s), %d extra"
                       % (r.n, len(missed), missed[:5], len(set(r.ids) - set(want))))
    return bad


# --- the report ------------------------------------------------------------------------

BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"


def report(args, samples, meta, verdict):
    every = max(1, math.ceil(len(samples) / 24))   # about 24 rows in the document
    shown = samples[::every]
    if samples and shown[-1] is not samples[-1]:
        shown.append(samples[-1])
    out = [BEGIN, "", "## Measured by `make soak`", "",
           "_Generated by `make soak` (bench/soak.py) on %s: %s. "
           "Do not edit between the soak markers: the next run rewrites it._"
           % (meta["started"], meta["what"]), ""]
    out += ["| | |", "| --- | --- |"] + ["| %s | %s |" % kv for kv in meta["rows"]] + [""]
    out += ["Samples (every %g s%s; `start` is fleetd's start number, `up s` the seconds "
            "since that start):" % (SAMPLE_S, "" if every == 1 else
                                    ", one row in %d shown" % every), ""]
    out += HEADER + [fmt_row(s) for s in shown] + [""]
    out += ["Jobs by op (submitted: succeeded / failed / cancelled at the end; the "
            "rest still live):", "", "| op | submitted | succeeded | failed | cancelled |",
            "| --- | --- | --- | --- | --- |"]
    for op in OPS:
        e = meta["ended"][op]
        out.append("| %s | %d | %d | %d | %d |" % (op, meta["submitted"][op], e["succeeded"],
                                                  e["failed"], e["cancelled"]))
    out.append("")
    if meta["errors"]:
        out += ["Why jobs failed (digits replaced by N):", ""]
        out += ["- %d × `%s`" % (n, e) for e, n in
                sorted(meta["errors"].items(), key=lambda kv: -kv[1])] + [""]
    out += ["**Verdict: %s.**" % ("pass" if not verdict else "FAIL")]
    out += ["- " + v for v in verdict] + ["", END]
    block = "\n".join(out)
    print("\n".join(HEADER + [fmt_row(s) for s in samples]), flush=True)
    if not args.out:
        return
    try:
        with open(args.out) as f:
            doc = f.read()
    except OSError:
        doc = "# Performance\n"
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(doc)
    os.replace(tmp, args.out)
    say("wrote " + args.out)


# --- main -------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--out", help="docs/PERFORMANCE.md to rewrite between the soak markers")
    args = ap.parse_args()
    simlib.FLEETSIM = os.environ.get("SOAK_FLEETSIM") or os.path.join(args.builddir, "fleetsim")
    jobslib.FLEETD = os.path.join(args.builddir, "fleetd")
    simlib.START_TIMEOUT = 60
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    duration = MINUTES * 60
    rnd = random.Random(SEED)

    helptext = subprocess.run([simlib.FLEETSIM, "--help"], capture_output=True,
                              text=True).stdout
    lost = "--lost-answer-rate" in helptext
    sim_args = ["--seed", str(SEED), "--worlds", "200", "--fleets", "80",
                "--watch-ms", "2000", "--fault-rate", FAULT_RATE]
    if lost:
        sim_args += ["--lost-answer-rate", LOST_RATE]
    sim = simlib.Sim(*sim_args)
    fd = jobslib.Fleetd(sim, name="fleetd", rate=20)
    logs = [fd.logname]
    say("fleetsim %s; fleetd pid %d, db %s" % (" ".join(sim_args), fd.proc.pid, fd.db))
    if not lost:
        say("this fleetsim has no --lost-answer-rate: faults before the game acts only")
    fd.wait_ready(60)
    load = Load(sim, fd, rnd)
    load.load_galaxy()
    readers = [Reader(fd, n, redial=90 + 30 * n) for n in range(SSE_READERS)]
    for r in readers:
        r.start()

    verdict, samples, restarts = [], [], []
    t0 = time.time()
    started_at = t0
    next_sample, next_restart = t0, t0 + RESTART_S
    gap = 60.0 / JOBS_PER_MIN
    next_submit, next_poll = t0, t0
    kill9 = False
    while time.time() - t0 < duration:
        now = time.time()
        if fd.proc.poll() is not None:
            verdict.append("fleetd exited by itself (status %s) at %.0f s; see %s"
                           % (fd.proc.returncode, now - t0, fd.logname))
            break
        if now >= next_sample:
            s = sample(t0, fd, started_at, load, readers)
            samples.append(s)
            print(fmt_row(s), flush=True)
            next_sample += SAMPLE_S
        if now >= next_restart:
            sig = signal.SIGKILL if kill9 else signal.SIGTERM
            rc = fd.stop(sig, timeout=30)
            if sig == signal.SIGTERM and rc != 0:
                verdict.append("fleetd exited %d after SIGTERM (start %d)" % (rc, fd.starts))
            restarts.append("SIGKILL" if kill9 else "SIGTERM")
            say("restart %d (%s) at %.0f s" % (len(restarts), restarts[-1], now - t0))
            kill9 = not kill9
            fd.start()
            logs.append(fd.logname)
            started_at = time.time()
            next_restart = started_at + RESTART_S
            continue
        try:
            if now >= next_poll:
                load.poll()
                next_poll = now + 2
            if now >= next_submit and len(load.live) < LIVE_JOBS:
                load.submit_one()
                next_submit = now + gap
        except Down:
            pass                        # the API comes back after a restart
        time.sleep(0.1)

    elapsed = time.time() - t0
    # let the last jobs end (a bounded while), so the op table is complete
    end = time.time() + 60
    while load.live and time.time() < end and fd.proc.poll() is None:
        try:
            load.poll()
        except Down:
            pass
        time.sleep(1)
    if fd.proc.poll() is None:
        samples.append(sample(t0, fd, started_at, load, readers))
    time.sleep(1)                       # the readers see the last events
    for r in readers:
        r.stop.set()
    for r in readers:
        r.join(10)

    medians, grew = growth([s for s in samples if s["t"] <= elapsed], elapsed)
    verdict += grew
    bad, expected = log_errors(logs)
    verdict += ["unexpected error in fleetd's log: " + b for b in bad[:10]]
    if len(bad) > 10:
        verdict.append("... and %d more" % (len(bad) - 10))
    verdict += check_readers(fd, readers)
    stats = sim.stats()
    if fd.proc.poll() is None:
        rc = fd.stop(signal.SIGTERM, timeout=30)
        if rc != 0:
            verdict.append("fleetd exited %d after the final SIGTERM" % rc)
    njobs = sum(load.submitted.values())
    last = samples[-1] if samples else None
    rows = [
        ("load", "%d jobs submitted (%s per minute at most, %d alive at most), %d "
         "answered 409/422 (fleet taken meanwhile)" % (njobs, JOBS_PER_MIN, LIVE_JOBS,
                                                       load.refused)),
        ("faults", "fleetsim `--fault-rate %s`%s: %d faults, %s lost answers in %d calls"
         % (FAULT_RATE, (" `--lost-answer-rate %s`" % LOST_RATE) if lost else
            " (this fleetsim has no `--lost-answer-rate`)", stats.get("faults", 0),
            stats.get("lost_answers", "no"), sum(stats.get("calls", {}).values()))),
        ("binaries", "fleetd from the build directory; fleetsim %s" % (
            "from SOAK_FLEETSIM=`%s`" % os.environ["SOAK_FLEETSIM"]
            if os.environ.get("SOAK_FLEETSIM") else "from the build directory")),
        ("restarts", "%d (%s), every %.0f s" % (len(restarts), ", ".join(restarts) or "none",
                                               RESTART_S)),
        ("SSE readers", "%d: %s events each, %s connections" % (
            len(readers), "/".join(str(len(r.ids)) for r in readers),
            "/".join(str(r.connects) for r in readers))),
        ("expected errors in the log", "%d (log-ins and getGameInfo faulted by fleetsim)"
         % expected),
    ]
    if medians:
        m, la = medians
        rows.append(("warm medians, middle → last third", "RSS %.1f → %.1f MiB, fds %d → %d"
                     % (m["rss_kb"] / 1024, la["rss_kb"] / 1024, m["fds"], la["fds"])))
    if last and njobs:
        rows.append(("database at the end", "%.0f KiB (%.1f KiB per job submitted; no "
                     "retention: every job and its events are kept), WAL %.0f KiB"
                     % (last["db"] / 1024, last["db"] / 1024 / njobs, last["wal"] / 1024)))
    rows.append(("machine", "%d cores (`nproc`), shared with other builds and tests; load "
                 "average at the end %s" % (os.cpu_count(), " ".join(
                     open("/proc/loadavg").read().split()[:3]))))
    meta = {"started": started, "rows": rows, "submitted": load.submitted,
            "ended": load.ended, "errors": load.errors,
            "what": "SOAK_MINUTES=%g, SOAK_RESTART_SECONDS=%g, a sample every %g s, "
                    "warm-up %g s after each start" % (MINUTES, RESTART_S, SAMPLE_S, WARMUP_S)}
    report(args, samples, meta, verdict)
    for v in verdict:
        print("soak: FAIL: " + v, file=sys.stderr)
    say("pass" if not verdict else "FAIL (%d)" % len(verdict))
    sys.exit(1 if verdict else 0)


if __name__ == "__main__":
    main()
