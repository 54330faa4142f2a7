"""sim_session.py -- a whole session against fleetsim over HTTP: login,
getGameInfo (POST and GET), a full getObjects, setDestination, watches
ended with /sim/tick until the fleet arrives; every delta holds exactly the
objects that changed; sequences are ipIntegers past 2^32 and accepted back
in both integer forms and with a trailing slash."""
import base64
import json

from simlib import Sim, by_class, check, fail, index, ipint, is_hexe

sim = Sim("--seed", "7", "--worlds", "120", "--fleets", "12", "--watch-ms", "600000")
info = sim.login()
check(info["userInfo"]["gameID"] == "sim", "gameID in userInfo")
for k in ("sovereignID", "capitalObjID", "gameID", "username", "mapBookmarks", "uiOptions"):
    check(k in info["userInfo"], "userInfo lacks " + k)
for s in info["sovereigns"]:
    check(s["class"] == "sovereign" and "imperialMight" in s and "id" in s and "name" in s,
          "sovereign in getGameInfo: %r" % s)
classes = {"currencyType", "image", "regionType", "resourceType", "scenario",
           "sovereignType", "trait"}
cats = {"bureauOfTrade", "commodity", "culture", "designation", "doctrine", "feature",
        "fixedUnit", "groundUnit", "improvement", "industry", "LAMUnit",
        "maneuveringUnit", "orbitalUnit", "rebellion", "worldClass"}
ships = 0
for t in info["scenarioInfo"]:
    check(t["class"] in classes, "scenario class %r" % t["class"])
    check(t["category"] in cats, "scenario category %r" % t["category"])
    if "role" in t:
        check(t["role"].isalpha() and t["role"][0].islower(), "role %r" % t["role"])
    if t["category"] == "maneuveringUnit":
        ships += 1
        for k in ("FTL", "cargoSpace", "attackValue", "mass"):
            check(k in t, "ship type lacks " + k)
check(ships >= 4, "too few ship types")
check(any(t.get("role") == "tradingHub" for t in info["scenarioInfo"]), "no tradingHub")

# GET form of getGameInfo
st, data = sim.raw("GET", "/api/getGameInfo?authToken=%s&gameID=sim" % sim.token)
check(st == 200 and json.loads(data)["userInfo"]["sovereignID"] == sim.sov, "GET getGameInfo")
st, data = sim.raw("GET", "/api/getGameInfo?authToken=nope&gameID=sim")
check(st == 200 and is_hexe(json.loads(data)), "GET getGameInfo with a bad token")

full = sim.objects()
upd = full[-1]
check(isinstance(upd["sequence"], list), "sequence is not an ipInteger: %r" % upd["sequence"])
seq0 = ipint(upd["sequence"])
check(seq0 > 2 ** 32, "a generated galaxy's sequence starts past 2^32 (%d)" % seq0)
check(isinstance(upd["update"], float) and upd["nextUpdateTime"] > 0 and "year0" in upd,
      "update object: %r" % upd)
objs = index(full)
mine = [f for f in by_class(full, "fleet") if f["sovereignID"] == sim.sov]
check(mine, "the player has no fleet")
fleet = mine[0]
home = objs[fleet["anchorObjID"]]
check(fleet["id"] in home.get("nearObjIDs", []), "anchored fleet not in nearObjIDs")
# the nearest other world
worlds = by_class(full, "world")
target = min((w for w in worlds if w["id"] != home["id"]),
             key=lambda w: (w["pos"][0] - home["pos"][0]) ** 2 + (w["pos"][1] - home["pos"][1]) ** 2)

# nothing changed: a delta holds only the update object
d = sim.objects(upd["sequence"])
check(len(d) == 1, "idle delta not empty: %r" % d[:-1])

# setDestination: the answer holds the fleet and the world it left
a = sim.call("setDestination", objID=fleet["id"], dest=target["id"], sequence=upd["sequence"])
check(not is_hexe(a), "setDestination refused: %r" % (a,))
changed = {o["id"] for o in a if "id" in o}
check(changed == {fleet["id"], home["id"]}, "setDestination answer ids %r" % changed)
f2 = index(a)[fleet["id"]]
check("anchorObjID" not in f2 and f2["destID"] == target["id"] and "eta" in f2 and "dest" in f2,
      "moving fleet: %r" % f2)
check(fleet["id"] not in index(a)[home["id"]].get("nearObjIDs", []), "left world still lists fleet")
eta = f2["eta"]
seq1 = a[-1]["sequence"]
# idempotent: the same order again changes nothing
a = sim.call("setDestination", objID=fleet["id"], dest=target["id"], sequence=seq1)
check(len(a) == 1 and a[0]["class"] == "update", "repeat setDestination changed %r" % a[:-1])

# the sequence is accepted as a plain number, and as anacreonlib's encoding
n1 = ipint(seq1)
d = sim.post("getObjects/", sim.common(sequence=n1))
check(len(d) == 1, "plain-number sequence: %r" % d[:-1])
raw = b"+1PI" + bytes([4, 0]) + n1.to_bytes(6, "big")
alt = ["AEON2011:ipInteger:v1", base64.b64encode(raw).decode()]
d = sim.post("getObjects/", sim.common(sequence=alt))
check(len(d) == 1, "re-encoded ipInteger sequence: %r" % d[:-1])

# watches: each delta holds exactly the moving fleet until it arrives
last = seq1
watch = upd["update"]
arrived = False
for i in range(200):
    t = sim.tick()
    d = sim.objects(last)
    u = d[-1]
    check(u["update"] == watch + i + 1, "watch number %r after %d ticks" % (u["update"], i + 1))
    ids = sorted(o["id"] for o in d[:-1])
    f3 = index(d).get(fleet["id"])
    check(f3 is not None, "moving fleet missing from the delta of watch %r" % u["update"])
    if "anchorObjID" in f3:
        check(ids == sorted([fleet["id"], target["id"]]), "arrival delta ids %r" % ids)
        check(u["update"] == eta, "arrived on watch %r, eta was %r" % (u["update"], eta))
        check(f3["anchorObjID"] == target["id"] and "dest" not in f3 and "eta" not in f3
              and "destID" not in f3, "arrived fleet: %r" % f3)
        check(f3["pos"] == target["pos"], "arrived fleet position")
        check(fleet["id"] in index(d)[target["id"]]["nearObjIDs"], "nearObjIDs on arrival")
        arrived = True
        break
    check(ids == [fleet["id"]], "delta during travel holds %r" % ids)
    last = u["sequence"]
check(arrived, "fleet never arrived")

# a full read agrees with the merged deltas
full2 = index(sim.objects())
check(full2[fleet["id"]]["anchorObjID"] == target["id"], "full read after arrival")

st = sim.stats()
check(st["calls"]["setDestination"] == 2 and st["calls"]["login"] == 1, "stats: %r" % st)
check(st["watch"] == watch + i + 1 and st["faults"] == 0, "stats watch/faults: %r" % st)

# an unknown endpoint is HTTP 404, a bad token a hexeError
st, _ = sim.raw("POST", "/api/noSuchThing", {})
check(st == 404, "unknown endpoint gave %d" % st)
a = sim.post("getObjects", {"authToken": "bogus", "gameID": "sim", "sovereignID": sim.sov})
check(is_hexe(a) and a[1] == "invalidAuthToken", "bad token: %r" % (a,))
a = sim.post("getObjects", {"gameID": "sim", "sovereignID": sim.sov})
check(is_hexe(a), "missing token: %r" % (a,))
a = sim.post("getObjects", sim.common(gameID="other"))
check(is_hexe(a), "wrong game: %r" % (a,))
a = sim.post("getObjects", sim.common(sovereignID=1))
check(is_hexe(a) and a[1] == "notOwner", "someone else's sovereignID: %r" % (a,))
a = sim.call("launchLAMs", objID=home["id"], targetObjID=target["id"])
check(is_hexe(a) and a[1] == "notCitadel", "launchLAMs from the capital: %r" % (a,))
st, _ = sim.raw("GET", "/api/getObjects")
check(st == 405, "GET getObjects gave %d" % st)
a = sim.post("login", {"username": "demo", "password": "wrong"})
check(is_hexe(a), "wrong password: %r" % (a,))
st, data = sim.raw("POST", "/api/getObjects", b"{not json")
check(st == 200 and is_hexe(json.loads(data)), "bad JSON body")
sim.stop()
print("ok")
