"""mirrorlib.py -- helpers for the tests of fleetd's game mirror (imported,
not run): start the real fleetd against a real fleetsim, read its routes
over HTTP, and talk to fleetsim directly with retries (for runs with
injected faults).  Builds on simlib.py; every process is killed at exit."""
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import simlib
from simlib import SCRATCH, check, fail, is_hexe

FLEETD = os.environ.get("FLEETD", "fleetd")


class Fleetd:
    """One fleetd process on a free loopback port with its own database."""

    def __init__(self, *args, name="fleetd", env=None, wait=True):
        self.logname = os.path.join(SCRATCH, name + ".log")
        self.db = os.path.join(SCRATCH, name + ".db")
        log = open(self.logname, "w")
        e = dict(os.environ)
        e.pop("FLEETD_PASSWORD", None)
        if env:
            e.update(env)
        self.proc = subprocess.Popen(
            [FLEETD, "--listen", "127.0.0.1:0", "--db", self.db] + list(args),
            stdout=log, stderr=subprocess.STDOUT, env=e)
        self.proc.logname = self.logname
        simlib._procs.append(self.proc)
        self.port = None
        self.answers = []  # every body read, for the secrets check
        if not wait:
            return
        for _ in range(400):
            m = re.search(r'msg="listening".* port=(\d+)', self.log())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                fail("fleetd exited %d at start" % self.proc.returncode)
            time.sleep(0.025)
        if not self.port:
            fail("fleetd did not start")
        self.base = "http://127.0.0.1:%d" % self.port

    def log(self):
        with open(self.logname, errors="replace") as f:
            return f.read()

    def get(self, path):
        """(status, parsed JSON body)."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as r:
                st, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            st, data = e.code, e.read()
        self.answers.append(data)
        try:
            return st, json.loads(data)
        except ValueError:
            fail("GET %s: not JSON (%d): %r" % (path, st, data[:200]))

    def ok(self, path):
        st, body = self.get(path)
        check(st == 200, "GET %s: %d %r" % (path, st, body))
        return body

    def health(self):
        return self.ok("/healthz")

    def wait_ready(self, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            h = self.health()
            if h["upstream_detail"].get("ready"):
                return h
            time.sleep(0.05)
        fail("fleetd never loaded the game state: %r" % (self.health(),))

    def watch(self):
        w = self.health()["watch"]
        return -1 if w is None else w

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            fail("fleetd did not stop on SIGTERM")
        check(rc == 0, "fleetd exited %d after SIGTERM" % rc)


def sim_post(sim, name, body, tries=40):
    """POST to fleetsim, retrying injected faults (HTTP 5xx, cut answers,
    hexeError busy).  Only for idempotent calls."""
    for _ in range(tries):
        st, data = sim.raw("POST", "/api/" + name, body, timeout=5)
        if st == 200:
            try:
                a = json.loads(data)
            except ValueError:
                continue
            if is_hexe(a) and a[1] == "busy":
                continue
            return a
        time.sleep(0.05)
    fail("%s: fleetsim kept failing" % name)


def sim_login(sim, user, password):
    a = sim_post(sim, "login", {"username": user, "password": password, "actual": True})
    check(isinstance(a, dict) and "authToken" in a, "login: %r" % (a,))
    sim.token = a["authToken"]
    info = sim_post(sim, "getGameInfo", {"authToken": sim.token, "gameID": "sim"})
    sim.sov = info["userInfo"]["sovereignID"]
    return info


def sim_objects(sim):
    """The full state: (watch, {id: object})."""
    a = sim_post(sim, "getObjects", sim.common(sequence=0))
    check(isinstance(a, list), "getObjects: %r" % (a,))
    upd = [o for o in a if o.get("class") == "update"][0]
    return upd["update"], {o["id"]: o for o in a if "id" in o}


def res_pairs(flat):
    return sorted((flat[i], flat[i + 1]) for i in range(0, len(flat or []) - 1, 2))


def fleet_view(f):
    """The parts of a fleet fleetd must agree on, from fleetsim's object."""
    return {"id": f["id"], "name": f.get("name", ""), "sovereign": f.get("sovereignID"),
            "anchor": f.get("anchorObjID"), "dest": f.get("destID"),
            "pos": [round(f["pos"][0], 2), round(f["pos"][1], 2)],
            "res": res_pairs(f.get("resources"))}


def fleet_view_fleetd(f):
    d = f["destination"]
    return {"id": f["id"], "name": f["name"], "sovereign": f["sovereign"],
            "anchor": f["anchor"], "dest": d["id"] if d else None,
            "pos": [round(f["position"]["x"], 2), round(f["position"]["y"], 2)],
            "res": sorted((r["id"], r["qty"]) for r in f["resources"])}


def same_watch(sim, read_fleetd, tries=50):
    """Read fleetsim's state and fleetd's view at one and the same watch;
    read_fleetd() returns (watch, view) from one fleetd answer."""
    for _ in range(tries):
        w, objs = sim_objects(sim)
        fw, view = read_fleetd()
        if fw == w and sim_objects(sim)[0] == w:
            return objs, view
        time.sleep(0.1)
    fail("fleetd never caught up with fleetsim's watch")


def wait_until(what, cond, timeout=30, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    fail("timed out waiting for " + what)


TOKEN_RE = re.compile(rb"sim-[0-9a-f]{16}-[0-9]+")
