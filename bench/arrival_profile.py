"""arrival_profile.py -- the arrival watch of bench.py (MOVERS fleets arrive
while N jobs wait), once, with fleetd under callgrind: instruction counts do
not move with the load of the machine, so a change to the wake path can be
measured on a shared machine.  Run by hand, not by `make bench`.

usage: python3 bench/arrival_profile.py BUILDDIR OUT [callgrind|native|perf|strace]
env:   WAITING (default 100000), WORLDS (5000), FLEETS (134000): the galaxy
       and the jobs of bench.py's 100,000-job figures; CALLGRIND_ARGS: more
       valgrind options (e.g. --toggle-collect=job_save to see one function).

The N `wait` jobs are submitted once through POST /v1/jobs (wrk) and the
database is kept as OUT/jobs-WORLDS-FLEETS-WAITING.db for the next runs.
fleetd then starts on a copy, under `valgrind --tool=callgrind
--instr-atstart=no`; right after a watch boundary MOVERS `move` jobs are
submitted to a world within one watch's travel; once their setDestination
calls are out and fleetd is quiet, instrumentation is switched on, and off
again once the next watch has been read and fleetd is quiet (callgrind_control
-i on / -i off).  The profile is OUT/callgrind.out.1; read it with
`callgrind_annotate --inclusive=yes`.  In native mode the same window's CPU
time is printed instead (schedstat, as bench.py measures it); in perf mode
both, with `perf record -p` over the window (OUT/perf.data.*); in strace
mode, with `strace -f -tt -T` over it (OUT/strace.*)."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402
from benchlib import Proc, http, say, settle_cpu  # noqa: E402

MOVERS = int(os.environ.get("MOVERS", "100"))
WATCH_MS = 4000  # longer than bench.py's: fleetd is ~50x slower under callgrind


def checkpoints(url):
    """fleetd's WAL checkpoints so far (/metrics)."""
    with urllib.request.urlopen(url + "/metrics") as r:
        text = r.read().decode()
    m = re.search(r"^fleetd_store_checkpoints_total (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def faults(pid):
    """(minor faults, context switches) of pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        minflt = int(f.read().rsplit(")", 1)[1].split()[7])
    sw = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.endswith("ctxt_switches:\t" + line.split("\t")[-1]) and "ctxt" in line:
                sw += int(line.split()[-1])
    return minflt, sw


def main():
    build, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "callgrind"
    waiting = int(os.environ.get("WAITING", "100000"))
    worlds = int(os.environ.get("WORLDS", "5000"))
    fleets = int(os.environ.get("FLEETS", "134000"))
    os.makedirs(out, exist_ok=True)
    scratch = benchlib.SCRATCH

    sim = Proc("sim", [os.path.join(build, "fleetsim"), "--listen", "127.0.0.1:0",
                       "--worlds", str(worlds), "--fleets", str(fleets),
                       "--watch-ms", str(WATCH_MS)])
    sim_url = "http://127.0.0.1:%d" % sim.port()
    api = sim_url + "/api/"
    token = http("POST", api + "login", {"username": "demo", "password": "demo",
                                         "actual": True})[1]["authToken"]

    def call(endpoint, **body):
        body.update(authToken=token, gameID="sim")
        return http("POST", api + endpoint, body)[1]

    def stats():
        return http("GET", sim_url + "/sim/stats")[1]

    player = call("getGameInfo")["userInfo"]["sovereignID"]
    objs = call("getObjects", sequence=0)
    world_pos = [(o["id"], o["pos"]) for o in objs if o.get("class") == "world"]
    mine = sorted((o for o in objs if o.get("class") == "fleet"
                   and o.get("sovereignID") == player), key=lambda o: o["id"])
    speed = {"jump": 50.0, "explorer": 40.0, "warp": 25.0}
    movers = []  # (fleet, a world within one watch's travel), as bench.py picks them
    for o in mine[waiting:]:
        if len(movers) == MOVERS:
            break
        x, y = o["pos"]
        for wid, (wx, wy) in world_pos:
            d = ((wx - x) ** 2 + (wy - y) ** 2) ** 0.5
            if wid != o.get("anchorObjID") and d < 0.95 * speed.get(o.get("ftlType"), 25):
                if o.get("anchorObjID"):
                    movers.append((o["id"], wid))
                break

    pw = os.path.join(scratch, "password")
    with open(pw, "w") as f:
        f.write("demo\n")
    os.chmod(pw, 0o600)
    db = os.path.join(scratch, "jobs.db")
    fd_args = [os.path.join(build, "fleetd"), "--listen", "127.0.0.1:0", "--db", db,
               "--upstream", api, "--username", "demo", "--password-file", pw,
               "--rate", "1000"]
    kept = os.path.join(out, "jobs-%d-%d-%d.db" % (worlds, fleets, waiting))
    if os.path.exists(kept):
        shutil.copy(kept, db)
    else:
        fd = Proc("fleetd-fill", fd_args)
        url = "http://127.0.0.1:%d" % fd.port()
        fd.wait_log(r'msg="game state loaded"')
        todo = os.path.join(scratch, "fleets.txt")
        with open(todo, "w") as f:
            f.write("\n".join(str(o["id"]) for o in mine[:waiting]) + "\n")
        for _ in range(5):
            benchlib.wrk(url + "/v1/jobs", 2, 64, waiting // 2000 + 2,
                         os.path.join(HERE, "post_jobs.lua"), ("@" + todo, 0, 604800, 2))
            c = subprocess.run(["sqlite3", db, "SELECT count(*) FROM jobs"],
                               capture_output=True, text=True).stdout.strip()
            say("jobs: %s" % c)
            if c and int(c) >= waiting - 1:
                break
        fd.stop()
        shutil.copy(db, kept)

    pre = []
    if mode == "callgrind":
        pre = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
               "--callgrind-out-file=" + os.path.join(out, "callgrind.out")]
        pre += os.environ.get("CALLGRIND_ARGS", "").split()
    fd = Proc("fleetd", pre + fd_args)
    url = "http://127.0.0.1:%d" % fd.port(600)
    fd.wait_log(r'msg="game state loaded"', 900)
    n0 = stats()["calls"]["getObjects"]
    while stats()["calls"]["getObjects"] == n0:
        time.sleep(0.05)
    settle_cpu(fd, 0.5, 300)
    s0 = stats()
    ids = []
    for fleet, to in movers:
        st, b = http("POST", url + "/v1/jobs", {"fleet": fleet,
                                                "steps": [{"op": "move", "to": to}]})
        assert st == 201, b
        ids.append(b["id"])
    while (stats()["calls"]["setDestination"] - s0["calls"]["setDestination"]) < len(ids):
        time.sleep(0.05)
    ckpt_a = checkpoints(url)  # read before the window opens
    cpu_a = settle_cpu(fd, 0.3, 300)
    flt_a = faults(fd.pid)
    g0 = stats()["calls"]["getObjects"]
    if mode == "callgrind":
        subprocess.run(["callgrind_control", "-z", str(fd.pid)], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-i", "on", str(fd.pid)], check=True,
                       capture_output=True)
    perf = None
    if mode == "perf":
        perf = subprocess.Popen(["perf", "record", "-q", "-e", os.environ.get("PERF_EVENT", "cpu-clock"), *(["-c", "1"] if os.environ.get("PERF_FREQ") == "each" else
                                   ["-F", os.environ.get("PERF_FREQ", "25000")]),
                                 "-g", "-p", str(fd.pid), "-o",
                                 os.path.join(out, "perf.data.%d" % time.time_ns())])
    elif mode == "strace":
        perf = subprocess.Popen(["strace", "-f", "-tt", "-T", "-p", str(fd.pid), "-o",
                                 os.path.join(out, "strace.%d" % time.time_ns())])
        time.sleep(0.5)
    while stats()["calls"]["getObjects"] == g0:
        time.sleep(0.1)
    cpu_b = settle_cpu(fd, 0.5, 300)
    flt_b = faults(fd.pid)
    ckpt_b = checkpoints(url)
    watches = stats()["calls"]["getObjects"] - g0
    if mode == "callgrind":
        subprocess.run(["callgrind_control", "-i", "off", str(fd.pid)], check=True,
                       capture_output=True)
        subprocess.run(["callgrind_control", "-d", str(fd.pid)], check=True, capture_output=True)
    if perf:
        perf.send_signal(2)
        perf.wait()
    done = sum(1 for i in ids
               if http("GET", url + "/v1/jobs/%d" % i)[1]["state"] == "succeeded")
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(json.dumps({"mode": mode, "watches": watches, "moves_done": done,
                      "cpu_ms": (cpu_b - cpu_a) / 1e6,
                      "minflt": flt_b[0] - flt_a[0], "switches": flt_b[1] - flt_a[1],
                      "checkpoints": ckpt_b - ckpt_a, "loadavg": load}))
    fd.stop()
    sim.stop()


if __name__ == "__main__":
    main()
