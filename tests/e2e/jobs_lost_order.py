"""jobs_lost_order.py -- a lost answer arrives before an older one (issue
14 point 1).  fleetsim holds every answer --latency-ms but cuts a lost
answer at once, as a live connection may fail before the answer to a call
the game served earlier has arrived.  So fleetd learns of a transfer's
lost answer while the getObjects it sent just before -- answered by the
game before the transfer acted, yet carrying the next watch -- is still
on its way.  A later watch alone then does not show the effect: fleetd
must wait for an answer it asked for after the loss, and never transfer
twice (before the fix about one lost answer in eight was sent again)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, sim_res, sim_state  # noqa: E402

JOBS = 80
sim = Sim("--watch-ms", "1000", "--seed", "7", "--worlds", "300", "--fleets", "600",
          "--latency-ms", "400", "--lost-answer-rate", "0.5", "--fault-delay-ms", "1500")
S0 = sim_state(sim)
me = sim.sov
fd = Fleetd(sim)
fd.wait_ready(60)
own = {i for i, o in S0.items() if o.get("class") == "world" and o.get("sovereignID") == me}
scouts = [o for i, o in sorted(S0.items()) if o.get("class") == "fleet" and
          o.get("sovereignID") == me and o.get("anchorObjID") in own and
          sim_res(o, 102) > 0][:JOBS]
check(len(scouts) == JOBS, "only %d scouts" % len(scouts))
a0 = sim.stats()["applied"]["transferFleet"]
ids = [fd.submit({"fleet": f["id"], "delay_seconds": k % 25, "steps": [
    {"op": "transfer", "to": f["anchorObjID"], "resources": [90, 1]}]})["id"]
       for k, f in enumerate(scouts)]


def live():
    return fd.sql("SELECT count(*) FROM jobs WHERE state IN "
                  "('queued','running','waiting','paused')")[0][0]


end = time.time() + 240
while live() and time.time() < end:
    time.sleep(1)
check(live() == 0, "%d jobs still live" % live())
bad = fd.sql("SELECT id, state, last_error FROM jobs WHERE state != 'succeeded'")
check(not bad, "jobs that did not succeed: %s" % bad[:5])
S = sim_state(sim)
st = sim.stats()
twice = [f["id"] for f in scouts if sim_res(S[f["id"]], 90) != sim_res(S0[f["id"]], 90) + 1]
rec = fd.sql("SELECT json_extract(data, '$.effect_found'), count(*) FROM events "
             "WHERE type = 'job.reconciled' GROUP BY 1")
print("transfers %d, applied %d, answers lost %d, reconciliations %s" %
      (JOBS, st["applied"]["transferFleet"] - a0, st["lost_answers"], rec))
check(not twice, "%d fleets were not given exactly one unit: %s" % (len(twice), twice[:10]))
check(st["applied"]["transferFleet"] - a0 == JOBS, "fleetsim transferred %d times for %d jobs" %
      (st["applied"]["transferFleet"] - a0, JOBS))
check(st["lost_answers"] > 0, "no answer was lost")
check(fd.stop() == 0, "final stop")
print("ok - %d transfers through %d lost answers, each once" % (JOBS, st["lost_answers"]))
