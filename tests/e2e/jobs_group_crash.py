"""jobs_group_crash.py -- kill -9 during groups (spec: "Fleets working
together"; guarantees 1 and 2).

fleetd is killed with SIGKILL at random moments while groups are being
submitted (a POST of 200 children in flight) and while their children end
(short waits ending together), and restarted on the same database each
time.  After every restart, from the database alone:

  - a group is all or nothing: every parent has exactly one child per
    fleet it names, each naming it, and no child names a missing parent;
  - a group whose POST was answered 201 is there (durable acceptance);
  - a parent is live exactly while one of its children is, and an ended
    parent's state is the spec's rule over its children's states;
  - no fleet is held by two live jobs.
Then every group runs to its end and the same holds."""
import json
import os
import random
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check  # noqa: E402

SIZE = 200
ROUNDS = int(os.environ.get("GROUP_CRASH_ROUNDS", "8"))
rng = random.Random(int(os.environ.get("GROUP_CRASH_SEED", "16")))
sim = Sim("--watch-ms", "500", "--seed", "5", "--fleets", "2200", "--worlds", "200")
fd = Fleetd(sim, extra=["--max-body", "65536"])
fd.wait_ready()
mine = sorted(i for i, f in fd.fleets().items() if f["mine"])
check(len(mine) >= SIZE * ROUNDS, "galaxy: %d fleets of mine" % len(mine))
LIVE = ("queued", "running", "waiting", "paused")


def end_rule(states):
    if any(s in LIVE for s in states):
        return None
    if "failed" in states:
        return "failed"
    if "cancelled" in states:
        return "cancelled"
    return "succeeded"


def consistent(accepted):
    parents = fd.sql("SELECT id, spec, state FROM jobs WHERE wait_kind = 'children'")
    ids = {p[0] for p in parents}
    orphans = fd.sql("SELECT id, parent FROM jobs WHERE parent IS NOT NULL")
    check(all(pa in ids for _, pa in orphans),
          "a child names a missing parent: %s" % [o for o in orphans if o[1] not in ids])
    for pid, spec, state in parents:
        fleets = json.loads(spec)["fleets"]
        kids = fd.sql("SELECT fleet, state FROM jobs WHERE parent = ? ORDER BY id", pid)
        check(sorted(k[0] for k in kids) == sorted(fleets),
              "group %d: children of fleets %s, named %s" % (pid, [k[0] for k in kids], fleets))
        rule = end_rule([k[1] for k in kids])
        if rule is None:
            check(state in LIVE, "group %d ended %s with live children %s" % (pid, state, kids))
        else:
            check(state == rule, "group %d is %s; its children %s make it %s" %
                  (pid, state, [k[1] for k in kids], rule))
    for pid in accepted:
        check(pid in ids, "group %d was answered 201 and is gone" % pid)
    held = fd.sql("SELECT fleet, count(*) FROM jobs WHERE fleet IS NOT NULL AND state IN "
                  "('queued','running','waiting','paused') GROUP BY fleet HAVING count(*) > 1")
    check(not held, "fleets held twice: %s" % held)
    return len(parents)


accepted = []
for r in range(ROUNDS):
    fleets = mine[r * SIZE:(r + 1) * SIZE]
    body = {"name": "round %d" % r, "fleets": fleets,
            "steps": [{"op": "wait", "seconds": 1}, {"op": "wait", "seconds": 1}]}
    answer = {}

    def post():
        try:
            answer["r"] = fd.call("POST", "/v1/jobs", body)
        except Exception as e:  # the kill cuts the connection
            answer["e"] = e

    t = threading.Thread(target=post)
    t.start()
    # kill while the group is stored (before or after its commit), or
    # while its children's waits end
    delay = rng.choice([0.002, 0.005, 0.01, 0.02, 0.04, 0.9, 1.0, 1.1, 2.0])
    time.sleep(delay)
    fd.stop(signal.SIGKILL)
    t.join(30)
    st = answer.get("r", (None, None))
    if st[0] == 201:
        accepted.append(st[1]["id"])
    fd.start()
    fd.wait_ready()
    n = consistent(accepted)
    print("round %d: kill -9 after %.3f s, POST %s, %d groups stored"
          % (r, delay, st[0] or "cut", n))

# every group runs to its end, then the rules hold for ended parents
end = time.time() + 60
while time.time() < end:
    if not fd.sql("SELECT 1 FROM jobs WHERE state IN ('queued','running','waiting','paused')"):
        break
    time.sleep(0.3)
check(not fd.sql("SELECT id FROM jobs WHERE state IN ('queued','running','waiting','paused')"),
      "jobs still live after a minute")
n = consistent(accepted)
check(n >= 1, "no group was ever stored")
done = fd.sql("SELECT state, count(*) FROM jobs WHERE wait_kind = 'children' GROUP BY state")
print("groups at the end: %s" % done)
fd.stop()
sim.stop()
print("ok")
