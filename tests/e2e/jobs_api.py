"""jobs_api.py -- the job routes against a real fleetd and fleetsim:
every malformed submission (a table of them) gets a 4xx with the JSON
error body and stores nothing (checked in the database); 201 + Location
only for a good job; Idempotency-Key; the fleet lease (409 naming the
holder); cancel/pause/resume and their 409s; listing with filters and
cursor pagination; the event history.  A GET right after every kind of
change (pause, resume, cancel, a step finishing) shows the new state, not
an answer cached before it."""
import http.client
import json
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from jobslib import Fleetd, Sim, check, refuse_all  # noqa: E402

sim = Sim("--watch-ms", "1000", "--seed", "7", "--fleets", "40")
fd = Fleetd(sim, extra=["--max-body", "65536"])
fleets = fd.wait_ready()
mine = [f for f in fleets if f["mine"]]
st, allf = fd.call("GET", "/v1/fleets?sovereign=all")
foreign = [f for f in allf["fleets"] if not f["mine"]]
check(len(mine) >= 6 and foreign, "galaxy: %d mine, %d foreign" % (len(mine), len(foreign)))
worlds = fd.worlds()
F = mine[0]["id"]
W = next(iter(worlds))
not_a_world = max(worlds) + 100000


def counts():
    return (fd.sql("SELECT count(*) FROM jobs")[0][0],
            fd.sql("SELECT count(*) FROM events")[0][0])


def job(*steps, **top):
    d = {"fleet": F, "steps": list(steps) or [{"op": "move", "to": W}]}
    d.update(top)
    return d


deep = b'{"fleet": 1, "steps": [{"op": "move", "to": 1}], "name": ' + b"[" * 40 + b"]" * 40 + b"}"
steps257 = [{"op": "wait", "seconds": 1}] * 257
# (body, expected status, expected start of the message or None, headers)
BAD = [
    (b'{"fleet": 5,', 400, "invalid JSON", None),
    (b"", 400, "the body is empty", None),
    (b"   ", 400, "invalid JSON", None),
    (b'{"fleet": 5, "steps": [{"op": "move", "to": 1}], "name": "\xff\xfe"}', 400, "invalid JSON", None),
    (b'{"fleet": 5, "steps": [{"op": "move", "to": 1}], "name": "a\\u0000b"}', 400, "invalid JSON", None),
    (b'{"fleet": 5, "fleet": 6, "steps": [{"op": "move", "to": 1}]}', 400, "invalid JSON", None),
    (deep, 400, "JSON nested deeper", None),
    (job(*steps257), 422, "steps: must hold 1 to 256 steps (has 257)", None),
    ([], 422, "(body): must be a JSON object", None),
    ("move fleet", 422, "(body): must be a JSON object", None),
    ({"fleet": F}, 422, "steps: is required", None),
    (job(**{"steps": {"op": "move"}}), 422, "steps: must be a list", None),
    (job(**{"steps": []}), 422, "steps: must hold 1 to 256", None),
    (job({"to": W}), 422, "steps[0].op: is required", None),
    (job({"op": "teleport", "to": W}), 422, "steps[0].op: must be one of", None),
    (job({"op": "move", "to": W}, {"op": "move"}), 422, "steps[1].to: is required", None),
    (job({"op": "move", "to": 1}, {"op": "move", "to": 2}, {"op": "move", "to": "x"}), 422,
     "steps[2].to: must be a world id", None),
    (job({"op": "move", "to": -4}), 422, "steps[0].to: must be a world id", None),
    (job({"op": "move", "to": 10 ** 20}), 400, "invalid JSON", None),  # beyond int64
    (job({"op": "move", "to": 2 ** 53}), 422, "steps[0].to: must be a world id", None),
    (job({"op": "move", "to": 20.5}), 422, "steps[0].to: must be a world id", None),
    (job({"op": "move", "to": not_a_world}), 422, "steps[0].to: must be a world id", None),
    (job({"op": "move", "to": W, "via": 3}), 422, "steps[0].via: unknown field for move", None),
    ({"fleet": "x", "steps": [{"op": "move", "to": W}]}, 422, "fleet: must be a fleet id", None),
    ({"fleet": -1, "steps": [{"op": "move", "to": W}]}, 422, "fleet: must be a fleet id", None),
    ({"fleet": 2 ** 63, "steps": [{"op": "move", "to": W}]}, 400, "invalid JSON", None),
    ({"fleet": 2 ** 62, "steps": [{"op": "move", "to": W}]}, 422, "fleet: must be a fleet id", None),
    ({"fleet": 4.0, "steps": [{"op": "move", "to": W}]}, 422, "fleet: must be a fleet id", None),
    ({"fleet": foreign[0]["id"], "steps": [{"op": "move", "to": W}]}, 422,
     "fleet: fleet %d is not one of your fleets" % foreign[0]["id"], None),
    ({"fleet": 987654321, "steps": [{"op": "move", "to": W}]}, 422, "fleet: no fleet 987654321", None),
    ({"steps": [{"op": "move", "to": W}]}, 422, "fleet: is required unless", None),
    (job(owner=3), 422, "owner: unknown field", None),
    (job({"op": "wait"}), 422, "steps[0]: needs exactly one of seconds, watches or until", None),
    (job({"op": "wait", "seconds": 1, "watches": 1}), 422, "steps[0]: needs exactly one", None),
    (job({"op": "wait", "seconds": -1}), 422, "steps[0].seconds: must be an integer", None),
    (job({"op": "attack", "objective": "win", "enemies": [1]}), 422, "steps[0].objective", None),
    (job({"op": "attack", "objective": "invasion", "enemies": []}), 422, "steps[0].enemies", None),
    (job({"op": "transfer", "to": W, "resources": [100]}), 422, "steps[0].resources", None),
    (job({"op": "deploy", "from": W, "resources": [100, -1]}), 422, "steps[0].resources[1]", None),
    (job({"op": "sell", "to": W, "resources": "everything"}), 422, "steps[0].resources", None),
    (job({"op": "buy", "item": 100, "count": 0}), 422, "steps[0].count", None),
    (job({"op": "rename", "name": ""}), 422, "steps[0].name", None),
    (job({"op": "rename", "name": "x" * 101}), 422, "steps[0].name", None),
    (job({"op": "disband", "into": not_a_world}), 422, "steps[0].into: no world or fleet", None),
    (job(repeat="yes"), 422, "repeat: must be true, false or a number", None),
    (job(start_at="next tuesday"), 422, "start_at: must be an RFC 3339", None),
    (job(start_at="2026-01-01T00:00:00Z", delay_seconds=4), 422, "start_at: cannot be combined", None),
    (job(delay_seconds=-5), 422, "delay_seconds: must be an integer", None),
    (job(), 415, "send Content-Type: application/json", {"Content-Type": "text/plain"}),
    (b'{"fleet": 1, "name": "' + b"x" * 70000 + b'"}', 413, None, None),
    (job(), 400, "Idempotency-Key must be", {"Idempotency-Key": "k" * 300}),
]
check(len(BAD) >= 30, "table too small")

before = counts()
refuse_all(fd, "/v1/jobs", BAD, counts)
check(fd.proc.poll() is None, "fleetd died on bad input")
print("ok - %d malformed jobs refused, nothing stored" % len(BAD))

# the 415 says exactly what to send: curl -d posts a form by default
WANT415 = "send Content-Type: application/json (curl: -H 'Content-Type: application/json')"
for ct in ("application/x-www-form-urlencoded", "text/plain;charset=UTF-8",
           "multipart/form-data; boundary=x", "application/jsonp", "application/json-seq",
           "application/json5; charset=utf-8", "application/jsonx", "application/json, text/plain",
           "application/json/x", "text/application/json", "application/", "application/js",
           "xapplication/json", "application/json\tx"):
    st, _, data = fd.raw("POST", "/v1/jobs", json.dumps(job()).encode(), {"Content-Type": ct})
    err = json.loads(data).get("error")
    check(st == 415 and err == {"code": "unsupported_media_type", "message": WANT415},
          "Content-Type %s: %d %s" % (ct, st, data[:200]))
# no Content-Type at all (a page's fetch() of a Blob body): no preflight either
con = http.client.HTTPConnection("127.0.0.1", fd.port, timeout=20)
con.putrequest("POST", "/v1/jobs")
body = json.dumps(job()).encode()
con.putheader("Content-Length", str(len(body)))
con.endheaders(body)
r = con.getresponse()
err = json.loads(r.read()).get("error")
con.close()
check(r.status == 415 and err and err["message"] == WANT415, "no Content-Type: %d %s" % (r.status, err))
check(counts() == before, "a refused media type stored something")
# the JSON media type itself, in any case, with parameters: past the 415
# (to the job check: this body has no steps)
for ct in ("APPLICATION/JSON", "Application/Json; charset=UTF-8", "application/json ; charset=utf-8",
           "application/json;charset=utf-8", "application/json;"):
    st, _, data = fd.raw("POST", "/v1/jobs", json.dumps({"fleet": F, "steps": []}).encode(),
                         {"Content-Type": ct})
    check(st == 422, "Content-Type %s: %d %s" % (ct, st, data[:200]))
print("ok - 415 names the Content-Type to send; the media type is matched exactly")

# --- a good job: 201, Location, the body is the job -------------------------------
st, hdr, data = fd.raw("POST", "/v1/jobs", job({"op": "wait", "seconds": 3600}, name="long wait"))
check(st == 201, "good job: %d %r" % (st, data))
j1 = json.loads(data)
check(hdr.get("Location") == "/v1/jobs/%d" % j1["id"], "Location %r" % hdr.get("Location"))
check(fd.sql("SELECT state FROM jobs WHERE id = ?", j1["id"]), "201 before the row exists")
j1 = fd.wait_state(j1["id"], ["waiting"])
check(j1["step_op"] == "wait" and j1["sub_state"] == "WAITING" and j1["wake_at"],
      "waiting job: %s" % j1)
check(j1["name"] == "long wait" and j1["fleet"] == F and j1["attempts"] == 0, "job: %s" % j1)

# --- the lease -------------------------------------------------------------------------
st, b = fd.call("POST", "/v1/jobs", job())
check(st == 409 and b["error"]["code"] == "fleet_busy", "lease: %d %s" % (st, b))
check("held by job %d" % j1["id"] in b["error"]["message"], "409 names the holder: %s" % b)
check(fd.sql("SELECT count(*) FROM jobs WHERE fleet = ?", F)[0][0] == 1, "409 stored a job")
st, fl = fd.call("GET", "/v1/fleets/%d" % F)
check(st == 200 and fl.get("job") == j1["id"], "fleet route names its job: %s" % fl)

# --- pause / resume / cancel ----------------------------------------------------------
def ctl(jid, what, expect):
    st, b = fd.call("POST", "/v1/jobs/%d/%s" % (jid, what))
    check(st == expect, "%s job %d -> %d %s (expected %d)" % (what, jid, st, b, expect))
    if expect != 200:
        check(b["error"]["code"] in ("conflict", "not_found"), "error body %s" % b)
    return b


def row_matches(jid):
    """GET (twice: a miss, then what the cache kept) agrees with the row."""
    for _ in range(2):
        j = fd.job(jid)
        r = fd.sql("SELECT state, step, paused_from, attempts FROM jobs WHERE id = ?", jid)[0]
        check((j["state"], j["step"], j.get("paused_from"), j["attempts"]) == tuple(r),
              "GET %s disagrees with the row %s" % (j, r))
    return j


row_matches(j1["id"])  # the answer is cached now
b = ctl(j1["id"], "pause", 200)
check(b["state"] == "paused" and b["paused_from"] == "waiting", "paused: %s" % b)
j = row_matches(j1["id"])
check(j["state"] == "paused" and j["paused_from"] == "waiting", "GET after pause: %s" % j)
b = ctl(j1["id"], "pause", 409)
check("already paused" in b["error"]["message"], "message: %s" % b)
b = ctl(j1["id"], "resume", 200)
check(b["state"] in ("running", "waiting"), "resumed: %s" % b)
j = fd.job(j1["id"])
check(j["state"] in ("running", "waiting") and "paused_from" not in j, "GET after resume: %s" % j)
j = fd.wait_state(j1["id"], ["waiting"])
row_matches(j1["id"])
check(j["wake_at"] == j1["wake_at"], "resume kept the absolute deadline: %s vs %s" %
      (j["wake_at"], j1["wake_at"]))
b = ctl(j1["id"], "resume", 409)
check("not paused" in b["error"]["message"], "message: %s" % b)
b = ctl(j1["id"], "cancel", 200)
check(b["state"] == "cancelled" and b["finished_at"], "cancelled: %s" % b)
j = row_matches(j1["id"])
check(j["state"] == "cancelled" and j["finished_at"] == b["finished_at"], "GET after cancel: %s" % j)
for what in ("cancel", "pause", "resume"):
    b = ctl(j1["id"], what, 409)
    check("already ended (cancelled)" in b["error"]["message"], "message: %s" % b)
ctl(999999, "cancel", 404)
st, b = fd.call("GET", "/v1/jobs/999999")
check(st == 404 and b["error"]["code"] == "not_found", "404: %s" % b)
st, b = fd.call("GET", "/v1/jobs/999999/events")
check(st == 404, "events 404: %d" % st)
# the lease is free again
j2 = fd.submit(job({"op": "wait", "seconds": 3600}))
check(j2["id"] != j1["id"], "new job after cancel")

# --- Idempotency-Key ----------------------------------------------------------------------
F2 = mine[1]["id"]
body = {"fleet": F2, "steps": [{"op": "wait", "seconds": 3600}], "name": "idem"}
a = fd.submit(body, key="abc-1", expect=201)
same = dict(reversed(list(body.items())))  # same body, other key order
b = fd.submit(same, key="abc-1", expect=200)
check(a["id"] == b["id"], "same key and body gave another job")
st, e = fd.call("POST", "/v1/jobs", dict(body, name="other"), {"Idempotency-Key": "abc-1"})
check(st == 422 and e["error"]["code"] == "idempotency_mismatch", "mismatch: %d %s" % (st, e))
check(fd.sql("SELECT count(*) FROM jobs WHERE idem_key = 'abc-1'")[0][0] == 1, "idem rows")

# a replay answers the original job even when the body no longer passes the
# checks against the galaxy: a disband job, run to its end (its fleet gone
# from the mirror), then retried with the same key and body
me = mine[0]["sovereign"]
gone = next((f for f in mine[5:] if f["anchor"] and worlds[f["anchor"]]["sovereign"] == me and
             worlds[f["anchor"]]["designation_name"] != "Imperial capital"), None)
check(gone, "no fleet of ours anchored at a world of ours to disband")
dis = {"fleet": gone["id"], "steps": [{"op": "disband", "into": gone["anchor"]}]}
first = fd.submit(dis, key="disband-1", expect=201)
fd.wait_state(first["id"], ["succeeded"], 60)
end = time.time() + 30
while fd.call("GET", "/v1/fleets/%d" % gone["id"])[0] != 404 and time.time() < end:
    time.sleep(0.1)
check(fd.call("GET", "/v1/fleets/%d" % gone["id"])[0] == 404, "the disbanded fleet stays known")
st, again = fd.call("POST", "/v1/jobs", dis, {"Idempotency-Key": "disband-1"})
check(st == 200 and again["id"] == first["id"] and again["state"] == "succeeded",
      "replay of a finished disband: %d %s" % (st, again))
# a new key with that body is checked, and refused: the fleet is gone
st, e = fd.call("POST", "/v1/jobs", dis, {"Idempotency-Key": "disband-2"})
check(st == 422 and "no fleet %d is known" % gone["id"] in e["error"]["message"],
      "new key for a gone fleet: %d %s" % (st, e))
check(fd.sql("SELECT count(*) FROM jobs WHERE idem_key IN ('disband-1', 'disband-2')")[0][0] == 1,
      "disband idem rows")
print("ok - a replay answers the original job, checked before the galaxy")

# --- start_at / delay_seconds ------------------------------------------------------------
F3 = mine[2]["id"]
later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
q = fd.submit({"fleet": F3, "steps": [{"op": "move", "to": W}], "start_at": later})
q = fd.job(q["id"])
check(q["state"] == "queued" and q["wake_at"] and q["start_at"] == later, "queued: %s" % q)
F4 = mine[3]["id"]
d = fd.submit({"fleet": F4, "steps": [{"op": "wait", "seconds": 1}], "delay_seconds": 1})
d = fd.wait_state(d["id"], ["succeeded"], 30)
check(d["started_at"] >= d["created_at"], "delay: %s" % d)

# --- a step finishing is seen by the next GET ------------------------------------------
# polling keeps the answer cached through every state; a stale one never shows step 1
F5 = mine[4]["id"]
m = fd.submit({"fleet": F5, "steps": [{"op": "rename", "name": "Cache Check"},
                                      {"op": "wait", "seconds": 3600}]})
end = time.time() + 60
while time.time() < end:
    j = fd.job(m["id"])
    if j["step"] == 1 and j["state"] == "waiting":
        break
    check(j["state"] in ("queued", "running", "waiting"), "rename job: %s" % j)
    time.sleep(0.05)
check(j["step"] == 1 and j["state"] == "waiting", "GET never showed the step finished: %s" % j)
row_matches(m["id"])
check("job.step_done" in [e["type"] for e in fd.events(m["id"])], "no step_done event")
end = time.time() + 30
while True:
    st, fl = fd.call("GET", "/v1/fleets/%d" % F5)
    if (st == 200 and fl.get("name") == "Cache Check") or time.time() > end:
        break
    time.sleep(0.1)
check(st == 200 and fl.get("name") == "Cache Check", "the game saw no rename: %s" % fl)

# --- listing: filters and cursor pagination --------------------------------------------------
st, b = fd.call("GET", "/v1/jobs?state=cancelled")
check(st == 200 and [x["id"] for x in b["jobs"]] == [j1["id"]], "state filter: %s" % b)
# each end state, as the table has it: the succeeded ones walk the ids
# (jobs_state holds none, migration 0016), the others come from the index;
# one per page.  A job may end meanwhile: the list holds what had ended
# before it and nothing that had not ended after it.


def ended(state):
    return [r[0] for r in fd.sql("SELECT id FROM jobs WHERE state = '%s' ORDER BY id" % state)]


for state in ("succeeded", "failed", "cancelled"):
    before = ended(state)
    got, cursor = [], None
    while True:
        st, b = fd.call("GET", "/v1/jobs?limit=1&state=" + state +
                        ("&cursor=" + cursor if cursor else ""))
        check(st == 200 and all(x["state"] == state for x in b["jobs"]), "%s: %s" % (state, b))
        got += [x["id"] for x in b["jobs"]]
        cursor = b["next_cursor"]
        if not cursor:
            break
    after = ended(state)
    check(got == sorted(got) and set(before) <= set(got) <= set(after),
          "state=%s listed %s, the table had %s, then %s" % (state, got, before, after))
check(fd.sql("SELECT count(*) FROM jobs WHERE state = 'succeeded'")[0][0] >= 1,
      "no succeeded job to list")
st, b = fd.call("GET", "/v1/jobs?fleet=%d" % F)
check(st == 200 and sorted(x["id"] for x in b["jobs"]) == sorted([j1["id"], j2["id"]]),
      "fleet filter: %s" % b)
seen, cursor, pages = [], None, 0
while True:
    st, b = fd.call("GET", "/v1/jobs?limit=2" + ("&cursor=" + cursor if cursor else ""))
    check(st == 200 and len(b["jobs"]) <= 2, "page: %s" % b)
    seen += [x["id"] for x in b["jobs"]]
    pages += 1
    cursor = b["next_cursor"]
    if not cursor:
        break
total = fd.sql("SELECT count(*) FROM jobs")[0][0]
check(seen == sorted(seen) and len(seen) == total and len(set(seen)) == total,
      "pagination saw %s of %d" % (seen, total))
check(pages >= 3, "pages: %d" % pages)
for bad in ("state=done", "fleet=-1", "limit=0", "limit=5000", "cursor=abc"):
    st, b = fd.call("GET", "/v1/jobs?" + bad)
    check(st == 400 and b["error"]["code"] == "bad_query", "%s: %d %s" % (bad, st, b))

# --- history -----------------------------------------------------------------------------
ev = fd.events(j1["id"])
types = [e["type"] for e in ev]
check(types[0] == "job.created", "history starts with created: %s" % types)
for t in ("job.step_started", "job.wait", "job.state"):
    check(t in types, "history lacks %s: %s" % (t, types))
tos = [e["data"].get("to") for e in ev if e["type"] == "job.state"]
check(tos[-1] == "cancelled" and "paused" in tos, "state events: %s" % tos)
check(all(e["job_id"] == j1["id"] for e in ev), "foreign events in the history")
ids = [e["id"] for e in ev]
st, b = fd.call("GET", "/v1/jobs/%d/events?after=%d&limit=1" % (j1["id"], ids[0]))
check(st == 200 and [e["id"] for e in b["events"]] == [ids[1]] and b["next_after"] == ids[1],
      "events paging: %s" % b)

# --- a POST's answer (written from the job in hand) is what the row says -------------------
# after a restart no answer is cached, so GET builds each one from its row
free = [f["id"] for f in fd.call("GET", "/v1/fleets")[1]["fleets"] if f["mine"] and not f["job"]]
check(len(free) >= 3, "free fleets: %s" % free)
shapes = [
    {"fleet": free[0], "name": 'q"uo\\te \u00e9\u2603 end', "delay_seconds": 3600,
     "steps": [{"op": "wait", "seconds": 5}, {"to": W, "op": "move"}]},
    {"fleet": free[1], "repeat": 3, "steps": [{"seconds": 7200, "op": "wait"}]},
    {"fleet": free[2], "steps": [{"op": "move", "to": W, "on_error": "continue"}]},
]
posted = {}
for spec in shapes:
    st, b = fd.call("POST", "/v1/jobs", spec)
    check(st == 201, "shape %s: %d %s" % (spec, st, b))
    posted[b["id"]] = b
    g = fd.job(b["id"])
    # unless the job is running (its call answered since), it is the same answer
    check(b == g or b["state"] == "running",
          "GET right after POST differs for %d: %s vs %s" % (b["id"], b, g))
fd.sql("SELECT 1")  # the rows are committed (the answers came after the commit)
rc = fd.stop()
check(rc == 0, "fleetd exit %d" % rc)
fd.start()
for jid, b in posted.items():
    g = fd.job(jid)
    if b["state"] == "running":
        # it has moved on since: compare what cannot change
        for k in ("id", "name", "fleet", "repeat", "steps", "created_at", "started_at"):
            check(g[k] == b[k], "job %d: %s %r after restart, %r in the POST answer"
                  % (jid, k, g[k], b[k]))
    else:
        check(g == b, "job %d: the POST answer %s differs from the row's %s" % (jid, b, g))

rc = fd.stop()
check(rc == 0, "fleetd exit %d" % rc)
print("ok - job routes")
