"""queues_api.py -- durable queues through their routes and the put and
take steps, against a real fleetd and fleetsim:
  - hostile input: every malformed POST /v1/queues/{name} (media type,
    empty or bad JSON, wrong types, unknown fields, bad ids, too many items,
    a huge body, bad names, wrong methods) gets a 4xx with the JSON error
    body and stores nothing; a job with a malformed put or take is 422
    naming the path; GET of an unknown queue is 404;
  - takers wait in FIFO order (GET shows them), an item POSTed goes to the
    first waiting taker and is bound to its variable, items come out in
    the order they went in, a take holds its item until its next step
    completes (then it is used up);
  - a put step puts "$self" (put_by names the job);
  - cancelling a job that holds an item gives it back to the front of the
    queue (queue.returned), where the next taker gets it;
  - a group of takers (fleets: [..]): each child takes one item;
  - the queue limit: once 1,000 queues exist, a POST naming a new one is
    409 queue_limit and stores nothing, an existing queue still takes."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, until  # noqa: E402

sim = Sim("--watch-ms", "500", "--seed", "7", "--fleets", "40")
fd = Fleetd(sim, extra=["--max-body", "65536"])
fleets = fd.wait_ready()
mine = [f["id"] for f in fleets if f["mine"]]
check(len(mine) >= 8, "galaxy: %d fleets of mine" % len(mine))


def rows():
    return (fd.sql("SELECT count(*) FROM queue_items")[0][0],
            fd.sql("SELECT count(*) FROM queues")[0][0])


def post(name, body, ctype="application/json"):
    data = body if isinstance(body, bytes) else __import__("json").dumps(body).encode()
    return fd.raw("POST", "/v1/queues/" + name, data, {"Content-Type": ctype})


st, b = fd.call("GET", "/v1/queues")
check(st == 200 and b == {"queues": []}, "no queue yet: %d %r" % (st, b))
st, b = fd.call("GET", "/v1/queues/nope")
check(st == 404 and b["error"]["code"] == "not_found", "unknown queue: %d %r" % (st, b))

# --- hostile input --------------------------------------------------------
before = rows()
cases = [
    ("q", b'{"items": [1]}', "text/plain", 415, "unsupported_media_type"),
    ("q", b'', "application/json", 400, "bad_json"),
    ("q", b'{"items": [1', "application/json", 400, "bad_json"),
    ("q", b'[1, 2]', "application/json", 422, "invalid_items"),
    ("q", b'"x"', "application/json", 422, "invalid_items"),
    ("q", b'{}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": 5}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": []}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": [1], "extra": 1}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": ["5"]}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": [0]}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": [-3]}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": [1.5]}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": [9007199254740992]}', "application/json", 422, "invalid_items"),
    ("q", b'{"items": [null]}', "application/json", 422, "invalid_items"),
    ("q", ('{"items": [%s]}' % ",".join(["1"] * 1001)).encode(), "application/json", 422,
     "invalid_items"),
    ("q", b'{"items": [' + b"1," * 40000 + b'1]}', "application/json", 413, None),
    ("bad%20name", b'{"items": [1]}', "application/json", 400, "bad_queue_name"),
    ("a" * 65, b'{"items": [1]}', "application/json", 400, "bad_queue_name"),
    ("caf%C3%A9", b'{"items": [1]}', "application/json", 400, "bad_queue_name"),
]
for name, body, ctype, want, code in cases:
    st, _, raw = post(name, body, ctype)
    check(st == want, "POST /v1/queues/%s %r -> %d (want %d) %r" % (name[:20], body[:40], st,
                                                                  want, raw[:200]))
    if code:
        err = __import__("json").loads(raw)["error"]
        check(err["code"] == code and err["message"], "%r: %r" % (body[:40], err))
for method in ("PUT", "DELETE", "PATCH"):
    st, _, _ = fd.raw(method, "/v1/queues/q", b'{"items": [1]}')
    check(st == 405, "%s /v1/queues/q -> %d" % (method, st))
st, _, _ = fd.raw("POST", "/v1/queues", b'{"items": [1]}')
check(st == 405, "POST /v1/queues -> %d" % st)
st, b = fd.call("GET", "/v1/queues/bad%20name")
check(st == 400 and b["error"]["code"] == "bad_queue_name", "GET a bad name: %d %r" % (st, b))
check(rows() == before, "refused POSTs stored something: %r -> %r" % (before, rows()))

bad_steps = [
    ({"op": "put", "value": 5}, "steps[0].queue: is required"),
    ({"op": "put", "queue": "q"}, "steps[0].value: is required"),
    ({"op": "put", "queue": "a b", "value": 5}, "steps[0].queue: must be a queue name"),
    ({"op": "put", "queue": "", "value": 5}, "steps[0].queue: must be a queue name"),
    ({"op": "put", "queue": 7, "value": 5}, "steps[0].queue: must be a queue name"),
    ({"op": "put", "queue": "q", "value": "x"}, "steps[0].value: must be an id"),
    ({"op": "put", "queue": "q", "value": 0}, "steps[0].value: must be an id"),
    ({"op": "put", "queue": "q", "value": {"nearest": {"mine": True}}}, "steps[0].value: must be an id"),
    ({"op": "put", "queue": "q", "value": 5, "as": "x"}, "steps[0].as: unknown field for put"),
    ({"op": "take", "queue": "q"}, "steps[0].as: is required"),
    ({"op": "take", "queue": "q", "as": "$w"}, "steps[0].as: must be a variable name"),
    ({"op": "take", "queue": "q", "as": "self"}, "steps[0].as: must be a variable name"),
    ({"op": "take", "queue": "q", "as": ""}, "steps[0].as: must be a variable name"),
    ({"op": "take", "queue": "q", "as": "a-b"}, "steps[0].as: must be a variable name"),
    ({"op": "take", "queue": "q", "as": "w", "value": 1}, "steps[0].value: unknown field for take"),
]
jobs_before = fd.sql("SELECT count(*) FROM jobs")[0][0]
for step, msg in bad_steps:
    st, b = fd.call("POST", "/v1/jobs", {"fleet": mine[0], "steps": [step]})
    check(st == 422 and b["error"]["message"].startswith(msg),
          "%r -> %d %r (want %r)" % (step, st, b, msg))
check(fd.sql("SELECT count(*) FROM jobs")[0][0] == jobs_before, "a refused job was stored")
check(rows() == before, "a refused job touched the queues")


# --- hand-over ---------------------------------------------------------------
def taker(fleet, name, after):
    return fd.submit({"fleet": fleet, "steps": [{"op": "take", "queue": name, "as": "w"}, after]})


hold = {"op": "wait", "seconds": 3600}
a = taker(mine[0], "work", {"op": "wait", "seconds": 2})
until("a waits", lambda: [w["job"] for w in fd.queue("work")["waiting"]] == [a["id"]])
b_ = taker(mine[1], "work", {"op": "wait", "seconds": 2})
until("a, b wait", lambda: [w["job"] for w in fd.queue("work")["waiting"]] == [a["id"], b_["id"]])
st, q = fd.call("GET", "/v1/queues")
check(q["queues"] == [{"name": "work", "size": 0, "taken_count": 0, "waiting_count": 2}],
      "list: %r" % q)
st, b = fd.call("POST", "/v1/queues/work", {"items": [500]})
check(st == 200 and b["name"] == "work", "POST -> %d %r" % (st, b))
ja = until("a took 500", lambda: fd.job(a["id"])["vars"] == {"w": 500} and fd.job(a["id"]))
check(ja["step"] == 1, "a is at its next step: %r" % ja)
q = fd.queue("work")
check([w["job"] for w in q["waiting"]] == [b_["id"]], "b still waits: %r" % q)
check([(t["value"], t["job"]) for t in q["taken"]] == [(500, a["id"])], "500 held: %r" % q)
ja = fd.wait_state(a["id"], ["succeeded", "failed"], 20)
check(ja["state"] == "succeeded", "a: %r" % ja)
q = fd.queue("work")
check(q["taken"] == [] and q["items"] == [], "500 used up when a's next step completed: %r" % q)
evs = [e["type"] for e in fd.events(a["id"])]
check("queue.taken" in evs, "a's events: %r" % evs)

st, b = fd.call("POST", "/v1/queues/work", {"items": [601, 602, 603]})
check(st == 200, "POST 3 -> %d" % st)
until("b took 601", lambda: fd.job(b_["id"])["vars"] == {"w": 601})
q = fd.queue("work")
check([i["value"] for i in q["items"]] == [602, 603] and q["size"] == 2, "FIFO: %r" % q)
check(all(i["put_by"] is None for i in q["items"]), "put from outside: %r" % q)
c = taker(mine[2], "work", hold)
until("c took 602", lambda: fd.job(c["id"])["vars"] == {"w": 602})
# a put step: $self is the job's fleet
p = fd.submit({"fleet": mine[3], "steps": [{"op": "put", "queue": "work", "value": "$self"}]})
jp = fd.wait_state(p["id"], ["succeeded", "failed"], 20)
check(jp["state"] == "succeeded", "put job: %r" % jp)
q = fd.queue("work")
check([(i["value"], i["put_by"]) for i in q["items"]] == [(603, None), (mine[3], p["id"])],
      "after the put: %r" % q)

# --- cancel gives the item back to the front ----------------------------------
st, _ = fd.call("POST", "/v1/jobs/%d/cancel" % c["id"])
check(st == 200, "cancel c -> %d" % st)
q = fd.queue("work")
check([i["value"] for i in q["items"]] == [602, 603, mine[3]], "602 back at the front: %r" % q)
check(any(e["type"] == "queue.returned" and e["data"] == {"queue": "work", "value": 602}
          for e in fd.events(c["id"])), "queue.returned: %r" % fd.events(c["id"]))
d = taker(mine[4], "work", hold)
until("d took 602", lambda: fd.job(d["id"])["vars"] == {"w": 602})
# a waiting take cancelled is no longer a waiter
st, b = fd.call("POST", "/v1/queues/work", {"items": []})
check(st == 422, "empty items: %d" % st)
e = taker(mine[5], "empty", hold)
until("e waits", lambda: [w["job"] for w in fd.queue("empty")["waiting"]] == [e["id"]])
st, _ = fd.call("POST", "/v1/jobs/%d/cancel" % e["id"])
check(st == 200 and fd.queue("empty")["waiting"] == [], "cancelled taker still waits")

# --- a group of takers: each child takes one item ------------------------------
g = fd.submit({"name": "nails", "fleets": [mine[6], mine[7]], "steps": [
    {"op": "take", "queue": "group", "as": "w"}, {"op": "wait", "seconds": 1}]})
kids = g["children"]
check(len(kids) == 2, "group children: %r" % g)
until("both children wait", lambda: sorted(w["job"] for w in fd.queue("group")["waiting"]) ==
      sorted(kids))
st, _ = fd.call("POST", "/v1/queues/group", {"items": [71, 72]})
check(st == 200, "POST group -> %d" % st)
pj = fd.wait_state(g["id"], ["succeeded", "failed", "cancelled"], 30)
check(pj["state"] == "succeeded", "the group: %r" % pj)
got = sorted(fd.job(k)["vars"]["w"] for k in kids)
check(got == [71, 72], "each child one item: %r" % got)
q = fd.queue("group")
check(q["items"] == [] and q["taken"] == [] and q["waiting"] == [], "group queue: %r" % q)

# --- the queue limit: 1,000 queues, then a new name is refused ----------------
for i in range(1000 - rows()[1]):
    st, _, _ = post("limit-%d" % i, {"items": [1]})
    check(st == 200, "POST limit-%d -> %d" % (i, st))
before = rows()
check(before[1] == 1000, "queues: %r" % (before,))
st, _, raw = post("one-more", {"items": [5]})
err = __import__("json").loads(raw)["error"]
check(st == 409 and err["code"] == "queue_limit" and "1000 queues" in err["message"],
      "a queue past the limit: %d %r" % (st, err))
check(rows() == before, "the refused POST stored something: %r -> %r" % (before, rows()))
st, _, _ = post("limit-0", {"items": [2]})
check(st == 200 and rows() == (before[0] + 1, 1000), "an existing queue: %d %r" % (st, rows()))
check(fd.stop() == 0, "fleetd exited uncleanly (a sanitizer finding?)")
sim.stop()
print("ok - queue routes refuse hostile input; FIFO hand-over; put; cancel gives back")
