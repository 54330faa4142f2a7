"""simlib.py -- helpers for the fleetsim end-to-end tests (imported, not run).

Starts the real fleetsim binary on port 0, reads the port from its
"listening" log line, and talks to it over HTTP with urllib only.  Every
process started here is killed at exit."""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

FLEETSIM = os.environ.get("FLEETSIM", "fleetsim")
SHARED = os.environ.get("FLEETD_SHARED", "")
HEXE = "AEON2011:hexeError:v1"
SCRATCH = tempfile.mkdtemp(prefix="fleetsim-e2e.")
# seconds a daemon may take to listen (bench/bench.py raises it for its
# databases of 100,000 jobs)
START_TIMEOUT = 10
_procs = []


def _cleanup():
    for p in _procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if not os.environ.get("KEEP_SCRATCH"):
        shutil.rmtree(SCRATCH, ignore_errors=True)


atexit.register(_cleanup)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    for p in _procs:
        try:
            with open(p.logname) as f:
                tail = f.readlines()[-30:]
            print("--- %s (last 30 lines)" % p.logname, file=sys.stderr)
            sys.stderr.write("".join(tail))
        except OSError:
            pass
    sys.exit(1)


def skip(msg):
    print("SKIP: " + msg, file=sys.stderr)
    sys.exit(77)


def check(cond, msg):
    if not cond:
        fail(msg)


def excerpt_path():
    p = os.path.join(SHARED, "fixtures", "anacreon", "getObjects-excerpt.json")
    if not SHARED or not os.path.exists(p):
        skip("no fixtures (set FLEETD_SHARED)")
    return p


def ipint(v):
    """Decode a plain number or an ipInteger."""
    if isinstance(v, list) and len(v) == 2 and v[0] == "AEON2011:ipInteger:v1":
        import base64
        raw = base64.b64decode(v[1])
        mag = int.from_bytes(raw[6:], "big")
        return -mag if raw[:4] == b"-1PI" else mag
    return int(v)


def start_daemon(args, logname, env):
    """Start a daemon with its output in logname; it is killed at exit and
    its log is shown by fail()."""
    log = open(logname, "w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    proc.logname = logname
    _procs.append(proc)
    return proc


def wait_port(proc, what):
    """The port from the daemon's "listening" log line (daemons listen on
    port 0); fail() when it exits or does not get there in about
    START_TIMEOUT seconds."""
    for _ in range(int(START_TIMEOUT / 0.025)):
        with open(proc.logname, errors="replace") as f:
            m = re.search(r'msg="listening".* port=(\d+)', f.read())
        if m:
            return int(m.group(1))
        if proc.poll() is not None:
            fail("%s exited %d at start" % (what, proc.returncode))
        time.sleep(0.025)
    fail("%s did not start" % what)


def stop_daemon(proc, what, timeout):
    """SIGTERM, then a clean exit (status 0) within timeout seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        fail("%s did not stop on SIGTERM" % what)
    check(rc == 0, "%s exited %d after SIGTERM" % (what, rc))


class Sim:
    """One fleetsim process."""

    def __init__(self, *args, name="fleetsim", env=None):
        self.logname = os.path.join(SCRATCH, name + ".log")
        e = dict(os.environ)
        if env:
            e.update(env)
        self.proc = start_daemon([FLEETSIM, "--listen", "127.0.0.1:0"] + list(args),
                                 self.logname, e)
        self.port = wait_port(self.proc, "fleetsim")
        self.base = "http://127.0.0.1:%d" % self.port
        self.token = None
        self.sov = None
        self.seq = 0

    def raw(self, method, path, body=None, timeout=10):
        """(status, bytes); status -1 when no answer came in time, 0 when
        the connection failed or the answer was cut short."""
        data = None if body is None else (body if isinstance(body, bytes) else
                                          json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (TimeoutError, socket.timeout):
            return -1, b""
        except urllib.error.URLError as e:
            if isinstance(e.reason, (TimeoutError, socket.timeout)):
                return -1, b""
            return 0, b""
        except Exception:
            return 0, b""

    def post(self, name, body, timeout=10):
        st, data = self.raw("POST", "/api/" + name, body, timeout)
        check(st == 200, "%s: HTTP %d %r" % (name, st, data[:200]))
        return json.loads(data)

    def login(self, user="demo", password="demo"):
        a = self.post("login", {"username": user, "password": password, "actual": True})
        check(isinstance(a, dict) and "authToken" in a, "login failed: %r" % (a,))
        self.token = a["authToken"]
        info = self.post("getGameInfo", {"authToken": self.token, "gameID": "sim"})
        self.sov = info["userInfo"]["sovereignID"]
        return info

    def common(self, **extra):
        d = {"authToken": self.token, "gameID": "sim", "sovereignID": self.sov}
        d.update(extra)
        return d

    def call(self, endpoint, **fields):
        return self.post(endpoint, self.common(**fields))

    def objects(self, sequence=0):
        a = self.call("getObjects", sequence=sequence)
        check(isinstance(a, list) and a and a[-1].get("class") == "update",
              "getObjects answer: %r" % (a if not isinstance(a, list) else a[-3:],))
        return a

    def tick(self):
        st, data = self.raw("POST", "/sim/tick", b"")
        check(st == 200, "tick: HTTP %d" % st)
        return json.loads(data)

    def stats(self):
        st, data = self.raw("GET", "/sim/stats")
        check(st == 200, "stats: HTTP %d" % st)
        return json.loads(data)

    def stop(self):
        stop_daemon(self.proc, "fleetsim", 10)


def is_hexe(a):
    return isinstance(a, list) and len(a) == 4 and a[0] == HEXE and \
        all(isinstance(x, str) for x in a)


def by_class(objs, cls):
    return [o for o in objs if o.get("class") == cls]


def index(objs):
    return {o["id"]: o for o in objs if "id" in o and o.get("class") in
            ("world", "fleet", "sovereign")}
