"""mirror_routes.py -- fleetd's game mirror against fleetsim over HTTP.

The fleets and worlds fleetd lists equal fleetsim's (all pages, filters);
a destination set directly on fleetsim shows in fleetd's fleet within one
watch, with an eta; a fleet disbanded in the game disappears; 404 for
unknown ids, 400 for bad filters, 503 before the first full state and
without --upstream; over N watches fleetd calls getObjects once per watch
plus the full load; and the password and auth tokens appear in no log
line (at debug level), no answer and not in the database."""
import math
import os
import socket
import subprocess

from mirrorlib import (FLEETD, TOKEN_RE, Fleetd, fleet_view, fleet_view_fleetd,
                       res_pairs, same_watch, sim_login, sim_objects, sim_post,
                       wait_until)
from simlib import SCRATCH, Sim, check, fail

PASSWORD = "Pw-9f3a7c21-not-in-any-log"

sim = Sim("--seed", "11", "--worlds", "150", "--fleets", "16", "--watch-ms", "1000",
          "--user", "demo:" + PASSWORD, "--log-level", "debug")
sim_login(sim, "demo", PASSWORD)
api = sim.base + "/api/"

# --- no password, no start; no such flag as --password -------------------
r = subprocess.run([FLEETD, "--listen", "127.0.0.1:0", "--db", os.path.join(SCRATCH, "x.db"),
                    "--upstream", api, "--username", "demo"],
                   capture_output=True, text=True, timeout=20,
                   env={k: v for k, v in os.environ.items() if k != "FLEETD_PASSWORD"})
check(r.returncode == 1 and "no game password" in r.stderr,
      "start without a password: %d %r" % (r.returncode, r.stderr))
r = subprocess.run([FLEETD, "--password", PASSWORD], capture_output=True, text=True,
                   timeout=20)
check(r.returncode == 2, "--password flag accepted: %d" % r.returncode)
check(PASSWORD not in r.stderr + r.stdout, "the password echoed by the flag error")

# --- 503 without --upstream, and while the upstream is unreachable --------
alone = Fleetd(name="alone")
st, body = alone.get("/v1/fleets")
check(st == 503 and body["error"]["code"] == "no_upstream", "no upstream: %d %r" % (st, body))
h = alone.health()
check(h["upstream"] == "down" and h["watch"] is None, "healthz without upstream: %r" % h)
alone.stop()

s = socket.socket()
s.bind(("127.0.0.1", 0))
dead_port = s.getsockname()[1]
s.close()
pwfile = os.path.join(SCRATCH, "password")
with open(pwfile, "w") as f:
    f.write(PASSWORD + "\n")
os.chmod(pwfile, 0o600)
dead = Fleetd("--upstream", "http://127.0.0.1:%d/api/" % dead_port, "--username", "demo",
              "--password-file", pwfile, "--log-level", "debug", name="dead")
for path in ("/v1/fleets", "/v1/fleets/1", "/v1/worlds", "/v1/worlds/1"):
    st, body = dead.get(path)
    check(st == 503 and body["error"]["code"] == "not_ready" and
          "not loaded yet" in body["error"]["message"], "%s before the state: %d %r" % (path, st, body))
h = dead.health()
check(h["upstream"] == "down" and h["watch"] is None, "healthz while down: %r" % h)
wait_until("a failed login in the log", lambda: 'msg="login failed"' in dead.log())
dead.stop()

# --- a wrong password: down, said in the log, the password not there ------
with open(os.path.join(SCRATCH, "wrong"), "w") as f:
    f.write("not-the-password")
wrong = Fleetd("--upstream", api, "--username", "demo", "--password-file",
               os.path.join(SCRATCH, "wrong"), "--log-level", "debug", name="wrong")
wait_until("login refused", lambda: "invalidLogin" in wrong.log())
check(wrong.health()["upstream"] == "down", "wrong password yet not down")
check("not-the-password" not in wrong.log(), "a wrong password in the log")
wrong.stop()

# --- the real run ----------------------------------------------------------
fd = Fleetd("--upstream", api, "--username", "demo", "--log-level", "debug",
            env={"FLEETD_PASSWORD": PASSWORD})
h = fd.wait_ready()
check(h["upstream"] == "connected" and isinstance(h["watch"], float), "healthz: %r" % h)
first_watch = h["watch"]

# fleets: the player's, then all, equal fleetsim's at the same watch
def read_fleets(query):
    def read():
        b = fd.ok("/v1/fleets" + query)
        check(b["count"] == len(b["fleets"]), "count")
        return b["watch"], b["fleets"]
    return read

objs, mine = same_watch(sim, read_fleets(""))
sim_fleets = [o for o in objs.values() if o["class"] == "fleet"]
want = sorted((fleet_view(f) for f in sim_fleets if f["sovereignID"] == sim.sov),
              key=lambda v: v["id"])
got = [fleet_view_fleetd(f) for f in mine]
check(got == want, "player's fleets differ:\n%r\n%r" % (got[:2], want[:2]))
check(all(f["mine"] and f["job"] is None for f in mine), "mine/job fields")
check([f["id"] for f in mine] == sorted(f["id"] for f in mine), "fleets not in id order")
objs, every = same_watch(sim, read_fleets("?sovereign=all"))
want = sorted((fleet_view(f) for f in objs.values() if f["class"] == "fleet"),
              key=lambda v: v["id"])
check([fleet_view_fleetd(f) for f in every] == want, "all fleets differ")
check(len(every) > len(mine), "no foreign fleet to see")
foreign = [f for f in every if not f["mine"]][0]
b = fd.ok("/v1/fleets?sovereign=%d" % foreign["sovereign"])
check(b["fleets"] and all(f["sovereign"] == foreign["sovereign"] for f in b["fleets"]),
      "?sovereign=ID")
# resource names come from the catalogue
info = sim_post(sim, "getGameInfo", {"authToken": sim.token, "gameID": "sim"})
names = {t["id"]: t.get("nameDesc") for t in info["scenarioInfo"]}
for f in mine:
    for rr in f["resources"]:
        check(rr.get("name") == names.get(rr["id"]), "resource name %r" % rr)

# worlds: every page, in id order, equal fleetsim's
def world_view(w):
    return {"id": w["id"], "name": w["name"], "sovereign": w["sovereignID"],
            "pos": [round(w["pos"][0], 2), round(w["pos"][1], 2)],
            "tech": w.get("techLevel", 0), "res": res_pairs(w.get("resources"))}

def world_view_fleetd(w):
    return {"id": w["id"], "name": w["name"], "sovereign": w["sovereign"],
            "pos": [round(w["position"]["x"], 2), round(w["position"]["y"], 2)],
            "tech": w["tech_level"], "res": sorted((r["id"], r["qty"]) for r in w["resources"])}

def read_worlds(query, limit=37):
    def read():
        out, cursor, watches = [], None, set()
        while True:
            q = "/v1/worlds?limit=%d%s%s" % (limit, query,
                                            "&cursor=" + cursor if cursor else "")
            b = fd.ok(q)
            check(len(b["worlds"]) <= limit and b["count"] == len(b["worlds"]), "page size")
            watches.add(b["watch"])
            out += b["worlds"]
            cursor = b.get("next_cursor")
            if cursor is None:
                check("next_cursor" not in b, "a null next_cursor on the last page")
                break
            check(isinstance(cursor, str) and len(b["worlds"]) == limit, "a short page")
        return (watches.pop() if len(watches) == 1 else -1), out
    return read

objs, worlds = same_watch(sim, read_worlds(""))
sim_worlds = sorted((o for o in objs.values() if o["class"] == "world"), key=lambda w: w["id"])
check([world_view_fleetd(w) for w in worlds] == [world_view(w) for w in sim_worlds],
      "worlds differ")
check(len(worlds) == 150, "150 worlds, got %d" % len(worlds))
ids = [w["id"] for w in worlds]
check(ids == sorted(set(ids)), "pages overlap or are out of order")
# fleets at a world: from the anchors
w0 = fd.ok("/v1/worlds/%d" % mine[0]["anchor"])
check(mine[0]["id"] in w0["fleets"], "world lists its fleets")
trading = [w for w in worlds if w["trading"]]
check(trading, "no trading world seen")

# filters: sovereign, near+radius
objs, mine_w = same_watch(sim, read_worlds("&sovereign=%d" % sim.sov, limit=1000))
check([w["id"] for w in mine_w] ==
      [w["id"] for w in sim_worlds if w["sovereignID"] == sim.sov], "?sovereign=")
check(fd.ok("/v1/worlds?sovereign=me&limit=1000")["worlds"] == mine_w, "?sovereign=me")
cx, cy = sim_worlds[0]["pos"]
near = fd.ok("/v1/worlds?near=%f,%f&radius=120&limit=1000" % (cx, cy))["worlds"]
want = [w["id"] for w in sim_worlds
        if math.hypot(w["pos"][0] - cx, w["pos"][1] - cy) <= 120]
check([w["id"] for w in near] == want and len(want) > 1, "?near= %r %r" % (len(near), len(want)))
check(all(w["distance"] <= 120 for w in near), "distance field")
check(fd.ok("/v1/worlds/%d" % sim_worlds[3]["id"])["name"] == sim_worlds[3]["name"], "one world")

# bad filters: 400 with the JSON error body
for q in ("near=1,2", "radius=3", "near=a,b&radius=1", "near=1,2&radius=-1", "limit=0",
          "limit=5000", "limit=x", "cursor=abc", "sovereign=x"):
    st, b = fd.get("/v1/worlds?" + q)
    check(st == 400 and b["error"]["code"] == "bad_request", "?%s gave %d %r" % (q, st, b))
st, b = fd.get("/v1/fleets?sovereign=nobody")
check(st == 400, "fleets ?sovereign=nobody gave %d" % st)
# unknown ids: 404
for path in ("/v1/fleets/999999999", "/v1/worlds/999999999",
             "/v1/worlds/%d" % mine[0]["id"], "/v1/fleets/%d" % sim_worlds[0]["id"]):
    st, b = fd.get(path)
    check(st == 404 and b["error"]["code"] == "not_found", "%s gave %d %r" % (path, st, b))

# --- a destination set directly on fleetsim shows within one watch --------
mover = mine[0]
home = objs[mover["anchor"]] if mover["anchor"] in objs else None
target = min((w for w in sim_worlds if w["id"] != mover["anchor"]),
             key=lambda w: math.hypot(w["pos"][0] - mover["position"]["x"],
                                      w["pos"][1] - mover["position"]["y"]))
a = sim_post(sim, "setDestination", sim.common(objID=mover["id"], dest=target["id"]))
check(isinstance(a, list), "setDestination refused: %r" % (a,))
w_set = sim.stats()["watch"]

def shows_destination():
    fw = fd.watch()
    f = fd.ok("/v1/fleets/%d" % mover["id"])
    d = f["destination"]
    if (d and d["id"] == target["id"]) or f["anchor"] == target["id"]:
        return f
    if fw >= w_set + 1:
        fail("fleetd at watch %s, fleet still without destination: %r" % (fw, f))
    return None

f = wait_until("the destination in fleetd", shows_destination, timeout=30)
if f["destination"]:
    check(f["moving"] and f["anchor"] is None and f["eta"] and f["eta"]["watch"] > 0 and
          f["eta"]["estimated_at"].endswith("Z"), "moving fleet fields: %r" % f)

# --- a fleet disbanded in the game disappears --------------------------------
victim = [x for x in mine if x["id"] != mover["id"] and x["anchor"]][0]
a = sim_post(sim, "disbandFleet", sim.common(fleetObjID=victim["id"], destObjID=victim["anchor"]))
check(isinstance(a, list), "disbandFleet refused: %r" % (a,))
w_gone = sim.stats()["watch"]

def gone():
    fw = fd.watch()
    ids = [x["id"] for x in fd.ok("/v1/fleets")["fleets"]]
    if victim["id"] not in ids:
        return True
    if fw >= w_gone + 1:
        fail("fleetd at watch %s still lists the disbanded fleet" % fw)
    return False

wait_until("the disbanded fleet to go", gone, timeout=30)
st, b = fd.get("/v1/fleets/%d" % victim["id"])
check(st == 404, "disbanded fleet still answers %d" % st)
check(victim["id"] not in fd.ok("/v1/worlds/%d" % victim["anchor"])["fleets"],
      "disbanded fleet still at its world")

# --- secrets: the password and auth tokens in no log, answer or database ---
for path in ("/healthz", "/v1/fleets?sovereign=all", "/v1/worlds?limit=1000"):
    fd.get(path)
fd.stop()
log = fd.log()
check('msg="upstream call" endpoint=getObjects' in log and "ms=" in log,
      "no debug line per upstream call")
check(sim.token.encode() not in log.encode(), "sanity: the test's own token")
for name, blob in [("log", log.encode()), ("answers", b"\n".join(fd.answers))]:
    check(PASSWORD.encode() not in blob, "the password is in fleetd's " + name)
    check(not TOKEN_RE.search(blob), "an auth token is in fleetd's " + name)
for ext in ("", "-wal", "-shm"):
    if os.path.exists(fd.db + ext):
        data = open(fd.db + ext, "rb").read()
        check(PASSWORD.encode() not in data and not TOKEN_RE.search(data),
              "a secret in the database file " + ext)
print("ok")
