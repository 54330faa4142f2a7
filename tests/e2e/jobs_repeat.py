"""jobs_repeat.py -- `repeat` runs one pass per watch: a job of wait-less
steps (a move to where the fleet already is costs no call and no wait)
with repeat: 6 takes six watches, not two, and its history has as many
job.step_started as job.step_done; each pass after the first waits for a
new watch (job.wait kind "watch")."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check  # noqa: E402

sim = Sim("--watch-ms", "400", "--seed", "31", "--fleets", "12", "--worlds", "60")
fd = Fleetd(sim)
fd.wait_ready()
f = next(f for f in fd.fleets().values() if f["mine"] and f["anchor"])
w0 = sim.stats()["watch"]
# the first pass must run in watch w0 or later as fleetd sees it: its mirror
# may still be in the watch before (the game's watch ended, fleetd has not
# asked yet), and six passes from there end in fleetsim's watch w0 + 4
fd.wait_watch(w0)
job = fd.submit({"fleet": f["id"], "repeat": 6, "steps": [
    {"op": "move", "to": f["anchor"]}, {"op": "move", "to": f["anchor"]}]})
j = fd.wait_state(job["id"], ["succeeded", "failed", "cancelled"], 60)
w1 = sim.stats()["watch"]
check(j["state"] == "succeeded" and j["iteration"] == 6, "job ended %s after %d passes" %
      (j["state"], j["iteration"]))
ev = fd.events(job["id"])
started = [e for e in ev if e["type"] == "job.step_started"]
done = [e for e in ev if e["type"] == "job.step_done"]
check(len(started) == len(done) == 12, "step_started %d, step_done %d (want 12 each)" %
      (len(started), len(done)))
waits = [e for e in ev if e["type"] == "job.wait" and e["data"].get("kind") == "watch"]
check(len(waits) == 5, "%d waits for a watch between 6 passes, want 5" % len(waits))
keys = [e["data"]["key"] for e in waits]
check(keys == sorted(set(keys)), "two passes in one watch: waited for watches %r" % keys)
check(w1 - w0 >= 5, "6 passes took %d watches" % (w1 - w0))
fd.stop()
sim.stop()
print("ok - 6 passes in %d watches" % (w1 - w0))
