"""triggers_match.py -- the "triggers" group of make bench (issue 17, point
7): what 1,000 triggers cost fleetd per watch while 1,000 of the player's
fleets travel (each a changed object in every watch's delta, and an
arrival -- a fleet.arrived event through the trigger tap -- when it gets
there), and that the upstream calls stay one getObjects per watch.

One fleetsim (--watch-ms 2000) and one fleetd.  1,000 of the player's
fleets are sent (by the game's /sim/move test route) to worlds 5 to 30
watches away.  fleetd's CPU time is measured over whole watches (from
just after one watch's getObjects has been handled to the same point
WATCHES later) without triggers, then again once 1,000 triggers are in:
500 fleet.arrived triggers filtered by a world no fleet goes to (the
index by world answers them with one lookup) and 500 filtered by a fleet
that stays home (in the list every arrival is checked against), so each
arrival is matched and none fires a job: the figure is the matching,
not the jobs it would make.  Per run: CPU ms per watch with and
without, their difference, getObjects per watch, and the changed objects
and tapped events per watch in the window.

Alone: triggers_match.py --builddir BUILD [--runs N] prints the figures."""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WATCH_MS = 2000
FLEETS, WORLDS = 1400, 1500   # about 1,050 of the fleets are the player's
MOVERS = 1000
TRIGGERS = 1000
WATCHES = 4                   # measured per run


def far_worlds(fd, F, Wd, me):
    """For each mover, a world 5 to 30 watches of its speed away."""
    plan = {}
    worlds = sorted(Wd.values(), key=lambda w: w["id"])
    for i, f in enumerate(x for x in F.values() if x["mine"] and x["anchor"]):
        if len(plan) == MOVERS:
            break
        here = Wd[f["anchor"]]["position"]
        # distance does the spreading: any world a fair way off
        for k in range(len(worlds)):
            w = worlds[(i * 7919 + k) % len(worlds)]
            d = ((w["position"]["x"] - here["x"]) ** 2 +
                 (w["position"]["y"] - here["y"]) ** 2) ** 0.5
            if 150 < d < 900 and w["id"] != f["anchor"]:
                plan[f["id"]] = w["id"]
                break
    return plan


def window(sim, daemon, settle_cpu, watches):
    """CPU ns and getObjects calls of fleetd over `watches` whole watches,
    each end taken once fleetd is quiet after that watch's poll."""
    def boundary():
        n0 = sim.stats()["calls"]["getObjects"]
        end = time.time() + 10 * WATCH_MS / 1000
        while sim.stats()["calls"]["getObjects"] == n0 and time.time() < end:
            time.sleep(0.02)
        cpu = settle_cpu(daemon, 0.25)
        s = sim.stats()
        return cpu, s["calls"]["getObjects"], s["watch"]
    c0, g0, w0 = boundary()
    for _ in range(watches - 1):
        boundary()
    c1, g1, w1 = boundary()
    return (c1 - c0) / 1e6 / max(1, w1 - w0), (g1 - g0) / max(1, w1 - w0), w1 - w0


def count_since(db, after):
    import sqlite3
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return c.execute("SELECT count(*) FROM events WHERE id > ? AND type IN "
                         "('fleet.arrived', 'world.attacked', 'fleet.sighted', "
                         "'world.lost', 'world.gained')", (after,)).fetchone()[0], \
            c.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    finally:
        c.close()


def one_run(jobslib, simlib, Proc, settle_cpu, scratch, run, say):
    sim = simlib.Sim("--watch-ms", str(WATCH_MS), "--seed", str(40 + run), "--fleets",
                     str(FLEETS), "--worlds", str(WORLDS), name="trig-sim-%d" % run)
    db = os.path.join(scratch, "trig-%d.db" % run)
    fd = jobslib.Fleetd(sim, db, "trig-%d" % run, rate=1000)
    daemon = Proc.of("trig-%d" % run, fd.proc)
    fd.wait_ready(120)
    F, Wd = fd.fleets(), fd.worlds()
    me = next(f["sovereign"] for f in F.values() if f["mine"])
    plan = far_worlds(fd, F, Wd, me)
    for fleet, world in plan.items():
        st, b = sim.raw("POST", "/sim/move", {"fleet": fleet, "to": world})
        assert st == 200, "/sim/move %d: %d %r" % (fleet, st, b[:200])
    window(sim, daemon, settle_cpu, 1)  # the first deltas of the moves
    _, last = count_since(db, 0)
    base_ms, base_calls, nw = window(sim, daemon, settle_cpu, WATCHES)
    ev0, last = count_since(db, last)
    dests = set(plan.values())
    spare_worlds = [w for w in sorted(Wd) if w not in dests][:TRIGGERS // 2]
    home = [f for f in sorted(F) if F[f]["mine"] and f not in plan][:TRIGGERS // 2]
    job = {"world": "$world", "steps": [{"op": "wait", "seconds": 1}]}
    for i in range(TRIGGERS):
        where = ({"world": spare_worlds[i // 2 % len(spare_worlds)]} if i % 2 == 0
                 else {"fleet": home[i // 2 % len(home)]})
        st, b = fd.call("POST", "/v1/triggers", {"name": "bench %d" % i, "on": "fleet.arrived",
                                                 "where": where, "job": job})
        assert st == 201, "POST /v1/triggers: %d %s" % (st, b)
    with_ms, with_calls, nw2 = window(sim, daemon, settle_cpu, WATCHES)
    ev1, _ = count_since(db, last)
    moving = sum(1 for f in fd.fleets().values() if f.get("destination"))
    fired = fd.sql("SELECT count(*) FROM trigger_firings")[0][0]
    fd.stop()
    sim.stop()
    say("triggers run %d: %.2f ms/watch without, %.2f with %d triggers; getObjects/watch "
        "%.2f -> %.2f; %d game events in %d watches without, %d in %d with; %d still "
        "moving at the end; %d firings" % (run, base_ms, with_ms, TRIGGERS, base_calls,
                                           with_calls, ev0, nw, ev1, nw2, moving, fired))
    return base_ms, with_ms, base_calls, with_calls, (ev0 + ev1) / max(1, nw + nw2)


def group(scratch, runs, fig, commands, notes, jobslib, simlib, Proc, settle_cpu, say):
    say("triggers: 1,000 triggers while 1,000 fleets travel")
    res = [one_run(jobslib, simlib, Proc, settle_cpu, scratch, r, say) for r in range(runs)]
    fig("triggers", "fleetd CPU per watch, %d fleets travelling (changed in every delta), "
        "no triggers" % MOVERS, "ms", [r[0] for r in res])
    fig("triggers", "the same with %d fleet.arrived triggers (half by world, half by fleet; "
        "none fires)" % TRIGGERS, "ms", [r[1] for r in res])
    fig("triggers", "trigger matching cost per watch (the difference)", "ms",
        [r[1] - r[0] for r in res])
    fig("triggers", "getObjects per watch with %d triggers" % TRIGGERS, "",
        [r[3] for r in res], "1", lambda v: v <= 1.0, fmt="%.2f")
    fig("triggers", "arrivals (events through the tap) per watch in the windows", "",
        [r[4] for r in res], fmt="%.1f")
    commands["triggers"] = [
        "fleetsim --watch-ms %d --fleets %d --worlds %d; %d fleets sent by /sim/move; "
        "fleetd CPU (schedstat) over %d watches before and after POSTing %d triggers"
        % (WATCH_MS, FLEETS, WORLDS, MOVERS, WATCHES, TRIGGERS)]
    notes["triggers"] = [
        "Matching runs in the event log's tap: an event type no trigger watches costs "
        "a comparison; a watched one a parse of its data and the index lookup."]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "e2e")]
    import jobslib  # noqa: E402
    import simlib  # noqa: E402
    from benchlib import SCRATCH, Figure, Proc, say, settle_cpu  # noqa: E402
    simlib.FLEETSIM = os.path.join(args.builddir, "fleetsim")
    jobslib.FLEETD = os.path.join(args.builddir, "fleetd")
    figs, cmds, nts = [], {}, {}
    group(SCRATCH, args.runs, lambda *a, **k: figs.append(Figure(*a, **k)), cmds, nts,
          jobslib, simlib, Proc, settle_cpu, say)
    for f in figs:
        print("%-100s %s  (runs: %s) %s" % (f.label, f.cells()[0], f.cells()[1], f.verdict()))
    print("load:", open("/proc/loadavg").read().strip())
    print(json.dumps(cmds))
