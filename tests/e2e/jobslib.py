"""jobslib.py -- helpers for the job engine's end-to-end tests (imported).

Starts the real fleetd against a real fleetsim (simlib.Sim) on loopback,
talks to both over HTTP (urllib only) and reads fleetd's database with
Python's sqlite3 module.  Every process is killed at exit (simlib)."""
import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

from simlib import (SCRATCH, Sim, check, fail, ipint, skip,  # noqa: F401
                    start_daemon, wait_port)

FLEETD = os.environ.get("FLEETD", "fleetd")


class Fleetd:
    """One fleetd process (restartable on the same database)."""

    def __init__(self, sim=None, db=None, name="fleetd", rate=1000, extra=()):
        self.sim = sim
        self.db = db or os.path.join(SCRATCH, name + ".db")
        self.name = name
        self.rate = rate
        self.extra = list(extra)
        self.starts = 0
        self.start()

    def start(self):
        self.starts += 1
        self.logname = os.path.join(SCRATCH, "%s.%d.log" % (self.name, self.starts))
        args = [FLEETD, "--listen", "127.0.0.1:0", "--db", self.db,
                "--rate", str(self.rate)] + self.extra
        env = dict(os.environ)
        if self.sim:
            args += ["--upstream", self.sim.base + "/api/", "--username", "demo"]
            env["FLEETD_PASSWORD"] = "demo"
        self.proc = start_daemon(args, self.logname, env)
        self.port = wait_port(self.proc, "fleetd")
        self.base = "http://127.0.0.1:%d" % self.port

    def stop(self, sig=signal.SIGTERM, timeout=20):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            fail("fleetd did not stop after signal %d" % sig)

    def raw(self, method, path, body=None, headers=None, timeout=20):
        """(status, headers, bytes)"""
        data = body
        if body is not None and not isinstance(body, bytes):
            data = json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def call(self, method, path, body=None, headers=None):
        """(status, parsed JSON body)"""
        st, _, raw = self.raw(method, path, body, headers)
        try:
            return st, json.loads(raw) if raw else None
        except ValueError:
            fail("%s %s answered %d with non-JSON: %r" % (method, path, st, raw[:200]))

    def submit(self, job, key=None, expect=201):
        st, b = self.call("POST", "/v1/jobs", job,
                          {"Idempotency-Key": key} if key else None)
        check(st == expect, "POST /v1/jobs %s -> %d %s (expected %d)" %
              (json.dumps(job)[:200], st, b, expect))
        return b

    def job(self, jid):
        st, b = self.call("GET", "/v1/jobs/%d" % jid)
        check(st == 200, "GET job %d -> %d" % (jid, st))
        return b

    def events(self, jid):
        st, b = self.call("GET", "/v1/jobs/%d/events?limit=1000" % jid)
        check(st == 200, "events of %d -> %d" % (jid, st))
        return b["events"]

    def wait_ready(self, timeout=30):
        """Until the mirror has the galaxy."""
        end = time.time() + timeout
        while time.time() < end:
            st, b = self.call("GET", "/v1/fleets")
            if st == 200 and b.get("fleets"):
                return b["fleets"]
            time.sleep(0.1)
        fail("fleetd never had the galaxy")

    def watch(self):
        """The watch fleetd's mirror is in (GET /healthz), -1 before it has
        the galaxy."""
        st, b = self.call("GET", "/healthz")
        check(st == 200, "GET /healthz -> %d" % st)
        return -1 if b.get("watch") is None else int(b["watch"])

    def wait_watch(self, w, timeout=30):
        """Until fleetd's mirror has seen watch w: it learns of a watch by
        asking the game, some time after the game began it."""
        until("fleetd's mirror at watch %d" % w, lambda: self.watch() >= w, timeout)

    def wait_state(self, jid, states, timeout=60):
        end = time.time() + timeout
        j = None
        while time.time() < end:
            j = self.job(jid)
            if j["state"] in states:
                return j
            time.sleep(0.1)
        fail("job %d stayed %s (wanted %s): %s" % (jid, j and j["state"], states,
                                                  json.dumps(j)[:600]))

    def queue(self, name):
        """GET /v1/queues/{name} (it must exist)."""
        st, b = self.call("GET", "/v1/queues/" + name)
        check(st == 200, "GET /v1/queues/%s -> %d %r" % (name, st, b))
        return b

    def fleets(self):
        out, cursor = {}, None
        while True:
            q = "/v1/fleets?sovereign=all" + ("&cursor=%s" % cursor if cursor else "")
            st, b = self.call("GET", q)
            check(st == 200, "GET /v1/fleets -> %d" % st)
            for f in b["fleets"]:
                out[f["id"]] = f
            cursor = b.get("next_cursor")
            if not cursor:
                return out

    def worlds(self):
        out, cursor = {}, None
        while True:
            q = "/v1/worlds?limit=1000" + ("&cursor=%s" % cursor if cursor else "")
            st, b = self.call("GET", q)
            check(st == 200, "GET /v1/worlds -> %d %s" % (st, b))
            for w in b["worlds"]:
                out[w["id"]] = w
            cursor = b.get("next_cursor")
            if not cursor:
                return out

    def sql(self, query, *args):
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()


def refuse_all(fd, path, table, counts, also=None):
    """POST each (body, status, msg, headers) of table to path (a bytes
    body as is, else as JSON): each must be answered status with an API
    error body, its message starting with msg when msg is given, and
    store nothing (counts() unchanged); also(i, status, err), if given,
    checks a refusal further."""
    before = counts()
    for i, (body, status, msg, hdrs) in enumerate(table):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        st, _, data = fd.raw("POST", path, raw, hdrs)
        try:
            err = json.loads(data)["error"]
        except Exception:
            fail("case %d: no JSON error body (HTTP %d): %r" % (i, st, data[:200]))
        check(st == status, "case %d: HTTP %d, expected %d: %s" % (i, st, status, err))
        check(isinstance(err.get("code"), str) and isinstance(err.get("message"), str),
              "case %d: error body %r" % (i, err))
        if msg:
            check(err["message"].startswith(msg),
                  "case %d: message %r does not start with %r" % (i, err["message"], msg))
        if also:
            also(i, st, err)
        check(counts() == before, "case %d stored something: %s -> %s" % (i, before, counts()))


def kill_in_flight(fd, sim, jid, what, endpoint, before, timeout=90):
    """Wait until the job's action is on the wire (sub_state SENT) and
    fleetsim has taken it (its count of endpoint calls passed before: it
    acts at once, --latency-ms holds the answer), then kill -9 fleetd and
    start it again: the answer is lost.  No fixed sleep: on a loaded
    machine the call may reach fleetsim late."""
    end = time.time() + timeout
    while time.time() < end:
        j = fd.job(jid)
        if j["state"] == "running" and j["sub_state"] == "SENT":
            until("%s at fleetsim" % what,
                  lambda: sim.stats()["calls"].get(endpoint, 0) > before, 30)
            fd.stop(signal.SIGKILL)
            fd.start()
            return
        check(j["state"] in ("queued", "running", "waiting"), "%s: %s" % (what, j))
        time.sleep(0.02)
    fail("%s never went in flight" % what)


def until(what, fn, timeout=60):
    """fn()'s first true value, asked every 0.1 s; fails after timeout s."""
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    fail("timed out waiting for " + what)


def qty(res, rid):
    """Quantity of resource rid in a fleet/world resource list of the API."""
    for r in res or []:
        if r["id"] == rid:
            return r["qty"]
    return 0


def sim_state(sim, tries=40):
    """fleetsim's own view (not fleetd's): objects by id from a full
    getObjects, asked directly (again, if fleetsim injects a fault)."""
    for _ in range(tries):
        try:
            if not sim.token:
                a = json.loads(sim.raw("POST", "/api/login", {
                    "username": "demo", "password": "demo", "actual": True})[1])
                i = json.loads(sim.raw("POST", "/api/getGameInfo", {
                    "authToken": a["authToken"], "gameID": "sim"})[1])
                sim.token, sim.sov = a["authToken"], i["userInfo"]["sovereignID"]
            st, data = sim.raw("POST", "/api/getObjects", sim.common(sequence=0))
            objs = json.loads(data) if st == 200 else None
            if isinstance(objs, list) and objs and isinstance(objs[-1], dict) and \
                    objs[-1].get("class") == "update":
                return {o["id"]: o for o in objs if isinstance(o, dict) and "id" in o}
        except (ValueError, KeyError, TypeError):
            pass
        time.sleep(0.2)
    fail("fleetsim never answered a full getObjects")


def sim_res(obj, rid):
    r = obj.get("resources") or []
    for i in range(0, len(r) - 1, 2):
        if ipint(r[i]) == rid:
            return ipint(r[i + 1])
    return 0
