"""opslib.py -- helpers for the ops end-to-end tests written in Python
(stdlib only): a scratch directory, fleetd started on port 0 with its port
read from the "listening" log line, plain HTTP requests that return status,
headers and body whatever the status, and raw sockets for slow clients."""
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

SKIP = 77


class Failure(Exception):
    pass


def fail(msg):
    raise Failure(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


class Daemon:
    """One fleetd (or fleetsim) process logging to scratch/NAME.log."""

    def __init__(self, scratch, name, argv, env=None):
        self.log_path = os.path.join(scratch, name + ".log")
        self.log = open(self.log_path, "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=full_env)
        self.port = self._wait_port()
        self.url = "http://127.0.0.1:%d" % self.port

    def _wait_port(self):
        for _ in range(400):
            text = self.log_text()
            m = re.search(r'msg="listening".* port=(\d+)', text)
            if m:
                return int(m.group(1))
            if self.proc.poll() is not None:
                fail("daemon exited %s before listening:\n%s" % (self.proc.returncode, text))
            time.sleep(0.05)
        fail("daemon did not start:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout=15):
        """SIGTERM, wait, and return the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail("daemon did not stop within %ss of SIGTERM" % timeout)
        self.log.close()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def request(url, method="GET", body=None, headers=None, timeout=30):
    """(status, headers, body bytes) for any status."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def raw_exchange(port, data, timeout=30):
    """Send bytes on a fresh connection and read until the server closes."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    finally:
        s.close()


def need_modules(*names):
    """Import Debian's python3-* modules: the first python3 on PATH may be
    another installation (pyenv), so re-run under /usr/bin/python3 when it
    lacks them; exit 77 (SKIP) only if that has none either."""
    import importlib
    try:
        return [importlib.import_module(n) for n in names]
    except ImportError as e:
        system = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(system) and \
                os.path.exists(system) and not os.environ.get("OPSLIB_REEXEC"):
            os.environ["OPSLIB_REEXEC"] = "1"
            os.execv(system, [system] + sys.argv)
        print("SKIP: python module missing (%s); scripts/test installs it" % e,
              file=sys.stderr)
        sys.exit(SKIP)


def run(main):
    """Run main(scratch, daemons) and map the outcome to an exit status."""
    scratch = tempfile.mkdtemp(prefix="fleetd-e2e-")
    daemons = []
    rc = 1
    try:
        main(scratch, daemons)
        print("ok")
        rc = 0
    except Failure as e:
        print("FAIL:", e, file=sys.stderr)
        for d in daemons:
            try:
                print("--- %s (last 40 lines)" % d.log_path, file=sys.stderr)
                print("\n".join(d.log_text().splitlines()[-40:]), file=sys.stderr)
            except OSError:
                pass
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    finally:
        for d in daemons:
            d.kill()
        if not os.environ.get("KEEP_SCRATCH"):
            shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(rc)


def fleetd(scratch, daemons, name, *args, env=None):
    argv = [os.environ["FLEETD"], "--listen", "127.0.0.1:0",
            "--db", os.path.join(scratch, name + ".db")] + list(args)
    d = Daemon(scratch, name, argv, env)
    daemons.append(d)
    return d
