"""jobs_onerror.py -- a step's on_error against fleetsim: a sell at a
world that does not trade is refused by the game (hexeError).  With
on_error "continue" the refusal is recorded in the history as
job.step_error with the game's message and the job goes on (a rename that
takes effect, the job succeeds and its last_error is null); with "fail"
or without on_error the job fails with the game's message and never
reaches the rename.  A bad on_error value is refused at submission,
naming its path."""
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
# fleets with cargo anchored at a world of ours that does not trade
cands = [f for f in sorted(F.values(), key=lambda f: f["id"])
         if f["mine"] and f["anchor"] and Wd[f["anchor"]]["sovereign"] == me and
         not Wd[f["anchor"]]["trading"] and qty(f["resources"], 170) >= 1]
check(len(cands) >= 3, "need 3 fleets with cargo at our worlds, found %d" % len(cands))
S0 = sim_state(sim)


def job(f, name, on_error):
    sell = {"op": "sell", "to": f["anchor"], "resources": [170, 1]}
    if on_error:
        sell["on_error"] = on_error
    return fd.submit({"fleet": f["id"], "steps": [sell, {"op": "rename", "name": name}]})


jc = job(cands[0], "Carried On", "continue")
jf = job(cands[1], "Never Named", "fail")
jd = job(cands[2], "Never Named", None)

st, b = fd.call("POST", "/v1/jobs", {"fleet": cands[0]["id"], "steps": [
    {"op": "rename", "name": "x"},
    {"op": "sell", "to": cands[0]["anchor"], "resources": "all", "on_error": "skip"}]})
check(st == 422 and b["error"]["message"] ==
      'steps[1].on_error: must be "fail" or "continue"', "bad on_error: %d %s" % (st, b))

end = {k: fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], 60)
       for k, j in (("continue", jc), ("fail", jf), ("default", jd))}
c = end["continue"]
check(c["state"] == "succeeded", "on_error continue: %s %s" % (c["state"], c["last_error"]))
# the refusal passed over is history, not the outcome: a succeeded job has
# no last_error (in the answer and in its row)
check(c["last_error"] is None, "stale last_error of a succeeded job: %r" % c["last_error"])
check(fd.sql("SELECT last_error FROM jobs WHERE id = ?", jc["id"]) == [(None,)],
      "stale last_error in the row")
ev = fd.events(jc["id"])
errs = [e for e in ev if e["type"] == "job.step_error"]
check(len(errs) == 1 and errs[0]["data"]["step"] == 0 and errs[0]["data"]["op"] == "sell" and
      errs[0]["data"]["message"].startswith("game error: ") and
      "does not trade" in errs[0]["data"]["message"], "step_error events: %s" % errs)
done = [e["data"]["step"] for e in ev if e["type"] == "job.step_done"]
check(done == [1], "steps done: %s" % done)
check(not [e for e in ev if e["type"] == "job.error"], "job.error in a job that went on")
for k in ("fail", "default"):
    j = end[k]
    check(j["state"] == "failed" and (j["last_error"] or "").startswith("game error: ") and
          "does not trade" in j["last_error"], "on_error %s: %s %r" % (k, j["state"],
                                                                  j["last_error"]))
    types = [e["type"] for e in fd.events(j["id"])]
    check("job.step_error" not in types and "job.step_done" not in types,
          "on_error %s history: %s" % (k, types))

S = sim_state(sim)
check(S[cands[0]["id"]].get("name") == "Carried On", "rename after the refusal: %s" %
      S[cands[0]["id"]].get("name"))
for f in cands[1:3]:
    check(S[f["id"]].get("name") == S0[f["id"]].get("name"), "failed job renamed %d" % f["id"])
for f in cands[:3]:
    check(sim_res(S[f["id"]], 170) == sim_res(S0[f["id"]], 170), "cargo moved on %d" % f["id"])
calls = sim.stats()["calls"]
check(calls.get("sellFleet", 0) == 3 and calls.get("renameObject", 0) == 1,
      "calls: %s" % calls)
check(fd.stop() == 0, "fleetd exit status")
print("ok - on_error continue goes on after a game error; fail and the default stop")
