"""jobs_adopt.py -- a deploy whose intent is open across kill -9 must not
adopt a fleet that merely arrived (issue 14 point 9).

fleetsim loses every action's answer after acting (--lost-answer-rate 1),
so the deploy's outcome is unknown to fleetd whatever the timing.  fleetd
is killed once the deploy has acted; meanwhile a fleet of ours with the
same make-up (held by no job: a move job that ended is the same thing)
arrives at the world.  The restarted fleetd reconciles: the fleet it
adopts must be the one its deploy made -- a new id, above every fleet the
intent knew, with the world's stock fallen by the deployed amounts -- and
never the older fleet that arrived, which keeps its name; one deploy, no
orphan."""
import json
import math
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, fail, sim_res, sim_state  # noqa: E402

MAKEUP = [122, 2]  # two warp frigates: both fleets hold exactly this

sim = Sim("--watch-ms", "1500", "--seed", "7", "--worlds", "300", "--fleets", "40",
          "--lost-answer-rate", "1", "--fault-delay-ms", "300")
S0 = sim_state(sim)
me = sim.sov


def dist(a, b):
    return math.hypot(a["pos"][0] - b["pos"][0], a["pos"][1] - b["pos"][1])


def applied(what):
    return sim.stats()["applied"][what]


def lost_call(endpoint, **fields):
    """An action sent straight to fleetsim: it acts, its answer is lost."""
    st, _ = sim.raw("POST", "/api/" + endpoint,
                    json.dumps(sim.common(**fields)).encode(), timeout=5)
    check(st in (-1, 0, 200), "%s: HTTP %d" % (endpoint, st))


# two worlds of ours a short warp apart, both with frigates to deploy
own = [o for o in S0.values() if o.get("class") == "world" and o.get("sovereignID") == me and
       sim_res(o, 122) >= 10]
pair = min(((a, b) for a in own for b in own if a["id"] < b["id"]), key=lambda p: dist(*p))
target, start = pair
print("target world %d, the arriving fleet starts at %d (%.1f ly)" %
      (target["id"], start["id"], dist(target, start)))

# the fleet that will arrive: deployed at `start` by the test itself
n0 = applied("deployFleet")
lost_call("deployFleet", sourceObjID=start["id"], resources=MAKEUP)
check(applied("deployFleet") == n0 + 1, "the setup deploy did not act")
S1 = sim_state(sim)
arriving = [o for o in S1.values() if o.get("class") == "fleet" and o["id"] not in S0]
check(len(arriving) == 1, "setup deploy made %d fleets" % len(arriving))
arriving = arriving[0]
arriving_name = arriving["name"]

fd = Fleetd(sim)
fd.wait_ready(60)
before = applied("deployFleet")
j = fd.submit({"steps": [{"op": "deploy", "from": target["id"], "resources": MAKEUP},
                         {"op": "rename", "name": "adopt-deployed"}]})
end = time.time() + 60
while applied("deployFleet") == before:
    check(time.time() < end, "the deploy was never sent: %s" % fd.job(j["id"]))
    time.sleep(0.02)
fd.stop(signal.SIGKILL)  # the deploy acted; fleetd never had its answer
print("killed with the deploy's intent open: %s" % fd.sql(
    "SELECT state, sub_state FROM jobs WHERE id = ?", j["id"]))

# the older fleet of the same make-up arrives while fleetd is down
lost_call("setDestination", objID=arriving["id"], dest=target["id"])
end = time.time() + 60
while sim_state(sim)[arriving["id"]].get("anchorObjID") != target["id"]:
    check(time.time() < end, "the arriving fleet never arrived")
    time.sleep(0.2)

fd.start()
job = fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], 90)
check(job["state"] == "succeeded", "deploy job: %s %s" % (job["state"], job["last_error"]))
S = sim_state(sim)
new = sorted(o["id"] for o in S.values() if o.get("class") == "fleet" and o["id"] not in S1)
check(len(new) == 1, "deploys made %s; one expected" % new)
rec = [e["data"] for e in fd.events(j["id"]) if e["type"] == "job.reconciled"]
print("reconciled: %s; job fleet %d; new fleet %s; arrived %d" %
      (rec, job["fleet"], new, arriving["id"]))
if job["fleet"] == arriving["id"]:
    fail("the deploy adopted fleet %d, which merely arrived; its own fleet %d is orphaned" %
         (arriving["id"], new[0]))
check(job["fleet"] == new[0], "the job holds %d, the deploy made %d" % (job["fleet"], new[0]))
check(rec and rec[-1]["effect_found"] and rec[-1]["fleet"] == new[0],
      "no reconciliation found the deployed fleet: %s" % rec)
check(S[new[0]]["name"] == "adopt-deployed", "deployed fleet named %r" % S[new[0]]["name"])
check(S[arriving["id"]]["name"] == arriving_name,
      "the arrived fleet was renamed %r" % S[arriving["id"]]["name"])
check(sim_res(S[target["id"]], 122) == sim_res(S0[target["id"]], 122) - 2,
      "target frigates %d -> %d: two deployed once" % (sim_res(S0[target["id"]], 122),
                                                       sim_res(S[target["id"]], 122)))
check(applied("deployFleet") == before + 1, "the deploy acted %d times" %
      (applied("deployFleet") - before))
check(fd.stop() == 0, "final stop")
print("ok - the deploy adopted its own fleet, not the one that arrived")
