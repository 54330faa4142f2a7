"""jobs_group_big.py -- a group of 1,000 children (the most a group
holds), against a fleetsim galaxy of more than 1,000 of the player's
fleets: one POST stores the parent and 1,000 children (201 once all are
committed); the parent holds no record in the engine (the live count is
the children's); one POST /v1/jobs/{id}/cancel reaches every child, in
one transaction (every child's end and the parent's are in the database
when the answer comes, and a restart finds them so); and a group one
child over the limit is refused."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check  # noqa: E402

sim = Sim("--watch-ms", "1000", "--seed", "3", "--fleets", "1400", "--worlds", "300")
fd = Fleetd(sim, extra=["--max-body", "65536"])
fd.wait_ready()
mine = sorted(i for i, f in fd.fleets().items() if f["mine"])
check(len(mine) >= 1001, "galaxy: %d fleets of mine" % len(mine))
steps = [{"op": "wait", "seconds": 3600}]

st, e = fd.call("POST", "/v1/jobs", {"fleets": mine[:1001], "steps": steps})
check(st == 422 and e["error"]["message"].startswith("fleets: must list 2 to 1000"),
      "1,001 fleets -> %d %s" % (st, e))

t0 = time.time()
p = fd.submit({"name": "the thousand", "fleets": mine[:1000], "steps": steps})
t_submit = time.time() - t0
pid = p["id"]
check(len(p["children"]) == 1000 and p["children_states"] == {"waiting": 1000},
      "parent: %d children, %s" % (len(p["children"]), p["children_states"]))
check(fd.sql("SELECT count(*) FROM jobs WHERE parent = ?", pid)[0][0] == 1000,
      "1,000 children in the database")
st, h = fd.call("GET", "/healthz")
check(st == 200, "healthz -> %d" % st)
live = h.get("jobs", {}).get("live")
check(live in (None, 1000), "the engine holds %s live records (the parent holds none)" % live)

# one more fleet than the group: a second group over one of its fleets is 409
st, e = fd.call("POST", "/v1/jobs", {"fleets": [mine[999], mine[1000]], "steps": steps})
check(st == 409 and e["error"]["holders"] == [{"fleet": mine[999], "job": p["children"][-1]}],
      "group over a held fleet -> %d %s" % (st, e))

t0 = time.time()
st, j = fd.call("POST", "/v1/jobs/%d/cancel" % pid)
t_cancel = time.time() - t0
check(st == 200 and j["state"] == "cancelled" and j["children_states"] == {"cancelled": 1000},
      "cancel -> %d %s %s" % (st, j.get("state"), j.get("children_states")))
rows = fd.sql("SELECT state, count(*) FROM jobs WHERE parent = ? GROUP BY state", pid)
check(rows == [("cancelled", 1000)], "children in the database: %s" % rows)
ends = fd.sql("SELECT count(*) FROM events WHERE type = 'job.state' AND data LIKE "
              "'%\"to\":\"cancelled\"%' AND job_id IN (SELECT id FROM jobs WHERE parent = ?)",
              pid)[0][0]
check(ends == 1000, "%d children's cancel events" % ends)
# every fleet is free again: a new group takes them at once
g = fd.submit({"fleets": mine[:3], "steps": steps})
check(g["state"] == "waiting", "a new group over the freed fleets: %s" % g["state"])
fd.stop()
fd.start()
fd.wait_ready()
check(fd.job(pid)["state"] == "cancelled", "after a restart the parent is cancelled")
check(fd.sql("SELECT count(*) FROM jobs WHERE parent = ? AND state != 'cancelled'", pid)[0][0]
      == 0, "after a restart every child is cancelled")
print("submit 1,000 children: %.3f s; cancel them: %.3f s" % (t_submit, t_cancel))
fd.stop()
sim.stop()
print("ok")
