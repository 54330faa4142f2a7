"""mirror_reset.py -- the game is replaced under fleetd: fleetsim is killed
and another galaxy starts on the same port.  fleetd's token is no longer
known there, so it logs in again, reloads everything with one full
getObjects (its old sequence means nothing in the new game), and lists the
new galaxy's fleets: none of the old ones is left."""
import socket

from mirrorlib import Fleetd, fleet_view, fleet_view_fleetd, same_watch, sim_login, wait_until
from simlib import Sim, check

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
listen = "127.0.0.1:%d" % port
common = ["--listen", listen, "--watch-ms", "600", "--worlds", "50", "--fleets", "8"]

old = Sim(*(common + ["--seed", "21"]), name="old")
fd = Fleetd("--upstream", "http://%s/api/" % listen, "--username", "demo",
            env={"FLEETD_PASSWORD": "demo"})
fd.wait_ready()
old_ids = {f["id"] for f in fd.ok("/v1/fleets?sovereign=all")["fleets"]}
old.proc.kill()
old.proc.wait()

new = Sim(*(common + ["--seed", "22", "--fleets", "5"]), name="new")
sim_login(new, "demo", "demo")

def reloaded():
    d = fd.health()["upstream_detail"]
    return d["full_loads"] >= 2 and fd.health()["upstream"] == "connected"

wait_until("a re-login and a full reload", reloaded, timeout=60)
d = fd.health()["upstream_detail"]
check(d["logins"] >= 2, "no second login: %r" % d)
objs, every = same_watch(new, lambda: (lambda b: (b["watch"], b["fleets"]))(
    fd.ok("/v1/fleets?sovereign=all")))
want = sorted((fleet_view(f) for f in objs.values() if f["class"] == "fleet"),
              key=lambda v: v["id"])
check([fleet_view_fleetd(f) for f in every] == want, "fleetd does not show the new galaxy")
check(len(every) == len(want) and len(want) < len(old_ids), "fleet counts %d %d" % (len(every), len(old_ids)))
fd.stop()
print("ok")
