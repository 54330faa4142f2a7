"""sim_world.py -- fleetsim's world actions over HTTP: designateWorld,
buildImprovement, destroyImprovement, setIndustryAlloc, setProductAlloc,
setTradeRoute, stopTradeRoute and launchLAMs.  Each success shows in the
next getObjects in the game's shapes (designation, traits entries, an
industry's targetAllocation and buildData, both worlds' tradeRoutes with
partnerObjID); each refusal is a hexeError with its code and changes
nothing; the catalogue names what the calls need, with unids; /sim/stats
counts every call; a fault on each call changes nothing.  Then the same
calls on the real excerpt (its notes, routes and primary industries)."""
import json
import math

from simlib import Sim, by_class, check, excerpt_path, fail, index, ipint, is_hexe

WORLD_CALLS = ("designateWorld", "buildImprovement", "destroyImprovement",
               "setIndustryAlloc", "setProductAlloc", "setTradeRoute",
               "stopTradeRoute", "launchLAMs")

sim = Sim("--seed", "11", "--worlds", "400", "--fleets", "8", "--watch-ms", "600000")
info = sim.login()
me = sim.sov
capital = info["userInfo"]["capitalObjID"]
made = {name: 0 for name in WORLD_CALLS}

# --- the catalogue -------------------------------------------------------------
cat = {t["id"]: t for t in info["scenarioInfo"]}
unids = [t["unid"] for t in info["scenarioInfo"]]
check(len(set(unids)) == len(unids), "unids repeat")
byunid = {t["unid"]: t for t in info["scenarioInfo"]}
for unid, category, cls in (("core.tradingHubDesignation", "designation", "trait"),
                            ("core.citadelDesignation", "designation", "trait"),
                            ("core.consumerIndustry", "industry", "trait"),
                            ("core.deepMineImprovement", "improvement", "trait"),
                            ("core.jumpMissile", "LAMUnit", "resourceType")):
    t = byunid.get(unid)
    check(t and t["category"] == category and t["class"] == cls, "catalogue %s: %r" % (unid, t))
check(byunid["core.citadelDesignation"].get("role") == "citadel", "citadel role")
check(all(isinstance(t.get("attackValue", 0), int) for t in info["scenarioInfo"]),
      "whole attack values are integers")
CITADEL = byunid["core.citadelDesignation"]["id"]
SHIPYARD = byunid["core.shipyardDesignation"]["id"]
AGRI = byunid["core.agriculturalDesignation"]["id"]
CAPITAL_D = byunid["core.imperialCapitalDesignation"]["id"]
CONSUMER = byunid["core.consumerIndustry"]["id"]
ORE_IND = byunid["core.oreExtractionIndustry"]["id"]
WARSHIPS = byunid["core.warshipYardsIndustry"]["id"]
AGRI_IND = byunid["core.agricultureIndustry"]["id"]
DEEP_MINE = byunid["core.deepMineImprovement"]["id"]
GRID = byunid["core.planetaryDefenseGridImprovement"]["id"]
SHIELD = byunid["core.planetaryShieldImprovement"]["id"]
LAM = byunid["core.jumpMissile"]["id"]
FOOD, CGOODS, LUX, ORE, FRIGATE = 90, 188, 178, 130, 122


def seq():
    return ipint(sim.stats()["sequence"])


def post(name, fields):
    if name in made:
        made[name] += 1
    return sim.post(name, sim.common(**fields))


def refused(code, name, **fields):
    before = seq()
    a = post(name, fields)
    check(is_hexe(a), "%s %r was not refused: %r" % (name, fields, a[:3] if isinstance(a, list) else a))
    check(a[1] == code and a[2] == name, "%s %r: %r, want %s" % (name, fields, a, code))
    check(seq() == before, "%s refused but the galaxy changed" % name)


def ok(name, **fields):
    a = post(name, fields)
    check(not is_hexe(a), "%s %r refused: %r" % (name, fields, a))
    check(a[-1]["class"] == "update", "%s answer lacks the update object" % name)
    return a


def state():
    return index(sim.objects())


def trait(w, tid):
    for t in w.get("traits", []):
        if (t["traitID"] if isinstance(t, dict) else t) == tid:
            return t
    return None


def route(w, partner):
    return next((r for r in w.get("tradeRoutes", []) if r["partnerObjID"] == partner), None)


def dist(a, b):
    return math.hypot(a["pos"][0] - b["pos"][0], a["pos"][1] - b["pos"][1])


def res(o):
    r = o.get("resources", [])
    return {r[i]: ipint(r[i + 1]) for i in range(0, len(r), 2)}


s = state()
worlds = [o for o in s.values() if o["class"] == "world"]
mine = [w for w in worlds if w["sovereignID"] == me]
foreign = [w for w in worlds if w["sovereignID"] != me]
cap = s[capital]

# every world has industries; a rival is shown their ids only
for w in mine:
    inds = [t for t in w["traits"] if isinstance(t, dict)]
    check(inds and all({"traitID", "allocation", "targetAllocation", "buildData", "workUnits"} <= set(t)
                       for t in inds), "own world %d traits: %r" % (w["id"], w["traits"]))
    check(abs(sum(t["targetAllocation"] for t in inds) - 100) < 0.01, "allocations of %d" % w["id"])
check(all(all(isinstance(t, int) for t in w["traits"]) and w["traits"] for w in foreign),
      "a rival's traits are bare ids")
citadel = next(w for w in mine if w["designation"] == CITADEL)
check(res(citadel).get(LAM) == 40, "the generated citadel holds 40 jump missiles: %r" % res(citadel))
check(trait(citadel, CONSUMER).get("isPrimary") == "true", "the citadel's primary industry")

# --- designateWorld --------------------------------------------------------------
w = next(x for x in mine if x["designation"] not in (SHIPYARD, CITADEL, CAPITAL_D))
a = ok("designateWorld", sourceObjID=w["id"], newDesignation=SHIPYARD)
w2 = index(a)[w["id"]]
check(w2["designation"] == SHIPYARD, "designation not changed: %r" % w2["designation"])
prim = [t for t in w2["traits"] if isinstance(t, dict) and t.get("isPrimary") == "true"]
check(len(prim) == 1 and prim[0]["traitID"] == WARSHIPS and prim[0]["targetAllocation"] == 0
      and [prim[0]["buildData"][i] for i in range(0, len(prim[0]["buildData"]), 3)] == [122, 123, 160, 164],
      "the shipyard's primary industry: %r" % prim)
check(state()[w["id"]]["designation"] == SHIPYARD, "getObjects does not show the designation")
before = seq()
ok("designateWorld", sourceObjID=w["id"], newDesignation=SHIPYARD)  # what it is already
check(seq() == before, "designating a world as what it is changed something")
refused("designationInProgress", "designateWorld", sourceObjID=w["id"], newDesignation=AGRI)
refused("capitalWorld", "designateWorld", sourceObjID=capital, newDesignation=AGRI)
refused("invalidParameter", "designateWorld", sourceObjID=mine[-1]["id"] if mine[-1]["id"] != capital else mine[1]["id"],
        newDesignation=CAPITAL_D)
refused("invalidParameter", "designateWorld", sourceObjID=w["id"], newDesignation=FRIGATE)
refused("invalidParameter", "designateWorld", sourceObjID=w["id"], newDesignation=999999)
refused("invalidParameter", "designateWorld", sourceObjID=w["id"])
refused("invalidParameter", "designateWorld", newDesignation=AGRI)
refused("notOwner", "designateWorld", sourceObjID=foreign[0]["id"], newDesignation=AGRI)
refused("unknownObject", "designateWorld", sourceObjID=987654321, newDesignation=AGRI)
sim.tick()
a = ok("designateWorld", sourceObjID=w["id"], newDesignation=AGRI)
w3 = index(a)[w["id"]]
prim = [t["traitID"] for t in w3["traits"] if isinstance(t, dict) and t.get("isPrimary") == "true"]
check(w3["designation"] == AGRI and prim == [AGRI_IND], "after the watch: %r" % prim)
check(trait(w3, WARSHIPS) is not None, "the old primary industry stays (%r)" % w3["traits"])

# --- buildImprovement / destroyImprovement ---------------------------------------
hi = max((x for x in mine if x["id"] != capital), key=lambda x: x["techLevel"])
check(hi["techLevel"] >= 8, "no world of tech 8 to build on")
a = ok("buildImprovement", sourceObjID=hi["id"], improvementID=SHIELD)
check(SHIELD in index(a)[hi["id"]]["traits"], "a plain improvement is a bare id: %r" % index(a)[hi["id"]]["traits"])
a = ok("buildImprovement", sourceObjID=hi["id"], improvementID=GRID)
g = trait(index(a)[hi["id"]], GRID)
check(isinstance(g, dict) and g["buildData"] == [204, 50.0, None, 205, 50.0, None]
      and g["targetAllocation"] == 0 and g["allocation"] == 0,
      "a structure with allocations is an object: %r" % g)
check(trait(state()[hi["id"]], SHIELD) == SHIELD, "getObjects lacks the improvement")
refused("alreadyBuilt", "buildImprovement", sourceObjID=hi["id"], improvementID=SHIELD)
lo = next((x for x in mine if x["techLevel"] < 8), None)
if lo:
    refused("techTooLow", "buildImprovement", sourceObjID=lo["id"], improvementID=SHIELD)
refused("invalidParameter", "buildImprovement", sourceObjID=hi["id"], improvementID=CONSUMER)
refused("invalidParameter", "buildImprovement", sourceObjID=hi["id"], improvementID=999999)
refused("invalidParameter", "buildImprovement", sourceObjID=hi["id"])
refused("notOwner", "buildImprovement", sourceObjID=foreign[0]["id"], improvementID=SHIELD)
a = ok("destroyImprovement", sourceObjID=hi["id"], improvementID=SHIELD)
check(trait(index(a)[hi["id"]], SHIELD) is None, "the improvement is still there")
check(trait(state()[hi["id"]], SHIELD) is None, "getObjects still shows the improvement")
refused("notBuilt", "destroyImprovement", sourceObjID=hi["id"], improvementID=SHIELD)
refused("notBuilt", "destroyImprovement", sourceObjID=hi["id"], improvementID=DEEP_MINE)
refused("invalidParameter", "destroyImprovement", sourceObjID=hi["id"], improvementID=CONSUMER)
refused("notOwner", "destroyImprovement", sourceObjID=foreign[0]["id"], improvementID=SHIELD)

# --- setIndustryAlloc ----------------------------------------------------------------
x = state()[hi["id"]]
inds = {t["traitID"]: t for t in x["traits"] if isinstance(t, dict)}
old = {k: t["targetAllocation"] for k, t in inds.items()}
a = ok("setIndustryAlloc", objID=hi["id"], industryID=CONSUMER, allocValue=40)
inds2 = {t["traitID"]: t for t in index(a)[hi["id"]]["traits"] if isinstance(t, dict)}
check(inds2[CONSUMER]["targetAllocation"] == 40.0, "targetAllocation: %r" % inds2[CONSUMER])
check(abs(sum(t["targetAllocation"] for t in inds2.values()) - 100) <= 0.3,
      "shares no longer add up to 100: %r" % {k: t["targetAllocation"] for k, t in inds2.items()})
rest = sum(v for k, v in old.items() if k != CONSUMER)
for k, t in inds2.items():
    if k != CONSUMER and rest:
        check(abs(t["targetAllocation"] - old[k] * 60 / rest) <= 0.05, "industry %d rescaled: %r" % (k, t))
check(inds2[CONSUMER]["allocation"] == inds[CONSUMER]["allocation"], "allocation moved before the watch")
sim.tick()
inds3 = {t["traitID"]: t for t in state()[hi["id"]]["traits"] if isinstance(t, dict)}
check(all(t["allocation"] == t["targetAllocation"] for t in inds3.values()),
      "allocation did not reach its target at the watch's end: %r" % inds3)
refused("noIndustry", "setIndustryAlloc", objID=hi["id"], industryID=WARSHIPS
        if WARSHIPS not in inds3 else AGRI_IND, allocValue=10)
refused("invalidParameter", "setIndustryAlloc", objID=hi["id"], industryID=CONSUMER, allocValue=101)
refused("invalidParameter", "setIndustryAlloc", objID=hi["id"], industryID=CONSUMER, allocValue=-1)
refused("invalidParameter", "setIndustryAlloc", objID=hi["id"], industryID=CONSUMER, allocValue="x")
refused("invalidParameter", "setIndustryAlloc", objID=hi["id"], industryID=CONSUMER)
refused("invalidParameter", "setIndustryAlloc", objID=hi["id"], industryID=FRIGATE, allocValue=10)
refused("invalidParameter", "setIndustryAlloc", objID=hi["id"], allocValue=10)
refused("notOwner", "setIndustryAlloc", objID=foreign[0]["id"], industryID=CONSUMER, allocValue=10)
# an improvement with allocations takes a share too
a = ok("setIndustryAlloc", objID=hi["id"], industryID=GRID, allocValue=12.5)
check(trait(index(a)[hi["id"]], GRID)["targetAllocation"] == 12.5, "the grid's share")

# --- setProductAlloc --------------------------------------------------------------
a = ok("setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[CGOODS, 30, FOOD, 30])
bd = trait(index(a)[hi["id"]], CONSUMER)["buildData"]
check(bd == [CGOODS, 50.0, None, FOOD, 50.0, None, LUX, 0.0, None], "buildData: %r" % bd)
a = ok("setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[LUX, 1, CGOODS, 1, FOOD, 1])
bd = trait(index(a)[hi["id"]], CONSUMER)["buildData"]
check(abs(sum(bd[1::3]) - 100) < 1e-9 and sorted(bd[1::3]) == [33.3, 33.3, 33.4], "thirds: %r" % bd)
check(trait(state()[hi["id"]], CONSUMER)["buildData"] == bd, "getObjects buildData")
refused("invalidParameter", "setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[ORE, 100])
refused("invalidParameter", "setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[FOOD, 50, FOOD, 50])
refused("invalidParameter", "setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[FOOD, 60, LUX, 60])
refused("invalidParameter", "setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[FOOD, 0])
refused("invalidParameter", "setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[FOOD])
refused("invalidParameter", "setProductAlloc", objID=hi["id"], industryID=CONSUMER, alloc=[])
refused("invalidParameter", "setProductAlloc", objID=hi["id"], industryID=CONSUMER)
refused("noIndustry", "setProductAlloc", objID=hi["id"], industryID=WARSHIPS if WARSHIPS not in inds3
        else AGRI_IND, alloc=[FRIGATE, 100])
refused("notOwner", "setProductAlloc", objID=foreign[0]["id"], industryID=CONSUMER, alloc=[FOOD, 100])

# --- setTradeRoute / stopTradeRoute ---------------------------------------------------
imp = hi
near = sorted((x for x in mine if x["id"] != imp["id"]), key=lambda x: dist(x, imp))
exp = near[0]
far_own = next((x for x in reversed(near) if dist(x, imp) > 200), None)
a = ok("setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="addDefaultRoute")
ri, re_ = route(index(a)[imp["id"]], exp["id"]), route(index(a)[exp["id"]], imp["id"])
check(ri == {"partnerObjID": exp["id"]}, "importer's entry: %r" % ri)
check(re_ == {"partnerObjID": imp["id"], "return": "true"}, "exporter's entry: %r" % re_)
a = ok("setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="consumption",
       resType=FOOD, allocValue=40)
ri = route(index(a)[imp["id"]], exp["id"])
food = next(ipint(state()[imp["id"]]["baseConsumption"][i + 1])
            for i in range(0, len(state()[imp["id"]]["baseConsumption"]), 3)
            if state()[imp["id"]]["baseConsumption"][i] == FOOD)
check(ri["imports"] == [FOOD, 40.0, round(food * 0.4), None], "imports: %r (food %r)" % (ri, food))
a = ok("setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="setExportQuota",
       resType=ORE, allocValue=25)
check(route(index(a)[exp["id"]], imp["id"])["exports"] == [ORE, 25.0, 0, None], "exports")
techs = min(imp["techLevel"], exp["techLevel"])
a = ok("setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="tech", allocValue=techs)
check(route(index(a)[imp["id"]], exp["id"])["importTech"] == [float(techs), 0.0] and
      route(index(a)[exp["id"]], imp["id"])["exportTech"] == [float(techs), 0.0], "tech route")
s2 = state()
check(route(s2[imp["id"]], exp["id"]) and route(s2[exp["id"]], imp["id"]), "getObjects lacks the routes")
a = ok("setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="consumption",
       resType=FOOD, allocValue=0)
check("imports" not in route(index(a)[imp["id"]], exp["id"]), "a share of 0 ends the import")
if exp["techLevel"] < 10:
    refused("techTooLow", "setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="tech",
            allocValue=exp["techLevel"] + 1)
refused("invalidParameter", "setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="tech", allocValue=11)
refused("invalidParameter", "setTradeRoute", objID=imp["id"], sourceObjID=imp["id"], allocType="addDefaultRoute")
refused("invalidParameter", "setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="barter")
refused("invalidParameter", "setTradeRoute", objID=imp["id"], sourceObjID=exp["id"])
refused("invalidParameter", "setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="consumption", allocValue=10)
refused("invalidParameter", "setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="consumption",
        resType=FRIGATE, allocValue=10)
refused("invalidParameter", "setTradeRoute", objID=imp["id"], sourceObjID=exp["id"], allocType="consumption",
        resType=FOOD, allocValue=150)
refused("notOwner", "setTradeRoute", objID=imp["id"], sourceObjID=foreign[0]["id"], allocType="addDefaultRoute")
refused("notOwner", "setTradeRoute", objID=foreign[0]["id"], sourceObjID=imp["id"], allocType="addDefaultRoute")
refused("unknownObject", "setTradeRoute", objID=imp["id"], sourceObjID=987654321, allocType="addDefaultRoute")
check(far_own, "no world of the player's beyond 200 ly")
refused("outOfRange", "setTradeRoute", objID=imp["id"], sourceObjID=far_own["id"], allocType="addDefaultRoute")
a = ok("stopTradeRoute", objID=exp["id"], sourceObjID=imp["id"])  # either end may stop it
check(route(index(a)[imp["id"]], exp["id"]) is None and route(index(a)[exp["id"]], imp["id"]) is None,
      "the route is still there")
s2 = state()
check("tradeRoutes" not in s2[imp["id"]] and "tradeRoutes" not in s2[exp["id"]], "empty tradeRoutes shown")
refused("noTradeRoute", "stopTradeRoute", objID=imp["id"], sourceObjID=exp["id"])
refused("notOwner", "stopTradeRoute", objID=foreign[0]["id"], sourceObjID=imp["id"])
refused("invalidParameter", "stopTradeRoute", objID=imp["id"])

# --- launchLAMs ---------------------------------------------------------------------------
s = state()
cit = s[citadel["id"]]
SALVO_DAMAGE = 10 * cat[LAM]["attackValue"]


def defence_mass(o):
    return sum(q * cat[r]["mass"] for r, q in res(o).items() if cat.get(r, {}).get("category")
               in ("orbitalUnit", "groundUnit"))


targets = sorted((x for x in s.values() if x["class"] == "world" and x["sovereignID"] != me
                  and dist(x, cit) <= 150 and defence_mass(x) > 0), key=lambda x: dist(x, cit))
check(targets, "no defended foreign world within 150 ly of the citadel")
tw = targets[0]
mass = defence_mass(tw)
share = min(1.0, SALVO_DAMAGE / mass)
a = ok("launchLAMs", objID=cit["id"], targetObjID=tw["id"])
after = index(a)
check(res(after[cit["id"]]).get(LAM) == 30, "missiles left: %r" % res(after[cit["id"]]).get(LAM))
want = {r: q - math.ceil(q * share) for r, q in res(tw).items() if r in (204, 205)}
got = {r: res(after[tw["id"]]).get(r, 0) for r in want}
check(got == want, "target's defences %r, want %r (share %.3f)" % (got, want, share))
check(res(state()[tw["id"]]).get(205, 0) == want.get(205, 0), "getObjects shows the losses")
refused("notCitadel", "launchLAMs", objID=capital, targetObjID=tw["id"])
refused("notEnemy", "launchLAMs", objID=cit["id"], targetObjID=capital)
refused("notOwner", "launchLAMs", objID=tw["id"], targetObjID=cit["id"])
refused("unknownObject", "launchLAMs", objID=cit["id"], targetObjID=987654321)
refused("invalidParameter", "launchLAMs", objID=cit["id"])
far = max((x for x in s.values() if x["class"] == "world" and x["sovereignID"] != me),
          key=lambda x: dist(x, cit))
refused("outOfRange", "launchLAMs", objID=cit["id"], targetObjID=far["id"])
bare = next((x for x in targets[1:]), None)
if bare:
    for r in (204, 205):
        sim.raw("POST", "/sim/stock", {"object": bare["id"], "resource": r, "quantity": 0})
    refused("noTarget", "launchLAMs", objID=cit["id"], targetObjID=bare["id"])
# a rival fleet brought into range: in transit it cannot be hit; arrived, a
# small one is destroyed
rf = next(x for x in s.values() if x["class"] == "fleet" and x["sovereignID"] != me)
st, _ = sim.raw("POST", "/sim/stock", {"object": rf["id"], "resource": 123, "quantity": 3})
check(st == 200, "stock the rival fleet")
st, _ = sim.raw("POST", "/sim/move", {"fleet": rf["id"], "to": tw["id"]})
check(st == 200, "move the rival fleet")
refused("inTransit", "launchLAMs", objID=cit["id"], targetObjID=rf["id"])
for _ in range(200):
    sim.tick()
    if state()[rf["id"]].get("anchorObjID") == tw["id"]:
        break
else:
    fail("the rival fleet never arrived")
a = ok("launchLAMs", objID=cit["id"], targetObjID=rf["id"])
check({"class": "destroyedSpaceObject", "id": rf["id"]} in a, "the fleet was not destroyed: %r" % a[-4:])
check(rf["id"] not in state(), "the destroyed fleet is still served")
st, _ = sim.raw("POST", "/sim/stock", {"object": cit["id"], "resource": LAM, "quantity": 0})
refused("insufficientResources", "launchLAMs", objID=cit["id"], targetObjID=tw["id"])

# --- /sim/stats counts every call -------------------------------------------------------
calls = sim.stats()["calls"]
for name in WORLD_CALLS:
    check(calls.get(name) == made[name], "%s counted %r, made %d" % (name, calls.get(name), made[name]))
sim.stop()

# --- faults: each call faulted at least once, and a faulted call changes nothing ------
fs = Sim("--seed", "11", "--worlds", "400", "--fleets", "8", "--watch-ms", "600000",
         "--fault-rate", "0.5", "--fault-delay-ms", "300", name="faults")


def classify(st, data):
    if st in (-1, 0, 500, 503):
        return "fault"
    a = json.loads(data)
    return "fault" if is_hexe(a) and a[1] == "busy" else a


def until_ok(name, body):
    for _ in range(100):
        r = classify(*fs.raw("POST", "/api/" + name, json.dumps(body).encode(), 4))
        if r != "fault":
            return r
    fail("%s never got through" % name)


a = until_ok("login", {"username": "demo", "password": "demo"})
fs.token = a["authToken"]
fs.sov = until_ok("getGameInfo", {"authToken": fs.token, "gameID": "sim"})["userInfo"]["sovereignID"]
fo = index(until_ok("getObjects", fs.common()))
fcit = fo[citadel["id"]]
fimp, fexp = fo[imp["id"]], fo[exp["id"]]
bodies = {
    "designateWorld": lambda i: dict(sourceObjID=w["id"], newDesignation=(CITADEL, SHIPYARD)[i % 2]),
    "buildImprovement": lambda i: dict(sourceObjID=hi["id"], improvementID=SHIELD),
    "destroyImprovement": lambda i: dict(sourceObjID=hi["id"], improvementID=SHIELD),
    "setIndustryAlloc": lambda i: dict(objID=hi["id"], industryID=CONSUMER, allocValue=10 + i),
    "setProductAlloc": lambda i: dict(objID=hi["id"], industryID=CONSUMER, alloc=[FOOD, 1 + i, LUX, 1]),
    "setTradeRoute": lambda i: dict(objID=imp["id"], sourceObjID=exp["id"], allocType="consumption",
                                    resType=FOOD, allocValue=1 + i),
    "stopTradeRoute": lambda i: dict(objID=imp["id"], sourceObjID=exp["id"]),
    "launchLAMs": lambda i: dict(objID=citadel["id"], targetObjID=tw["id"]),
}
for name in WORLD_CALLS:
    faults = oks = 0
    for i in range(60):
        if name == "stopTradeRoute":  # a route to stop each time
            until_ok("setTradeRoute", fs.common(objID=imp["id"], sourceObjID=exp["id"],
                                                allocType="addDefaultRoute"))
        if name == "designateWorld":
            fs.tick()
        before = ipint(fs.stats()["sequence"])
        r = classify(*fs.raw("POST", "/api/" + name, json.dumps(fs.common(**bodies[name](i))).encode(), 4))
        if r == "fault":
            faults += 1
            check(ipint(fs.stats()["sequence"]) == before, "a faulted %s changed the galaxy" % name)
        elif not is_hexe(r) or r[1] in ("alreadyBuilt", "notBuilt"):
            oks += 1
        else:
            fail("%s refused: %r" % (name, r))
        if faults and oks >= 1:
            break
    check(faults and oks, "%s: %d faults, %d answers" % (name, faults, oks))
fs.stop()

# --- the real excerpt: notes, primary industries and routes as the game wrote them ------
path = excerpt_path()
with open(path) as f:
    dump = index(json.load(f))
ex = Sim("--galaxy", path, "--watch-ms", "600000", name="excerpt")
info = ex.login()
excat = {t["id"]: t for t in info["scenarioInfo"]}
check(excat[218]["category"] == "industry" and excat[29]["category"] == "feature",
      "dump traits become catalogue entries: %r %r" % (excat[218], excat[29]))
full = index(ex.objects())


def ex_call(name, **fields):
    return ex.post(name, ex.common(**fields))


# a product waiting on an improvement cannot be given a share until it is built
noted = next(wid for wid, o in sorted(full.items()) if o["class"] == "world" and o["sovereignID"] == ex.sov
             and any(isinstance(t, dict) and t["traitID"] == 134 and t["buildData"][2] == ["improve", 137]
                     for t in o["traits"]))
a = ex_call("setProductAlloc", objID=noted, industryID=134, alloc=[130, 100])
check(is_hexe(a) and a[1] == "notBuildable", "a noted product: %r" % (a,))
a = ex_call("buildImprovement", sourceObjID=noted, improvementID=137)
check(not is_hexe(a), "build the deep mine: %r" % (a,))
t134 = trait(index(a)[noted], 134)
check(t134["buildData"][2] is None and 137 in index(a)[noted]["traits"], "the note is gone: %r" % t134)
a = ex_call("setProductAlloc", objID=noted, industryID=134, alloc=[130, 100])
check(not is_hexe(a), "now it builds: %r" % (a,))
# a loaded route ends on both sides; the other worlds are untouched
a = ex_call("stopTradeRoute", objID=4980, sourceObjID=297)
check(not is_hexe(a), "stop a loaded route: %r" % (a,))
check(route(index(a)[297], 4980) is None and route(index(a)[4980], 297) is None, "loaded route stopped")
check(len(index(a)[297]["tradeRoutes"]) == len(dump[297]["tradeRoutes"]) - 1, "other routes kept")
# a citadel of the dump moves its primary industry on redesignation
cw = next(wid for wid, o in sorted(full.items()) if o["class"] == "world" and o["sovereignID"] == ex.sov
          and o["designation"] == 72 and wid != 99)
a = ex_call("designateWorld", sourceObjID=cw, newDesignation=163)
check(not is_hexe(a), "redesignate a loaded citadel: %r" % (a,))
prim = [t["traitID"] for t in index(a)[cw]["traits"] if isinstance(t, dict) and t.get("isPrimary") == "true"]
check(prim == [162], "primary industries after redesignation: %r" % prim)
after = index(ex.objects())
for wid, o in dump.items():
    if o["class"] == "world" and wid not in (noted, cw, 297, 4980):
        check(after[wid].get("traits") == o.get("traits") and
              after[wid].get("tradeRoutes") == o.get("tradeRoutes"), "world %d changed" % wid)
ex.stop()
print("ok")
