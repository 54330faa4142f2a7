"""sim_excerpt.py -- fleetsim --galaxy on the real getObjects excerpt: the
player is the sovereign owning the most fleets (54 of the 63 worlds and 11
of the 14 fleets are its), the dump's sequence and watch continue, every
world and fleet comes back as it was; --sovereign picks another player.
Then the shape check: every object fleetsim serves, loaded or generated,
carries each key that all of the excerpt's objects of its class carry,
class by class and apart for the player's own objects and foreign ones
(the game sends its owner more of a world than a rival), with a JSON type
the excerpt's objects have for that key (a moving fleet has
dest/destID/eta in place of anchorObjID).  getGameInfo's catalogue has
whole attack values, as the game's has."""
import json

from simlib import Sim, by_class, check, excerpt_path, index, ipint, is_hexe

path = excerpt_path()
with open(path) as f:
    dump = json.load(f)

EXCERPT_PLAYER = 3913334


def jtype(v):
    """The JSON type of a value as the game writes it (1 and 1.0 differ)."""
    if v is None:
        return "null"
    for t, name in ((bool, "bool"), (int, "integer"), (float, "real"), (str, "string"),
                    (list, "array"), (dict, "object")):
        if isinstance(v, t):
            return name
    return "?"


def kind_of(o, player):
    """(class, "own" or "foreign"): the game shows its owner more."""
    c = o.get("class")
    owner = o.get("id") if c == "sovereign" else o.get("sovereignID")
    return (c, "own" if owner == player else "foreign")


# the keys every excerpt object of a kind carries, and the types seen
common, types = {}, {}
for o in dump:
    k = kind_of(o, EXCERPT_PLAYER)
    common[k] = set(o) if k not in common else common[k] & set(o)
    for key, v in o.items():
        types.setdefault((k, key), set()).add(jtype(v))
check(common[("world", "own")] >= {"id", "name", "pos", "sovereignID", "designation",
                                   "baseConsumption", "revIndex", "tradeRouteMax", "news"},
      "excerpt keys of own worlds: %r" % sorted(common[("world", "own")]))
check("secessionChance" in common[("sovereign", "own")], "excerpt keys of the player")


def check_keys(objs, what, player):
    seen = set()
    for o in objs:
        k = kind_of(o, player)
        if k not in common:
            continue
        seen.add(k)
        want = set(common[k])
        if k[0] == "fleet" and "destID" in o:
            want = (want - {"anchorObjID"}) | {"dest", "destID", "eta"}
            check("anchorObjID" not in o, "%s: moving fleet has anchorObjID: %r" % (what, o))
        missing = want - set(o)
        check(not missing, "%s: %s %s %r lacks %s" % (what, k[1], k[0], o.get("id"),
                                                      sorted(missing)))
        for key in want & set(o):
            allowed = types.get((k, key))
            got = jtype(o[key])
            check(allowed is None or got in allowed,
                  "%s: %s %s %r: %s is %s, the game's is %s" %
                  (what, k[1], k[0], o.get("id"), key, got, sorted(allowed or ())))
    for c in ("world", "fleet", "sovereign"):
        for side in ("own", "foreign"):
            check((c, side) in seen, "%s: no %s %s served" % (what, side, c))
    check(("update", "foreign") in seen, "%s: no update served" % what)


# --- the dump loaded ------------------------------------------------------
sim = Sim("--galaxy", path, "--watch-ms", "600000", name="loaded")
info = sim.login()
check(sim.sov == 3913334, "player is %r, want 3913334" % sim.sov)
check(any(s["id"] == 3913334 and "funds" in s for s in info["sovereigns"]),
      "the player's sovereign in getGameInfo lacks funds")
full = sim.objects()
worlds, fleets = by_class(full, "world"), by_class(full, "fleet")
check(len(worlds) == 63 and len(fleets) == 14, "counts %d worlds %d fleets" % (len(worlds), len(fleets)))
check(sum(w["sovereignID"] == sim.sov for w in worlds) == 54, "the player's worlds")
check(sum(f["sovereignID"] == sim.sov for f in fleets) == 11, "the player's fleets")
check(len(full) == len(dump), "object count %d vs %d" % (len(full), len(dump)))
u = full[-1]
du = [o for o in dump if o["class"] == "update"][0]
check(ipint(u["sequence"]) == ipint(du["sequence"]) == 5201930622, "sequence continues")
check(u["update"] == du["update"], "watch continues")
# worlds and fleets come back as they were (quantities compared by value)
orig = index(dump)


def norm(o):
    o = dict(o)
    if "resources" in o:
        o["resources"] = [ipint(x) for x in o["resources"]]
    return o


for o in worlds + fleets:
    check(norm(o) == norm(orig[o["id"]]), "object %d changed on load" % o["id"])
check_keys(full, "loaded", sim.sov)
# getGameInfo's sovereigns are the very objects getObjects serves
check(sorted(info["sovereigns"], key=lambda o: o["id"]) ==
      sorted(by_class(full, "sovereign"), key=lambda o: o["id"]), "getGameInfo sovereigns differ")

# a player's fleet moves and arrives at the capital
fl = next(f for f in fleets if f["sovereignID"] == sim.sov and f["anchorObjID"] != 99)
a = sim.call("setDestination", objID=fl["id"], dest=99, sequence=u["sequence"])
check(not is_hexe(a), "setDestination on the loaded galaxy: %r" % (a,))
check_keys(a + full, "loaded, moving", sim.sov)
for _ in range(150):
    sim.tick()
    f2 = index(sim.objects())[fl["id"]]
    if "anchorObjID" in f2:
        break
check(f2.get("anchorObjID") == 99, "fleet did not arrive at 99: %r" % f2)
# a fleet deployed from the capital is numbered after the player's highest
a = sim.call("deployFleet", sourceObjID=99, resources=[160, 2])
check(not is_hexe(a), "deployFleet on the loaded galaxy: %r" % (a,))
nid = [o for o in a if o["class"] == "selection"][0]["id"]
nf = index(a)[nid]
check(nf["name"] == "588th Fleet" and nf["ftlType"] == "jump" and nf["anchorObjID"] == 99,
      "deployed fleet: %r" % nf)
check(nid not in orig, "new fleet reuses an id")
# a foreign fleet is refused
other = next(f for f in fleets if f["sovereignID"] != sim.sov)
a = sim.call("setDestination", objID=other["id"], dest=99)
check(is_hexe(a) and a[1] == "notOwner", "moving a foreign fleet: %r" % (a,))
sim.stop()

# --- --sovereign --------------------------------------------------------------
sim = Sim("--galaxy", path, "--sovereign", "4900178", name="other")
sim.login()
check(sim.sov == 4900178, "--sovereign ignored: %r" % sim.sov)
sim.stop()

# --- a generated galaxy carries the same keys ---------------------------------
sim = Sim("--seed", "3", "--worlds", "80", "--fleets", "8", name="generated")
sim.login()
full = sim.objects()
mine = [f for f in by_class(full, "fleet") if f["sovereignID"] == sim.sov]
far = max(by_class(full, "world"), key=lambda w: abs(w["pos"][0] - mine[0]["pos"][0]))
a = sim.call("setDestination", objID=mine[0]["id"], dest=far["id"])
check(not is_hexe(a), "setDestination: %r" % (a,))
full = sim.objects()
check(any("destID" in f for f in by_class(full, "fleet")), "no moving fleet")
check_keys(full, "generated", sim.sov)
# the catalogue's attack values are whole numbers, as the game's are
info = sim.call("getGameInfo")
attacks = [(o.get("id"), o["attackValue"]) for o in info.get("scenarioInfo", [])
           if isinstance(o, dict) and "attackValue" in o]
check(attacks, "no attackValue in the catalogue")
check(all(float(v).is_integer() for _, v in attacks),
      "fractional attackValue: %r" % [a for a in attacks if not float(a[1]).is_integer()])
sim.stop()
print("ok")
