"""benchlib.py -- plumbing of the benchmark suite (imported by bench.py):
processes on loopback with their logs in a scratch directory, what /proc
says about them (resident memory, CPU time in nanoseconds), small HTTP
calls, wrk, and the statistics the report quotes (median and spread).
Measures; never asserts.

fleetsim and fleetd are started by the end-to-end harness (tests/e2e:
simlib.Sim, jobslib.Fleetd; bench.py puts it on sys.path); Proc.of()
gives the measurements above for a process it started.  One scratch
directory for both: simlib's, removed at exit unless KEEP_SCRATCH is set."""
import atexit
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request

from simlib import SCRATCH  # noqa: E402 (tests/e2e, on sys.path by bench.py)

_procs = []


def _cleanup():
    # SIGTERM first: nginx's workers outlive a master killed with SIGKILL.
    # Runs before simlib's own clean-up (registered earlier), which kills
    # the harness's daemons and removes SCRATCH.
    for p in _procs:
        if p.poll() is None:
            p.terminate()
    for p in _procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


atexit.register(_cleanup)


def say(msg):
    print("bench: " + msg, flush=True)


# --- processes ---------------------------------------------------------------

class Proc:
    """One process started by the suite; its output goes to SCRATCH/NAME.log.
    Proc.of(name, popen): the same view of a process the e2e harness
    started (simlib.start_daemon: its log is popen.logname)."""

    def __init__(self, name, argv, stdin=subprocess.DEVNULL, stdout=None, cwd=None):
        self.name = name
        self.logname = os.path.join(SCRATCH, name + ".log")
        self.log = open(self.logname, "ab")
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=stdout or self.log,
                                  stderr=self.log, cwd=cwd or SCRATCH)
        _procs.append(self.p)
        self.pid = self.p.pid

    @classmethod
    def of(cls, name, popen):
        self = cls.__new__(cls)
        self.name, self.logname, self.log = name, popen.logname, None
        self.p, self.pid = popen, popen.pid
        return self

    def port(self, timeout=120):
        """The port from the daemon's "listening" log line."""
        return int(self.wait_log(r'msg="listening".* port=(\d+)', timeout).group(1))

    def wait_log(self, pattern, timeout=120, after=0):
        """Wait for a log line matching pattern (searched from byte `after`)."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        while time.time() < end:
            with open(self.logname, "rb") as f:
                f.seek(after)
                for line in f.read().decode(errors="replace").splitlines():
                    m = rx.search(line)
                    if m:
                        return m
            if self.p.poll() is not None:
                raise RuntimeError("%s exited (%s); see %s" % (self.name, self.p.returncode,
                                                               self.logname))
            time.sleep(0.02)
        raise RuntimeError("%s: no log line /%s/ in %ss" % (self.name, pattern, timeout))

    def log_size(self):
        return os.path.getsize(self.logname)

    def rss_kb(self):
        return status_kb(self.pid, "VmRSS")

    def cpu_ns(self):
        return cpu_ns(self.pid)

    def stop(self, timeout=30):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        if self.log:
            self.log.close()

    def kill9(self):
        self.p.kill()
        self.p.wait()
        if self.log:
            self.log.close()


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def tree_cpu_ns(pid):
    """CPU time of pid and its children (nginx: master and workers)."""
    total = cpu_ns(pid)
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            for c in f.read().split():
                total += cpu_ns(int(c))
    except OSError:
        pass
    return total


def cpu_ns(pid):
    """CPU time of every thread of pid, in ns (schedstat: not tick-rounded)."""
    total = 0
    d = "/proc/%d/task" % pid
    for t in os.listdir(d):
        try:
            with open("%s/%s/schedstat" % (d, t)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # a thread that just ended
    return total


def settle_cpu(proc, quiet_s=0.3, timeout=30):
    """Wait until proc has used no CPU for quiet_s; return its CPU time."""
    end = time.time() + timeout
    last, since = proc.cpu_ns(), time.time()
    while time.time() < end:
        time.sleep(0.02)
        now = proc.cpu_ns()
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet_s:
            return now
    return last


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- HTTP --------------------------------------------------------------------

def http(method, url, body=None, headers=None, timeout=60):
    """(status, parsed JSON or raw bytes)."""
    data = None
    h = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def get_raw(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def wrk(url, threads, conns, seconds, script=None, args=()):
    """Run wrk; return (requests/s as wrk reports it, duration s, output,
    requests)."""
    argv = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency"]
    if script:
        argv += ["-s", script]
    argv.append(url)
    if args:
        argv += ["--"] + [str(a) for a in args]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"requests in ([\d.]+)(us|ms|s|m|h),", out)
    dur = float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[m.group(2)]
    return rps, dur, out, reqs


# --- statistics --------------------------------------------------------------

def median(v):
    return statistics.median(v)


def percentile(v, p):
    """Nearest-rank percentile of a list (p in 0..100)."""
    s = sorted(v)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def auto_fmt(values):
    """Three significant digits without exponents."""
    m = max(abs(v) for v in values)
    return "%.0f" if m >= 100 else "%.1f" if m >= 10 else "%.2f"


class Figure:
    """One row of the report: the runs' values and the bar they face."""

    def __init__(self, group, label, unit, values, bar=None, ok=None, note="", fmt=None):
        self.group, self.label, self.unit = group, label, unit
        self.values = list(values)
        self.bar, self.ok, self.note, self.fmt = bar, ok, note, fmt

    def med(self):
        return median(self.values) if self.values else None

    def verdict(self):
        if self.ok is None or not self.values:
            return ""
        return "meets" if self.ok(self.med()) else "**misses**"

    def cells(self):
        if not self.values:
            return ["(not measured)", "", "0"]
        f = self.fmt or auto_fmt(self.values)
        spread = "%s – %s" % (f % min(self.values), f % max(self.values))
        return [(f % self.med()) + (" " + self.unit if self.unit else ""), spread,
                str(len(self.values))]
