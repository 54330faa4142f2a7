"""sim_determinism.py -- a generated galaxy depends on its seed only: two
fleetsims with the same --seed serve the same bytes (getObjects without the
update object, getGameInfo), and the same actions and watches, battles
and world actions included, lead them to the same state; another seed
gives another galaxy."""
import json

from simlib import Sim, check, index, is_hexe

ARGS = ["--worlds", "300", "--fleets", "16", "--watch-ms", "600000"]


def snapshot(sim):
    st, data = sim.raw("POST", "/api/getObjects", sim.common())
    check(st == 200, "getObjects")
    a = json.loads(data)
    # the update object carries nextUpdateTime, which is wall-clock time
    body = data[:data.rindex(b',{"class":"update"')]
    return body, a


def info_bytes(sim):
    st, data = sim.raw("POST", "/api/getGameInfo", {"authToken": sim.token, "gameID": "sim"})
    check(st == 200, "getGameInfo")
    return data


def play(sim, objs):
    """The same moves on either galaxy: deploy an army, send it to the
    nearest independent world, invade it, run the watches."""
    cap = objs[sim.capital]
    ind = min((o for o in objs.values() if o["class"] == "world" and o["sovereignID"] == 1),
              key=lambda w: (w["pos"][0] - cap["pos"][0]) ** 2 + (w["pos"][1] - cap["pos"][1]) ** 2)
    a = sim.call("deployFleet", sourceObjID=sim.capital, resources=[122, 60, 170, 2])
    check(not is_hexe(a), "deploy: %r" % (a,))
    army = [o for o in a if o["class"] == "selection"][0]["id"]
    sim.call("setDestination", objID=army, dest=ind["id"])
    for _ in range(60):
        sim.tick()
        if index(sim.objects()).get(army, {}).get("anchorObjID") == ind["id"]:
            break
    a = sim.call("attack", attackerObjID=army, battlePlan={"battleFieldID": ind["id"], "objective": "invasion",
                                       "enemySovereignIDs": [1]})
    check(not is_hexe(a), "attack: %r" % (a,))
    # world actions too: a share changed, a route set, missiles fired
    mine = sorted(w["id"] for w in objs.values() if w["class"] == "world" and w["sovereignID"] == sim.sov
                  and w["id"] != sim.capital)
    a = sim.call("setIndustryAlloc", objID=mine[0], industryID=71, allocValue=55)
    check(not is_hexe(a), "setIndustryAlloc: %r" % (a,))
    sim.call("setTradeRoute", objID=mine[0], sourceObjID=mine[1], allocType="consumption",
             resType=90, allocValue=30)
    cit = next(w for w in objs.values() if w["class"] == "world" and w["designation"] == 72)
    for t in sorted(objs.values(), key=lambda o: o["id"]):
        if t["class"] == "world" and t["sovereignID"] != sim.sov:
            sim.call("launchLAMs", objID=cit["id"], targetObjID=t["id"])
    for _ in range(5):
        sim.tick()


sims = []
for i in range(2):
    s = Sim("--seed", "42", *ARGS, name="same%d" % i)
    info = s.login()
    s.capital = info["userInfo"]["capitalObjID"]
    sims.append(s)
(b1, a1), (b2, a2) = snapshot(sims[0]), snapshot(sims[1])
check(len(b1) > 10000 and b1 == b2, "same seed, different getObjects bytes")
g1, g2 = info_bytes(sims[0]), info_bytes(sims[1])
check(g1 == g2, "same seed, different getGameInfo bytes")
for s, a in zip(sims, (a1, a2)):
    play(s, index(a))
(b1, _), (b2, _) = snapshot(sims[0]), snapshot(sims[1])
check(b1 == b2, "the same play on the same seed diverged")
for s in sims:
    s.stop()

other = Sim("--seed", "43", *ARGS, name="other")
other.login()
b3, _ = snapshot(other)
check(b3 != b1, "another seed gave the same galaxy")
other.stop()
print("ok")
