"""jobs_restart.py -- 200+ jobs survive restarts: one SIGTERM and five
kill -9 at random moments, restarting fleetd on the same database each
time.  Afterwards every job must have ended as it would have without the
restarts (all succeed), every fleet must stand where its job left it, and
fleetsim's own state must show exactly one effect per deploy, sell,
transfer and buy step -- never two, never none."""
import math
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, fail, qty, sim_res, sim_state  # noqa: E402

SEED = int(os.environ.get("FLEETD_TEST_SEED", "0")) or random.randrange(1, 1 << 30)
print("seed %d" % SEED)
rnd = random.Random(SEED)

# answers come late and some calls fail (never after acting: fleetsim
# faults strike before the game), so kills often land while an action is
# in flight and cut answers force reconciliations
sim = Sim("--watch-ms", "700", "--seed", "5", "--fleets", "400", "--worlds", "300",
          "--latency-ms", "150", "--fault-rate", "0.05", "--fault-delay-ms", "1500")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
mine = {i: f for i, f in F.items() if f["mine"] and f["anchor"]}
S0 = sim_state(sim)


def dist(a, b):
    return math.hypot(a["position"]["x"] - b["position"]["x"],
                      a["position"]["y"] - b["position"]["y"])


def own(w):
    return w["sovereign"] == me


capital = next(w for w in Wd.values() if w["designation_name"] == "Imperial capital")
hub = min((w for w in Wd.values() if w["trading"]), key=lambda w: dist(capital, w))
used = set()


def take(pred, n, why):
    out = [f for i, f in sorted(mine.items()) if i not in used and pred(f)][:n]
    check(len(out) == n, "only %d fleets for %s" % (len(out), why))
    used.update(f["id"] for f in out)
    return out


jobs = []  # (kind, job id, data for the final check)

# 20 sellers: freighters carrying food go to the hub and sell 10 of it
sellers = take(lambda f: qty(f["resources"], 90) >= 10, 20, "sellers")
for f in sellers:
    j = fd.submit({"fleet": f["id"], "steps": [
        {"op": "move", "to": hub["id"]}, {"op": "sell", "to": hub["id"], "resources": [90, 10]}]})
    jobs.append(("sell", j["id"], f))
# 20 buyers: go to the hub and buy one frigate each
buyers = take(lambda f: qty(f["resources"], 90) == 0, 20, "buyers")
for f in buyers:
    j = fd.submit({"fleet": f["id"], "steps": [
        {"op": "move", "to": hub["id"]}, {"op": "buy", "item": 122, "count": 1}]})
    jobs.append(("buy", j["id"], f))
# 20 transfers: an ark carrier from the fleet to the world of ours it stands at
xfers = take(lambda f: qty(f["resources"], 170) >= 1 and own(Wd[f["anchor"]]) and
             f["anchor"] != capital["id"], 20, "transfers")
for f in xfers:
    j = fd.submit({"fleet": f["id"], "steps": [
        {"op": "wait", "seconds": rnd.randint(1, 6)},
        {"op": "transfer", "to": f["anchor"], "resources": [170, -1]}]})
    jobs.append(("transfer", j["id"], f))
# 20 deploys of one frigate each from the capital, each sent to a world
near_cap = sorted((w for w in Wd.values() if own(w) and w["id"] != capital["id"]),
                  key=lambda w: dist(capital, w))[:5]
for k in range(20):
    dest = near_cap[k % 5]
    j = fd.submit({"delay_seconds": rnd.randint(0, 8), "steps": [
        {"op": "deploy", "from": capital["id"], "resources": [122, 1]},
        {"op": "move", "to": dest["id"]}]})
    jobs.append(("deploy", j["id"], dest))
# 130 patrols: out to a near world of ours and back, twice
patrols = take(lambda f: own(Wd[f["anchor"]]), 130, "patrols")
for f in patrols:
    home = Wd[f["anchor"]]
    away = min((w for w in Wd.values() if own(w) and w["id"] != home["id"]),
               key=lambda w: dist(home, w))
    j = fd.submit({"fleet": f["id"], "repeat": 2, "steps": [
        {"op": "move", "to": away["id"]}, {"op": "wait", "seconds": rnd.randint(1, 3)},
        {"op": "move", "to": home["id"]}]})
    jobs.append(("patrol", j["id"], (f, home)))
check(len(jobs) >= 200, "jobs: %d" % len(jobs))
print("submitted %d jobs" % len(jobs))


def live():
    return fd.sql("SELECT count(*) FROM jobs WHERE state IN "
                  "('queued','running','waiting','paused')")[0][0]


# --- the restarts ---------------------------------------------------------------------
stops = [signal.SIGKILL] * 5
stops.insert(rnd.randrange(0, 6), signal.SIGTERM)
for n, sig in enumerate(stops):
    time.sleep(rnd.uniform(0.5, 4.0))
    left = live()
    rc = fd.stop(sig)
    if sig == signal.SIGTERM:
        check(rc == 0, "SIGTERM exit %d" % rc)
    print("stop %d: signal %d with %d live jobs" % (n + 1, sig, left))
    fd.start()
    if n % 2 == 0:
        fd.wait_ready()

# --- everything ends as it would have ------------------------------------------------------
end = time.time() + 240
while live() and time.time() < end:
    time.sleep(0.5)
check(live() == 0, "%d jobs still live" % live())
bad = fd.sql("SELECT id, state, last_error FROM jobs WHERE state != 'succeeded'")
check(not bad, "jobs that did not succeed: %s" % bad[:10])
S = sim_state(sim)


def at(fid):
    return S[fid].get("anchorObjID") if fid in S else None


for kind, jid, d in jobs:
    j = fd.job(jid)
    if kind == "patrol":
        f, home = d
        check(j["iteration"] == 2 and at(f["id"]) == home["id"], "patrol %d: %s" % (jid, j))
    elif kind == "sell":
        check(at(d["id"]) == hub["id"], "seller %d not at the hub" % d["id"])
        check(sim_res(S[d["id"]], 90) == sim_res(S0[d["id"]], 90) - 10,
              "seller %d: food %d -> %d" % (d["id"], sim_res(S0[d["id"]], 90),
                                            sim_res(S[d["id"]], 90)))
    elif kind == "transfer":
        check(sim_res(S[d["id"]], 170) == sim_res(S0[d["id"]], 170) - 1,
              "transfer %d: arks %d -> %d" % (d["id"], sim_res(S0[d["id"]], 170),
                                              sim_res(S[d["id"]], 170)))
    elif kind == "deploy":
        check(at(j["fleet"]) == d["id"] and sim_res(S[j["fleet"]], 122) == 1,
              "deploy job %d: fleet %s" % (jid, j["fleet"]))
deployed = {j["fleet"] for kind, jid, _ in jobs if kind == "deploy" for j in [fd.job(jid)]}
check(len(deployed) == 20, "deploy jobs share fleets: %s" % deployed)
new = [o for o in S.values() if o.get("class") == "fleet" and o["id"] not in S0 and
       o.get("sovereignID") == me]
check(len(new) == 20, "%d new fleets, expected exactly 20" % len(new))
check(sim_res(S[capital["id"]], 122) == sim_res(S0[capital["id"]], 122) - 20,
      "capital frigates %d -> %d (20 deployed)" % (sim_res(S0[capital["id"]], 122),
                                                   sim_res(S[capital["id"]], 122)))
check(sim_res(S[hub["id"]], 122) == sim_res(S0[hub["id"]], 122) - 20,
      "hub frigate stock %d -> %d (20 bought)" % (sim_res(S0[hub["id"]], 122),
                                                 sim_res(S[hub["id"]], 122)))
check(sim_res(S[hub["id"]], 90) == sim_res(S0[hub["id"]], 90) + 200,
      "hub food %d -> %d (200 sold)" % (sim_res(S0[hub["id"]], 90), sim_res(S[hub["id"]], 90)))
bought = sum(sim_res(S[f["id"]], 122) - sim_res(S0[f["id"]], 122) for f in buyers + sellers)
check(bought == 20, "fleets at the hub gained %d frigates, expected 20" % bought)
rec = fd.sql("SELECT count(*) FROM events WHERE type = 'job.reconciled'")[0][0]
calls = sim.stats()["calls"]
print("reconciliations: %d; calls: deploy %d sell %d buy %d transfer %d" % (
    rec, calls.get("deployFleet", 0), calls.get("sellFleet", 0), calls.get("buyItem", 0),
    calls.get("transferFleet", 0)))
check(fd.stop() == 0, "final stop")
print("ok - %d jobs through %d restarts, one effect per action" % (len(jobs), len(stops)))
