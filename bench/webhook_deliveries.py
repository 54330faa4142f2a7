"""webhook_deliveries.py -- the "webhooks" group of make bench (issue 17, point 7):
how many webhook deliveries per second fleetd makes to a local receiver.

The outbox is filled while fleetd is stopped: DELIVERIES rows spread over
HOOKS webhooks (one job-end body each, 200 bytes), all due, all for events
already committed; then fleetd starts and the run times how long it takes
until the last row is delivered (read from the database every 20 ms).  So
the figure is delivery alone: signing, the POST over a kept-alive loopback
connection, the 2xx, the row marked delivered in the group commit -- one
in flight per webhook, HOOKS webhooks in parallel.  The receiver is nginx
answering 204 to every POST (python's http.server would be the bottleneck).

Also runnable alone: bench/webhook_deliveries.py BUILDDIR (prints the figures; no
report is written)."""
import os
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOOKS = int(os.environ.get("BENCH_WEBHOOKS_HOOKS", "16"))
DELIVERIES = int(os.environ.get("BENCH_WEBHOOKS_N", "20000"))
BAR = 2000

NGINX_CONF = """worker_processes 1;
daemon off;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 1024; }}
http {{
	keepalive_requests 1000000;
	access_log off;
	client_body_temp_path {p}/tmp;
	proxy_temp_path {p}/tmp;
	fastcgi_temp_path {p}/tmp;
	uwsgi_temp_path {p}/tmp;
	scgi_temp_path {p}/tmp;
	server {{
		listen 127.0.0.1:{port};
		location / {{ return 204; }}
	}}
}}
"""


def receiver(scratch, Proc, free_port):
    """nginx answering 204 to everything, or None when it is missing."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                      else None)
    if not nginx:
        return None, None
    prefix = os.path.join(scratch, "webhooks-nginx")
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    port = free_port()
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(p=prefix, port=port))
    proc = Proc("webhooks-nginx", [nginx, "-c", conf, "-p", prefix])
    time.sleep(0.5)
    return proc, port


def fill_outbox(db, port):
    """HOOKS webhooks at the receiver, DELIVERIES due rows among them."""
    con = sqlite3.connect(db, timeout=30)
    last = con.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    con.execute("DELETE FROM webhooks")
    now = int(time.time() * 1000)
    for i in range(HOOKS):
        con.execute("INSERT INTO webhooks (url, events, format, secret, created_ms) "
                    "VALUES (?, '[\"job.failed\"]', 'json', ?, ?)",
                    ("http://127.0.0.1:%d/hook/%d" % (port, i), "bench-secret-%032d" % i, now))
    hooks = [r[0] for r in con.execute("SELECT id FROM webhooks ORDER BY id")]
    body = ('{"event":"job.failed","event_id":%d,"ts":%d,"job_id":1,'
            '"data":{"from":"running","to":"failed","step":1}}' % (last, now))
    body += " " * max(0, 200 - len(body))
    con.executemany(
        "INSERT INTO webhook_outbox (webhook_id, event_id, type, body, created_ms, next_ms, "
        "expires_ms) VALUES (?, ?, 'job.failed', ?, ?, ?, ?)",
        ((hooks[i % HOOKS], last, body, now, now, now + 86400000) for i in range(DELIVERIES)))
    con.commit()
    con.close()


def delivered(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM webhook_outbox "
                           "WHERE state = 'delivered'").fetchone()[0]
    finally:
        con.close()


def one_run(scratch, jobslib, port, run, say):
    db = os.path.join(scratch, "webhooks-%d.db" % run)
    fd = jobslib.Fleetd(None, db, "webhooks-%d" % run)  # creates the schema
    fd.stop()
    fill_outbox(db, port)
    t0 = time.monotonic()
    fd.start()
    while delivered(db) < DELIVERIES:
        if time.monotonic() - t0 > 300:
            raise RuntimeError("the outbox did not drain in 300 s")
        time.sleep(0.02)
    secs = time.monotonic() - t0
    fd.stop()
    rate = DELIVERIES / secs
    say("webhooks: run %d: %d deliveries in %.2f s = %.0f/s" % (run, DELIVERIES, secs, rate))
    return rate


def group(scratch, runs, fig, commands, notes, jobslib, Proc, free_port, say):
    say("webhooks: deliveries per second to a local receiver")
    nginx, port = receiver(scratch, Proc, free_port)
    if not nginx:
        notes["webhooks"] = ["nginx is missing: not measured"]
        fig("webhooks", "deliveries per second", "/s", [], ">= %d/s" % BAR)
        return
    try:
        rates = [one_run(scratch, jobslib, port, r, say) for r in range(runs)]
    finally:
        nginx.p.terminate()
        nginx.p.wait()
    fig("webhooks", "webhook deliveries per second to a local receiver (%d webhooks, "
        "%d deliveries, fleetd start included)" % (HOOKS, DELIVERIES), "/s", rates,
        ">= %d/s" % BAR, lambda v: v >= BAR, fmt="%.0f")
    commands["webhooks"] = [
        "fleetd without --upstream on a database whose outbox holds %d due deliveries "
        "over %d webhooks (written with sqlite3 while fleetd is stopped)" % (DELIVERIES, HOOKS),
        "nginx (1 worker) answering 204 to every POST; the time from fleetd's start until "
        "the last row is `delivered` (polled every 20 ms)"]
    notes["webhooks"] = [
        "One delivery in flight per webhook, in order; each is signed (HMAC-SHA256), "
        "POSTed on a kept-alive connection and marked delivered in the group commit."]


if __name__ == "__main__":
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    os.environ.setdefault("FLEETD", os.path.join(build, "fleetd"))
    sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "e2e")]
    import jobslib  # noqa: E402
    from benchlib import SCRATCH, Figure, Proc, free_port, say  # noqa: E402
    out = []
    group(SCRATCH, int(os.environ.get("BENCH_RUNS", "3")),
          lambda *a, **k: out.append(Figure(*a, **k)), {}, {}, jobslib, Proc, free_port, say)
    for f in out:
        print("%s: %s %s (runs: %s) bar %s: %s" % (f.group, f.label, f.med(), f.values,
                                                   f.bar, f.verdict()))
