"""jobs_reactive.py -- reactive jobs end to end against fleetsim, each
also across a kill -9 of fleetd in the middle:

  - a hauling loop (repeat: true) that ends when its source's stock falls
    below a threshold (the job's until; job.until_met), loading with
    {"up_to": n} and unloading with "-all";
  - an `if` that skips its step (job.step_skipped) and one that holds;
  - a wait on a foreign fleet arriving, moved by fleetsim's test route
    (/sim/move), woken by that fleet's change and not before;
  - a wait that times out: wait_timeout fails the job, or with on_error
    "continue" the job goes on;
  - a sale at the nearest trading hub ({"nearest": {"trading": true}},
    job.resolved) of all but 50 of a cargo ({"all_but": 50});
  - refusals: no_match, unbound_variable, unknown ids in conditions.
Effects are checked in fleetsim's own state."""
import math
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, qty, sim_res, sim_state  # noqa: E402

sim = Sim("--watch-ms", "500", "--seed", "23", "--fleets", "60", "--worlds", "200")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
mine = {i: f for i, f in F.items() if f["mine"]}
END = ["succeeded", "failed", "cancelled"]


def dist(a, b):
    return math.hypot(a["position"]["x"] - b["position"]["x"],
                      a["position"]["y"] - b["position"]["y"])


used = set()


def take(pred, why):
    for i in sorted(mine):
        if i not in used and mine[i]["anchor"] and pred(mine[i]):
            used.add(i)
            return mine[i]
    check(False, "no fleet for " + why)


def admin(route, body):
    st, data = sim.raw("POST", "/sim/" + route, body)
    check(st == 200, "/sim/%s %r: %d %r" % (route, body, st, data[:200]))


def types(jid):
    return [e["type"] for e in fd.events(jid)]


def event(jid, kind):
    return [e for e in fd.events(jid) if e["type"] == kind]


def kill_and_restart():
    fd.stop(signal.SIGKILL)
    fd.start()
    fd.wait_ready()


own = lambda w: w["sovereign"] == me  # noqa: E731
hubs = [w for w in Wd.values() if w["trading"]]

# --- a hauling loop: until the source has less than 1 of food -------------------------------
hauler = take(lambda f: qty(f["resources"], 144) > 0 and own(Wd[f["anchor"]]),
              "a freighter at a world of ours")
src = Wd[hauler["anchor"]]
dst = min((w for w in Wd.values() if own(w) and w["id"] != src["id"]),
          key=lambda w: dist(src, w))
admin("stock", {"object": src["id"], "resource": 90, "quantity": 250})
admin("stock", {"object": hauler["id"], "resource": 90, "quantity": 0})
dst_food = sim_res(sim_state(sim)[dst["id"]], 90)
haul = fd.submit({"name": "haul", "fleet": hauler["id"], "repeat": True,
                  "until": {"world": src["id"], "stock": {"resource": 90, "below": 1}},
                  "steps": [
                      {"op": "transfer", "to": src["id"], "resources": [90, {"up_to": 100}]},
                      {"op": "move", "to": dst["id"]},
                      {"op": "transfer", "to": dst["id"], "resources": [90, "-all"]},
                      {"op": "move", "to": src["id"]}]})

# --- if: skipped when false, run when true ---------------------------------------------------
iff = take(lambda f: True, "an if")
here = iff["anchor"]
iff_job = fd.submit({"fleet": iff["id"], "steps": [
    {"op": "rename", "name": "Battle Ready", "if": {"world": "$here", "battle": True}},
    {"op": "rename", "name": "Calm Skies", "if": {"not": {"world": here, "battle": True}}}]})

# --- a wait on a foreign fleet, moved by the test route ---------------------------------------
rival = next(f for f in F.values() if not f["mine"] and f["anchor"])
watcher = take(lambda f: True, "a watcher")
meet = min((w for w in Wd.values() if w["id"] != rival["anchor"]),
           key=lambda w: dist(Wd[rival["anchor"]], w))
wait_job = fd.submit({"fleet": watcher["id"], "steps": [
    {"op": "wait", "until": {"fleet": rival["id"], "at": meet["id"]}},
    {"op": "rename", "name": "Seen Them"}]})

# --- timeouts -----------------------------------------------------------------------------------
t1 = take(lambda f: True, "a timeout")
to_fail = fd.submit({"fleet": t1["id"], "steps": [
    {"op": "wait", "until": {"fleet": rival["id"], "at": 424242}, "timeout_seconds": 2}]},
    expect=422)  # an unknown world in a condition is refused at submission
check("steps[0].until.at: unknown world 424242" in to_fail["error"]["message"],
      "unknown world in a condition: %r" % to_fail)
to_fail = fd.submit({"fleet": t1["id"], "steps": [
    {"op": "wait", "until": {"world": src["id"], "mine": False}, "timeout_seconds": 2}]})
t2 = take(lambda f: True, "a continued timeout")
to_go = fd.submit({"fleet": t2["id"], "steps": [
    {"op": "wait", "until": {"world": src["id"], "mine": False}, "timeout_seconds": 2,
     "on_error": "continue"},
    {"op": "rename", "name": "Waited Long"}]})

# --- the nearest trading hub, all but 50 --------------------------------------------------------
seller = take(lambda f: qty(f["resources"], 144) > 0, "a freighter to sell")
admin("stock", {"object": seller["id"], "resource": 90, "quantity": 300})
near_hub = min(hubs, key=lambda w: (dist(Wd[seller["anchor"]], w), w["id"]))
sell_job = fd.submit({"fleet": seller["id"], "steps": [
    {"op": "move", "to": {"nearest": {"trading": True}}},
    {"op": "sell", "to": {"nearest": {"trading": True}}, "resources": [90, {"all_but": 50}]}]})

# --- refusals while running ---------------------------------------------------------------------
n1 = take(lambda f: True, "no match")
nomatch = fd.submit({"fleet": n1["id"], "steps": [
    {"op": "move", "to": {"nearest": {"trading": True, "owner": me}}}]})
n2 = take(lambda f: True, "unbound")
unbound = fd.submit({"fleet": n2["id"], "steps": [
    {"op": "wait", "until": {"fleet": "$ghost", "exists": True}}]})

# --- kill -9 while all of that is under way ------------------------------------------------------
time.sleep(1.5)
kill_and_restart()
check(fd.job(wait_job["id"])["state"] == "waiting", "the watcher stopped waiting on its own")
# the rival sets out only now; the watcher must wake for its arrival
admin("move", {"fleet": rival["id"], "to": meet["id"]})
time.sleep(1.0)
kill_and_restart()  # again, with the watcher waiting and the rival under way

# --- outcomes -------------------------------------------------------------------------------------
j = fd.wait_state(haul["id"], END, 150)
check(j["state"] == "succeeded", "haul ended %s: %s" % (j["state"], j["last_error"]))
check(event(haul["id"], "job.until_met"), "no job.until_met: %s" % types(haul["id"]))
S = sim_state(sim)
check(sim_res(S[src["id"]], 90) == 0, "source still has %d food" % sim_res(S[src["id"]], 90))
check(sim_res(S[dst["id"]], 90) == dst_food + 250,
      "destination has %d food, wanted %d" % (sim_res(S[dst["id"]], 90), dst_food + 250))
check(sim_res(S[hauler["id"]], 90) == 0, "the hauler kept food")
check(j["iteration"] == 3, "haul ran %d passes, wanted 3" % j["iteration"])

j = fd.wait_state(iff_job["id"], END, 60)
check(j["state"] == "succeeded", "if job ended %s: %s" % (j["state"], j["last_error"]))
sk = event(iff_job["id"], "job.step_skipped")
check(len(sk) == 1 and sk[0]["data"]["step"] == 0 and sk[0]["data"]["value"] is False,
      "step_skipped events: %r" % sk)
check(S[iff["id"]]["name"] == "Calm Skies", "if: fleet named %r" % S[iff["id"]]["name"])

j = fd.wait_state(wait_job["id"], END, 90)
check(j["state"] == "succeeded", "wait job ended %s: %s" % (j["state"], j["last_error"]))
S = sim_state(sim)
check(S[rival["id"]].get("anchorObjID") == meet["id"], "the rival is not at the meeting world")
check(S[watcher["id"]]["name"] == "Seen Them", "watcher named %r" % S[watcher["id"]]["name"])

j = fd.wait_state(to_fail["id"], END, 60)
check(j["state"] == "failed" and (j["last_error"] or "").startswith("wait_timeout"),
      "timeout: %s %r" % (j["state"], j["last_error"]))
j = fd.wait_state(to_go["id"], END, 60)
check(j["state"] == "succeeded", "continued timeout ended %s: %r" % (j["state"], j["last_error"]))
check(sim_state(sim)[t2["id"]]["name"] == "Waited Long", "the step after the timeout did not run")
check(any(e["data"].get("message", "").startswith("wait_timeout")
          for e in event(to_go["id"], "job.step_error")), "no step_error for the timeout")

j = fd.wait_state(sell_job["id"], END, 90)
check(j["state"] == "succeeded", "sale ended %s: %s" % (j["state"], j["last_error"]))
res = event(sell_job["id"], "job.resolved")
check(len(res) == 2 and all(r["data"]["args"]["to"] == near_hub["id"] for r in res),
      "resolved %r, nearest hub %d" % ([r["data"] for r in res], near_hub["id"]))
check(res[1]["data"]["args"]["resources"] == [90, 250], "resolved sale %r" % res[1]["data"])
S = sim_state(sim)
check(sim_res(S[seller["id"]], 90) == 50, "seller kept %d food" % sim_res(S[seller["id"]], 90))
check(S[seller["id"]].get("anchorObjID") == near_hub["id"], "seller not at the nearest hub")

j = fd.wait_state(nomatch["id"], END, 60)
check(j["state"] == "failed" and (j["last_error"] or "").startswith("no_match"),
      "no_match: %s %r" % (j["state"], j["last_error"]))
j = fd.wait_state(unbound["id"], END, 60)
check(j["state"] == "failed" and (j["last_error"] or "").startswith("unbound_variable"),
      "unbound: %s %r" % (j["state"], j["last_error"]))
fd.stop()
sim.stop()
print("ok - hauling loop, if, foreign-fleet wait, timeouts, nearest hub, refusals; "
      "two kill -9 restarts")
