"""amplify.py -- no request can make fleetd build or hold an answer much
bigger than the request (issue 13, point 6).

A job spec over --max-job-bytes (default 64 KiB, compact JSON) is refused
with 413 job_too_large naming the limit, also when set by
FLEETD_MAX_JOB_BYTES.  GET /v1/jobs and GET /v1/jobs/{id}/events stop a
page before the item that would take it past --max-page-bytes (one item
always goes) and their cursor carries on, so walking the pages yields
every item once.  A /v1/events client replaying stored events bigger in
all than its 1 MiB cap is not dropped: the cap is checked per event, and
it receives every one of them; four clients replaying at once (not
reading) leave the daemon's memory bounded by their caps.  Timings are
not asserted here: the /healthz latency under these loads is the
"amplify" group of make bench."""
import http.client
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import check, fail, fleetd, request, run  # noqa: E402

JSON = {"Content-Type": "application/json"}
BIG_ID = 9007199254740991


def job_of_size(target, fleet=7):
    """A valid job (of the fleet; transfers, checked only once the galaxy is
    known) whose compact JSON is about target bytes (a little under)."""
    pair = [BIG_ID, -BIG_ID]
    step_bytes = len(json.dumps(pair, separators=(",", ":"))) + 1
    steps, left = [], target - 200
    while left > step_bytes * 2:
        n = min(256, left // step_bytes)
        steps.append({"op": "transfer", "to": 1, "resources": pair * n})
        left -= n * step_bytes + 40
    return {"fleet": fleet, "name": "big", "steps": steps}


def compact(job):
    return json.dumps(job, separators=(",", ":"))


def post(d, job):
    return request(d.url + "/v1/jobs", "POST", compact(job), JSON)


def get_json(d, path):
    st, _, body = request(d.url + path)
    check(st == 200, "GET %s: %s %r" % (path, st, body[:200]))
    return body, json.loads(body)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def job_cap(scratch, daemons):
    d = fleetd(scratch, daemons, "jobcap")
    big = job_of_size(70000)
    check(len(compact(big)) > 65536, "test job too small: %d" % len(compact(big)))
    st, _, body = post(d, big)
    check(st == 413, "a %d-byte job gave %s %r" % (len(compact(big)), st, body[:200]))
    err = json.loads(body)["error"]
    check(err["code"] == "job_too_large" and "65536" in err["message"],
          "413 body %r" % err)
    # whitespace neither counts nor helps: the compact size is measured
    ok = job_of_size(60000)
    st, _, body = request(d.url + "/v1/jobs", "POST", json.dumps(ok, indent=4), JSON)
    check(len(json.dumps(ok, indent=4)) > 65536, "the indented job is small")
    check(st == 201, "a 60 KB job sent with indentation gave %s %r" % (st, body[:200]))
    # the environment variable sets it too
    e = fleetd(scratch, daemons, "jobcap-env", env={"FLEETD_MAX_JOB_BYTES": "2000"})
    st, _, body = post(e, job_of_size(3000))
    check(st == 413 and "2000" in json.loads(body)["error"]["message"],
          "FLEETD_MAX_JOB_BYTES=2000 and a 3 KB job: %s %r" % (st, body[:200]))
    st, _, _ = post(e, job_of_size(1500, fleet=8))
    check(st == 201, "FLEETD_MAX_JOB_BYTES=2000 and a 1.5 KB job: %s" % st)


def job_pages(d, ids):
    """GET /v1/jobs?limit=100 is cut by bytes, and its cursor walks them all."""
    cap = 1 << 20
    seen, cursor, pages = [], None, 0
    while True:
        q = "/v1/jobs?limit=100" + ("&cursor=%s" % cursor if cursor else "")
        raw, page = get_json(d, q)
        pages += 1
        check(len(raw) <= cap + 70000,
              "a page of %d jobs is %d bytes" % (len(page["jobs"]), len(raw)))
        seen += [j["id"] for j in page["jobs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        check(pages < 100, "the cursor does not end")
    check(pages > 1, "%d jobs of 60 KB came in one page" % len(ids))
    check(seen == ids, "the pages gave %s, wanted %s" % (seen, ids))


def read_events(port, want, last_id=0, timeout=60):
    """Replay from last_id; the ids of the first `want` job.created events."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/v1/events", headers={"Last-Event-ID": str(last_id)})
    resp = conn.getresponse()
    check(resp.status == 200, "stream status %s" % resp.status)
    got, ev = [], {}
    try:
        while len(got) < want:
            line = resp.readline()
            if not line:
                fail("the stream ended after %d of %d job.created events "
                     "(dropped?)" % (len(got), want))
            line = line.decode().rstrip("\n")
            if line == "":
                if ev.get("event") == "job.created":
                    data = json.loads(ev["data"])
                    check(data["id"] == int(ev["id"]), "id line %s, data %r" %
                          (ev["id"], ev["data"][:100]))
                    got.append(data["job_id"])
                ev = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                ev[key] = value
    finally:
        conn.close()
    return got


def stalled_readers(d, n):
    """n clients that ask for a replay from 0 and then read nothing."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", d.port))
        s.sendall(b"GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Last-Event-ID: 0\r\n\r\n")
        socks.append(s)
    return socks


def big_history(scratch, daemons):
    d = fleetd(scratch, daemons, "history")
    ids = []
    for i in range(20):
        st, _, body = post(d, job_of_size(60000, fleet=100 + i))
        check(st == 201, "60 KB job: %s %r" % (st, body[:200]))
        ids.append(json.loads(body)["id"])
    job_pages(d, ids)

    # 20 job.created events of 60 KB: 1.2 MB, over a client's 1 MiB cap
    got = read_events(d.port, len(ids))
    check(got == ids, "replay gave the jobs %s, wanted %s" % (got, ids))
    check("event stream dropped" not in d.log_text(),
          "a reading client was dropped:\n" + d.log_text()[-2000:])

    # four clients replaying at once and reading nothing hold at most
    # their caps (1 MiB each) and what one read takes
    before = rss_kib(d.proc.pid)
    socks = stalled_readers(d, 4)
    time.sleep(1.5)
    grown = rss_kib(d.proc.pid) - before
    for s in socks:
        s.close()
    check(grown < 4 * 2048 + 8192, "4 stalled replays grew the daemon by %d KiB" % grown)
    st, _, _ = request(d.url + "/healthz")
    check(st == 200, "/healthz after the replays: %s" % st)


def event_pages(scratch, daemons):
    """GET /v1/jobs/{id}/events is cut by bytes too."""
    d = fleetd(scratch, daemons, "evpages", "--max-page-bytes", "4096")
    job = job_of_size(3900)
    job["steps"].insert(0, {"op": "wait", "seconds": 1})
    st, _, body = post(d, job)
    check(st == 201, "job: %s %r" % (st, body[:200]))
    jid = json.loads(body)["id"]
    # the wait step runs without a game: created, running, waiting, done...
    end = time.time() + 30
    while time.time() < end:
        _, j = get_json(d, "/v1/jobs/%d" % jid)
        if j["step"] >= 1:
            break
        time.sleep(0.2)
    else:
        fail("the wait step never finished: %r" % j)
    seen, after, pages = [], 0, 0
    while True:
        raw, page = get_json(d, "/v1/jobs/%d/events?limit=1000&after=%d" % (jid, after))
        pages += 1
        evs = page["events"]
        check(evs, "an empty page before the end: %r" % page)
        check(len(evs) == 1 or len(raw) <= 4096 + 200,
              "a page of %d events is %d bytes" % (len(evs), len(raw)))
        seen += [e["id"] for e in evs]
        if page["next_after"] is None:
            break
        check(page["next_after"] == evs[-1]["id"], "next_after %r" % page["next_after"])
        after = page["next_after"]
        check(pages < 100, "next_after does not end")
    check(pages > 1, "all %d events came in one page of 4096 bytes" % len(seen))
    check(seen == list(range(1, len(seen) + 1)) and len(seen) >= 4,
          "the pages gave the events %s" % seen)


def main(scratch, daemons):
    job_cap(scratch, daemons)
    big_history(scratch, daemons)
    event_pages(scratch, daemons)


run(main)
