"""webhooks_game.py -- webhooks for game events: a real fleetd against a
real fleetsim (fast watches) and a local receiver (receiver.py).

One of our fleets moves to the nearest other world.  Its departure,
arrival and the job's success reach a json webhook in the order of their
events (fleet.departed, fleet.arrived, job.succeeded), each signed, each
body naming the fleet, the world and the job; a discord webhook gets the
same three as Discord bodies with readable lines naming them."""
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jobslib import Fleetd, Sim, check, fail  # noqa: E402
from receiver import Receiver, signature  # noqa: E402

SECRET = "game-events-secret-0123456789"
EVENTS = ["fleet.arrived", "fleet.departed", "job.succeeded"]

sim = Sim("--watch-ms", "700", "--seed", "11", "--fleets", "30", "--worlds", "120")
fd = Fleetd(sim)
rx = Receiver()
mine = [f for f in fd.wait_ready() if f["mine"] and f["anchor"]]
check(mine, "no anchored fleet of ours")
worlds = fd.worlds()


def dist(a, b):
    return math.hypot(a["position"]["x"] - b["position"]["x"],
                      a["position"]["y"] - b["position"]["y"])


F = mine[0]
home = worlds[F["anchor"]]
dest = min((w for w in worlds.values() if w["id"] != home["id"]), key=lambda w: dist(w, home))
for path, fmt in [("/game", "json"), ("/discord", "discord")]:
    st, b = fd.call("POST", "/v1/webhooks", {"url": rx.url(path), "events": EVENTS,
                                             "format": fmt, "secret": SECRET})
    check(st == 201, "register %s -> %d %s" % (fmt, st, b))
job = fd.submit({"fleet": F["id"], "steps": [{"op": "move", "to": dest["id"]}]})
fd.wait_state(job["id"], ["succeeded"], 120)

end = time.time() + 30
while time.time() < end and len([b for b in rx.bodies("/game")
                                 if b["event"] == "job.succeeded"]) < 1:
    time.sleep(0.1)
ours = [b for b in rx.bodies("/game")
        if b["data"].get("fleet") == F["id"] or b["job_id"] == job["id"]]
names = [b["event"] for b in ours]
check(names == ["fleet.departed", "fleet.arrived", "job.succeeded"], "events: %s" % ours)
check([b["event_id"] for b in ours] == sorted(b["event_id"] for b in ours), "order")
check(ours[0]["data"]["from"] == home["id"], "departed from: %s" % ours[0])
check(ours[1]["data"]["world"] == dest["id"], "arrived at: %s" % ours[1])
check(ours[2]["data"]["to"] == "succeeded", "job end: %s" % ours[2])
for g in rx.posts("/game") + rx.posts("/discord"):
    check(g["headers"]["X-Fleetd-Signature"] == signature(SECRET, g["body"]), "signature")

end = time.time() + 30
want = ["fleetd: Fleet %d left world %d." % (F["id"], home["id"]),
        "fleetd: Fleet %d arrived at world %d." % (F["id"], dest["id"]),
        "fleetd: Job %d succeeded." % job["id"]]
lines = []
while time.time() < end:
    lines = [b["content"] for b in rx.bodies("/discord")]
    if all(w in lines for w in want):
        break
    time.sleep(0.1)
else:
    fail("discord lines: %s (wanted %s)" % (lines, want))
check([lines.index(w) for w in want] == sorted(lines.index(w) for w in want), "discord order")
print("ok")
