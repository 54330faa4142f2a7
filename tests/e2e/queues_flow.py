"""queues_flow.py -- queues handing work from job to job, against fleetsim,
checked in fleetsim's own state:
  - hammer and nail: the hammer moves to a world of sovereign 1, clears its
    defences (attack spaceSupremacy), waits until the battle is over (a
    condition) and puts the world into "cleared"; the nail, submitted
    first, waits in its take, gets the world, moves there and invades it:
    the world changes owner;
  - kill -9 between a put and its take: the item is there after the
    restart, exactly once, and exactly one of two takers gets it;
  - kill -9 between a take and the step after it: after the restart the
    item is still held by that job (another taker never sees it) and is
    used up when the job's next step completes.
Every item is taken exactly once (one queue.taken event per item)."""
import math
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, qty, sim_state, until  # noqa: E402

ENDED = ["succeeded", "failed", "cancelled"]
sim = Sim("--watch-ms", "400", "--seed", "11", "--worlds", "200", "--fleets", "60")
fd = Fleetd(sim)
fd.wait_ready()
F, Wd = fd.fleets(), fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
free = sorted(i for i, f in F.items() if f["mine"] and f["anchor"])


def dist(a, b):
    return math.hypot(a["position"]["x"] - b["position"]["x"],
                      a["position"]["y"] - b["position"]["y"])


def take_fleet(pred, what):
    for i in free:
        if pred(F[i]):
            free.remove(i)
            return F[i]
    check(False, "no fleet for " + what)


def sim_set(obj, res, n):
    st, _ = sim.raw("POST", "/sim/stock", {"object": obj, "resource": res, "quantity": n})
    check(st == 200, "/sim/stock: %d" % st)


# --- hammer and nail ------------------------------------------------------------
hammer = take_fleet(lambda f: qty(f["resources"], 122) >= 40, "the hammer")
target = min((w for w in Wd.values() if w["sovereign"] == 1),
             key=lambda w: dist(Wd[hammer["anchor"]], w))
nail = take_fleet(lambda f: True, "the nail")
sim_set(target["id"], 204, 3)  # defences the hammer must clear
sim_set(target["id"], 205, 2)
sim_set(nail["id"], 122, 10)   # the nail is armed: an invasion needs forces
nail_job = fd.submit({"name": "nail", "fleet": nail["id"], "steps": [
    {"op": "take", "queue": "cleared", "as": "target"},
    {"op": "move", "to": "$target"},
    {"op": "attack", "objective": "invasion", "enemies": [1]}]})
until("the nail waits", lambda: fd.queue("cleared")["waiting"])
hammer_job = fd.submit({"name": "hammer", "fleet": hammer["id"], "steps": [
    {"op": "move", "to": target["id"]},
    {"op": "attack", "objective": "spaceSupremacy", "enemies": [1]},
    {"op": "wait", "until": {"world": "$here", "battle": False}},
    {"op": "put", "queue": "cleared", "value": "$here"}]})
h = fd.wait_state(hammer_job["id"], ENDED, 180)
check(h["state"] == "succeeded", "hammer: %s %r" % (h["state"], h["last_error"]))
n = fd.wait_state(nail_job["id"], ENDED, 180)
check(n["state"] == "succeeded", "nail: %s %r" % (n["state"], n["last_error"]))
check(n["vars"] == {"target": target["id"]}, "the nail's target: %r" % n["vars"])
S = sim_state(sim)
check(S[target["id"]]["sovereignID"] == me, "world %d is %s's, not ours" %
      (target["id"], S[target["id"]]["sovereignID"]))
check(S[nail["id"]].get("anchorObjID") == target["id"], "the nail is not at the world")
q = fd.queue("cleared")
check(q["items"] == [] and q["taken"] == [] and q["waiting"] == [], "cleared: %r" % q)

# --- kill -9 between a put and its take ---------------------------------------
put = fd.submit({"fleet": free.pop(0), "steps": [{"op": "put", "queue": "k1", "value": 777}]})
fd.wait_state(put["id"], ENDED, 30)
fd.stop(signal.SIGKILL)
fd.start()
q = fd.queue("k1")
check([i["value"] for i in q["items"]] == [777], "after kill -9 the put item: %r" % q)
t1 = fd.submit({"fleet": free.pop(0), "steps": [
    {"op": "take", "queue": "k1", "as": "w"}, {"op": "wait", "seconds": 1}]})
t2 = fd.submit({"fleet": free.pop(0), "steps": [
    {"op": "take", "queue": "k1", "as": "w"}, {"op": "wait", "seconds": 1}]})
j1 = fd.wait_state(t1["id"], ENDED, 30)
check(j1["state"] == "succeeded" and j1["vars"] == {"w": 777}, "t1: %r" % j1)
until("t2 waits", lambda: [w["job"] for w in fd.queue("k1")["waiting"]] == [t2["id"]])
check(fd.job(t2["id"])["vars"] == {}, "t2 got something: %r" % fd.job(t2["id"]))

# --- kill -9 between a take and the step after it -----------------------------
t3 = fd.submit({"fleet": free.pop(0), "steps": [
    {"op": "take", "queue": "k2", "as": "w"}, {"op": "wait", "seconds": 4}]})
until("t3 waits", lambda: fd.queue("k2")["waiting"])
st, _ = fd.call("POST", "/v1/queues/k2", {"items": [900]})
check(st == 200, "POST k2 -> %d" % st)
until("t3 took 900", lambda: fd.job(t3["id"])["vars"] == {"w": 900})
fd.stop(signal.SIGKILL)
fd.start()
q = fd.queue("k2")
check([(t["value"], t["job"]) for t in q["taken"]] == [(900, t3["id"])] and q["items"] == [],
      "after kill -9 900 is still t3's: %r" % q)
t4 = fd.submit({"fleet": free.pop(0), "steps": [
    {"op": "take", "queue": "k2", "as": "w"}, {"op": "wait", "seconds": 1}]})
j3 = fd.wait_state(t3["id"], ENDED, 30)
check(j3["state"] == "succeeded" and j3["vars"] == {"w": 900}, "t3: %r" % j3)
q = fd.queue("k2")
check(q["taken"] == [] and q["items"] == [] and
      [w["job"] for w in q["waiting"]] == [t4["id"]], "900 used up, t4 waits: %r" % q)
# t2 waited across the kill: a new item reaches it
st, _ = fd.call("POST", "/v1/queues/k1", {"items": [778]})
j2 = fd.wait_state(t2["id"], ENDED, 30)
check(j2["vars"] == {"w": 778}, "t2 after the restart: %r" % j2)

taken = fd.sql("SELECT json_extract(data, '$.queue'), json_extract(data, '$.value'), "
               "count(*) FROM events WHERE type = 'queue.taken' GROUP BY 1, 2")
check(sorted(taken) == sorted([("cleared", target["id"], 1), ("k1", 777, 1),
                               ("k1", 778, 1), ("k2", 900, 1)]),
      "each item taken once: %r" % taken)
check(fd.stop() == 0, "fleetd exited uncleanly (a sanitizer finding?)")
sim.stop()
print("ok - hammer and nail took the world; kill -9 around put and take: each item once")
