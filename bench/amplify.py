"""amplify.py -- the "amplify" group of make bench (issue 13, point 6):
how long GET /healthz waits while clients ask for the biggest answers
fleetd gives.

One fleetd without a game (jobs are accepted and wait for it), holding
100 jobs of about 60 KB (just under --max-job-bytes) and some 22,000
small events.  Each run, three loads at once, while a prober in its own
process asks GET /healthz every 5 ms on one keep-alive connection:

  - 4 clients replay /v1/events from Last-Event-ID: 0 (the big events);
  - a client walks GET /v1/jobs?limit=100 to its end, over and over;
  - 100 clients replay /v1/events from 0 (every event, ~22,000).

The readers run in one process (selectors) and read everything to the
last event id; the run ends when all have it.  Figures: /healthz p99
and max during the run, the replay's time, fleetd's peak RSS.

Also runnable alone: amplify.py probe PORT SECONDS | read PORT N LAST."""
import http.client
import json
import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIG_JOBS = 100
SMALL_EVENTS = 22000
SSE_CLIENTS = int(os.environ.get("BENCH_AMPLIFY_CLIENTS", "100"))
BIG_ID = 9007199254740991
WEEK = 7 * 86400


# --- the helper processes ----------------------------------------------------

def probe(port, seconds):
    """GET /healthz every 5 ms for `seconds` or until SIGTERM; print the
    latencies (ms)."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out, end = [], time.time() + seconds
    while time.time() < end and not stop:
        t0 = time.perf_counter()
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        r.read()
        out.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.005)
    print(json.dumps(out))


def read(port, n, last):
    """n clients replaying /v1/events from 0 until each has event `last`."""
    sel = selectors.DefaultSelector()
    want = b"id: %d\n" % last
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Last-Event-ID: 0\r\n\r\n")
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, {"tail": b"", "bytes": 0})
    t0, left, total = time.time(), n, 0
    while left:
        for key, _ in sel.select(60):
            st = key.data
            try:
                chunk = key.fileobj.recv(262144)
            except BlockingIOError:
                continue
            if not chunk:
                sys.exit("a stream ended early (dropped?) after %d bytes" % st["bytes"])
            st["bytes"] += len(chunk)
            total += len(chunk)
            st["tail"] = (st["tail"] + chunk)[-64:]
            if want in st["tail"] or want in chunk:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                left -= 1
    print(json.dumps({"seconds": time.time() - t0, "bytes": total}))


# --- the group ---------------------------------------------------------------

def big_job(fleet):
    pair = [BIG_ID, -BIG_ID]
    steps = [{"op": "transfer", "to": 1, "resources": pair * 256} for _ in range(6)]
    steps.append({"op": "transfer", "to": 1, "resources": pair * 120})
    return {"fleet": fleet, "name": "big", "steps": steps}


def post(base, job):
    conn = http.client.HTTPConnection(base[0], base[1], timeout=60)
    conn.request("POST", "/v1/jobs", json.dumps(job, separators=(",", ":")),
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    if r.status != 201:
        raise RuntimeError("POST /v1/jobs: %d %r" % (r.status, body[:200]))


def last_event_id(db):
    """Read-only look at the database (never written behind fleetd's back)."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return c.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    finally:
        c.close()


def populate(port, db):
    """100 big jobs, then small wait jobs until SMALL_EVENTS more events."""
    base = ("127.0.0.1", port)
    for i in range(BIG_JOBS):
        post(base, big_job(1000 + i))
    fleet = [100000]
    lock = threading.Lock()

    def worker(count):
        for _ in range(count):
            with lock:
                fleet[0] += 1
                f = fleet[0]
            post(base, {"fleet": f, "steps": [{"op": "wait", "seconds": WEEK}]})

    while True:
        time.sleep(0.2)  # the group commit
        last = last_event_id(db)
        if last >= BIG_JOBS + SMALL_EVENTS:
            return last
        per = (BIG_JOBS + SMALL_EVENTS - last) // 3 // 4 + 1
        ts = [threading.Thread(target=worker, args=(per,)) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


def walk_jobs(port, stop):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    walks = pages = 0
    while not stop.is_set():
        cursor = None
        while True:
            conn.request("GET", "/v1/jobs?limit=100" + ("&cursor=" + cursor if cursor else ""))
            page = json.loads(conn.getresponse().read())
            pages += 1
            cursor = page["next_cursor"]
            if not cursor or stop.is_set():
                break
        walks += 1
    conn.close()
    return walks, pages


def peak_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def one_run(port, pid, last, say):
    me = [sys.executable, os.path.abspath(__file__)]
    prober = subprocess.Popen(me + ["probe", str(port), "600"], stdout=subprocess.PIPE)
    time.sleep(0.3)
    t0 = time.time()
    small = subprocess.Popen(me + ["read", str(port), "4", str(last)], stdout=subprocess.PIPE)
    many = subprocess.Popen(me + ["read", str(port), str(SSE_CLIENTS), str(last)],
                            stdout=subprocess.PIPE)
    stop = threading.Event()
    walked = []
    walker = threading.Thread(target=lambda: walked.append(walk_jobs(port, stop)))
    walker.start()
    outs = [p.communicate()[0] for p in (small, many)]
    replay_s = time.time() - t0
    stop.set()
    walker.join()
    prober.terminate()
    lat = json.loads(prober.communicate()[0] or b"[]")
    if small.returncode or many.returncode:
        raise RuntimeError("a replay failed: %r" % outs)
    say("amplify run: %d probes, replay %.1f s, %s, jobs walked %r" %
        (len(lat), replay_s, [json.loads(o) for o in outs], walked))
    return lat, replay_s


def group(scratch, runs, fig, commands, notes, jobslib, Proc, percentile, say):
    say("amplify: /healthz while big answers and replays run")
    db = os.path.join(scratch, "amplify.db")
    # the readers of one run linger as parked streams until a heartbeat
    # finds them closed: no per-address limit in the way of the next run
    fd = jobslib.Fleetd(None, db, "amplify", extra=["--max-connections", "512",
                                                    "--max-connections-per-ip", "512"])
    daemon = Proc.of("amplify", fd.proc)
    last = populate(fd.port, db)
    p99, worst, replay, rss = [], [], [], []
    for _ in range(runs):
        lat, secs = one_run(fd.port, daemon.pid, last, say)
        p99.append(percentile(lat, 99))
        worst.append(max(lat))
        replay.append(secs)
        rss.append(peak_rss_kib(daemon.pid) / 1024)
    fd.stop()
    label = ("GET /healthz, p99, while 4 + %d clients replay /v1/events from 0 "
             "(%d events, %d of ~60 KB) and one walks GET /v1/jobs?limit=100"
             % (SSE_CLIENTS, last, BIG_JOBS))
    fig("amplify", label, "ms", p99, "< 50 ms", lambda v: v < 50)
    fig("amplify", "the same, slowest /healthz", "ms", worst)
    fig("amplify", "the same, time until every client had the last event", "s", replay)
    fig("amplify", "fleetd's peak RSS (VmHWM) by the end of the run", "MiB", rss)
    commands["amplify"] = [
        "fleetd without --upstream; %d jobs of ~60 KB, then wait jobs until %d "
        "events" % (BIG_JOBS, SMALL_EVENTS),
        "bench/amplify.py read PORT 4 LAST & bench/amplify.py read PORT %d LAST & "
        "a loop of GET /v1/jobs?limit=100 pages; bench/amplify.py probe PORT "
        "(GET /healthz every 5 ms, keep-alive)" % SSE_CLIENTS]
    notes["amplify"] = [
        "Issue 13 measured /healthz waiting 3.8 s behind one GET /v1/jobs?limit=100 "
        "of 1 MB jobs, and 100 replaying clients holding the loop 3.3 s; the "
        "replay now goes in slices with a budget per loop turn."]


if __name__ == "__main__":
    if sys.argv[1] == "probe":
        probe(int(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1] == "read":
        read(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
