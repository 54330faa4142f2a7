"""events.py -- GET /v1/events end to end, against the real job engine:
the events of a job arrive as SSE (id = event log id, event = type, data
= JSON) while it runs; a client that disconnects and comes back with
Last-Event-ID receives exactly what it missed; ?job_id= narrows the
stream; the route needs the token; and SIGTERM with a stream open still
stops fleetd promptly (long before --shutdown-grace)."""
import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import check, fail, fleetd, request, run  # noqa: E402

TOKEN = "tok-events-77aa"
AUTH = {"Authorization": "Bearer " + TOKEN}


class Stream:
    def __init__(self, port, path="/v1/events", last_id=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = dict(AUTH)
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        self.conn.request("GET", path, headers=headers)
        self.resp = self.conn.getresponse()
        check(self.resp.status == 200, "stream status %s" % self.resp.status)
        ctype = self.resp.getheader("Content-Type", "")
        check(ctype.startswith("text/event-stream"), "content type %s" % ctype)

    def next_event(self):
        """The next event as a dict with id/event/data; comments skipped."""
        ev = {}
        while True:
            line = self.resp.readline()
            if not line:
                fail("stream ended while waiting for an event")
            line = line.decode().rstrip("\n")
            if line == "":
                if "data" in ev:
                    return ev
                ev = {}
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            ev[key] = value

    def until(self, pred):
        seen = []
        while True:
            ev = self.next_event()
            seen.append(ev)
            if pred(ev):
                return seen

    def close(self):
        self.conn.close()


def submit(d, seconds=1):
    st, hdrs, body = request(d.url + "/v1/jobs", "POST",
                             json.dumps({"fleet": 7, "steps": [{"op": "wait", "seconds": seconds}]}),
                             headers=dict(AUTH, **{"Content-Type": "application/json"}))
    check(st == 201, "submit gave %s %r" % (st, body))
    return json.loads(body)["id"]


def finished(job):
    return lambda ev: (ev.get("event") == "job.state" and
                       json.loads(ev["data"])["job_id"] == job and
                       json.loads(ev["data"])["data"].get("to") == "succeeded")


def main(scratch, daemons):
    tok = os.path.join(scratch, "token")
    with open(tok, "w") as f:
        f.write(TOKEN)
    d = fleetd(scratch, daemons, "events", "--api-token-file", tok,
               "--shutdown-grace", "60")
    st, _, _ = request(d.url + "/v1/events")
    check(st == 401, "stream without a token gave %s" % st)

    s = Stream(d.port)
    job1 = submit(d)
    evs = s.until(finished(job1))
    types = [e["event"] for e in evs]
    check(types[0] == "job.created", "first event %s" % types)
    check("job.step_done" in types, "no step_done in %s" % types)
    ids = [int(e["id"]) for e in evs]
    check(ids == list(range(ids[0], ids[0] + len(ids))), "ids not consecutive: %s" % ids)
    for e in evs:
        data = json.loads(e["data"])
        check(data["id"] == int(e["id"]) and data["type"] == e["event"],
              "data does not match id/event: %s" % e)
        check(data["job_id"] == job1, "job_id %s" % data)
    last = ids[-1]
    s.close()

    # while nobody listens, a second job runs to the end
    job2 = submit(d)
    for _ in range(200):
        st, _, body = request(d.url + "/v1/jobs/%d" % job2, headers=AUTH)
        if json.loads(body)["state"] == "succeeded":
            break
        time.sleep(0.05)
    s = Stream(d.port, last_id=last)
    evs2 = s.until(finished(job2))
    ids2 = [int(e["id"]) for e in evs2]
    check(ids2[0] == last + 1, "resumed at %s, wanted %s" % (ids2[0], last + 1))
    check(ids2 == list(range(last + 1, last + 1 + len(ids2))), "gap after resume: %s" % ids2)
    check(all(json.loads(e["data"])["job_id"] == job2 for e in evs2), "foreign events")
    s.close()

    # one job only, from the beginning
    s = Stream(d.port, "/v1/events?job_id=%d&last_event_id=0" % job2)
    evs3 = s.until(finished(job2))
    check([int(e["id"]) for e in evs3] == ids2, "job filter: %s vs %s" % (evs3, ids2))
    s.close()

    st, _, body = request(d.url + "/v1/events", headers=dict(AUTH, **{"Last-Event-ID": "x1"}))
    check(st == 400, "bad Last-Event-ID gave %s" % st)

    # a stream open at SIGTERM ends, and fleetd exits well within the grace
    s = Stream(d.port)
    t0 = time.monotonic()
    rc = d.stop(timeout=30)
    check(rc == 0, "exit status %s" % rc)
    check(time.monotonic() - t0 < 30, "stop took too long")
    check("shutdown grace over" not in d.log_text(), "stream held up the shutdown")
    try:  # the chunked answer ends properly: no IncompleteRead
        rest = s.resp.read()
    except http.client.IncompleteRead as e:
        fail("stream cut instead of ended: %r" % e)
    check(b"event:" not in rest, "events after the shutdown: %r" % rest)


run(main)
