"""sim_badinput.py -- fleetsim under malformed calls: 2,000 seeded random
bodies (wrong types, huge and negative numbers, bad ipIntegers, ids of the
wrong kind, broken battle plans) on every endpoint, plus bodies that are
not JSON objects.  Every answer is HTTP 200 with JSON (data or a
hexeError), the galaxy stays consistent, watches keep running, and the
process stops cleanly (leak-free under ASan)."""
import json
import random

from simlib import Sim, by_class, check, index

sim = Sim("--seed", "3", "--worlds", "50", "--fleets", "6", "--watch-ms", "50")
sim.login()
full = sim.objects()
ids = [o["id"] for o in full if "id" in o] + [0, -1, 2 ** 40, 2 ** 63 - 1]
vals = [None, True, "true", "x", 1.5, -0.0, [], {}, [1], ["AEON2011:ipInteger:v1", "////"],
        ["AEON2011:ipInteger:v1", "KzFQSQ=="], 1e300, -5, 10 ** 15]
names = ["setDestination", "deployFleet", "transferFleet", "disbandFleet", "renameObject",
         "attack", "abortAttack", "getTactical", "sellFleet", "buyItem", "getObjects",
         "getGameInfo", "launchLAMs"]
keys = ["objID", "dest", "sourceObjID", "resources", "fleetObjID", "destObjID", "name",
        "battlePlan", "battleFieldID", "buyerObjID", "itemID", "itemCount", "sequence",
        "attackerObjID"]
rnd = random.Random(4)


def value():
    r = rnd.random()
    if r < 0.5:
        return rnd.choice(ids)
    if r < 0.7:
        return rnd.choice(vals)
    if r < 0.85:
        return [rnd.choice(ids + vals) for _ in range(rnd.randint(0, 6))]
    return {"battleFieldID": rnd.choice(ids),
            "objective": rnd.choice(["invasion", "spaceSupremacy", "reinforceSiege", 1]),
            "enemySovereignIDs": [rnd.choice(ids + vals) for _ in range(3)]}


for i in range(2000):
    body = sim.common()
    for k in rnd.sample(keys, rnd.randint(1, 6)):
        body[k] = value()
    name = rnd.choice(names)
    st, data = sim.raw("POST", "/api/" + name, json.dumps(body).encode())
    check(st == 200, "HTTP %d for %s %r" % (st, name, body))
    json.loads(data)
for junk in [b"", b"[]", b"null", b"{" * 100 + b"}" * 100, b"\xff\xfe", b'{"authToken": 5}',
             b'{"a":1,"a":2}']:
    st, data = sim.raw("POST", "/api/getObjects", junk)
    check(st == 200 and json.loads(data)[0] == "AEON2011:hexeError:v1", "junk %r: %d" % (junk, st))

# still consistent: every anchored fleet is near its world and vice versa
objs = index(sim.objects())
for f in (o for o in objs.values() if o["class"] == "fleet"):
    if "anchorObjID" in f and f["anchorObjID"] in objs:
        check(f["id"] in objs[f["anchorObjID"]].get("nearObjIDs", []), "fleet %d not near" % f["id"])
for w in (o for o in objs.values() if o["class"] == "world"):
    for fid in w.get("nearObjIDs", []):
        check(objs.get(fid, {}).get("anchorObjID") == w["id"], "world %d lists %d" % (w["id"], fid))
check(sim.stats()["watch"] > full[-1]["update"], "watches stopped")
sim.stop()
print("ok")
