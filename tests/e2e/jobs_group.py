"""jobs_group.py -- group jobs (spec: "Fleets working together") against a
real fleetd and fleetsim:

  - hostile submissions of `fleets` (empty, one fleet, 1,001, duplicates,
    non-integers, unknown and foreign fleets, a filter matching nothing,
    unknown filter fields, both fleet and fleets, a body over the limit,
    a wrong method): each a 4xx naming the path, nothing stored;
  - a group of explorers sharing an explore group runs to the end: the
    parent (no fleet, `children`, `children_states`) ends succeeded, each
    child carries `parent`, GET /v1/jobs?parent= lists the children;
  - a filter (ftl_type, at, idle) resolved once at submission;
  - a fleet held by a live job makes the whole group 409 naming the
    holders, with nothing stored;
  - Idempotency-Key covers the whole group (a replay answers the parent,
    stores nothing; another body under the key is refused);
  - the parent's end: one child fails -> failed, with last_error
    "child ID: <that child's error>"; cancel -> cancelled (no error);
    pause and resume of the parent reach every live child;
  - a trigger's job may be a group (a schedule's may not: schedules.c);
  - retention (--retain-days) keeps a live group's ended children."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check  # noqa: E402

sim = Sim("--watch-ms", "400", "--seed", "11", "--fleets", "240", "--worlds", "200")
fd = Fleetd(sim, extra=["--max-body", "65536"])
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
mine = {i: f for i, f in F.items() if f["mine"]}
foreign = [i for i, f in F.items() if not f["mine"]]
used = set()


def take(pred, why, n=1):
    out = []
    for i in sorted(mine):
        if len(out) < n and i not in used and pred(mine[i]):
            used.add(i)
            out.append(i)
    check(len(out) == n, "only %d fleets for %s" % (len(out), why))
    return out


def counts():
    """Jobs and their events (the mirror's watch and fleet events come in
    on their own meanwhile)."""
    return (fd.sql("SELECT count(*) FROM jobs")[0][0],
            fd.sql("SELECT count(*) FROM events WHERE job_id IS NOT NULL")[0][0])


def wait_group(pid, states, timeout=90):
    return fd.wait_state(pid, states, timeout)


def children(pid):
    st, b = fd.call("GET", "/v1/jobs?parent=%d&limit=1000" % pid)
    check(st == 200, "GET ?parent=%d -> %d %s" % (pid, st, b))
    return b["jobs"]


W = next(iter(Wd))
not_a_world = max(Wd) + 100000
steps = [{"op": "wait", "seconds": 3600}]
spare = take(lambda f: True, "hostile input", 2)

# --- hostile input: a 4xx naming the path, nothing stored --------------------------
many = sorted(mine)[:1] + list(range(9000001, 9000001 + 1000))
BAD = [
    ({"fleets": [], "steps": steps}, 422, "fleets: must list 2 to 1000 fleet ids (has 0)"),
    ({"fleets": spare[:1], "steps": steps}, 422, "fleets: must list 2 to 1000 fleet ids (has 1)"),
    ({"fleets": many, "steps": steps}, 422, "fleets: must list 2 to 1000 fleet ids (has 1001)"),
    ({"fleets": [spare[0], spare[1], spare[0]], "steps": steps}, 422,
     "fleets[2]: fleet %d is listed twice" % spare[0]),
    ({"fleets": [spare[0], "x"], "steps": steps}, 422, "fleets[1]: must be a fleet id"),
    ({"fleets": [spare[0], 1.5], "steps": steps}, 422, "fleets[1]: must be a fleet id"),
    ({"fleets": [spare[0], -3], "steps": steps}, 422, "fleets[1]: must be a fleet id"),
    ({"fleets": [spare[0], None], "steps": steps}, 422, "fleets[1]: must be a fleet id"),
    ({"fleets": [spare[0], 987654321], "steps": steps}, 422, "fleets[1]: no fleet 987654321"),
    ({"fleets": [spare[0], foreign[0]], "steps": steps}, 422,
     "fleets[1]: fleet %d is not one of your fleets" % foreign[0]),
    ({"fleets": "all", "steps": steps}, 422, "fleets: must be a list of fleet ids or"),
    ({"fleets": {}, "steps": steps}, 422, "fleets.filter: is required"),
    ({"fleets": {"select": {}}, "steps": steps}, 422, "fleets.select: unknown field"),
    ({"fleets": {"filter": 3}, "steps": steps}, 422, "fleets.filter: must be an object"),
    ({"fleets": {"filter": {"colour": "red"}}, "steps": steps}, 422,
     "fleets.filter.colour: unknown field"),
    ({"fleets": {"filter": {"ftl_type": "hyper"}}, "steps": steps}, 422,
     "fleets.filter.ftl_type: must be one of"),
    ({"fleets": {"filter": {"idle": "yes"}}, "steps": steps}, 422,
     "fleets.filter.idle: must be true or false"),
    ({"fleets": {"filter": {"at": "here"}}, "steps": steps}, 422,
     "fleets.filter.at: must be a world id"),
    ({"fleets": {"filter": {"at": not_a_world}}, "steps": steps}, 422,
     "fleets.filter.at: must be a world id (no world %d" % not_a_world),
    ({"fleets": {"filter": {"cargo": {"resource": 90}}}, "steps": steps}, 422,
     "fleets.filter.cargo"),
    # a world holding no fleet of ours: the filter matches nothing
    ({"fleets": {"filter": {"at": next(w for w in sorted(Wd) if not any(
        f["anchor"] == w for f in mine.values()))}}, "steps": steps}, 422,
     "fleets.filter: matches none of your fleets"),
    ({"fleet": spare[0], "fleets": spare, "steps": steps}, 422,
     "fleets: a group names its fleets here; it cannot also name `fleet`"),
    ({"world": W, "fleets": spare, "steps": steps}, 422, "fleets: a group names its fleets"),
    ({"fleets": spare, "steps": [{"op": "move"}]}, 422, "steps[0].to: is required"),
    ({"fleets": spare}, 422, "steps: is required"),
]
before = counts()
for body, want, msg in BAD:
    st, b = fd.call("POST", "/v1/jobs", body)
    got = (b or {}).get("error", {}).get("message", "")
    check(st == want and got.startswith(msg),
          "%s -> %d %r (wanted %d %r)" % (json.dumps(body)[:120], st, got, want, msg))
st, _, _ = fd.raw("POST", "/v1/jobs", b'{"fleets": [' + b"1," * 40000 + b'2], "steps": []}')
check(st == 413, "a body over --max-body -> %d" % st)
st, _, _ = fd.raw("POST", "/v1/jobs", b'{"fleets": [1, 2], "steps": [}')
check(st == 400, "bad JSON -> %d" % st)
st, _, _ = fd.raw("PUT", "/v1/jobs", {"fleets": spare, "steps": steps})
check(st == 405, "PUT /v1/jobs -> %d" % st)
for q in ("parent=x", "parent=0", "parent=-1", "parent=1e3", "parent=99999999999999999999"):
    st, b = fd.call("GET", "/v1/jobs?" + q)
    check(st == 400 and b["error"]["message"].startswith("parent: must be a job id"),
          "GET ?%s -> %d %s" % (q, st, b))
check(counts() == before, "a refused group stored something: %s -> %s" % (before, counts()))

# --- a filter resolved once at submission ------------------------------------------
by_world = {}
for i, f in mine.items():
    if f["anchor"] and i not in used:
        by_world.setdefault(f["anchor"], []).append(i)
at = max(by_world, key=lambda w: len(by_world[w]))
idle_here = sorted(by_world[at])
check(len(idle_here) >= 3, "the galaxy has 3 idle fleets at a world: %s" % idle_here)
hold = fd.submit({"fleet": idle_here[0], "steps": steps})
used.update(idle_here)
g = fd.submit({"fleets": {"filter": {"at": at, "idle": True}}, "steps": steps})
got = sorted(k["fleet"] for k in children(g["id"]))
check(got == idle_here[1:], "filter at %d idle: %s, wanted %s" % (at, got, idle_here[1:]))
check(fd.job(g["id"])["fleets"] == {"filter": {"at": at, "idle": True}},
      "the parent keeps the filter as submitted")
st, j = fd.call("POST", "/v1/jobs/%d/cancel" % g["id"])
check(st == 200 and j["state"] == "cancelled", "cancel filter group -> %d %s" % (st, j))
# idle: false matches the fleets held by jobs, which no group can take
st, e = fd.call("POST", "/v1/jobs", {"fleets": {"filter": {"at": at, "idle": False}},
                                     "steps": steps})
check(st == 409 and e["error"]["holders"] == [{"fleet": idle_here[0], "job": hold["id"]}],
      "filter idle: false -> %d %s" % (st, e))
fd.call("POST", "/v1/jobs/%d/cancel" % hold["id"])

# --- a group of explorers runs to the end ------------------------------------------
scouts = take(lambda f: f["ftl_type"] == "explorer" and f["anchor"], "explorers", 3)
p = fd.submit({"name": "scouts", "fleets": scouts, "steps": [
    {"op": "explore", "max": 2, "radius": 400, "group": "scouting"}]})
pid = p["id"]
check(p["fleet"] is None and p["state"] == "waiting" and p["wait"] == {"kind": "children"},
      "parent as answered: %s" % json.dumps(p)[:400])
check(len(p["children"]) == 3 and sum(p["children_states"].values()) == 3,
      "parent's children: %s" % json.dumps(p)[:400])
kids = children(pid)
check([k["id"] for k in kids] == p["children"], "?parent= lists %s, the parent %s" %
      ([k["id"] for k in kids], p["children"]))
check(sorted(k["fleet"] for k in kids) == sorted(scouts) and
      all(k["parent"] == pid and k["steps"] == p["steps"] and "children" not in k
          for k in kids), "children: %s" % json.dumps(kids)[:600])
check(fd.job(kids[0]["id"])["parent"] == pid, "GET child shows its parent")
done = wait_group(pid, ("succeeded", "failed", "cancelled"), 120)
check(done["state"] == "succeeded" and done["children_states"] == {"succeeded": 3} and
      done["last_error"] is None, "explorers' parent ended %s" % json.dumps(done)[:600])
visited = fd.sql("SELECT job_id, count(*) FROM explore_visited WHERE grp = 'group:scouting' "
                 "GROUP BY job_id")
check(len(visited) == 3 and all(n == 3 for _, n in visited),
      "each explorer claimed its start and 2 worlds: %s" % visited)
ends = [e for e in fd.events(pid) if e["type"] == "job.state"]
check(ends and ends[-1]["data"]["to"] == "succeeded" and ends[-1]["data"]["by"] == "group",
      "parent's end event: %s" % ends)

explorers = [i for i, f in mine.items() if f["ftl_type"] == "explorer"]
g = fd.submit({"fleets": {"filter": {"ftl_type": "explorer"}}, "steps": steps})
check(sorted(k["fleet"] for k in children(g["id"])) == sorted(explorers),
      "filter ftl_type explorer")
check(fd.call("POST", "/v1/jobs/%d/cancel" % g["id"])[0] == 200, "cancel explorer group")

# --- a held fleet: 409 naming the holders, nothing stored ---------------------------
a, b2, c = take(lambda f: True, "the busy group", 3)
h1 = fd.submit({"fleet": a, "steps": steps})
h2 = fd.submit({"fleet": c, "steps": steps})
before = counts()
st, body = fd.call("POST", "/v1/jobs", {"fleets": [a, b2, c], "steps": steps},
                   {"Idempotency-Key": "busy-group"})
check(st == 409 and body["error"]["code"] == "fleet_busy", "busy group -> %d %s" % (st, body))
check(body["error"]["holders"] == [{"fleet": a, "job": h1["id"]}, {"fleet": c, "job": h2["id"]}],
      "holders: %s" % body["error"])
check("fleet %d is held by job %d" % (a, h1["id"]) in body["error"]["message"] and
      "fleet %d is held by job %d" % (c, h2["id"]) in body["error"]["message"],
      "message names the holders: %s" % body["error"]["message"])
check(counts() == before, "the busy group stored something")
check(fd.sql("SELECT count(*) FROM jobs WHERE idem_key = 'busy-group'")[0][0] == 0,
      "the key of a refused group is not kept")
for h in (h1, h2):
    fd.call("POST", "/v1/jobs/%d/cancel" % h["id"])

# --- Idempotency-Key covers the whole group ----------------------------------------
body = {"name": "idem", "fleets": [a, b2, c], "steps": steps}
g1 = fd.submit(body, key="group-key-1")
before = counts()
st, g2 = fd.call("POST", "/v1/jobs", body, {"Idempotency-Key": "group-key-1"})
check(st == 200 and g2["id"] == g1["id"] and g2["children"] == g1["children"],
      "replay -> %d %s" % (st, json.dumps(g2)[:300]))
check(counts() == before, "a replay stored something")
st, e = fd.call("POST", "/v1/jobs", dict(body, name="other"), {"Idempotency-Key": "group-key-1"})
check(st == 422 and e["error"]["code"] == "idempotency_mismatch", "mismatch -> %d %s" % (st, e))

# --- pause and resume reach every live child --------------------------------------
kids = g1["children"]
check(fd.call("POST", "/v1/jobs/%d/cancel" % kids[0])[0] == 200, "cancel one child")
j = fd.job(g1["id"])
check(j["state"] == "waiting" and j["children_states"] == {"cancelled": 1, "waiting": 2},
      "parent after one child's cancel: %s" % json.dumps(j)[:400])
st, j = fd.call("POST", "/v1/jobs/%d/pause" % g1["id"])
check(st == 200 and j["state"] == "paused" and j["children_states"] == {"cancelled": 1, "paused": 2},
      "pause parent -> %d %s" % (st, json.dumps(j)[:400]))
check([fd.job(k)["state"] for k in kids] == ["cancelled", "paused", "paused"], "children paused")
st, e = fd.call("POST", "/v1/jobs/%d/pause" % g1["id"])
check(st == 409, "pause a paused group -> %d" % st)
st, j = fd.call("POST", "/v1/jobs/%d/resume" % g1["id"])
check(st == 200 and j["state"] == "waiting", "resume parent -> %d %s" % (st, j))
check([fd.job(k)["state"] for k in kids] == ["cancelled", "waiting", "waiting"],
      "children resumed: %s" % [fd.job(k)["state"] for k in kids])
st, e = fd.call("POST", "/v1/jobs/%d/resume" % g1["id"])
check(st == 409, "resume a running group -> %d" % st)

# --- cancel -> cancelled (one child cancelled before, none failed) -----------------
st, j = fd.call("POST", "/v1/jobs/%d/cancel" % g1["id"])
check(st == 200 and j["state"] == "cancelled" and j["children_states"] == {"cancelled": 3} and
      j["last_error"] is None, "cancel parent -> %d %s" % (st, json.dumps(j)[:400]))
st, e = fd.call("POST", "/v1/jobs/%d/cancel" % g1["id"])
check(st == 409 and "has already ended" in e["error"]["message"], "cancel again -> %d %s" % (st, e))
check(fd.sql("SELECT count(*) FROM jobs WHERE parent = ? AND state != 'cancelled'",
              g1["id"])[0][0] == 0, "every child cancelled in the database")

# --- one child fails -> the parent fails --------------------------------------------
x, y = take(lambda f: f["anchor"], "the failing group", 2)
while mine[y]["anchor"] == mine[x]["anchor"]:
    y = take(lambda f: f["anchor"], "a fleet elsewhere")[0]
g = fd.submit({"fleets": [x, y], "steps": [
    {"op": "wait", "until": {"fleet": "$self", "at": mine[x]["anchor"]}, "timeout_seconds": 2}]})
j = wait_group(g["id"], ("succeeded", "failed", "cancelled"), 60)
ks = {k["fleet"]: k for k in children(g["id"])}
check(ks[x]["state"] == "succeeded" and ks[y]["state"] == "failed" and
      ks[y]["last_error"].startswith("wait_timeout"), "children: %s" % json.dumps(ks)[:600])
check(j["state"] == "failed" and j["children_states"] == {"failed": 1, "succeeded": 1},
      "one child failed -> parent %s" % json.dumps(j)[:400])
check(j["last_error"] == "child %d: %s" % (ks[y]["id"], ks[y]["last_error"]),
      "the failed parent's last_error: %r" % j["last_error"])
check(fd.sql("SELECT last_error FROM jobs WHERE id = ?", g["id"]) == [(j["last_error"],)],
      "the parent's last_error is in its row")

# --- the list shows both kinds, and a parent's children fit one page ----------------
st, b = fd.call("GET", "/v1/jobs?parent=%d&state=failed" % g["id"])
check(st == 200 and [k["fleet"] for k in b["jobs"]] == [y], "?parent=&state= -> %s" % b)
st, b = fd.call("GET", "/v1/jobs?parent=%d" % (max(k["id"] for k in ks.values()) + 10 ** 6))
check(st == 200 and b["jobs"] == [], "?parent= of no job -> %d %s" % (st, b))

# --- a trigger's job may be a group (engine_submit stores it as the API does) ------
s1, s2, s3 = take(lambda f: f["anchor"], "the triggered group", 3)
st, tr = fd.call("POST", "/v1/triggers", {"name": "pickets", "on": "job.failed",
                                          "where": {"name": "tripwire"},
                                          "job": {"fleets": [s1, s2], "steps": steps}})
check(st == 201, "POST /v1/triggers with a group -> %d %s" % (st, tr))
trip = fd.submit({"name": "tripwire", "fleet": s3, "steps": [
    {"op": "wait", "until": {"fleet": "$self", "moving": True}, "timeout_seconds": 1}]})
check(fd.wait_state(trip["id"], ("failed",))["state"] == "failed", "the tripwire fails")
end = time.time() + 20
fired = []
while time.time() < end and not fired:
    fired = [x for x in fd.call("GET", "/v1/triggers/%d" % tr["id"])[1].get("firings", [])
             if x.get("job_id")]
    time.sleep(0.2)
check(fired, "the trigger never fired a job")
tp = fd.job(fired[0]["job_id"])
check(tp["fleet"] is None and tp["trigger"] == tr["id"] and len(tp["children"]) == 2,
      "the trigger's job: %s" % json.dumps(tp)[:400])
check(sorted(k["fleet"] for k in children(tp["id"])) == sorted([s1, s2]),
      "the triggered group's children")
check(fd.raw("DELETE", "/v1/triggers/%d" % tr["id"])[0] == 204, "delete the trigger")
check(fd.call("POST", "/v1/jobs/%d/cancel" % tp["id"])[0] == 200, "cancel it")

# --- retention keeps a live group's ended children ---------------------------------
# (--retain-days of a second: an ended child of a live parent stays, as the
# parent's end is read from it; once the parent has ended it goes)
fd.stop()
KEEP_S = 1.0
fd = Fleetd(sim, name="fleetd-retain", extra=["--retain-days", repr(KEEP_S / 86400)])
fd.wait_ready()
p1, p2 = take(lambda f: True, "the retention group", 2)
g = fd.submit({"fleets": [p1, p2], "steps": steps})
first, second = g["children"]
check(fd.call("POST", "/v1/jobs/%d/cancel" % first)[0] == 200, "cancel the first child")
time.sleep(4 * KEEP_S)
check(fd.sql("SELECT state FROM jobs WHERE id = ?", first) == [("cancelled",)],
      "an ended child of a live group was pruned")
check(fd.call("POST", "/v1/jobs/%d/cancel" % g["id"])[0] == 200, "cancel the group")
end = time.time() + 20
while time.time() < end and fd.sql("SELECT 1 FROM jobs WHERE id IN (?, ?)", first, g["id"]):
    time.sleep(0.2)
check(not fd.sql("SELECT 1 FROM jobs WHERE id IN (?, ?)", first, g["id"]),
      "an ended group was not pruned")

fd.stop()
sim.stop()
print("ok")
