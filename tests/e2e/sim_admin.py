"""sim_admin.py -- fleetsim's test routes that act for other empires and the
game: POST /sim/move (any fleet, a rival's too), /sim/battle (a rival
attacks one of the player's worlds), /sim/owner, /sim/stock.  Each change
shows in the next getObjects with a new sequence, as any other does; bad
bodies and unknown objects are refused with a JSON error and change
nothing; the routes are never faulted."""
import json

from simlib import Sim, by_class, check, index, ipint

sim = Sim("--seed", "5", "--worlds", "80", "--fleets", "12", name="admin")
sim.login()
objs = sim.objects()
me = sim.sov
worlds = by_class(objs, "world")
fleets = by_class(objs, "fleet")
mine = [w for w in worlds if w["sovereignID"] == me]
rival_fleet = next(f for f in fleets if f["sovereignID"] != me)
rival = rival_fleet["sovereignID"]
target = mine[1]
seq0 = ipint(objs[-1]["sequence"])


def change(route, body, want=200):
    st, data = sim.raw("POST", "/sim/" + route, body)
    check(st == want, "%s %r: HTTP %d %r" % (route, body, st, data[:200]))
    a = json.loads(data)
    if want == 200:
        check(set(a) == {"watch", "sequence"}, "%s answer %r" % (route, a))
    else:
        check(isinstance(a.get("error"), dict) and a["error"].get("code") and
              a["error"].get("message"), "%s error body %r" % (route, a))
    return a


def since(seq):
    return index(sim.objects(seq))


# --- a rival's fleet is sent to one of the player's worlds and arrives ------
a = change("move", {"fleet": rival_fleet["id"], "to": target["id"]})
check(ipint(a["sequence"]) > seq0, "move did not advance the sequence")
d = since(seq0)
f = d.get(rival_fleet["id"])
check(f and f.get("destID") == target["id"] and "anchorObjID" not in f,
      "the moved rival fleet: %r" % f)
for _ in range(120):
    sim.tick()
    f = index(sim.objects()).get(rival_fleet["id"])
    if f and f.get("anchorObjID") == target["id"]:
        break
check(f and f.get("anchorObjID") == target["id"], "the rival fleet never arrived: %r" % f)
check(rival_fleet["id"] in index(sim.objects())[target["id"]].get("nearObjIDs", []),
      "the arrived fleet is not listed at the world")

# --- a rival attacks the player's world: a battlePlan shows, then ends -------
seq = ipint(sim.objects()[-1]["sequence"])
change("battle", {"world": target["id"], "attacker": rival})
w = since(seq).get(target["id"])
bp = w and w.get("battlePlan")
check(bp and bp["sovereignID"] == rival and bp["enemySovereignIDs"] == [me] and
      bp["battleFieldID"] == target["id"] and bp["objective"] == "invasion",
      "battlePlan of the rival's attack: %r" % bp)
change("battle", {"world": target["id"], "attacker": rival}, 409)  # one at a time
for _ in range(8):
    sim.tick()
    if "battlePlan" not in index(sim.objects())[target["id"]]:
        break
check("battlePlan" not in index(sim.objects())[target["id"]], "the rival's battle never ended")

# --- ownership and stock -----------------------------------------------------
other = mine[2]
seq = ipint(sim.objects()[-1]["sequence"])
change("owner", {"world": other["id"], "sovereign": rival})
check(since(seq)[other["id"]]["sovereignID"] == rival, "owner change not served")
seq = ipint(sim.objects()[-1]["sequence"])
change("stock", {"object": mine[0]["id"], "resource": 130, "quantity": 41000})
res = since(seq)[mine[0]["id"]]["resources"]
stock = {res[i]: ipint(res[i + 1]) for i in range(0, len(res), 2)}
check(stock.get(130) == 41000, "stock of 130 at %d: %r" % (mine[0]["id"], stock.get(130)))
seq = ipint(sim.objects()[-1]["sequence"])
change("stock", {"object": mine[0]["id"], "resource": 130, "quantity": 0})
res = since(seq)[mine[0]["id"]]["resources"]
check(130 not in res[0::2], "a stock set to 0 is still listed: %r" % res)

# --- hostile bodies: refused, nothing changes ---------------------------------
seq = ipint(sim.objects()[-1]["sequence"])
bad = [
    ("move", b"not json", 400),
    ("move", b"[1,2]", 400),
    ("move", {"fleet": rival_fleet["id"]}, 400),
    ("move", {"fleet": 987654321, "to": target["id"]}, 404),
    ("move", {"fleet": target["id"], "to": target["id"]}, 400),  # a world is no fleet
    ("move", {"fleet": "x", "to": target["id"]}, 400),
    ("battle", {"world": target["id"], "attacker": 424242}, 404),
    ("battle", {"world": mine[0]["id"], "attacker": me}, 409),  # holds it already
    ("battle", {"world": target["id"], "attacker": rival, "objective": "plunder"}, 400),
    ("owner", {"world": target["id"], "sovereign": rival_fleet["id"]}, 404),
    ("owner", {"world": rival_fleet["id"], "sovereign": rival}, 400),
    ("stock", {"object": mine[0]["id"], "resource": 999999, "quantity": 1}, 400),
    ("stock", {"object": mine[0]["id"], "resource": 130, "quantity": -1}, 400),
    ("stock", {"object": mine[0]["id"], "resource": 130, "quantity": 2 ** 62}, 400),
    ("stock", {"object": mine[0]["id"], "resource": 130, "quantity": 1.5}, 400),
    ("stock", {"object": mine[0]["id"], "resource": 130}, 400),
]
for route, body, want in bad:
    change(route, body, want)
st, _ = sim.raw("POST", "/sim/explode", {})
check(st == 404, "an unknown test route answered %d" % st)
check(since(seq) == {}, "a refused change changed something: %r" % list(since(seq)))
# never counted as game calls
calls = sim.stats()["calls"]
check(sum(calls.values()) == calls.get("login", 0) + calls.get("getGameInfo", 0) +
      calls.get("getObjects", 0), "test routes counted as game calls: %r" % calls)
sim.stop()
print("ok")
