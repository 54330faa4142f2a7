"""post_profile.py -- the durable POST /v1/jobs of bench.py's HTTP figures
with fleetd under callgrind: instructions per POST do not move with the
load of the machine, so a change to the POST path can be measured on a
shared machine.  Run by hand, not by `make bench`.

usage: python3 bench/post_profile.py BUILDDIR OUT
env:   WAITING (default 10000): jobs already waiting, as in bench.py's HTTP
       rounds; CONNS (64): wrk's connections; SECONDS (6): wrk's run.

fleetd and fleetsim start as bench.py starts them (its galaxy; a watch of
an hour, so no watch falls in the window); WAITING `wait` jobs are posted
natively first.  fleetd then starts again on that database under
`valgrind --tool=callgrind --instr-atstart=no`; instrumentation is on
(callgrind_control -i on / -i off) while `wrk -t2 -cCONNS` posts
bench/post_jobs.lua, a new fleet per request, and until fleetd has
answered.  Every POST makes a job, so the POSTs handled are the rows added.
Printed: instructions per POST in all, without the group commit (its share
falls as more POSTs share a commit, which the load decides), and without
libmicrohttpd's zeroing of each connection's memory pool as well (valgrind
counts each byte of a `rep stosb` as an instruction; the CPU does not).
The profile is OUT/callgrind.out.post; read it with `callgrind_annotate
--inclusive=yes`."""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "e2e")]
import bench  # noqa: E402
import jobslib  # noqa: E402
import simlib  # noqa: E402
from benchlib import say  # noqa: E402


class Args:
    def __init__(self, build):
        self.builddir, self.srcdir = build, os.path.join(HERE, "..")


def inclusive(annotated, pattern):
    """Sum of the inclusive counts of the functions matching pattern (each
    counted once: the annotated sources that follow the table name some of
    them again)."""
    seen = {}
    for line in annotated.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+)", line)
        if m and "=>" not in line and re.search(pattern, m.group(2)):
            seen.setdefault(m.group(2), int(m.group(1).replace(",", "")))
    return sum(seen.values())


def main():
    build, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    waiting = int(os.environ.get("WAITING", "10000"))
    conns = int(os.environ.get("CONNS", "64"))
    seconds = int(os.environ.get("SECONDS", "6"))
    os.makedirs(out, exist_ok=True)
    bench.use_build(Args(build))
    bench.WATCH_MS = 3600 * 1000
    gal = bench.Galaxy(Args(build))
    db = os.path.join(bench.SCRATCH, "jobs.db")
    fd = bench.Fleetd(gal.sim, db, "fleetd-native")
    bench.wait_loaded(fd)
    bench.post_range(fd, gal.first, waiting, waiting, db)
    fd.daemon.stop()
    profile = os.path.join(out, "callgrind.out.post")
    wrapper = os.path.join(bench.SCRATCH, "fleetd-callgrind.sh")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec valgrind --tool=callgrind --instr-atstart=no "
                "--callgrind-out-file=%s %s/fleetd \"$@\"\n" % (profile, build))
    os.chmod(wrapper, 0o755)
    jobslib.FLEETD = wrapper
    simlib.START_TIMEOUT = 600
    fd = bench.Fleetd(gal.sim, db, "fleetd-callgrind")
    bench.wait_loaded(fd, 900)
    time.sleep(1)
    before = bench.db_count(db, "1")
    pid = str(fd.proc.pid)
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    lua = os.path.join(HERE, "post_jobs.lua")
    subprocess.run(["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--timeout", "30s",
                    "-s", lua, fd.base + "/v1/jobs", "--", str(gal.first + waiting),
                    "30000", str(bench.WEEK), "2"], check=True, capture_output=True)
    time.sleep(1)
    subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
    fd.stop(timeout=120)
    posts = bench.db_count(db, "1") - before
    # the profile is written as valgrind exits: read it once it stops growing
    size = -1
    while size != os.path.getsize(profile):
        size = os.path.getsize(profile)
        time.sleep(1)
    # run from OUT: started in the source tree, callgrind_annotate lists a
    # function twice (once by the build's relative path), doubling the sums
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--auto=no", profile],
                         capture_output=True, text=True, errors="replace", cwd=out).stdout
    total = int(re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", ann).group(1).replace(",", ""))
    commit = inclusive(ann, r"commit\.c:commit_(turn|idle)$")
    zeroing = inclusive(ann, r"memset.*\.S:__memset")
    handler = inclusive(ann, r"http\.c:on_request$")
    say("%d POSTs handled (wrk -t2 -c%d, %d s; %d jobs waiting before)" % (posts, conns,
                                                                          seconds, waiting))
    say("instructions per POST: %.0f in all, %.0f without the group commit, %.0f without "
        "memset too (nearly all of it libmicrohttpd zeroing pools); the handler (on_request) %.0f"
        % (total / posts, (total - commit) / posts, (total - commit - zeroing) / posts,
           handler / posts))
    say("profile: " + profile)


if __name__ == "__main__":
    main()
