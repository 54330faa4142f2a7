"""jobs_disk_full.py -- a full disk while jobs run.  fleetd's database lives
on a small tmpfs of its own; with jobs of every kind under way, a filler
file takes the rest of the space.  Then:

* fleetd notices (a commit fails with SQLITE_FULL): /healthz and /metrics
  say the storage is unavailable;
* writes (POST /v1/jobs, control routes) get 503 storage_unavailable with
  a Retry-After; a submission refused so left nothing in the database;
  reads (jobs, events, fleets, /healthz) get 200;
* fleetsim never received an action whose intent row is not committed:
  at every sample, for each non-idempotent op, the calls fleetsim counts
  are at most the jobs whose committed row has passed that op's intent
  (fleetsim is asked first, the database second, and a call leaves only
  after its commit);
* once the filler is deleted, fleetd recovers by itself: every job
  accepted (201) is in the database and ends succeeded, each effect is in
  fleetsim's galaxy exactly once with exactly one call per action, and
  new submissions work.

Needs root (mount); SKIP (77) where a tmpfs cannot be mounted."""
import atexit
import errno
import json
import math
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import (SCRATCH, Fleetd, Sim, check, qty, sim_res,  # noqa: E402
                     sim_state, skip)

MNT = os.path.join(SCRATCH, "disk")
os.mkdir(MNT)
if os.geteuid() != 0:
    skip("mounting a tmpfs needs root")
if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", MNT],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
    skip("cannot mount a tmpfs here")
procs = []


def unmount():
    for p in procs:  # the daemons hold files open on it
        if p.poll() is None:
            p.kill()
            p.wait()
    subprocess.run(["umount", "-l", MNT], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


atexit.register(unmount)

sim = Sim("--watch-ms", "700", "--seed", "9", "--fleets", "300", "--worlds", "250",
          "--latency-ms", "120")
procs.append(sim.proc)
fd = Fleetd(sim, db=os.path.join(MNT, "fleetd.db"))
procs.append(fd.proc)
fd.wait_ready()
F = fd.fleets()
Wd = fd.worlds()
me = sim.login()["userInfo"]["sovereignID"]
S0 = sim_state(sim)
mine = {i: f for i, f in F.items() if f["mine"] and f["anchor"]}


def dist(a, b):
    return math.hypot(a["position"]["x"] - b["position"]["x"],
                      a["position"]["y"] - b["position"]["y"])


def own(w):
    return w["sovereign"] == me


capital = next(w for w in Wd.values() if w["designation_name"] == "Imperial capital")
hub = min((w for w in Wd.values() if w["trading"]), key=lambda w: dist(capital, w))
used = set()


def take(pred, n, why):
    out = [f for i, f in sorted(mine.items()) if i not in used and pred(f)][:n]
    check(len(out) == n, "only %d fleets for %s" % (len(out), why))
    used.update(f["id"] for f in out)
    return out


# kind -> (endpoint, steps that send it, passes, [(job id, data)])
XFER_PASSES = 40
ops = {"sell": ("sellFleet", [1], 1, []), "buy": ("buyItem", [1], 1, []),
       "transfer": ("transferFleet", [0, 1], XFER_PASSES, []),
       "deploy": ("deployFleet", [0], 1, [])}
patrols = []
accepted = []  # every job answered 201
lock = threading.Lock()


def submit(spec, kind=None, data=None):
    j = fd.submit(spec)
    with lock:
        accepted.append(j["id"])
    if kind:
        ops[kind][3].append((j["id"], data))
    return j


for f in take(lambda f: qty(f["resources"], 90) >= 10, 12, "sellers"):
    submit({"fleet": f["id"], "steps": [
        {"op": "move", "to": hub["id"]}, {"op": "sell", "to": hub["id"], "resources": [90, 10]}]},
        "sell", f)
for f in take(lambda f: qty(f["resources"], 90) == 0, 12, "buyers"):
    submit({"fleet": f["id"], "steps": [
        {"op": "move", "to": hub["id"]}, {"op": "buy", "item": 122, "count": 1}]}, "buy", f)
# shuttles: an ark to the world and back, pass after pass -- an intent and
# its call in nearly every commit, so the commit that fails holds some
for f in take(lambda f: qty(f["resources"], 170) >= 1 and own(Wd[f["anchor"]]) and
              f["anchor"] != capital["id"], 12, "transfers"):
    submit({"fleet": f["id"], "repeat": XFER_PASSES, "steps": [
        {"op": "transfer", "to": f["anchor"], "resources": [170, -1]},
        {"op": "transfer", "to": f["anchor"], "resources": [170, 1]}]}, "transfer", f)
near_cap = sorted((w for w in Wd.values() if own(w) and w["id"] != capital["id"]),
                  key=lambda w: dist(capital, w))[:4]
for k in range(12):
    submit({"delay_seconds": k % 7, "steps": [
        {"op": "deploy", "from": capital["id"], "resources": [122, 1]},
        {"op": "move", "to": near_cap[k % 4]["id"]}]}, "deploy", near_cap[k % 4])
# patrols keep the engine writing: out to a near world of ours and back
for f in take(lambda f: own(Wd[f["anchor"]]), 100, "patrols"):
    home = Wd[f["anchor"]]
    away = min((w for w in Wd.values() if own(w) and w["id"] != home["id"]),
               key=lambda w: dist(home, w))
    j = submit({"fleet": f["id"], "repeat": 4, "steps": [
        {"op": "move", "to": away["id"]}, {"op": "wait", "seconds": 1},
        {"op": "move", "to": home["id"]}]})
    patrols.append((j["id"], f, home))
print("submitted %d jobs" % len(accepted))


def intents_vs_calls(when):
    """fleetsim first, then the database: a call counted by fleetsim left
    after its commit, so its row already shows the intent."""
    calls = sim.stats()["calls"]
    rows = {r[0]: r[1:] for r in
            fd.sql("SELECT id, state, step, sub_state, iteration FROM jobs")}
    for kind, (endpoint, steps, passes, jobs) in ops.items():
        committed = 0
        for jid, _ in jobs:
            state, step, sub, it = rows[jid]
            if state == "succeeded":
                committed += passes * len(steps)
                continue
            committed += it * len(steps)
            for k in steps:
                if step > k or (step == k and sub == "SENT"):
                    committed += 1
        check(calls.get(endpoint, 0) <= committed,
              "%s: fleetsim received %d %s but only %d intents are committed" %
              (when, calls.get(endpoint, 0), endpoint, committed))
    return calls


def health():
    st, b = fd.call("GET", "/healthz")
    check(st == 200, "/healthz -> %d" % st)
    return b


def metric(name):
    st, _, raw = fd.raw("GET", "/metrics")
    check(st == 200, "/metrics -> %d" % st)
    for line in raw.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    check(False, "/metrics has no %s" % name)


def live():
    return fd.sql("SELECT count(*) FROM jobs WHERE state IN "
                  "('queued','running','waiting','paused')")[0][0]


check(health()["storage"]["state"] == "ok", "storage before the fill: %s" % health())
check(metric("fleetd_store_available") == 1, "fleetd_store_available before the fill")

# --- the disk fills while jobs run -------------------------------------------------------
time.sleep(2.0)
intents_vs_calls("before the fill")
filler = os.path.join(MNT, "filler")
# unbuffered: a buffered file would keep the part of the last chunk that
# did not fit and fail again (ENOSPC) when closed, depending on how the
# free space happens to divide into chunks
with open(filler, "wb", buffering=0) as out:
    chunk = b"\0" * 65536
    try:
        while True:
            out.write(chunk)
    except OSError as e:
        check(e.errno == errno.ENOSPC, "filling: %s" % e)
print("filled: %d bytes free" % os.statvfs(MNT).f_bavail)

# submissions during the fill: accepted (201) while commits still work,
# then 503 -- from the guard, or after the commit that failed; none of the
# refused ones may be stored
refused_keys = []
after_commit = 0
outage = None
free = [f for i, f in sorted(mine.items()) if i not in used]
check(len(free) > 10, "only %d free fleets" % len(free))
spare = free[-3:]  # for the submissions during the outage
end = time.time() + 60
n = 0
while time.time() < end:
    n += 1
    key = "disk-%d" % n
    spec = {"fleet": free[n % (len(free) - 3)]["id"], "steps": [{"op": "wait", "seconds": 1}]}
    st, hdrs, raw = fd.raw("POST", "/v1/jobs", spec, {"Idempotency-Key": key})
    body = json.loads(raw)
    if st == 201:
        with lock:
            accepted.append(body["id"])
    elif st == 503:
        check(body["error"]["code"] == "storage_unavailable", "503 body: %s" % body)
        ra = hdrs.get("Retry-After")
        check(ra is not None and ra.isdigit() and int(ra) >= 1, "Retry-After: %r" % ra)
        refused_keys.append(key)
        after_commit += "could not be committed" in body["error"]["message"]
    else:
        check(st == 409, "POST during the fill -> %d %s" % (st, body))
    h = health()
    if h["storage"]["state"] == "unavailable":
        outage = h["storage"]
        break
    time.sleep(0.05)
check(outage is not None, "storage never became unavailable on a full disk: %s" % health())
shuttling = fd.sql("SELECT count(*) FROM jobs WHERE state IN ('running', 'waiting') AND id IN (%s)"
                   % ",".join(str(j) for j, _ in ops["transfer"][3]))[0][0]
print("outage: %s; %d submissions refused (%d after their commit failed); %d shuttles live" %
      (json.dumps(outage), len(refused_keys), after_commit, shuttling))
check(shuttling > 0, "the shuttles ended before the disk was full")
check("full" in outage["error"] or "I/O" in outage["error"] or "disk" in outage["error"],
      "the outage names its cause: %s" % outage)
check(outage["retry_after_s"] >= 1, "retry_after_s: %s" % outage)

# --- during the outage: writes 503, reads 200 -------------------------------------------------
def waiter(f):
    return {"fleet": f["id"], "steps": [{"op": "wait", "seconds": 1}]}


for k in range(3):
    key = "outage-%d" % k
    st, hdrs, raw = fd.raw("POST", "/v1/jobs", waiter(spare[k]), {"Idempotency-Key": key})
    check(st == 503, "POST /v1/jobs during the outage -> %d %s" % (st, raw[:200]))
    check(json.loads(raw)["error"]["code"] == "storage_unavailable", "503 body: %s" % raw)
    ra = hdrs.get("Retry-After")
    check(ra is not None and ra.isdigit() and int(ra) >= 1, "Retry-After: %r" % ra)
    refused_keys.append(key)
pj = patrols[0][0]
for path in ("/v1/jobs/%d/cancel" % pj, "/v1/jobs/%d/pause" % pj):
    st, hdrs, raw = fd.raw("POST", path)
    check(st == 503 and json.loads(raw)["error"]["code"] == "storage_unavailable" and
          hdrs.get("Retry-After"), "%s during the outage -> %d %s" % (path, st, raw[:200]))
for path in ("/v1/jobs?limit=5", "/v1/jobs/%d" % pj, "/v1/jobs/%d/events" % pj,
             "/v1/fleets", "/healthz", "/metrics"):
    st, _, raw = fd.raw("GET", path)
    check(st == 200, "GET %s during the outage -> %d %s" % (path, st, raw[:200]))
check(metric("fleetd_store_available") == 0, "fleetd_store_available during the outage")
check(metric("fleetd_store_outages_total") >= 1, "fleetd_store_outages_total")
check(metric("fleetd_store_commit_failures_total") >= 1, "fleetd_store_commit_failures_total")
# answers in flight land; no call leaves without its committed intent
for k in range(6):
    time.sleep(0.5)
    intents_vs_calls("during the outage (%d)" % k)
stored = [k for k in refused_keys
          if fd.sql("SELECT count(*) FROM jobs WHERE idem_key = ?", k)[0][0]]
check(not stored, "submissions answered 503 were stored: %s" % stored)
during = health()
check(during["storage"]["state"] == "unavailable", "still unavailable: %s" % during["storage"])
print("during the outage: %d refused submissions, %d live jobs, calls %s" % (
    len(refused_keys), live(), {e: c for e, c in sim.stats()["calls"].items()
                                if e.endswith("Fleet") or e == "buyItem"}))

# --- space returns: fleetd recovers by itself --------------------------------------------------
os.unlink(filler)
end = time.time() + 30
while time.time() < end and health()["storage"]["state"] != "ok":
    intents_vs_calls("recovering")
    time.sleep(0.2)
h = health()["storage"]
check(h["state"] == "ok", "storage did not come back: %s" % h)
print("recovered: %s (%d submissions refused after their commit)" % (json.dumps(h), after_commit))
# the ids of the rows lost with a failed commit are free again: the next
# job takes the one after the newest row stored (fleetd keeps the next id
# in memory and must read it again after a failed commit)
newest = fd.sql("SELECT max(id) FROM jobs")[0][0]
st, b = fd.call("POST", "/v1/jobs", waiter(spare[1]))
check(st == 201 and b["id"] == newest + 1,
      "first job after the outage: %d %s, newest row %d (%d refused after their commit)"
      % (st, b, newest, after_commit))
with lock:
    accepted.append(b["id"])
# a refused submission, sent again with its key, is now accepted once
st, b = fd.call("POST", "/v1/jobs", waiter(spare[0]), {"Idempotency-Key": "outage-0"})
check(st == 201, "the refused submission again -> %d %s" % (st, b))
accepted.append(b["id"])
end = time.time() + 180
while live() and time.time() < end:
    intents_vs_calls("after the outage")
    time.sleep(0.5)
check(live() == 0, "%d jobs still live after the outage" % live())

# --- nothing lost, nothing done twice ----------------------------------------------------------
rows = {r[0]: r[1:] for r in fd.sql("SELECT id, state, last_error FROM jobs")}
missing = [i for i in accepted if i not in rows]
check(not missing, "accepted jobs missing from the database: %s" % missing)
bad = [(i, rows[i]) for i in accepted if rows[i][0] != "succeeded"]
check(not bad, "jobs that did not succeed: %s" % bad[:10])
calls = intents_vs_calls("at the end")
S = sim_state(sim)


def at(fid):
    return S[fid].get("anchorObjID") if fid in S else None


for kind, (endpoint, steps, passes, jobs) in ops.items():
    want = len(jobs) * len(steps) * passes
    check(calls.get(endpoint, 0) == want, "%s: %d calls, %d actions" %
          (endpoint, calls.get(endpoint, 0), want))
for jid, f in ops["sell"][3]:
    check(sim_res(S[f["id"]], 90) == sim_res(S0[f["id"]], 90) - 10,
          "seller %d: food %d -> %d" % (f["id"], sim_res(S0[f["id"]], 90),
                                        sim_res(S[f["id"]], 90)))
for jid, f in ops["transfer"][3]:  # every ark that left came back
    check(sim_res(S[f["id"]], 170) == sim_res(S0[f["id"]], 170) and
          sim_res(S[f["anchor"]], 170) == sim_res(S0[f["anchor"]], 170),
          "shuttle %d: arks %d -> %d" % (f["id"], sim_res(S0[f["id"]], 170),
                                         sim_res(S[f["id"]], 170)))
# a purchase lands in a fleet of ours at the hub, not always the buyer
bought = sum(sim_res(S[i], 122) - sim_res(o, 122) for i, o in S0.items()
             if o.get("class") == "fleet" and o.get("sovereignID") == me and i in S)
check(bought == len(ops["buy"][3]), "our fleets gained %d frigates for %d purchases" %
      (bought, len(ops["buy"][3])))
check(sim_res(S[hub["id"]], 122) == sim_res(S0[hub["id"]], 122) - len(ops["buy"][3]),
      "hub frigate stock %d -> %d" % (sim_res(S0[hub["id"]], 122), sim_res(S[hub["id"]], 122)))
deployed = set()
for jid, dest in ops["deploy"][3]:
    j = fd.job(jid)
    check(at(j["fleet"]) == dest["id"] and sim_res(S[j["fleet"]], 122) == 1,
          "deploy job %d: fleet %s" % (jid, j["fleet"]))
    deployed.add(j["fleet"])
new = [o["id"] for o in S.values() if o.get("class") == "fleet" and o["id"] not in S0 and
       o.get("sovereignID") == me]
check(len(new) == len(ops["deploy"][3]) == len(deployed),
      "%d new fleets for %d deploys" % (len(new), len(ops["deploy"][3])))
check(sim_res(S[capital["id"]], 122) == sim_res(S0[capital["id"]], 122) - len(deployed),
      "capital frigates %d -> %d" % (sim_res(S0[capital["id"]], 122),
                                     sim_res(S[capital["id"]], 122)))
for jid, f, home in patrols:
    j = fd.job(jid)
    check(j["iteration"] == 4 and at(f["id"]) == home["id"], "patrol %d: %s" % (jid, j))
rec = fd.sql("SELECT count(*) FROM events WHERE type = 'job.reconciled'")[0][0]
check(fd.stop() == 0, "final stop")
print("ok - %d jobs through a full disk (%d refused writes, %d reconciliations), "
      "one effect per action" % (len(accepted), len(refused_keys), rec))
