"""jobs_world.py -- world jobs and world ops against fleetsim (issue 18.1,
18.2, launch_lams of 18.3).

A world job ({"world": id}) designates, builds, demolishes, sets an
industry's share and its products, sets and stops trade routes, and fires
a citadel's jump missiles; each effect is checked in fleetsim's own
getObjects and each call counted once in /sim/stats.  Refused at
submission (422, the path named): a world not the player's, an unknown
unid, a catalogue entry of the wrong category, a percent out of 0..100, a
fleet op in a world job, fleet and world together.  A held world is 409
world_busy naming the holder.  A game refusal (techTooLow) fails the job
with the game's message.  Transient faults (--fault-rate) are retried and
each op still acts once.  Then fleetd is killed (-9) while each op's call
is in flight (--latency-ms: fleetsim has acted, the answer is lost): the
restarted fleetd finds the effect and never sends the call again."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, kill_in_flight, sim_res, sim_state  # noqa: E402

DESIGNATE_AGRI, INDUSTRY_AGRI, CITADEL = 155, 154, 72
DEEP_MINE, SHIELD, MISSILE = 137, 301, 208
FOOD = 90
CONSUMER = 71  # builds 188, 90 and 178


def dist(a, b):
    return math.hypot(a["pos"][0] - b["pos"][0], a["pos"][1] - b["pos"][1])


def worlds_of(S, sov):
    return sorted((o for o in S.values() if o.get("class") == "world" and
                   o.get("sovereignID") == sov), key=lambda o: o["id"])


def trait(w, tid):
    for t in w.get("traits") or []:
        if t == tid or (isinstance(t, dict) and t.get("traitID") == tid):
            return t if isinstance(t, dict) else {"traitID": t}
    return None


def route(w, partner):
    for r in w.get("tradeRoutes") or []:
        if r.get("partnerObjID") == partner:
            return r
    return None


def pick(S, me):
    """Two of the player's worlds (not the capital) within 200 ly, and a
    third for the refusals."""
    mine = [w for w in worlds_of(S, me) if w.get("designation") != 46]
    for a in mine:
        for b in mine:
            if a["id"] < b["id"] and dist(a, b) <= 190:
                rest = [w for w in mine if w["id"] not in (a["id"], b["id"])]
                return a, b, rest
    check(False, "no two worlds of the player within 190 ly")


def run(fd, job, what, timeout=60):
    j = fd.submit(job)
    j = fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], timeout)
    check(j["state"] == "succeeded", "%s: %s %s" % (what, j["state"], j["last_error"]))
    return j


def refused(fd, job, part):
    st, b = fd.call("POST", "/v1/jobs", job)
    check(st == 422 and part in b["error"]["message"],
          "expected 422 naming %r, got %d %s" % (part, st, b))


def phase_ops(sim, fd, me):
    S = sim_state(sim)
    a, b, rest = pick(S, me)
    foreign = next(o for o in S.values() if o.get("class") == "world" and
                   o.get("sovereignID") not in (me, None, 0))
    A, B = a["id"], b["id"]
    # refusals at submission
    refused(fd, {"world": foreign["id"], "steps": [{"op": "wait", "seconds": 1}]},
            "world: world %d is not one of your worlds" % foreign["id"])
    refused(fd, {"world": A, "steps": [{"op": "designate", "designation": "core.nope"}]},
            "steps[0].designation: no catalogue entry has unid")
    refused(fd, {"world": A, "steps": [{"op": "designate",
                                        "designation": "core.deepMineImprovement"}]},
            "steps[0].designation: catalogue entry 137")
    refused(fd, {"world": A, "steps": [{"op": "build", "improvement": 99999}]},
            "steps[0].improvement: no catalogue entry 99999")
    refused(fd, {"world": A, "steps": [{"op": "industry", "industry": INDUSTRY_AGRI,
                                        "percent": 101}]},
            "steps[0].percent: must be a number from 0 to 100")
    refused(fd, {"world": A, "steps": [{"op": "wait", "seconds": 1},
                                       {"op": "move", "to": B}]},
            "steps[1].op: a world job holds only wait")
    refused(fd, {"world": A, "fleet": 1, "steps": [{"op": "wait", "seconds": 1}]},
            "world: a job holds a fleet or a world")
    refused(fd, {"world": A, "steps": [{"op": "trade_route", "from": B,
                                        "kind": "consumption", "value": 5}]},
            "steps[0].resource: is required for consumption")
    refused(fd, {"world": A, "steps": [{"op": "trade_route", "from": foreign["id"],
                                        "kind": "default"}]},
            "steps[0].from: world %d is not one of your worlds" % foreign["id"])
    refused(fd, {"world": A, "steps": [{"op": "products", "industry": INDUSTRY_AGRI,
                                        "alloc": [FOOD, 0]}]},
            "steps[0].alloc: the percents must add up to more than 0")
    # the world is held: 409 naming the holder
    hold = fd.submit({"world": A, "steps": [{"op": "wait", "seconds": 3600}]})
    st, body = fd.call("POST", "/v1/jobs", {"world": A, "steps": [
        {"op": "wait", "seconds": 1}]})
    check(st == 409 and body["error"]["code"] == "world_busy" and
          body["error"]["holder"] == hold["id"], "held world: %d %s" % (st, body))
    check(hold.get("world") == A, "the answer shows the world: %s" % hold)
    check(fd.call("POST", "/v1/jobs/%d/cancel" % hold["id"])[0] == 200, "cancel the holder")
    # every op, in one world job
    tech = a.get("techLevel", 0)
    build = DEEP_MINE if tech >= 3 else None
    steps = [{"op": "designate", "designation": "core.agriculturalDesignation"},
             {"op": "industry", "industry": "core.agricultureIndustry", "percent": 60},
             {"op": "products", "industry": INDUSTRY_AGRI, "alloc": [FOOD, 100]},
             {"op": "trade_route", "from": B, "kind": "default"},
             {"op": "trade_route", "from": B, "kind": "consumption", "resource": FOOD,
              "value": 40},
             {"op": "trade_route", "from": B, "kind": "tech", "value": 1}]
    if build:
        steps.append({"op": "build", "improvement": build})
    j = run(fd, {"world": A, "name": "upkeep", "steps": steps}, "upkeep")
    S = sim_state(sim)
    wa, wb = S[A], S[B]
    check(wa["designation"] == DESIGNATE_AGRI, "designated: %s" % wa.get("designation"))
    ind = trait(wa, INDUSTRY_AGRI)
    check(ind and abs(ind["targetAllocation"] - 60) < 0.05, "industry: %s" % ind)
    check(route(wa, B) and route(wb, A), "route on both sides: %s / %s" %
          (wa.get("tradeRoutes"), wb.get("tradeRoutes")))
    imp = route(wa, B).get("imports") or []
    check(len(imp) >= 2 and imp[0] == FOOD and abs(imp[1] - 40) < 0.05,
          "consumption import: %s" % imp)
    if build:
        check(trait(wa, build), "built: %s" % wa.get("traits"))
    # re-running the same job changes nothing and sends nothing
    calls0 = sim.stats()["calls"]
    j = run(fd, {"world": A, "steps": steps[:4] + steps[6:]}, "upkeep again")
    calls1 = sim.stats()["calls"]
    for ep in ("designateWorld", "setIndustryAlloc", "setProductAlloc", "buildImprovement"):
        check(calls1.get(ep, 0) == calls0.get(ep, 0), "%s sent again: %s" % (ep, calls1))
    notes = [e for e in fd.events(j["id"]) if e["type"] == "job.note"]
    check(len(notes) >= 3, "already-so steps say so: %s" % notes)
    # stop the route, demolish; from a fleet job's step too ($here)
    steps = [{"op": "stop_trade_route", "with": B}]
    if build:
        steps.append({"op": "demolish", "improvement": "core.deepMineImprovement"})
    run(fd, {"world": A, "steps": steps}, "stop and demolish")
    S = sim_state(sim)
    check(not route(S[A], B) and not route(S[B], A), "route stopped")
    if build:
        check(not trait(S[A], build), "demolished")
    # a game refusal fails the job with the game's message
    low = next((w for w in rest if w.get("techLevel", 0) < 8), None)
    if low:
        j = fd.submit({"world": low["id"], "steps": [{"op": "build", "improvement": SHIELD}]})
        j = fd.wait_state(j["id"], ["succeeded", "failed"], 30)
        check(j["state"] == "failed" and "game error" in (j["last_error"] or ""),
              "techTooLow: %s %s" % (j["state"], j["last_error"]))
    # a world op as a step of a fleet job: the world it is anchored at
    fl = [o for o in S.values() if o.get("class") == "fleet" and
          o.get("sovereignID") == me and o.get("anchorObjID") in
          {w["id"] for w in rest}]
    if fl:
        f = fl[0]
        w = f["anchorObjID"]
        desig = 163 if S[w].get("designation") != 163 else 155
        run(fd, {"fleet": f["id"], "steps": [{"op": "designate", "designation": desig}]},
            "fleet job designates $here")
        check(sim_state(sim)[w]["designation"] == desig, "fleet job's designate")
    return A, B


def citadel_and_target(S, me):
    cit = next((w for w in worlds_of(S, me) if w.get("designation") == CITADEL and
                sim_res(w, MISSILE) > 0), None)
    if not cit:
        return None, None
    for o in sorted(S.values(), key=lambda o: o["id"]):
        if o.get("class") == "world" and o.get("sovereignID") not in (me, None) and \
                dist(o, cit) <= 150 and (sim_res(o, 204) or sim_res(o, 205)):
            return cit, o
    return cit, None


def phase_lams(sim, fd, me):
    S = sim_state(sim)
    cit, tgt = citadel_and_target(S, me)
    if not tgt:
        print("# no citadel with a target in range in this galaxy: launch_lams not run")
        return
    before = sim_res(cit, MISSILE)
    run(fd, {"world": cit["id"], "steps": [{"op": "launch_lams", "target": tgt["id"]}]},
        "launch_lams")
    after = sim_res(sim_state(sim)[cit["id"]], MISSILE)
    check(after == before - min(10, before), "one salvo: %d -> %d" % (before, after))


# --- phase 1: every op, refusals, missiles ---------------------------------------
sim = Sim("--watch-ms", "800", "--seed", "3", "--fleets", "40")
fd = Fleetd(sim)
fd.wait_ready()
me = sim.login()["userInfo"]["sovereignID"]
phase_ops(sim, fd, me)
phase_lams(sim, fd, me)
check(fd.stop() == 0, "stop")
sim.stop()

# --- phase 2: transient faults, each op acts once ---------------------------------
sim = Sim("--watch-ms", "800", "--seed", "5", "--fleets", "40", "--fault-rate", "0.3")
fd = Fleetd(sim, name="fleetd-faults")
fd.wait_ready(60)
me = sim.login()["userInfo"]["sovereignID"]
S = sim_state(sim)
a, b, _ = pick(S, me)
run(fd, {"world": a["id"], "steps": [
    {"op": "designate", "designation": DESIGNATE_AGRI},
    {"op": "trade_route", "from": b["id"], "kind": "default"},
    {"op": "stop_trade_route", "with": b["id"]}]}, "under faults", 120)
S = sim_state(sim)
check(S[a["id"]]["designation"] == DESIGNATE_AGRI and not route(S[a["id"]], b["id"]),
      "effects under faults")
check(fd.stop() == 0, "stop")
sim.stop()

# --- phase 3: kill -9 while each op's call is in flight ---------------------------
sim = Sim("--watch-ms", "800", "--seed", "3", "--fleets", "40", "--latency-ms", "2500")
fd = Fleetd(sim, name="fleetd-kill")
fd.wait_ready(60)
me = sim.login()["userInfo"]["sovereignID"]
S = sim_state(sim)
a, b, _ = pick(S, me)
A, B = a["id"], b["id"]


def once(step, endpoint, what, world=A):
    c0 = sim.stats()["calls"].get(endpoint, 0)
    j = fd.submit({"world": world, "steps": [step]})
    kill_in_flight(fd, sim, j["id"], what, endpoint, c0)
    j = fd.wait_state(j["id"], ["succeeded", "failed", "cancelled"], 120)
    check(j["state"] == "succeeded", "%s: %s %s" % (what, j["state"], j["last_error"]))
    rec = [e["data"] for e in fd.events(j["id"]) if e["type"] == "job.reconciled"]
    check(rec and rec[-1]["effect_found"], "%s: reconciled %s" % (what, rec))
    c1 = sim.stats()["calls"].get(endpoint, 0)
    check(c1 - c0 == 1, "%s: %s sent %d times" % (what, endpoint, c1 - c0))


once({"op": "designate", "designation": DESIGNATE_AGRI}, "designateWorld", "designate")
once({"op": "industry", "industry": INDUSTRY_AGRI, "percent": 55}, "setIndustryAlloc",
     "industry")
if trait(sim_state(sim)[A], CONSUMER):
    once({"op": "products", "industry": CONSUMER, "alloc": [188, 70, FOOD, 30]},
         "setProductAlloc", "products")
once({"op": "trade_route", "from": B, "kind": "default"}, "setTradeRoute", "trade_route")
once({"op": "stop_trade_route", "with": B}, "stopTradeRoute", "stop_trade_route")
if a.get("techLevel", 0) >= 3:
    once({"op": "build", "improvement": DEEP_MINE}, "buildImprovement", "build")
    once({"op": "demolish", "improvement": DEEP_MINE}, "destroyImprovement", "demolish")
cit, tgt = citadel_and_target(sim_state(sim), me)
if tgt:
    before = sim_res(cit, MISSILE)
    once({"op": "launch_lams", "target": tgt["id"]}, "launchLAMs", "launch_lams",
         world=cit["id"])
    after = sim_res(sim_state(sim)[cit["id"]], MISSILE)
    check(after == before - min(10, before), "one salvo across kill -9: %d -> %d" %
          (before, after))
check(fd.stop() == 0, "final stop")
print("ok - world jobs: every op, refusals, faults, and kill -9 in flight acting once")
