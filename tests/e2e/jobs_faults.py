"""jobs_faults.py -- a sick upstream: fleetsim fails a third of all calls
(500, 503, "busy", late answers, answers cut in half).  Jobs that move,
rename, transfer and sell must all still succeed, each action taking
effect exactly once; the retries show in the history (job.retry with the
attempt number and the backoff delay) and transient failures never fail a
job, nor are they passed over by a step's on_error "continue"; a job
that succeeded after retries has no stale last_error."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, qty, sim_res, sim_state  # noqa: E402

sim = Sim("--watch-ms", "700", "--seed", "21", "--fleets", "60",
          "--fault-rate", "0.33", "--fault-delay-ms", "800")
fd = Fleetd(sim)
fd.wait_ready(60)
F = fd.fleets()
Wd = fd.worlds()
S0 = sim_state(sim)   # logs in too, retrying through the faults
me = sim.sov
cap = next(w["id"] for w in Wd.values() if w["designation_name"] == "Imperial capital")
mine = sorted((f for f in F.values() if f["mine"] and f["anchor"]), key=lambda f: f["id"])
movers, xfers = [], []
for f in mine:
    home = Wd[f["anchor"]]
    if home["sovereign"] == me and home["id"] != cap and qty(f["resources"], 170) >= 1 \
            and len(xfers) < 4:
        xfers.append(f)
    elif len(movers) < 6:
        movers.append(f)
jobs = []
for k, f in enumerate(movers):
    dest = min((w for w in Wd.values() if w["sovereign"] == me and w["id"] != f["anchor"]),
               key=lambda w: (w["position"]["x"] - Wd[f["anchor"]]["position"]["x"]) ** 2 +
               (w["position"]["y"] - Wd[f["anchor"]]["position"]["y"]) ** 2)
    steps = [{"op": "move", "to": dest["id"]}, {"op": "rename", "name": "Sturdy %d" % k}]
    if k % 2:
        for s in steps:  # transient faults are not game errors: still retried
            s["on_error"] = "continue"
    jobs.append((fd.submit({"fleet": f["id"], "steps": steps}),
                 f, dest["id"], "Sturdy %d" % k))
for f in xfers:
    jobs.append((fd.submit({"fleet": f["id"], "steps": [
        {"op": "transfer", "to": f["anchor"], "resources": [170, -1]}]}), f, None, None))

retries = 0
for j, f, dest, name in jobs:
    j = fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], 180)
    check(j["state"] == "succeeded", "job %d under faults: %s %s" % (j["id"], j["state"],
                                                                    j["last_error"]))
    check(j["last_error"] is None, "job %d succeeded with a stale last_error %r" %
          (j["id"], j["last_error"]))
    for e in fd.events(j["id"]):
        check(e["type"] != "job.step_error", "job %d passed over a fault: %s" % (j["id"], e))
        if e["type"] == "job.retry":
            retries += 1
            d = e["data"]
            check(d["attempt"] >= 1 and ("delay_ms" in d or d["ambiguous"]),
                  "retry event: %s" % d)
S = sim_state(sim)
for j, f, dest, name in jobs:
    if dest:
        check(S[f["id"]].get("anchorObjID") == dest and S[f["id"]].get("name") == name,
              "fleet %d: %s %s" % (f["id"], S[f["id"]].get("anchorObjID"), S[f["id"]].get("name")))
    else:
        check(sim_res(S[f["id"]], 170) == sim_res(S0[f["id"]], 170) - 1,
              "transfer under faults on fleet %d: %d -> %d" % (
                  f["id"], sim_res(S0[f["id"]], 170), sim_res(S[f["id"]], 170)))
st = sim.stats()  # /sim/ routes are never faulted
check(st["faults"] > 0, "no fault was injected: %s" % st)
check(retries > 0, "no job.retry although %d faults were injected" % st["faults"])
check(fd.stop() == 0, "final stop")
print("ok - %d jobs through %d injected faults (%d retries)" % (len(jobs), st["faults"], retries))
