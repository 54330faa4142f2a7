"""jobs_vars.py -- a job's variables: `vars` is in every job's answer ({}
when none is bound); a "$NAME" in a target and in a condition reads the
job's row.  Nothing in this version binds a variable (groups and triggers
will), so the test binds one the way they will: in the job's row, here
written while fleetd is stopped.  An unbound one fails the step with
unbound_variable."""
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, sim_state  # noqa: E402

sim = Sim("--watch-ms", "300", "--seed", "41", "--fleets", "20", "--worlds", "80")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
mine = sorted(i for i, f in F.items() if f["mine"] and f["anchor"])
fleet, other = F[mine[0]], F[mine[1]]
dest = next(i for i in sorted(Wd) if Wd[i]["sovereign"] == me and i != fleet["anchor"])

job = fd.submit({"fleet": fleet["id"], "delay_seconds": 3600, "steps": [
    {"op": "move", "to": "$dest"},
    {"op": "wait", "until": {"fleet": "$self", "at": "$dest"}},
    {"op": "rename", "name": "Bound For Dest"}]})
check(job["vars"] == {}, "a new job's vars: %r" % job.get("vars"))
unbound = fd.submit({"fleet": other["id"], "steps": [{"op": "move", "to": "$nowhere"}]})
j = fd.wait_state(unbound["id"], ["failed", "succeeded"], 30)
check(j["state"] == "failed" and j["last_error"].startswith("unbound_variable: $nowhere"),
      "unbound target: %s %r" % (j["state"], j["last_error"]))

fd.stop()
con = sqlite3.connect(fd.db)
con.execute("UPDATE jobs SET vars = ?, wake_at = ? WHERE id = ?",
            ('{"dest": %d}' % dest, int(time.time() * 1000), job["id"]))
con.commit()
con.close()
fd.start()
fd.wait_ready()
check(fd.job(job["id"])["vars"] == {"dest": dest}, "vars after binding: %r" %
      fd.job(job["id"])["vars"])
j = fd.wait_state(job["id"], ["succeeded", "failed"], 60)
check(j["state"] == "succeeded", "bound job ended %s: %r" % (j["state"], j["last_error"]))
S = sim_state(sim)
check(S[fleet["id"]].get("anchorObjID") == dest and S[fleet["id"]]["name"] == "Bound For Dest",
      "the fleet is at %r named %r, want %d" % (S[fleet["id"]].get("anchorObjID"),
                                                S[fleet["id"]]["name"], dest))
fd.stop()
sim.stop()
print("ok - vars shown, bound in the row and read by a target and a condition; unbound fails")
