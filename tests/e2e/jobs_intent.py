"""jobs_intent.py -- the effectively-once guarantee at its sharpest point:
fleetd is killed (-9) exactly while a deploy, sell, transfer or buy is in
flight -- fleetsim has acted but its answer (delayed by --latency-ms) is
lost.  The restarted fleetd must find the effect in the galaxy and not
send the action again; the state and /sim/stats show one effect and one
call per step."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, kill_in_flight, qty, sim_res, sim_state  # noqa: E402

sim = Sim("--watch-ms", "800", "--seed", "3", "--fleets", "60", "--latency-ms", "2500")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
S0 = sim_state(sim)
capital = next(w for w in Wd.values() if w["designation_name"] == "Imperial capital")
mine = sorted((f for f in F.values() if f["mine"] and f["anchor"]), key=lambda f: f["id"])
xf = next(f for f in mine if qty(f["resources"], 170) >= 1 and
          Wd[f["anchor"]]["sovereign"] == me and f["anchor"] != capital["id"])


def settle(jid, what):
    j = fd.wait_state(jid, ["succeeded", "failed", "cancelled"], 60)
    check(j["state"] == "succeeded", "%s: %s %s" % (what, j["state"], j["last_error"]))
    rec = [e["data"] for e in fd.events(jid) if e["type"] == "job.reconciled"]
    check(rec and rec[-1]["effect_found"], "%s: no reconciliation found the effect: %s" %
          (what, rec))
    return j


# transfer: one ark from the fleet to its world
j = fd.submit({"fleet": xf["id"], "steps": [
    {"op": "transfer", "to": xf["anchor"], "resources": [170, -1]}]})
kill_in_flight(fd, sim, j["id"], "transfer", "transferFleet", 0)
settle(j["id"], "transfer")
# deploy: two frigates from the capital
j = fd.submit({"steps": [{"op": "deploy", "from": capital["id"], "resources": [122, 2]}]})
kill_in_flight(fd, sim, j["id"], "deploy", "deployFleet", 0)
dep = settle(j["id"], "deploy")

S = sim_state(sim)
check(sim_res(S[xf["id"]], 170) == sim_res(S0[xf["id"]], 170) - 1, "transfer effect")
new = [o["id"] for o in S.values() if o.get("class") == "fleet" and o["id"] not in S0]
check(new == [dep["fleet"]], "deploy made %s, the job holds %s" % (new, dep["fleet"]))
check(sim_res(S[capital["id"]], 122) == sim_res(S0[capital["id"]], 122) - 2, "capital stock")
calls = sim.stats()["calls"]
check(calls.get("transferFleet") == 1 and calls.get("deployFleet") == 1,
      "an action was sent twice: %s" % calls)
check(fd.stop() == 0, "final stop")
print("ok - actions in flight at kill -9 were recognised, not repeated")
