"""schedules_crash.py -- schedules under kill -9 (issue 17 point 6): forty
schedules every watch and one every second, fleetsim's watches fast
(250 ms), fleetd killed with SIGKILL at random moments (some kills land
in the middle of a batch of firings) and restarted on the same database
after a random pause, several times.  Then, from fleetd's database:

  - each schedule's firing rows cover the numbers 0..N once each, in
    order (no number twice: the key; no number unrecorded: no gap);
  - its jobs are exactly the jobs of its `fired` rows: a job made by the
    schedule that no row records would be a second firing;
  - no two jobs of a watch schedule were fired for the same watch;
  - `missed` rows (catch_up "one") are followed at once by the firing
    that ran for them, and each watch they cover lies inside a time
    fleetd was down (between a kill and the first watch after the
    restart, a watch of slack either side) or is a watch fleetd never
    saw (fast watches: the game went two watches on between two reads;
    the `watch` events say which it saw);
  - every schedule fired again after the last restart.

Sizes from the environment: SCHED_KILLS (6), FLEETD_TEST_SEED (random;
printed)."""
import json
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jobslib import Fleetd, Sim, check, fail  # noqa: E402

KILLS = int(os.environ.get("SCHED_KILLS", "6"))
SEED = int(os.environ.get("FLEETD_TEST_SEED", "0")) or random.randrange(1, 1 << 30)
print("seed %d, %d kills" % (SEED, KILLS))
rnd = random.Random(SEED)

sim = Sim("--watch-ms", "250", "--seed", str(1 + SEED % 997), "--fleets", "100",
          "--worlds", "60")
fd = Fleetd(sim)
fd.wait_ready()
mine = [f for f in fd.fleets().values() if f["mine"] and f["anchor"]][:41]
check(len(mine) == 41, "want 41 of my fleets anchored, have %d" % len(mine))


def create(body):
    st, b = fd.call("POST", "/v1/schedules", body)
    check(st == 201, "POST /v1/schedules -> %d %s" % (st, b))
    return b["id"]


# a move to where the fleet is ends at once: each firing's job is done
# before the next, so every firing that runs makes a job
def job(f):
    return {"fleet": f["id"], "steps": [{"op": "move", "to": f["anchor"]}]}


watch_ids = [create({"name": "w%d" % i, "every": {"watches": 1}, "job": job(f)})
             for i, f in enumerate(mine[:40])]
sec_id = create({"name": "s", "every": {"seconds": 1}, "job": job(mine[40])})

down = []  # (watch at the kill, watch when fleetd had the galaxy again)
for k in range(KILLS):
    time.sleep(rnd.uniform(0.3, 1.6))
    w_kill = sim.stats()["watch"]
    fd.stop(signal.SIGKILL)
    time.sleep(rnd.choice([0, 0.1, 0.6, 1.2]))
    fd.start()
    fd.wait_ready()
    down.append((w_kill, sim.stats()["watch"]))
restarted = sim.stats()["watch"]
time.sleep(1.5)
fd.stop()
print("downtimes (watches): %s" % down)


def rows(sid):
    return fd.sql("SELECT firing, through, due, outcome, job FROM schedule_firings "
                  "WHERE schedule = ? ORDER BY firing", sid)


seen = {int(float(json.loads(d)["watch"]))
        for (d,) in fd.sql("SELECT data FROM events WHERE type = 'watch'")}


def unseen_or_down(w0, w1):
    return all(w not in seen or any(a - 1 <= w <= b + 1 for a, b in down)
               for w in range(w0, w1 + 1))


total = {"fired": 0, "skipped": 0, "missed": 0}
for sid in watch_ids + [sec_id]:
    rs = rows(sid)
    check(rs, "schedule %d never fired" % sid)
    n = 0
    for i, (firing, through, due, outcome, jid) in enumerate(rs):
        check(firing == n, "schedule %d: firing %d recorded after %d (%r)" %
              (sid, firing, n - 1, rs[max(0, i - 2):i + 2]))
        n = through + 1
        total[outcome] += through - firing + 1
        check((outcome == "fired") == (jid is not None),
              "schedule %d firing %d: %s with job %r" % (sid, firing, outcome, jid))
        if outcome == "missed":
            check(i + 1 < len(rs) and rs[i + 1][3] == "fired" and rs[i + 1][0] == through + 1,
                  "schedule %d: missed %d..%d not followed by the firing that ran: %r" %
                  (sid, firing, through, rs[i:i + 2]))
            if sid != sec_id:
                check(unseen_or_down(due, due + through - firing),
                      "schedule %d: watches %d..%d missed while fleetd was up (down: %s)" %
                      (sid, due, due + through - firing, down))
    fired = sorted(r[4] for r in rs if r[3] == "fired")
    jobs = sorted(j for (j,) in fd.sql("SELECT id FROM jobs WHERE schedule = ?", sid))
    check(fired == jobs, "schedule %d: jobs %r, fired rows name %r" % (sid, jobs, fired))
    if sid != sec_id:
        dues = [r[2] for r in rs if r[3] == "fired"]
        check(len(dues) == len(set(dues)), "schedule %d fired twice in one watch" % sid)
        check(max(dues) >= restarted, "schedule %d did not fire after the last restart" % sid)
    bad = fd.sql("SELECT count(*) FROM jobs WHERE schedule = ? AND state != 'succeeded'", sid)
    check(bad[0][0] == 0, "schedule %d: %d jobs did not succeed" % (sid, bad[0][0]))
sim.stop()
print("ok - %d kills: %d firings fired, %d missed, %d skipped; none twice, no gap" %
      (KILLS, total["fired"], total["missed"], total["skipped"]))
