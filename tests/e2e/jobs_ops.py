"""jobs_ops.py -- every step op end to end against fleetsim with fast
watches, checked in fleetsim's own state (not fleetd's mirror): move,
rename, wait (seconds and watches), explore (a group sharing its visited
set), attack, transfer, deploy, sell ("all"), buy, disband, a patrol with
repeat; then the refusals: game errors fail the job with the game's
message, and engine-side checks fail it without calling the game.  On a
healthy upstream each action step costs exactly one call (/sim/stats)."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, qty, sim_res, sim_state  # noqa: E402

sim = Sim("--watch-ms", "600", "--seed", "11", "--fleets", "60", "--worlds", "200")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
mine = {i: f for i, f in F.items() if f["mine"]}


def dist(a, b):
    return math.hypot(a["position"]["x"] - b["position"]["x"],
                      a["position"]["y"] - b["position"]["y"])


def near(pos, pred, exclude=()):
    c = [w for w in Wd.values() if pred(w) and w["id"] not in exclude]
    return min(c, key=lambda w: dist(pos, w))


def ships(f):
    return {r["id"]: r["qty"] for r in f["resources"]}


used = set()


def take(pred, why):
    for i in sorted(mine):
        if i not in used and pred(mine[i]):
            used.add(i)
            return mine[i]
    check(False, "no fleet for " + why)


capital = next(w for w in Wd.values() if w["designation_name"] == "Imperial capital")
hub = near(capital, lambda w: w["trading"])
own = lambda w: w["sovereign"] == me  # noqa: E731
# worlds of ours other than the capital (whose stock the deploy checks)
ownx = lambda w: own(w) and w["id"] != capital["id"]  # noqa: E731

# --- the jobs, all at once -------------------------------------------------------------
jobs = {}
trader = take(lambda f: qty(f["resources"], 90) > 0 and f["anchor"], "a freighter with food")
jobs["trade"] = fd.submit({"name": "trade", "fleet": trader["id"], "steps": [
    {"op": "move", "to": hub["id"]},
    {"op": "sell", "to": hub["id"], "resources": "all"},
    {"op": "buy", "item": 122, "count": 2},
    {"op": "rename", "name": "Trader Joe"}]})

scouts = [take(lambda f: f["ftl_type"] == "explorer" and f["anchor"], "explorer %d" % k)
          for k in range(2)]
for k, s in enumerate(scouts):
    jobs["explore%d" % k] = fd.submit({"fleet": s["id"], "steps": [
        {"op": "explore", "max": 3, "radius": 400, "group": "scouts"}]})

cap_before = ships(capital)
jobs["deploy"] = fd.submit({"name": "fan out", "steps": [
    {"op": "deploy", "from": capital["id"], "resources": [122, 5]},
    {"op": "rename", "name": "Deployed"}]})

xf = take(lambda f: f["anchor"] and ownx(Wd[f["anchor"]]) and
          qty(f["resources"], 170) >= 1 and
          qty(Wd[f["anchor"]]["resources"], 122) >= 3, "a fleet at a world of ours")
jobs["transfer"] = fd.submit({"fleet": xf["id"], "steps": [
    {"op": "transfer", "to": xf["anchor"], "resources": [122, 3, 170, -1]}]})

db = take(lambda f: f["anchor"] and ownx(Wd[f["anchor"]]), "a fleet to disband")
jobs["disband"] = fd.submit({"fleet": db["id"], "steps": [
    {"op": "disband", "into": db["anchor"]}]})

warrior = take(lambda f: qty(f["resources"], 122) >= 40 and f["anchor"], "a warship fleet")
target = near(Wd[warrior["anchor"]], lambda w: w["sovereign"] == 1 and
              qty(w["resources"], 204) > 0)
jobs["attack"] = fd.submit({"fleet": warrior["id"], "steps": [
    {"op": "move", "to": target["id"]},
    {"op": "attack", "objective": "spaceSupremacy", "enemies": [1]},
    {"op": "wait", "watches": 1}]})

pat = take(lambda f: f["anchor"], "a patroller")
home = Wd[pat["anchor"]]
other = near(home, own, exclude=(home["id"],))
jobs["patrol"] = fd.submit({"fleet": pat["id"], "repeat": 2, "steps": [
    {"op": "move", "to": other["id"]}, {"op": "wait", "seconds": 1},
    {"op": "move", "to": home["id"]}]})

waiter = take(lambda f: True, "a waiter")
jobs["wait"] = fd.submit({"fleet": waiter["id"], "steps": [
    {"op": "wait", "watches": 2}, {"op": "wait", "seconds": 1}]})

# --- refusals (each its own fleet) ---------------------------------------------------------
ref = {}
r1 = take(lambda f: f["anchor"] and own(Wd[f["anchor"]]) and
          qty(f["resources"], 170) >= 1, "r1")
ref["not_trading"] = (fd.submit({"fleet": r1["id"], "steps": [
    {"op": "sell", "to": r1["anchor"], "resources": [170, 1]}]}), "does not trade")
r2 = take(lambda f: f["anchor"], "r2")
ref["not_there"] = (fd.submit({"fleet": r2["id"], "steps": [
    {"op": "sell", "to": hub["id"], "resources": "all"}]}),
    "fleet %d is not anchored at world %d" % (r2["id"], hub["id"]))
r3 = take(lambda f: f["anchor"] and own(Wd[f["anchor"]]), "r3")
ref["too_much"] = (fd.submit({"fleet": r3["id"], "steps": [
    {"op": "transfer", "to": r3["anchor"], "resources": [122, 10 ** 9]}]}), "game error: ")
foreign_w = next(w for w in Wd.values() if w["sovereign"] not in (me,) and w["sovereign"] > 1)
ref["foreign_deploy"] = (fd.submit({"steps": [
    {"op": "deploy", "from": foreign_w["id"], "resources": [122, 1]}]}), "does not belong to you")
r5 = take(lambda f: f["anchor"] and own(Wd[f["anchor"]]), "r5")
ref["no_enemy"] = (fd.submit({"fleet": r5["id"], "steps": [
    {"op": "attack", "objective": "spaceSupremacy", "enemies": [1]}]}), "game error: ")
r6 = take(lambda f: f["anchor"], "r6")
ref["blank_name"] = (fd.submit({"fleet": r6["id"], "steps": [
    {"op": "rename", "name": "   "}]}), "A name is required")

# --- wait for everything ----------------------------------------------------------------------
done = {k: fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], 120)
        for k, j in jobs.items()}
for k, j in done.items():
    check(j["state"] == "succeeded", "%s ended %s: %s" % (k, j["state"], j["last_error"]))
for k, (j, msg) in ref.items():
    j = fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], 60)
    check(j["state"] == "failed" and msg in (j["last_error"] or ""),
          "refusal %s: %s %r (wanted %r)" % (k, j["state"], j["last_error"], msg))
    ev = [e["type"] for e in fd.events(j["id"])]
    check("job.error" in ev and ev[-1] == "job.state", "refusal %s history: %s" % (k, ev))
print("ok - %d jobs succeeded, %d refusals failed with their message" % (len(done), len(ref)))

# --- the galaxy as fleetsim sees it -------------------------------------------------------------
S = sim_state(sim)
t = S[trader["id"]]
check(t.get("anchorObjID") == hub["id"], "trader not at the hub: %s" % t.get("anchorObjID"))
check(sim_res(t, 90) == 0, "trader still has food: %s" % t.get("resources"))
check(sim_res(t, 144) == qty(trader["resources"], 144), "sell 'all' sold ships")
check(sim_res(t, 122) == qty(trader["resources"], 122) + 2, "bought frigates: %s" % t["resources"])
check(t.get("name") == "Trader Joe", "rename: %s" % t.get("name"))
check(sim_res(S[hub["id"]], 90) == qty(hub["resources"], 90) + qty(trader["resources"], 90),
      "the hub did not get the food once")

dep = done["deploy"]
check(dep["fleet"] and dep["fleet"] not in F, "deploy: job fleet %s" % dep["fleet"])
nf = S.get(dep["fleet"])
check(nf and sim_res(nf, 122) == 5 and nf.get("name") == "Deployed", "new fleet: %s" % nf)
check(sim_res(S[capital["id"]], 122) == cap_before.get(122, 0) - 5, "capital frigates")
deployed = [o for o in S.values() if o.get("class") == "fleet" and o["id"] not in F and
            o.get("sovereignID") == me]
check(len(deployed) == 1, "exactly one new fleet: %s" % [o["id"] for o in deployed])

x = S[xf["id"]]
check(sim_res(x, 122) == qty(xf["resources"], 122) + 3 and
      sim_res(x, 170) == qty(xf["resources"], 170) - 1, "transfer: %s" % x["resources"])
check(db["id"] not in S, "disbanded fleet still exists")
check(sim_res(S[db["anchor"]], 122) >= qty(db["resources"], 122), "disband into world")

check(S[warrior["id"]].get("anchorObjID") == target["id"], "warrior not at target")
check(not S[target["id"]].get("battlePlan"), "battle not over at %d" % target["id"])
ev = [e["type"] for e in fd.events(jobs["attack"]["id"])]
check(ev.count("job.step_done") == 3, "attack history: %s" % ev)

p = done["patrol"]
check(p["iteration"] == 2 and S[pat["id"]].get("anchorObjID") == home["id"], "patrol: %s" % p)
check(S[scouts[0]["id"]].get("anchorObjID") and S[scouts[1]["id"]].get("anchorObjID"), "scouts")
rows = fd.sql("SELECT world, job_id FROM explore_visited WHERE grp = 'group:scouts'")
byjob = {}
for w, j in rows:
    byjob.setdefault(j, []).append(w)
check(len(rows) == len({w for w, _ in rows}), "a world visited twice in the group")
for k in range(2):
    jid = jobs["explore%d" % k]["id"]
    check(len(byjob.get(jid, [])) == 4, "explorer %d claimed %s" % (k, byjob.get(jid)))
    check(S[scouts[k]["id"]]["anchorObjID"] in byjob[jid], "explorer %d ended off its worlds" % k)

# --- upstream economy: one call per action step, nothing retried --------------------------
calls = sim.stats()["calls"]
check(calls.get("sellFleet", 0) == 1 + 1, "sellFleet calls: %s" % calls)   # trade + refusal
check(calls.get("buyItem", 0) == 1, "buyItem calls: %s" % calls)
check(calls.get("deployFleet", 0) == 1 + 1, "deployFleet calls: %s" % calls)
check(calls.get("transferFleet", 0) == 1 + 1, "transferFleet calls: %s" % calls)
check(calls.get("disbandFleet", 0) == 1, "disbandFleet calls: %s" % calls)
check(calls.get("attack", 0) == 1 + 1, "attack calls: %s" % calls)
check(calls.get("renameObject", 0) == 2 + 1, "renameObject calls: %s" % calls)
total_attempts = fd.sql("SELECT sum(attempts) FROM jobs")[0][0]
check(total_attempts == 0, "retries on a healthy upstream: %s" % total_attempts)
check(fd.stop() == 0, "fleetd exit status")
print("ok - every op end to end")
