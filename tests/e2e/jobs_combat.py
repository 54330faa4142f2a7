"""jobs_combat.py -- calling a raid off, against fleetsim, checked in
fleetsim's own state (issue 18.3):
  - attack cancelled with the default on_cancel "keep": the job ends at once
    (200) and the battle goes on; an abort_attack job with the same fleet
    then ends it;
  - attack with on_cancel "abort" cancelled while fighting: 202, the job
    stays live while its step sends abortAttack, then ends cancelled and
    fleetsim shows no battlePlan; a second cancel meanwhile is 409;
  - kill -9 right after such a cancel, and kill -9 while the abort is on the
    wire (answers held by --latency-ms): after a restart the job ends
    cancelled and fleetsim counted exactly one abortAttack per cancel;
  - abort_attack where no battle is on: done, nothing sent."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, qty, sim_state  # noqa: E402

LIVE = ("queued", "running", "waiting", "paused")
ENDED = ["succeeded", "failed", "cancelled"]


def setup(fd):
    """A warship fleet of ours anchored, and the nearest world of
    sovereign 1 with defences to fight (as jobs_ops.py's attack)."""
    fd.wait_ready()
    F, Wd = fd.fleets(), fd.worlds()
    warrior = next(f for i, f in sorted(F.items())
                   if f["mine"] and f["anchor"] and qty(f["resources"], 122) >= 40)
    home = Wd[warrior["anchor"]]

    def d2(w):
        return (w["position"]["x"] - home["position"]["x"]) ** 2 + \
            (w["position"]["y"] - home["position"]["y"]) ** 2
    target = min((w for w in Wd.values() if w["sovereign"] == 1 and
                  qty(w["resources"], 204) > 0), key=d2)
    j = fd.submit({"fleet": warrior["id"], "steps": [{"op": "move", "to": target["id"]}]})
    j = fd.wait_state(j["id"], ENDED, 120)
    check(j["state"] == "succeeded", "move to the target: %s" % j)
    return warrior["id"], target["id"]


def battle_on(sim, world):
    return bool(sim_state(sim)[world].get("battlePlan"))


def attack(fd, fleet, on_cancel=None):
    """An attack job, returned once it is fighting."""
    step = {"op": "attack", "objective": "spaceSupremacy", "enemies": [1]}
    if on_cancel:
        step["on_cancel"] = on_cancel
    j = fd.submit({"name": "raid", "fleet": fleet, "steps": [step]})
    end = time.time() + 60
    while time.time() < end:
        j = fd.job(j["id"])
        check(j["state"] in LIVE, "attack ended before it fought: %s" % j)
        if j.get("sub_state") == "FIGHTING":
            return j["id"]
        time.sleep(0.05)
    check(False, "the attack never fought: %s" % j)


def cancel(fd, jid, expect):
    st, b = fd.call("POST", "/v1/jobs/%d/cancel" % jid)
    check(st == expect, "cancel %d -> %d %s (expected %d)" % (jid, st, b, expect))
    return b


def types(fd, jid):
    return [e["type"] for e in fd.events(jid)]


def aborts(sim):
    return sim.stats()["calls"].get("abortAttack", 0)


def cancelled_and_aborted(fd, sim, jid, world, calls, what):
    j = fd.wait_state(jid, ENDED, 60)
    check(j["state"] == "cancelled", "%s: ended %s (%s)" % (what, j["state"], j["last_error"]))
    check(not battle_on(sim, world), "%s: fleetsim still shows the battle" % what)
    check(aborts(sim) == calls, "%s: abortAttack calls %d, wanted %d" % (what, aborts(sim), calls))
    ev = types(fd, jid)
    check("job.cancelling" in ev and "job.step_done" not in ev and ev[-1] == "job.state",
          "%s: history %s" % (what, ev))
    return ev


# --- a healthy upstream ----------------------------------------------------------------
sim = Sim("--watch-ms", "2500", "--seed", "11", "--fleets", "60", "--worlds", "200")
fd = Fleetd(sim)
fleet, world = setup(fd)
sim.login()

# keep (the default): the cancel ends the job, the battle goes on
jid = attack(fd, fleet)
b = cancel(fd, jid, 200)
check(b["state"] == "cancelled", "keep: the cancel answer says %s" % b["state"])
check(battle_on(sim, world) and aborts(sim) == 0, "keep: the battle did not go on")
check("job.cancelling" not in types(fd, jid), "keep: %s" % types(fd, jid))
# abort_attack with the same fleet ends it
j = fd.submit({"fleet": fleet, "steps": [{"op": "abort_attack"}]})
j = fd.wait_state(j["id"], ENDED, 60)
check(j["state"] == "succeeded", "abort_attack: %s %s" % (j["state"], j["last_error"]))
check(not battle_on(sim, world) and aborts(sim) == 1, "abort_attack: battle or calls")
sent = [e["data"] for e in fd.events(j["id"]) if e["type"] == "job.abort_sent"]
check(sent == [{"world": world, "attempt": 1}], "abort_attack history: %s" % sent)
print("ok - keep leaves the battle on; abort_attack ends it with one call")

# abort: 202, live while the step aborts, then cancelled with the battle off
jid = attack(fd, fleet, "abort")
b = cancel(fd, jid, 202)
check(b["state"] in LIVE and b.get("sub_state") in ("ABORT", "ABORT_SENT"),
      "abort: the cancel answer: %s" % b)
st, b = fd.call("POST", "/v1/jobs/%d/cancel" % jid)
check(st == 409, "a second cancel -> %d %s" % (st, b))
ev = cancelled_and_aborted(fd, sim, jid, world, 2, "abort")
check(ev.count("job.abort_sent") == 1, "abort: %s" % ev)
print("ok - on_cancel abort: 202, abortAttack once, the job ended cancelled")

# kill -9 right after the cancel was answered
jid = attack(fd, fleet, "abort")
cancel(fd, jid, 202)
fd.stop(signal.SIGKILL)
fd.start()
cancelled_and_aborted(fd, sim, jid, world, 3, "kill after cancel")
print("ok - kill -9 right after the cancel: aborted exactly once")

# abort_attack where no battle is on: done, nothing sent
j = fd.submit({"fleet": fleet, "steps": [{"op": "abort_attack"}]})
j = fd.wait_state(j["id"], ENDED, 60)
check(j["state"] == "succeeded" and aborts(sim) == 3, "needless abort: %s" % j)
check("job.abort_skipped" in types(fd, j["id"]), "needless abort: %s" % types(fd, j["id"]))
check(fd.stop() == 0, "fleetd exit status")
sim.stop()
print("ok - abort_attack without a battle sends nothing")

# --- kill -9 while the abort is on the wire (every answer held 2.5 s) -------------------
sim = Sim("--watch-ms", "2500", "--seed", "11", "--fleets", "60", "--worlds", "200",
          "--latency-ms", "2500", name="fleetsim-slow")
fd = Fleetd(sim, name="fleetd-slow")
fleet, world = setup(fd)
sim.login()
jid = attack(fd, fleet, "abort")
cancel(fd, jid, 202)
end = time.time() + 30
while time.time() < end:
    j = fd.job(jid)
    if j["state"] == "running" and j.get("sub_state") == "ABORT_SENT":
        break
    check(j["state"] in LIVE, "the abort never went out: %s" % j)
    time.sleep(0.02)
time.sleep(0.3)  # well inside the 2.5 s the answer takes
fd.stop(signal.SIGKILL)
fd.start()
ev = cancelled_and_aborted(fd, sim, jid, world, 1, "kill during the abort")
check("job.reconciled" in ev, "kill during the abort: no reconciliation in %s" % ev)
check(fd.stop() == 0, "fleetd exit status")
print("ok - kill -9 during abortAttack: found done after the restart, not sent again")
