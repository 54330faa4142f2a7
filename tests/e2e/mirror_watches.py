"""mirror_watches.py -- upstream economy: over N watches fleetd calls
getObjects N times plus the initial full one, as counted by fleetsim's
/sim/stats, and logs in once; nothing else talks to this fleetsim."""
import re
import time

from mirrorlib import Fleetd, wait_until
from simlib import Sim, check

sim = Sim("--seed", "5", "--worlds", "60", "--fleets", "8", "--watch-ms", "1000")
fd = Fleetd("--upstream", sim.base + "/api/", "--username", "demo", "--log-level", "debug",
            env={"FLEETD_PASSWORD": "demo"})
fd.wait_ready()
w0 = float(re.search(r'msg="game state loaded".* watch=([0-9.]+)', fd.log()).group(1))
wait_until("8 deltas", lambda: fd.health()["upstream_detail"]["deltas"] >= 8, timeout=90)
d = fd.health()["upstream_detail"]
# every delta brings a new watch (one slip allowed: a fleetsim starved by a
# loaded machine may end a watch later than it announced)
check(d["deltas"] - 1 <= d["watches_seen"] <= d["deltas"], "deltas without a new watch: %r" % d)
# stop between two polls, not while one is on the wire
wait_until("a quiet moment", lambda: fd.health()["upstream_detail"]["next_poll_ms"] >
           time.time() * 1000 + 300, timeout=30, step=0.02)
before = sim.stats()["watch"]
fd.stop()
st = sim.stats()
calls = st["calls"]
n = calls["getObjects"]
logged = fd.log().count('msg="upstream call" endpoint=getObjects ')
check(n == logged, "fleetsim counted %d getObjects, fleetd logged %d" % (n, logged))
# one delta per watch passed while fleetd ran; the last watch may have
# ended in the margin before fleetd's poll, and one watch may slip either
# way on a loaded machine (polling every other watch, or twice a watch,
# is far outside these bounds)
check(before - w0 - 2 <= n - 1 <= st["watch"] - w0 + 1,
      "%s..%s watches passed, fleetd sent %d deltas" % (before - w0, st["watch"] - w0, n - 1))
check(n - 1 >= 8, "too few deltas: %d" % (n - 1))
check(calls["login"] == 1 and calls["getGameInfo"] == 1, "calls: %r" % calls)
others = {k: v for k, v in calls.items() if k not in ("login", "getGameInfo", "getObjects")}
check(not any(others.values()), "unexpected calls: %r" % others)
print("ok")
