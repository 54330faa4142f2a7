"""sim_faults.py -- fleetsim --fault-rate: about that share of API calls
fail, each way at least once (HTTP 500, HTTP 503, a "busy" hexeError, an
answer too late, a connection closed mid-answer); the faulted calls changed
nothing; the same seed faults the same calls; --latency-ms holds answers.
--lost-answer-rate: actions act and then lose their answer (cut, or held
past the client's timeout), counted as lost_answers, each action counted
under "applied"; refusals are never lost; the same seed loses the same
answers."""
import json
import time

from simlib import Sim, check, index, ipint, is_hexe

# The late fault answers after 8 s, far past what we wait; the other
# answers come in milliseconds, so even a loaded machine keeps them apart.
TIMEOUT = 4.0


def classify(st, data):
    if st == -1:
        return "late"
    if st == 0:
        return "cut"
    if st in (500, 503):
        return str(st)
    check(st == 200, "unexpected HTTP %d" % st)
    try:
        a = json.loads(data)
    except ValueError:
        return "cut"
    if is_hexe(a) and a[1] == "busy":
        return "busy"
    return a


def until_ok(sim, name, body):
    for _ in range(200):
        r = classify(*sim.raw("POST", "/api/" + name, body, TIMEOUT))
        if not isinstance(r, str):
            return r
    check(False, "%s never succeeded" % name)


sim = Sim("--seed", "9", "--worlds", "40", "--fleets", "4", "--watch-ms", "600000",
          "--fault-rate", "0.3", "--fault-delay-ms", "8000")
a = until_ok(sim, "login", {"username": "demo", "password": "demo"})
sim.token = a["authToken"]
info = until_ok(sim, "getGameInfo", {"authToken": sim.token, "gameID": "sim"})
sim.sov = info["userInfo"]["sovereignID"]
capital = info["userInfo"]["capitalObjID"]
full = until_ok(sim, "getObjects", sim.common())
fleet = next(o for o in full if o.get("class") == "fleet" and o["sovereignID"] == sim.sov)
ships0 = dict(zip(index(full)[capital]["resources"][::2],
                  map(ipint, index(full)[capital]["resources"][1::2])))[122]
nfleets0 = sum(o.get("class") == "fleet" for o in full)

seen = {}
deployed = 0
last_name = fleet["name"]
N = 200
for i in range(N):
    if i % 2:
        body = sim.common(sourceObjID=capital, resources=[122, 1])
        r = classify(*sim.raw("POST", "/api/deployFleet", json.dumps(body).encode(), TIMEOUT))
        if not isinstance(r, str):
            check(not is_hexe(r), "deployFleet refused: %r" % (r,))
            deployed += 1
    else:
        name = "name %d" % i
        body = sim.common(objID=fleet["id"], name=name)
        r = classify(*sim.raw("POST", "/api/renameObject", json.dumps(body).encode(), TIMEOUT))
        if not isinstance(r, str):
            check(not is_hexe(r), "renameObject refused: %r" % (r,))
            last_name = name
    if isinstance(r, str):
        seen[r] = seen.get(r, 0) + 1

faults = sum(seen.values())
st = sim.stats()
print("faults seen by the client: %r (%d of %d)" % (seen, faults, N))
for kind in ("500", "503", "busy", "late", "cut"):
    check(seen.get(kind), "fault kind %s never seen: %r" % (kind, seen))
calls = sum(st["calls"].values())
share = st["faults"] / calls
check(0.2 <= share <= 0.4, "fault share %.3f (%d of %d) is not about 0.3" % (share, st["faults"], calls))
check(faults <= st["faults"], "the client saw more faults than fleetsim injected")

# the faulted calls changed nothing: only the successful ones count
full = until_ok(sim, "getObjects", sim.common())
objs = index(full)
check(objs[fleet["id"]]["name"] == last_name, "name %r, want %r" % (objs[fleet["id"]]["name"], last_name))
cap_res = dict(zip(objs[capital]["resources"][::2], map(ipint, objs[capital]["resources"][1::2])))
check(cap_res[122] == ships0 - deployed, "capital has %d ships, want %d" % (cap_res[122], ships0 - deployed))
check(sum(o.get("class") == "fleet" for o in full) == nfleets0 + deployed,
      "fleet count does not match the successful deploys (%d)" % deployed)
sim.stop()


# the same seed faults the same calls
def pattern():
    s = Sim("--seed", "21", "--worlds", "10", "--fleets", "1", "--fault-rate", "0.3",
            "--fault-delay-ms", "8000", name="pattern")
    out = []
    for _ in range(40):
        r = classify(*s.raw("POST", "/api/login", {"username": "demo", "password": "demo"},
                            TIMEOUT))
        out.append(r if isinstance(r, str) else "ok")
    s.stop()
    return out


p1, p2 = pattern(), pattern()
check(p1 == p2, "fault patterns differ:\n%r\n%r" % (p1, p2))
check("ok" in p1 and len(set(p1)) > 1, "pattern: %r" % p1)

# --latency-ms: no answer comes sooner
s = Sim("--latency-ms", "300", "--worlds", "10", name="latency")
t0 = time.monotonic()
st, data = s.raw("POST", "/api/login", {"username": "demo", "password": "demo"})
check(st == 200 and "authToken" in json.loads(data), "login with latency")
check(time.monotonic() - t0 >= 0.3, "--latency-ms 300 answered early")
s.stop()


# --lost-answer-rate: the game acts, then the answer is lost
def lost_run(name, n):
    s = Sim("--seed", "9", "--worlds", "40", "--fleets", "4", "--watch-ms", "600000",
            "--lost-answer-rate", "0.3", "--fault-delay-ms", "15000", name=name)
    s.login()
    full = s.objects()
    cap = s.login()["userInfo"]["capitalObjID"]
    ships = dict(zip(index(full)[cap]["resources"][::2],
                     map(ipint, index(full)[cap]["resources"][1::2])))[122]
    out = []
    for i in range(n):
        body = s.common(sourceObjID=cap, resources=[122, 1])
        r = classify(*s.raw("POST", "/api/deployFleet", json.dumps(body).encode(), TIMEOUT))
        check(isinstance(r, str) and r in ("cut", "late") or not is_hexe(r),
              "deployFleet refused: %r" % (r,))
        out.append(r if isinstance(r, str) else "ok")
        # a refusal changes nothing, so it is never lost nor counted
        bad = s.common(sourceObjID=cap, resources=[122, 1000000])
        r = classify(*s.raw("POST", "/api/deployFleet", json.dumps(bad).encode(), TIMEOUT))
        check(is_hexe(r) and r[1] == "insufficientResources", "refusal lost: %r" % (r,))
    st = s.stats()
    objs = index(s.objects())
    now = dict(zip(objs[cap]["resources"][::2], map(ipint, objs[cap]["resources"][1::2])))
    s.stop()
    return out, st, ships, now[122]


N_LOST = 24
seen_lost, st, ships0, ships1 = lost_run("lost", N_LOST)
print("deploys with --lost-answer-rate 0.3: %r; stats %r" % (seen_lost, st))
check("cut" in seen_lost and "late" in seen_lost and "ok" in seen_lost,
      "lost-answer kinds: %r" % seen_lost)
check(ships1 == ships0 - N_LOST, "every deploy acted, answered or not: %d -> %d ships" %
      (ships0, ships1))
check(st["applied"]["deployFleet"] == N_LOST, "applied: %r" % st["applied"])
check(all(v == 0 for k, v in st["applied"].items() if k != "deployFleet"),
      "applied counts other actions: %r" % st["applied"])
check(st["lost_answers"] == N_LOST - seen_lost.count("ok"),
      "lost_answers %d, the client missed %d answers" %
      (st["lost_answers"], N_LOST - seen_lost.count("ok")))
check(st["faults"] == 0, "lost answers counted as faults: %r" % st)
again, _, _, _ = lost_run("lost2", N_LOST)
check(again == seen_lost, "lost answers differ with the same seed:\n%r\n%r" %
      (seen_lost, again))
print("ok")
