"""mirror_faults.py -- fleetd against a fleetsim that fails 30 % of all
calls (HTTP 500/503, late answers, cut answers, hexeError busy): the state
still loads, /healthz goes degraded and back to connected, a destination
set in the game still reaches fleetd's fleet, and its fleets equal
fleetsim's at the same watch."""
import time

from mirrorlib import (Fleetd, fleet_view, fleet_view_fleetd, same_watch, sim_login,
                       sim_post, wait_until)
from simlib import Sim, check, fail

sim = Sim("--seed", "3", "--worlds", "80", "--fleets", "10", "--watch-ms", "800",
          "--fault-rate", "0.3", "--fault-delay-ms", "300")
fd = Fleetd("--upstream", sim.base + "/api/", "--username", "demo", "--rate", "50",
            env={"FLEETD_PASSWORD": "demo"})
fd.wait_ready(timeout=90)
sim_login(sim, "demo", "demo")

# degraded while retrying, then connected again
seen = []
end = time.time() + 120
while time.time() < end:
    st = fd.health()["upstream"]
    if not seen or seen[-1] != st:
        seen.append(st)
    if "degraded" in seen and seen[-1] == "connected" and seen.index("degraded") < len(seen) - 1:
        break
    time.sleep(0.01)
else:
    fail("never saw degraded then connected: %r" % seen)
d = fd.health()["upstream_detail"]
check(d["degraded_episodes"] >= 1, "degraded episodes: %r" % d)

# a destination set in the game reaches fleetd despite the faults
objs, _ = same_watch(sim, lambda: (lambda b: (b["watch"], b["fleets"]))(fd.ok("/v1/fleets")))
mine = [o for o in objs.values() if o["class"] == "fleet" and o["sovereignID"] == sim.sov
        and o.get("anchorObjID")]
mover = mine[0]
worlds = [o for o in objs.values() if o["class"] == "world" and o["id"] != mover["anchorObjID"]]
target = min(worlds, key=lambda w: (w["pos"][0] - mover["pos"][0]) ** 2 +
             (w["pos"][1] - mover["pos"][1]) ** 2)
a = sim_post(sim, "setDestination", sim.common(objID=mover["id"], dest=target["id"]))
check(isinstance(a, list), "setDestination refused: %r" % (a,))

def arrived_or_moving():
    f = fd.ok("/v1/fleets/%d" % mover["id"])
    return (f["destination"] and f["destination"]["id"] == target["id"]) or \
        f["anchor"] == target["id"]

wait_until("the destination in fleetd", arrived_or_moving, timeout=60)

# converged: every fleet equal at the same watch
objs, every = same_watch(sim, lambda: (lambda b: (b["watch"], b["fleets"]))(
    fd.ok("/v1/fleets?sovereign=all")))
want = sorted((fleet_view(f) for f in objs.values() if f["class"] == "fleet"),
              key=lambda v: v["id"])
check([fleet_view_fleetd(f) for f in every] == want, "fleets differ after faults")
check(sim.stats()["faults"] > 0, "no fault was injected")
fd.stop()
print("ok")
