"""jobs_condwake.py -- a waiting condition is judged only when an object it
names changes, and each time exactly once: 30 jobs wait on world A's stock,
10 on world B's.  Changing a world none of them names judges none
(fleetd_job_condition_evaluations_total stays); changing B's stock to a
value that keeps the condition false judges B's 10 and no other, and they
keep waiting; then A's stock falls below the threshold and A's 30 are
judged once and end, B's untouched.  The condition index (src/fleetd/
engine.c, cwi) is what is tested: no job is scanned."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check  # noqa: E402

sim = Sim("--watch-ms", "300", "--seed", "37", "--fleets", "60", "--worlds", "120")
fd = Fleetd(sim)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
mine = sorted(i for i, f in F.items() if f["mine"])
own = sorted(i for i, w in Wd.items() if w["sovereign"] == me)
A, B, C, D, E = own[1], own[2], own[3], own[4], own[5]


def admin(route, body):
    st, data = sim.raw("POST", "/sim/" + route, body)
    check(st == 200, "/sim/%s: %d %r" % (route, st, data[:200]))


def evaluations():
    st, _, raw = fd.raw("GET", "/metrics")
    for line in raw.decode().splitlines():
        if line.startswith("fleetd_job_condition_evaluations_total "):
            return int(float(line.split()[1]))
    check(False, "no evaluation counter in /metrics")


def settle():
    """Two watches: the change has been fetched and merged."""
    w = sim.stats()["watch"]
    while sim.stats()["watch"] < w + 2:
        time.sleep(0.05)
    time.sleep(0.2)


for w in (A, B, C):
    admin("stock", {"object": w, "resource": 130, "quantity": 5000})
settle()
jobs = {}
for k, fid in enumerate(mine[:40]):
    world = A if k < 30 else B
    jobs[fid] = (world, fd.submit({"fleet": fid, "steps": [
        {"op": "wait", "until": {"world": world, "stock": {"resource": 130, "below": 100}}}]}))
for fid, (_, j) in jobs.items():
    fd.wait_state(j["id"], ["waiting"], 30)
settle()
e0 = evaluations()
settle()
check(evaluations() == e0, "conditions judged with nothing they name changing: %d -> %d" %
      (e0, evaluations()))
admin("stock", {"object": C, "resource": 130, "quantity": 10})
settle()
check(evaluations() == e0, "a world no condition names woke %d" % (evaluations() - e0))
admin("stock", {"object": B, "resource": 130, "quantity": 4000})
settle()
e1 = evaluations()
check(e1 - e0 == 10, "B changed: %d conditions judged, want its 10" % (e1 - e0))
states = {fid: fd.job(j["id"])["state"] for fid, (_, j) in jobs.items()}
check(all(s == "waiting" for s in states.values()), "a job stopped waiting: %r" % states)
admin("stock", {"object": A, "resource": 130, "quantity": 50})
for fid, (world, j) in jobs.items():
    if world == A:
        check(fd.wait_state(j["id"], ["succeeded", "failed"], 30)["state"] == "succeeded",
              "A's job %d did not end" % j["id"])
settle()
e2 = evaluations()
check(e2 - e1 == 30, "A changed: %d conditions judged, want its 30" % (e2 - e1))
check(all(fd.job(j["id"])["state"] == "waiting" for world, j in jobs.values() if world == B),
      "B's jobs ended with A's change")

# a condition naming two worlds that change in the same watch is judged once
for w in (D, E):
    admin("stock", {"object": w, "resource": 130, "quantity": 5000})
settle()
pair = [fd.submit({"fleet": fid, "steps": [{"op": "wait", "until": {"any": [
    {"world": D, "stock": {"resource": 130, "below": 100}},
    {"world": E, "stock": {"resource": 130, "below": 100}}]}}]})
    for fid in mine[40:48]]
for j in pair:
    fd.wait_state(j["id"], ["waiting"], 30)
settle()
for attempt, qty in enumerate((4000, 3000, 2000)):
    e3 = evaluations()
    w = sim.stats()["watch"]
    while sim.stats()["watch"] == w:
        time.sleep(0.01)
    admin("stock", {"object": D, "resource": 130, "quantity": qty})  # both in one watch
    admin("stock", {"object": E, "resource": 130, "quantity": qty})
    together = sim.stats()["watch"] == w + 1
    settle()
    if together:
        break
check(together, "the two changes never fell in one watch")
check(evaluations() - e3 == len(pair), "two named worlds changed together: %d judged, want %d"
      % (evaluations() - e3, len(pair)))
fd.stop()
sim.stop()
print("ok - 0, 0, 10 and 30 conditions judged for changes of no, an unnamed, B's and A's "
      "world; one judgement for two named worlds changing together")
