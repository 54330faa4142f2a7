"""sim_actions.py -- every fleetsim action over HTTP: each success with its
exact effect, and each refusal as a hexeError (HTTP 200) with its code,
after which the galaxy's sequence has not moved (nothing changed)."""
from simlib import Sim, by_class, check, fail, index, ipint, is_hexe

sim = Sim("--seed", "11", "--worlds", "1000", "--fleets", "8", "--watch-ms", "600000")
info = sim.login()
me = sim.sov
prices = {t["id"]: t.get("price") for t in info["scenarioInfo"]}
hub_desigs = {t["id"] for t in info["scenarioInfo"] if t.get("role") == "tradingHub"}
capital = info["userInfo"]["capitalObjID"]


def seq():
    return ipint(sim.stats()["sequence"])


def refused(code, endpoint, **fields):
    name = endpoint
    before = seq()
    a = sim.post(name, sim.common(**fields))
    check(is_hexe(a), "%s %r was not refused: %r" % (name, fields, a[:3] if isinstance(a, list) else a))
    check(a[1] == code, "%s %r: code %r, want %r (%s)" % (name, fields, a[1], code, a[3]))
    check(seq() == before, "%s refused but the galaxy changed" % name)


def ok(endpoint, **fields):
    name = endpoint
    a = sim.post(name, sim.common(**fields))
    check(not is_hexe(a), "%s %r refused: %r" % (name, fields, a))
    check(a[-1]["class"] == "update", "%s answer lacks the update object" % name)
    return a


def state():
    return index(sim.objects())


def res(o):
    r = o.get("resources", [])
    return {r[i]: ipint(r[i + 1]) for i in range(0, len(r), 2)}


def funds():
    return state()[me]["funds"][1]


def travel(fid, dest):
    ok("setDestination", objID=fid, dest=dest)
    for _ in range(120):
        sim.tick()
        f = state()[fid]
        if f.get("anchorObjID") == dest:
            return f
    fail("fleet %d never reached %d" % (fid, dest))


s = state()
worlds = [o for o in s.values() if o["class"] == "world"]
cap = s[capital]
mine = [o for o in s.values() if o["class"] == "fleet" and o["sovereignID"] == me]
foreign_fleet = next(o for o in s.values() if o["class"] == "fleet" and o["sovereignID"] != me)
foreign_world = next(w for w in worlds if w["sovereignID"] != me)
other_mine = next(w for w in worlds if w["sovereignID"] == me and w["id"] != capital)
hubs = [w for w in worlds if w["designation"] in hub_desigs]
check(len(hubs) >= 2, "need two trading hubs")


def dist(a, b):
    return ((a["pos"][0] - b["pos"][0]) ** 2 + (a["pos"][1] - b["pos"][1]) ** 2) ** 0.5


hub = min(hubs, key=lambda w: dist(w, cap))
other_hub = next(h for h in hubs if h["id"] != hub["id"])

# --- deployFleet -------------------------------------------------------------
r0 = res(cap)
a = ok("deployFleet", sourceObjID=capital, resources=[122, 5, 90, 10])
sel = [o for o in a if o["class"] == "selection"]
check(len(sel) == 1, "deployFleet answer has no selection: %r" % a)
nf = index(a)[sel[0]["id"]]
check(nf["class"] == "fleet" and nf["anchorObjID"] == capital and res(nf) == {122: 5, 90: 10}
      and nf["sovereignID"] == me and nf["ftlType"] == "warp", "new fleet: %r" % nf)
c2 = index(a)[capital]
check(res(c2)[122] == r0[122] - 5 and res(c2)[90] == r0[90] - 10, "capital not debited")
check(nf["id"] in c2["nearObjIDs"], "new fleet not in nearObjIDs")
newf = nf["id"]
# from a fleet: the source keeps the rest
a = ok("deployFleet", sourceObjID=newf, resources=[122, 2])
sel = [o for o in a if o["class"] == "selection"][0]["id"]
check(res(index(a)[newf]) == {122: 3, 90: 10} and res(index(a)[sel]) == {122: 2}, "deploy from a fleet")
refused("insufficientResources", "deployFleet", sourceObjID=capital, resources=[122, r0[122] + 1])
refused("invalidParameter", "deployFleet", sourceObjID=capital, resources=[999999, 1])
refused("invalidParameter", "deployFleet", sourceObjID=capital, resources=[122, 0])
refused("invalidParameter", "deployFleet", sourceObjID=capital, resources=[122, -3])
refused("invalidParameter", "deployFleet", sourceObjID=capital, resources=[122])
refused("invalidParameter", "deployFleet", sourceObjID=capital, resources=[90, 5])
refused("invalidParameter", "deployFleet", sourceObjID=capital)
refused("notOwner", "deployFleet", sourceObjID=foreign_world["id"], resources=[205, 1])
refused("unknownObject", "deployFleet", sourceObjID=987654321, resources=[122, 1])
refused("invalidParameter", "deployFleet", resources=[122, 1])

# --- setDestination refusals ---------------------------------------------------
refused("invalidParameter", "setDestination", dest=capital)
refused("unknownObject", "setDestination", objID=987654321, dest=capital)
refused("invalidParameter", "setDestination", objID=capital, dest=capital)
refused("notOwner", "setDestination", objID=foreign_fleet["id"], dest=capital)
refused("unknownObject", "setDestination", objID=newf, dest=987654321)
refused("invalidParameter", "setDestination", objID=newf)
refused("invalidParameter", "setDestination", objID=newf, dest=sel)
a = ok("deployFleet", sourceObjID=capital, resources=[175, 1])
ram = [o for o in a if o["class"] == "selection"][0]["id"]
check(index(a)[ram]["ftlType"] == "ramjet", "ramjet fleet")
farthest = max(worlds, key=lambda w: dist(w, cap))
check(dist(farthest, cap) > 8 * 100, "test galaxy too small for an unreachable world")
refused("unreachable", "setDestination", objID=ram, dest=farthest["id"])
# a fleet of cargo only cannot move
a = ok("transferFleet", fleetObjID=newf, destObjID=capital, resources=[122, -3])
check(res(index(a)[newf]) == {90: 10}, "cargo-only fleet")
refused("unreachable", "setDestination", objID=newf, dest=hub["id"])
# moving fleets cannot deploy or transfer
a = ok("setDestination", objID=sel, dest=hub["id"])
refused("inTransit", "deployFleet", sourceObjID=sel, resources=[122, 1])
refused("inTransit", "transferFleet", fleetObjID=sel, destObjID=capital, resources=[122, 1])
refused("inTransit", "disbandFleet", fleetObjID=sel, destObjID=capital)
refused("inTransit", "sellFleet", objID=sel, buyerObjID=hub["id"], resources=[122, 1])

# --- transferFleet -------------------------------------------------------------
c = res(state()[capital])
a = ok("transferFleet", fleetObjID=newf, destObjID=capital, resources=[122, 4, 90, -6])
check(res(index(a)[newf]) == {122: 4, 90: 4}, "transfer fleet side: %r" % res(index(a)[newf]))
c2 = res(index(a)[capital])
check(c2[122] == c[122] - 4 and c2[90] == c[90] + 6, "transfer world side")
refused("insufficientResources", "transferFleet", fleetObjID=newf, destObjID=capital,
        resources=[90, -5])
refused("insufficientResources", "transferFleet", fleetObjID=newf, destObjID=capital,
        resources=[122, c2[122] + 1])
refused("notHere", "transferFleet", fleetObjID=newf, destObjID=other_mine["id"], resources=[122, 1])
refused("notOwner", "transferFleet", fleetObjID=newf, destObjID=hub["id"], resources=[122, 1])
refused("notOwner", "transferFleet", fleetObjID=foreign_fleet["id"], destObjID=capital,
        resources=[122, 1])
refused("invalidParameter", "transferFleet", fleetObjID=newf, destObjID=newf, resources=[122, 1])
refused("invalidParameter", "transferFleet", fleetObjID=newf, destObjID=capital, resources=[])

# --- disbandFleet --------------------------------------------------------------
a = ok("deployFleet", sourceObjID=capital, resources=[122, 7])
tmp = [o for o in a if o["class"] == "selection"][0]["id"]
c = res(state()[capital])
before = sim.stats()["sequence"]
a = ok("disbandFleet", fleetObjID=tmp, destObjID=capital)
check({"class": "destroyedSpaceObject", "id": tmp} in a, "disband answer lacks the tombstone")
check(res(index(a)[capital])[122] == c[122] + 7, "disband returned the ships")
check(tmp not in index(a)[capital].get("nearObjIDs", []), "disbanded fleet still near")
d = sim.objects(before)
check({"class": "destroyedSpaceObject", "id": tmp} in d, "delta lacks the tombstone")
check(tmp not in state(), "disbanded fleet still served")
refused("unknownObject", "disbandFleet", fleetObjID=tmp, destObjID=capital)
refused("notHere", "disbandFleet", fleetObjID=newf, destObjID=other_mine["id"])
refused("notOwner", "disbandFleet", fleetObjID=newf, destObjID=foreign_world["id"])

# --- renameObject --------------------------------------------------------------
a = ok("renameObject", objID=newf, name="Tramp Freighter")
check(index(a)[newf]["name"] == "Tramp Freighter" and len(a) == 2, "rename fleet: %r" % a)
a = ok("renameObject", objID=capital, name="New Home")
check(index(a)[capital]["name"] == "New Home", "rename world")
refused("invalidParameter", "renameObject", objID=newf, name="")
refused("invalidParameter", "renameObject", objID=newf, name="   ")
refused("invalidParameter", "renameObject", objID=newf, name="x" * 101)
refused("invalidParameter", "renameObject", objID=newf)
refused("notOwner", "renameObject", objID=foreign_fleet["id"], name="Mine now")
refused("notOwner", "renameObject", objID=foreign_world["id"], name="Mine now")

# --- sellFleet and buyItem -------------------------------------------------------
a = ok("deployFleet", sourceObjID=capital, resources=[144, 2, 90, 300])
trader = [o for o in a if o["class"] == "selection"][0]["id"]
refused("notTradingHub", "sellFleet", objID=trader, buyerObjID=capital, resources=[90, 1])
refused("notHere", "sellFleet", objID=trader, buyerObjID=hub["id"], resources=[90, 1])
travel(trader, hub["id"])
f0, h0 = funds(), res(state()[hub["id"]])
a = ok("sellFleet", objID=trader, buyerObjID=hub["id"], resources=[90, 100])
check(res(index(a)[trader]) == {144: 2, 90: 200}, "sale fleet side")
check(res(index(a)[hub["id"]])[90] == h0[90] + 100, "sale buyer side")
check(abs(index(a)[me]["funds"][1] - (f0 + 100 * prices[90])) < 1e-6, "sale funds")
refused("insufficientResources", "sellFleet", objID=trader, buyerObjID=hub["id"], resources=[90, 201])
refused("invalidParameter", "sellFleet", objID=trader, buyerObjID=hub["id"], resources=[90, 0])
refused("notOwner", "sellFleet", objID=foreign_fleet["id"], buyerObjID=hub["id"], resources=[123, 1])
f0, h0 = funds(), res(state()[hub["id"]])
a = ok("buyItem", sourceObjID=hub["id"], itemID=122, itemCount=10)
check(res(index(a)[trader]) == {144: 2, 90: 200, 122: 10}, "bought ships went to the fleet")
check(res(index(a)[hub["id"]])[122] == h0[122] - 10, "seller stock")
check(abs(index(a)[me]["funds"][1] - (f0 - 10 * prices[122])) < 1e-6, "purchase funds")
refused("notTradingHub", "buyItem", sourceObjID=capital, itemID=122, itemCount=1)
refused("noFleet", "buyItem", sourceObjID=other_hub["id"], itemID=122, itemCount=1)
refused("insufficientResources", "buyItem", sourceObjID=hub["id"], itemID=122,
        itemCount=h0[122] + 1)
refused("insufficientFunds", "buyItem", sourceObjID=hub["id"], itemID=26,
        itemCount=res(state()[hub["id"]])[26])
refused("invalidParameter", "buyItem", sourceObjID=hub["id"], itemID=999999, itemCount=1)
refused("invalidParameter", "buyItem", sourceObjID=hub["id"], itemID=122, itemCount=0)
# selling everything ends the fleet
a = ok("sellFleet", objID=trader, buyerObjID=hub["id"], resources=[144, 2, 90, 200, 122, 10])
check({"class": "destroyedSpaceObject", "id": trader} in a, "a fleet sold out is destroyed")

# --- attack, getTactical, abortAttack ------------------------------------------
a = ok("deployFleet", sourceObjID=capital, resources=[122, 150, 170, 8])
army = [o for o in a if o["class"] == "selection"][0]["id"]
indep = min((w for w in worlds if w["sovereignID"] == 1 and w["designation"] not in hub_desigs),
            key=lambda w: dist(w, cap))
refused("noForces", "attack", attackerObjID=army, battlePlan={"battleFieldID": indep["id"], "objective": "invasion",
                                          "enemySovereignIDs": [1]})
travel(army, indep["id"])
w = indep["id"]
refused("invalidParameter", "attack")
refused("invalidParameter", "attack", attackerObjID=army, battlePlan={"battleFieldID": w, "objective": "plunder",
                                                  "enemySovereignIDs": [1]})
refused("unknownObject", "attack", attackerObjID=army, battlePlan={"battleFieldID": w, "objective": "invasion",
                                               "enemySovereignIDs": [424242]})
refused("invalidParameter", "attack", attackerObjID=army, battlePlan={"battleFieldID": w, "objective": "invasion",
                                                  "enemySovereignIDs": [me]})
refused("invalidParameter", "attack", attackerObjID=army, battlePlan={"battleFieldID": w, "objective": "invasion",
                                                  "enemySovereignIDs": []})
refused("notEnemy", "attack", attackerObjID=army, battlePlan={"battleFieldID": w, "objective": "invasion",
                                          "enemySovereignIDs": [foreign_fleet["sovereignID"]]})
refused("notEnemy", "attack", attackerObjID=army, battlePlan={"battleFieldID": capital, "objective": "invasion",
                                          "enemySovereignIDs": [1]})
refused("noBattle", "attack", attackerObjID=army, battlePlan={"battleFieldID": w, "objective": "reinforceSiege",
                                          "enemySovereignIDs": [1]})
refused("noBattle", "abortAttack", battleFieldID=w)
refused("notEnemy", "attack", attackerObjID=army, battlePlan={"battleFieldID": capital, "objective": "spaceSupremacy",
                                          "enemySovereignIDs": [foreign_fleet["sovereignID"]]})
plan = {"battleFieldID": w, "objective": "invasion", "enemySovereignIDs": [1]}
refused("invalidParameter", "attack", battlePlan=plan)  # no attackerObjID
refused("unknownObject", "attack", attackerObjID=987654321, battlePlan=plan)
refused("notOwner", "attack", attackerObjID=foreign_fleet["id"], battlePlan=plan)
a = ok("attack", attackerObjID=army, battlePlan=plan)
bp = index(a)[w].get("battlePlan")
check(bp and bp["objective"] == "invasion" and bp["battleFieldID"] == w, "battlePlan: %r" % bp)
t = sim.call("getTactical", objID=w)
check(not is_hexe(t) and any(x.get("class") == "battlePlan" for x in t), "getTactical: %r" % t)
check(any(x.get("objID") == army for x in t), "getTactical lacks the attacking fleet")
refused("battleInProgress", "attack", attackerObjID=army, battlePlan=plan)
refused("unknownObject", "getTactical", objID=987654321)
ok("attack", attackerObjID=army, battlePlan=dict(plan, objective="reinforceSiege"))
a = ok("abortAttack", battleFieldID=w)
check("battlePlan" not in index(a)[w], "abortAttack left the battlePlan")
refused("noBattle", "abortAttack", battleFieldID=w)
t = sim.call("getTactical", objID=w)
check(not any(x.get("class") == "battlePlan" for x in t), "getTactical after abort")
# the battle runs over several watches and the stronger attacker takes the world
ok("attack", attackerObjID=army, battlePlan=plan)
watches = 0
while "battlePlan" in state()[w]:
    sim.tick()
    watches += 1
    check(watches <= 5, "battle never ended")
check(watches >= 2, "battle ended after %d watch(es)" % watches)
s = state()
check(s[w]["sovereignID"] == me, "invasion won but the world is %r's" % s[w]["sovereignID"])
check(res(s[army]).get(122, 0) < 150, "the attacker lost nothing")
check(205 not in res(s[w]), "ground defence survived a lost invasion")

# a token force loses: the world stays independent, the fleet is destroyed
a = ok("deployFleet", sourceObjID=capital, resources=[122, 1])
scout = [o for o in a if o["class"] == "selection"][0]["id"]
w2 = min((x for x in worlds if x["sovereignID"] == 1 and x["designation"] not in hub_desigs
          and x["id"] != w), key=lambda x: dist(x, cap))
travel(scout, w2["id"])
ok("attack", attackerObjID=scout, battlePlan={"battleFieldID": w2["id"], "objective": "invasion", "enemySovereignIDs": [1]})
before = sim.stats()["sequence"]
for _ in range(5):
    sim.tick()
d = sim.objects(before)
check({"class": "destroyedSpaceObject", "id": scout} in d, "the beaten fleet survived")
s = state()
check(s[w2["id"]]["sovereignID"] == 1 and "battlePlan" not in s[w2["id"]], "lost invasion: %r" % s[w2["id"]])
check(scout not in s[w2["id"]].get("nearObjIDs", []), "destroyed fleet still near")

# the stats count every call by name
st = sim.stats()
for name in ("deployFleet", "setDestination", "transferFleet", "disbandFleet", "renameObject",
             "attack", "abortAttack", "getTactical", "sellFleet", "buyItem"):
    check(st["calls"][name] > 0, "stats lack %s" % name)
sim.stop()
print("ok")
