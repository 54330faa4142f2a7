"""jobs_unclaim.py -- an explorer that leaves its step without reaching the
world it claimed gives the claim back to its group; worlds it did reach
stay visited.  Two ways against fleetsim:
  * cancelled while travelling to its second world: the start world and
    the first world stay in explore_visited, the second is released;
  * failed on a game error: a job hands all its ships to the world it is
    at, then explores; setDestination is refused ("no ships that can
    travel"), the job fails with the game's message, and the world it had
    just claimed is released while its start world stays."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, sim_state  # noqa: E402

COMMODITIES = {90, 130, 142, 178, 188, 260}

sim = Sim("--watch-ms", "500", "--seed", "11", "--fleets", "60", "--worlds", "200")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
speed = {"ramjet": 0, "warp": 1, "explorer": 2, "jump": 3}
mine = sorted((f for f in F.values() if f["mine"] and f["anchor"]),
              key=lambda f: (speed.get(f["ftl_type"], 1), f["id"]))


def claims(grp, jid):
    return {w for (w,) in fd.sql("SELECT world FROM explore_visited WHERE grp = ? AND "
                                 "job_id = ?", grp, jid)}


def unclaimed(jid):
    return [e["data"]["world"] for e in fd.events(jid) if e["type"] == "job.unclaimed"]


# --- cancelled while travelling to its second world ----------------------------------------
used = set()
checked = False
for f in mine:
    if any(r["id"] in COMMODITIES for r in f["resources"]) and len(f["resources"]) == 1:
        continue
    used.add(f["id"])
    j = fd.submit({"fleet": f["id"], "steps": [{"op": "explore", "max": 5, "group": "c"}]})
    end = time.time() + 60
    while time.time() < end:
        cur = fd.job(j["id"])
        d = cur["step_data"] or {}
        if cur["sub_state"] == "TRAVELLING" and d.get("n", 0) >= 2:
            break
        check(cur["state"] in ("queued", "running", "waiting"), "explorer: %s" % cur)
        time.sleep(0.05)
    else:
        check(False, "explorer never travelled to a second world: %s" % cur)
    st, b = fd.call("POST", "/v1/jobs/%d/cancel" % j["id"])
    check(st == 200, "cancel: %d %s" % (st, b))
    S = sim_state(sim)
    # the row keeps the step's data after the cancel: the target it then had
    target = json.loads(fd.sql("SELECT step_data FROM jobs WHERE id = ?", j["id"])[0][0])["target"]
    if S[f["id"]].get("anchorObjID") == target:
        continue  # it arrived as it was cancelled: try another fleet
    rows = claims("group:c", j["id"])
    reached = [w for w in rows if w != target]
    check(target not in rows, "cancelled explorer keeps its claim on %d: %s" % (target, rows))
    check(unclaimed(j["id"]) == [target], "job.unclaimed: %s" % unclaimed(j["id"]))
    check(f["anchor"] in rows and len(reached) == 2,
          "worlds visited (start %d) lost: %s" % (f["anchor"], rows))
    check(fd.job(j["id"])["state"] == "cancelled", "state after cancel")
    checked = True
    break
check(checked, "no explorer could be cancelled on its way")
print("ok - a cancelled explorer released the world it never reached, kept the others")

# --- failed on a game error right after claiming -----------------------------------------------
f = next(f for f in mine if f["id"] not in used and
         Wd[f["anchor"]]["sovereign"] == me and
         any(r["id"] in COMMODITIES and r["qty"] > 0 for r in f["resources"]) and
         any(r["id"] not in COMMODITIES and r["qty"] > 0 for r in f["resources"]))
give = []
for r in f["resources"]:
    if r["id"] not in COMMODITIES and r["qty"] > 0:
        give += [r["id"], -r["qty"]]
j = fd.submit({"fleet": f["id"], "steps": [
    {"op": "transfer", "to": f["anchor"], "resources": give},
    {"op": "explore", "group": "d"}]})
j = fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], 60)
check(j["state"] == "failed" and "no ships that can travel" in (j["last_error"] or ""),
      "shipless explorer: %s %r" % (j["state"], j["last_error"]))
rows = claims("group:d", j["id"])
gone = unclaimed(j["id"])
check(rows == {f["anchor"]}, "failed explorer's claims: %s (start %d)" % (rows, f["anchor"]))
check(len(gone) == 1 and gone[0] != f["anchor"], "job.unclaimed: %s" % gone)
check(fd.stop() == 0, "fleetd exit status")
print("ok - a failed explorer released the world it had claimed, kept its start")
