"""jobs_crash.py -- the crash matrix (issue 14 point 2): effectively once,
proven under kill -9, faults before the effect and answers lost after it.

A few hundred jobs whose effects are not idempotent and whose end state is
exactly computable: fixed transfers from a world into a fleet and back,
buys of a fixed count at a trading hub, deploys of a fixed set of
resources, sells, multi-step jobs around them, jobs the game refuses, and
issue 14 point 9's scenario (deploys at a world where free fleets of the
same make-up arrive, their move jobs ended).  fleetsim runs with both
--fault-rate and --lost-answer-rate; fleetd is killed with SIGKILL at
random moments and restarted on the same database, while a second thread
submits the jobs and retries every submission cut by a kill with the same
Idempotency-Key.  Then, from fleetsim's own state and /sim/stats:

  - every accepted job is terminal, each key names one job, no job is lost
    and none duplicated;
  - every job ends as the game decides: succeeded, or failed with the
    game's message in last_error;
  - every succeeded step's effect is present exactly once (world and fleet
    quantities, the hub's stock, the funds, fleets deployed, positions,
    names) and every refused step's effect absent;
  - fleetsim applied each non-idempotent action exactly as often as a
    step succeeded (the "applied" counters against the intents).

Sizes from the environment (`make bench-crash`, bench/crash.sh, runs it
with 1,000 jobs and 50 kills): CRASH_JOBS (300), CRASH_KILLS (20),
CRASH_SPREAD (seconds over which the jobs start, 40), FLEETD_TEST_SEED
(random; printed), CRASH_REPORT (a file for the counts as JSON)."""
import json
import math
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jobslib import Fleetd, Sim, check, fail, ipint, sim_res, sim_state  # noqa: E402

N = int(os.environ.get("CRASH_JOBS", "300"))
KILLS = int(os.environ.get("CRASH_KILLS", "20"))
SEED = int(os.environ.get("FLEETD_TEST_SEED", "0")) or random.randrange(1, 1 << 30)
REPORT = os.environ.get("CRASH_REPORT")
SPREAD = float(os.environ.get("CRASH_SPREAD", "40"))
print("seed %d (galaxy %d), %d jobs, %d kills" % (SEED, 1 + SEED % 997, N, KILLS))
rnd = random.Random(SEED)

FOOD, FRIGATE, DESTROYER, SCOUT, FREIGHTER, GUNSHIP = 90, 122, 160, 102, 144, 26
PRICE = {FOOD: 2, GUNSHIP: 900}   # docs/fleetsim.md, the catalogue
TRADERS = 5000004                 # the sovereign owning the trading hubs

# the galaxy, and with it fleetsim's fault draws, follow the seed too
GALAXY = 1 + SEED % 997
sim = Sim("--watch-ms", "1000", "--seed", str(GALAXY), "--worlds", "300",
          "--fleets", str(max(600, 3 * N)), "--fault-rate", "0.04",
          "--lost-answer-rate", "0.06", "--fault-delay-ms", "1500", "--latency-ms", "30")
S_start = sim_state(sim)
me = sim.sov


def res(o):
    r = o.get("resources") or []
    return {ipint(r[i]): ipint(r[i + 1]) for i in range(0, len(r) - 1, 2)}


def pos(o):
    return o["pos"][0], o["pos"][1]


def dist(a, b):
    (ax, ay), (bx, by) = pos(a), pos(b)
    return math.hypot(ax - bx, ay - by)


def applied():
    return sim.stats()["applied"]


def act(endpoint, **fields):
    """An action sent straight to fleetsim, through its faults: sent again
    until /sim/stats shows it applied (a fault before the effect changed
    nothing; a lost answer did act)."""
    for _ in range(100):
        before = applied()[endpoint]
        st, data = sim.raw("POST", "/api/" + endpoint,
                           json.dumps(sim.common(**fields)).encode(), timeout=5)
        if applied()[endpoint] > before:
            return
        try:
            a = json.loads(data) if st == 200 else None
        except ValueError:
            a = None
        check(not (isinstance(a, list) and len(a) == 4 and a[1] != "busy"),
              "%s refused in the setup: %r" % (endpoint, a))
    fail("%s never acted" % endpoint)


worlds = {i: o for i, o in S_start.items() if o.get("class") == "world"}
own = sorted((w for w in worlds.values() if w.get("sovereignID") == me), key=lambda w: w["id"])
hubs = [w for w in worlds.values() if w.get("sovereignID") == TRADERS]
check(own and hubs, "the galaxy has no worlds of ours or no hub")


def neighbour(w, exclude=()):
    return min((o for o in own if o["id"] != w["id"] and o["id"] not in exclude),
               key=lambda o: dist(w, o))


# --- issue 14.9's scenario: free fleets of a deploy's make-up arrive ---------
# Fleets of two frigates each, deployed by the test at a neighbour world;
# move jobs bring them to a target world where deploys of two frigates run.
TARGETS = 3
ARRIVALS = max(2, round(N * 0.07 / TARGETS))
targets = []
for w in sorted(own, key=lambda w: -res(w).get(FRIGATE, 0)):
    if len(targets) == TARGETS:
        break
    if any(w["id"] in (t["id"], n["id"]) for t, n in targets):
        continue
    n = neighbour(w, [x["id"] for p in targets for x in p])
    if res(n).get(FRIGATE, 0) >= 2 * ARRIVALS + 2:
        targets.append((w, n))
check(len(targets) == TARGETS, "no %d target worlds" % TARGETS)
for t, n in targets:
    for _ in range(ARRIVALS):
        act("deployFleet", sourceObjID=n["id"], resources=[FRIGATE, 2])

S0 = sim_state(sim)   # the state every expectation starts from
A0 = applied()
funds0 = next(o for o in S0.values() if o.get("class") == "sovereign" and
              o["id"] == me)["funds"][1]
movers_made = sorted(i for i, o in S0.items() if o.get("class") == "fleet" and
                     i not in S_start)
check(len(movers_made) == TARGETS * ARRIVALS, "setup made %d fleets" % len(movers_made))

fd = Fleetd(sim)
fd.wait_ready(90)

# --- the jobs -------------------------------------------------------------------
mine = {i: o for i, o in S0.items() if o.get("class") == "fleet" and
        o.get("sovereignID") == me and o.get("anchorObjID") and i not in movers_made}
at_own = {i: f for i, f in mine.items() if worlds[f["anchorObjID"]].get("sovereignID") == me}
used = set(movers_made)


def take(makeup_item, n, why, pool=None, key=None):
    cand = [f for i, f in sorted((pool or mine).items()) if i not in used and
            res(f).get(makeup_item, 0) > 0]
    if key:
        cand.sort(key=key)
    check(len(cand) >= n, "only %d fleets for %s (%d wanted)" % (len(cand), why, n))
    out = cand[:n]
    used.update(f["id"] for f in out)
    return out


def nearest_hub(f):
    return min(hubs, key=lambda h: dist(f, h))


# planned takings from each world's stock, so no planned job runs short
budget = {w["id"]: dict(res(S0[w["id"]])) for w in own}


def reserve(w, item, q):
    if budget[w["id"]].get(item, 0) - q < 2:
        return False
    budget[w["id"]][item] -= q
    return True


SHARE = [("tin", .10), ("tout", .10), ("buy", .10), ("sell", .10), ("dep", .12),
         ("multi", .09), ("chain", .06), ("fail", .12), ("tdep", .09)]
count = {k: max(2, round(N * s)) for k, s in SHARE}
count["tin"] += N - sum(count.values()) - TARGETS * ARRIVALS
jobs = []   # dicts: kind, key, spec, and what the check needs


def add(kind, spec, **info):
    spec["delay_seconds"] = rnd.randint(0, int(SPREAD))
    info.update(kind=kind, key="crash-%d-%d" % (SEED, len(jobs)), spec=spec)
    jobs.append(info)


def take_with(item, n, why, pool, need):
    """n fleets holding item, each for which need(fleet) reserves what its
    job will take from a world."""
    out = []
    while len(out) < n:
        f = take(item, 1, why, pool)[0]
        if need(f):
            out.append(f)
    return out


def tin_need(f):
    f["k"] = rnd.randint(1, 50)
    return reserve(worlds[f["anchorObjID"]], FOOD, f["k"])


for f in take_with(SCOUT, count["tin"], "transfers in", at_own, tin_need):
    k = f["k"]
    add("tin", {"fleet": f["id"], "steps": [
        {"op": "transfer", "to": f["anchorObjID"], "resources": [FOOD, k]}]},
        fleet=f["id"], world=f["anchorObjID"], k=k)
for f in take(FRIGATE, count["tout"], "transfers out", at_own):
    k = rnd.randint(1, 3)
    add("tout", {"fleet": f["id"], "steps": [
        {"op": "transfer", "to": f["anchorObjID"], "resources": [FRIGATE, -k]}]},
        fleet=f["id"], world=f["anchorObjID"], k=k)
for f in take(FRIGATE, count["buy"], "buys", key=lambda f: dist(f, nearest_hub(f))):
    h, c = nearest_hub(f), rnd.randint(1, 2)
    add("buy", {"fleet": f["id"], "steps": [
        {"op": "move", "to": h["id"]}, {"op": "buy", "item": GUNSHIP, "count": c}]},
        fleet=f["id"], hub=h["id"], c=c)
for f in take(FOOD, count["sell"], "sells", key=lambda f: dist(f, nearest_hub(f))):
    h, k = nearest_hub(f), rnd.randint(1, 100)
    add("sell", {"fleet": f["id"], "steps": [
        {"op": "move", "to": h["id"]}, {"op": "sell", "to": h["id"], "resources": [FOOD, k]}]},
        fleet=f["id"], hub=h["id"], k=k)
n_dep = 0
while n_dep < count["dep"]:
    w = own[rnd.randrange(len(own))]
    a, c = rnd.randint(1, 3), rnd.choice([0, 0, rnd.randint(1, 20)])
    if not reserve(w, FRIGATE, a) or (c and not reserve(w, FOOD, c)):
        continue
    makeup = [FRIGATE, a] + ([FOOD, c] if c else [])
    add("dep", {"steps": [{"op": "deploy", "from": w["id"], "resources": makeup},
                          {"op": "rename", "name": "cD%d" % n_dep}]},
        world=w["id"], makeup=makeup, name="cD%d" % n_dep)
    n_dep += 1
for i, f in enumerate(take_with(DESTROYER, count["multi"], "multi-step", at_own,
                                lambda f: reserve(worlds[f["anchorObjID"]], FOOD, 5))):
    home = worlds[f["anchorObjID"]]
    w2 = neighbour(home)
    add("multi", {"fleet": f["id"], "steps": [
        {"op": "move", "to": w2["id"]},
        {"op": "transfer", "to": w2["id"], "resources": [DESTROYER, -2]},
        {"op": "move", "to": home["id"]},
        {"op": "transfer", "to": home["id"], "resources": [FOOD, 5]},
        {"op": "rename", "name": "cM%d" % i}]},
        fleet=f["id"], home=home["id"], w2=w2["id"], name="cM%d" % i)
n_chain = 0
while n_chain < count["chain"]:
    w = own[rnd.randrange(len(own))]
    if not reserve(w, FRIGATE, 2):
        continue
    w2 = neighbour(w)
    add("chain", {"steps": [
        {"op": "deploy", "from": w["id"], "resources": [FRIGATE, 2]},
        {"op": "move", "to": w2["id"]},
        {"op": "transfer", "to": w2["id"], "resources": [FRIGATE, -1]},
        {"op": "rename", "name": "cC%d" % n_chain}]},
        world=w["id"], w2=w2["id"], name="cC%d" % n_chain)
    n_chain += 1
# refused by the game: the effect must be absent, the message in last_error
for i in range(count["fail"]):
    way = i % 5
    if way == 0:
        f = take(SCOUT, 1, "refused transfers", at_own)[0]
        add("fail", {"fleet": f["id"], "steps": [
            {"op": "transfer", "to": f["anchorObjID"], "resources": [FOOD, 10 ** 9]}]},
            fleet=f["id"], msg="of resource 90 (1000000000 asked)")
    elif way == 1:
        f = take(FOOD, 1, "refused sells", at_own)[0]
        add("fail", {"fleet": f["id"], "steps": [
            {"op": "sell", "to": f["anchorObjID"], "resources": [FOOD, 5]}]},
            fleet=f["id"], msg="does not trade")
    elif way == 2:
        f = take(FRIGATE, 1, "refused buys", at_own)[0]
        add("fail", {"fleet": f["id"], "steps": [
            {"op": "buy", "item": GUNSHIP, "count": 1}]}, fleet=f["id"], msg="does not trade")
    elif way == 3:
        w = own[rnd.randrange(len(own))]
        add("fail", {"steps": [{"op": "deploy", "from": w["id"], "resources": [GUNSHIP, 1]}]},
            msg="has only 0 of resource 26 (1 asked)")
    else:  # the first step acts, the second is refused
        f = take_with(DESTROYER, 1, "refused second steps", at_own,
                      lambda f: reserve(worlds[f["anchorObjID"]], FOOD, 3))[0]
        add("fail2", {"fleet": f["id"], "steps": [
            {"op": "transfer", "to": f["anchorObjID"], "resources": [FOOD, 3]},
            {"op": "sell", "to": f["anchorObjID"], "resources": [FOOD, 3]}]},
            fleet=f["id"], world=f["anchorObjID"], msg="does not trade")
n_t = 0
for t, n in targets:
    for _ in range(count["tdep"] // TARGETS):
        check(reserve(t, FRIGATE, 2), "target world %d short of frigates" % t["id"])
        add("dep", {"steps": [{"op": "deploy", "from": t["id"], "resources": [FRIGATE, 2]},
                              {"op": "rename", "name": "cT%d" % n_t}]},
            world=t["id"], makeup=[FRIGATE, 2], name="cT%d" % n_t)
        n_t += 1
mover_i = 0
for (t, n) in targets:
    for fid in movers_made[mover_i:mover_i + ARRIVALS]:
        check(S0[fid].get("anchorObjID") == n["id"], "mover %d not at %d" % (fid, n["id"]))
        add("mover", {"fleet": fid, "steps": [{"op": "move", "to": t["id"]},
                                              {"op": "rename", "name": "cA%d" % fid}]},
            fleet=fid, world=t["id"], name="cA%d" % fid)
    mover_i += ARRIVALS
rnd.shuffle(jobs)
print("jobs: %s" % {k: sum(j["kind"] == k for j in jobs) for k in sorted({j["kind"] for j in jobs})})

# --- submissions, retried with the same key across kills -------------------------
sub = {"retried": 0, "replayed": 0, "errors": [], "done": False}


def post(spec, key):
    req = urllib.request.Request(fd.base + "/v1/jobs", data=json.dumps(spec).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read()[:300]
    except Exception:
        return 0, None


def submitter():
    try:
        for j in jobs:
            tries = 0
            while True:
                st, b = post(j["spec"], j["key"])
                if st in (200, 201):
                    j["id"] = b["id"]
                    sub["retried"] += tries > 0
                    sub["replayed"] += st == 200
                    break
                if st not in (0, 503):
                    sub["errors"].append("%s: HTTP %d %s" % (j["key"], st, b))
                    break
                tries += 1
                time.sleep(0.05)
            time.sleep(rnd.uniform(0, 0.04))
    finally:
        sub["done"] = True


def live():
    return fd.sql("SELECT count(*) FROM jobs WHERE state IN "
                  "('queued','running','waiting','paused')")[0][0]


t = threading.Thread(target=submitter, daemon=True)
t.start()
kills = []
for n in range(KILLS):
    # the first kills land while jobs are being submitted
    time.sleep(rnd.uniform(0.2, 1.0) if n < 3 else rnd.uniform(0.5, 2 * SPREAD / KILLS))
    kills.append(live())
    fd.stop(signal.SIGKILL)
    if rnd.random() < 0.3:
        time.sleep(rnd.uniform(0, 2))   # down for a while: watches go by
    fd.start()
t.join(300)
check(not t.is_alive(), "submissions never finished")
check(not sub["errors"], "submissions refused: %s" % sub["errors"][:5])
print("killed %d times (live jobs at each kill: %s); submissions retried across a "
      "kill %d, answered as replays %d" % (KILLS, kills, sub["retried"], sub["replayed"]))

end = time.time() + 240 + N // 5
while live() and time.time() < end:
    time.sleep(1)
left = fd.sql("SELECT id, state, step, sub_state, wait_kind, wait_key, last_error FROM jobs "
              "WHERE state IN ('queued','running','waiting','paused')")
check(not left, "%d jobs never ended: %s" % (len(left), left[:5]))

# --- the verdict ------------------------------------------------------------------
problems = []


def expect(cond, msg):
    if not cond:
        problems.append(msg)


rows = {r[0]: r for r in fd.sql("SELECT id, state, last_error, fleet, idem_key FROM jobs")}
keys = {}
for r in rows.values():
    keys.setdefault(r[4], []).append(r[0])
expect(len(rows) == len(jobs), "%d jobs stored for %d submitted" % (len(rows), len(jobs)))
for j in jobs:
    expect(keys.get(j["key"]) == [j.get("id")],
           "key %s: jobs %s, the client was given %s" % (j["key"], keys.get(j["key"]), j.get("id")))

S = sim_state(sim)
A = applied()
stats = sim.stats()
exp_world = {w: {} for w in worlds}     # deltas
exp_fleet = {f: {} for f in S0 if S0[f].get("class") == "fleet"}
exp_anchor, exp_name = {}, {}
funds, gunships = funds0, 0
want = {"deployFleet": 0, "transferFleet": 0, "sellFleet": 0, "buyItem": 0}
new_fleets = {}     # deployed fleet -> (world, make-up dict, name)


def add_to(d, obj, item, q):
    d[obj][item] = d[obj].get(item, 0) + q


outcome = {"succeeded": 0, "failed": 0, "other": 0}
for j in jobs:
    r = rows.get(j.get("id"))
    if not r:
        continue
    state, err, fleet = r[1], r[2] or "", r[3]
    outcome[state if state in outcome else "other"] += 1
    kind = j["kind"]
    if kind in ("fail", "fail2"):
        expect(state == "failed" and err.startswith("game error: ") and j["msg"] in err,
               "job %d (%s) should be refused with %r: %s %r" % (r[0], j["spec"], j["msg"],
                                                                state, err))
        if kind == "fail2":  # its first step acted
            add_to(exp_fleet, j["fleet"], FOOD, 3)
            add_to(exp_world, j["world"], FOOD, -3)
            want["transferFleet"] += 1
        continue
    if state != "succeeded":
        problems.append("job %d (%s) %s: %s" % (r[0], kind, state, err))
        continue
    if kind == "tin":
        add_to(exp_fleet, j["fleet"], FOOD, j["k"])
        add_to(exp_world, j["world"], FOOD, -j["k"])
        want["transferFleet"] += 1
    elif kind == "tout":
        add_to(exp_fleet, j["fleet"], FRIGATE, -j["k"])
        add_to(exp_world, j["world"], FRIGATE, j["k"])
        want["transferFleet"] += 1
    elif kind == "buy":
        add_to(exp_world, j["hub"], GUNSHIP, -j["c"])
        gunships += j["c"]
        funds -= PRICE[GUNSHIP] * j["c"]
        exp_anchor[j["fleet"]] = j["hub"]
        want["buyItem"] += 1
    elif kind == "sell":
        add_to(exp_fleet, j["fleet"], FOOD, -j["k"])
        add_to(exp_world, j["hub"], FOOD, j["k"])
        funds += PRICE[FOOD] * j["k"]
        exp_anchor[j["fleet"]] = j["hub"]
        want["sellFleet"] += 1
    elif kind == "dep":
        mk = dict(zip(j["makeup"][::2], j["makeup"][1::2]))
        for item, q in mk.items():
            add_to(exp_world, j["world"], item, -q)
        expect(fleet not in new_fleets, "deploy jobs share fleet %s" % fleet)
        new_fleets[fleet] = (j["world"], mk, j["name"], r[0])
        want["deployFleet"] += 1
    elif kind == "multi":
        add_to(exp_fleet, j["fleet"], DESTROYER, -2)
        add_to(exp_fleet, j["fleet"], FOOD, 5)
        add_to(exp_world, j["w2"], DESTROYER, 2)
        add_to(exp_world, j["home"], FOOD, -5)
        exp_anchor[j["fleet"]] = j["home"]
        exp_name[j["fleet"]] = j["name"]
        want["transferFleet"] += 2
    elif kind == "chain":
        add_to(exp_world, j["world"], FRIGATE, -2)
        add_to(exp_world, j["w2"], FRIGATE, 1)
        expect(fleet not in new_fleets, "deploy jobs share fleet %s" % fleet)
        new_fleets[fleet] = (j["w2"], {FRIGATE: 1}, j["name"], r[0])
        want["deployFleet"] += 1
        want["transferFleet"] += 1
    elif kind == "mover":
        exp_anchor[j["fleet"]] = j["world"]
        exp_name[j["fleet"]] = j["name"]

# worlds: every quantity is where the succeeded steps left it
for w, o in worlds.items():
    was, now = res(S0[w]), res(S[w])
    for item in set(was) | set(now) | set(exp_world[w]):
        e = was.get(item, 0) + exp_world[w].get(item, 0)
        expect(now.get(item, 0) == e, "world %d resource %d: %d -> %d, expected %d" %
               (w, item, was.get(item, 0), now.get(item, 0), e))
# the fleets that were there before: quantities, positions, names
for f, d in exp_fleet.items():
    if S0[f].get("sovereignID") != me:
        continue
    expect(f in S, "fleet %d is gone" % f)
    if f not in S:
        continue
    was, now = res(S0[f]), res(S[f])
    for item in set(was) | set(now) | set(d):
        if item == GUNSHIP:
            continue   # bought items go to any of our fleets at the hub: summed below
        e = was.get(item, 0) + d.get(item, 0)
        expect(now.get(item, 0) == e, "fleet %d resource %d: %d -> %d, expected %d" %
               (f, item, was.get(item, 0), now.get(item, 0), e))
    expect(S[f].get("anchorObjID") == exp_anchor.get(f, S0[f].get("anchorObjID")),
           "fleet %d at %s, expected %s" % (f, S[f].get("anchorObjID"),
                                            exp_anchor.get(f, S0[f].get("anchorObjID"))))
    expect(S[f].get("name") == exp_name.get(f, S0[f].get("name")),
           "fleet %d named %r, expected %r" % (f, S[f].get("name"),
                                               exp_name.get(f, S0[f].get("name"))))
# deployed fleets: one per succeeded deploy, no orphan, each as deployed
made = {i for i, o in S.items() if o.get("class") == "fleet" and i not in S0 and
        o.get("sovereignID") == me}
expect(made == set(new_fleets), "fleets deployed %d, deploy jobs hold %d; orphans %s, "
       "adopted old fleets %s" % (len(made), len(new_fleets), sorted(made - set(new_fleets))[:10],
                                  sorted(set(new_fleets) - made)[:10]))
for f, (w, mk, name, jid) in new_fleets.items():
    o = S.get(f)
    expect(o is not None and o.get("anchorObjID") == w and res(o) == mk and
           o.get("name") == name,
           "job %d's fleet %s: %s, expected %s at %d named %s" %
           (jid, f, o and (o.get("anchorObjID"), res(o), o.get("name")), mk, w, name))
have = sum(res(o).get(GUNSHIP, 0) for o in S.values()
           if o.get("class") == "fleet" and o.get("sovereignID") == me)
expect(have == gunships, "our fleets hold %d gunships; %d were bought" % (have, gunships))
fnow = next(o for o in S.values() if o.get("class") == "sovereign" and o["id"] == me)["funds"][1]
expect(fnow == funds, "funds %.0f -> %.0f, expected %.0f" % (funds0, fnow, funds))
for ep, n in want.items():
    expect(A[ep] - A0[ep] == n, "fleetsim applied %s %d times for %d succeeded steps" %
           (ep, A[ep] - A0[ep], n))
expect(stats["lost_answers"] > 0 and stats["faults"] > 0, "no fault of a kind: %s" % stats)

rec = fd.sql("SELECT json_extract(data, '$.op'), json_extract(data, '$.effect_found'), "
             "count(*) FROM events WHERE type = 'job.reconciled' GROUP BY 1, 2")
counts = {"seed": SEED, "jobs": len(jobs), "kills": KILLS, "outcome": outcome,
          "submissions_retried": sub["retried"], "replays": sub["replayed"],
          "faults": stats["faults"], "lost_answers": stats["lost_answers"],
          "applied": {k: A[k] - A0[k] for k in want},
          "reconciled": {"%s/%s" % (op, "found" if f else "absent"): n for op, f, n in rec},
          "problems": len(problems)}
print("counts: %s" % json.dumps(counts, sort_keys=True))
if REPORT:
    with open(REPORT, "w") as fh:
        json.dump(counts, fh, sort_keys=True)
if problems:
    fail("%d problems (seed %d):\n  %s" % (len(problems), SEED, "\n  ".join(problems[:40])))
check(sub["retried"] > 0, "no submission was in flight across a kill")
check(fd.stop() == 0, "final stop")
print("ok - %d jobs through %d kills: every effect once, every refusal without one" %
      (len(jobs), KILLS))
