#!/bin/sh
# bench/crash.sh -- `make bench-crash`: the crash matrix of the test suite
# (tests/e2e/jobs_crash.py) at bench size, by default 1,000 jobs and 50
# kill -9s, with both kinds of fleetsim fault on.  It asserts what the test
# asserts (exit 1 on any effect missing or doubled) and reports the counts:
# jobs by outcome, kills, submissions retried across a kill, faults before
# and answers lost after the effect, actions fleetsim applied per endpoint,
# and reconciliations by op and verdict.  Never part of `make check`.
#
# usage: bench/crash.sh BUILDDIR SRCDIR [JOBS [KILLS]]
# env:   FLEETD_TEST_SEED  the matrix's seed (random and printed otherwise)
#        CRASH_SPREAD      seconds over which job starts are spread
set -eu

BUILDDIR=$(cd "${1:?usage: bench/crash.sh BUILDDIR SRCDIR [JOBS [KILLS]]}" && pwd)
SRCDIR=$(cd "${2:?usage: bench/crash.sh BUILDDIR SRCDIR [JOBS [KILLS]]}" && pwd)
JOBS=${3:-1000}
KILLS=${4:-50}
for b in fleetd fleetsim; do
	[ -x "$BUILDDIR/$b" ] || { echo "bench-crash: $BUILDDIR/$b not built (run make first)" >&2; exit 1; }
done
REPORT=$BUILDDIR/bench-crash.json
rm -f "$REPORT"
# job starts spread over about a tenth of a second per job (at least the
# test's 40 s), so the kills fall while work is going on
SPREAD=${CRASH_SPREAD:-$(( JOBS / 10 > 40 ? JOBS / 10 : 40 ))}
start=$(date +%s)
rc=0
FLEETD=$BUILDDIR/fleetd FLEETSIM=$BUILDDIR/fleetsim CRASH_JOBS=$JOBS CRASH_KILLS=$KILLS \
	CRASH_SPREAD=$SPREAD CRASH_REPORT=$REPORT \
	python3 "$SRCDIR/tests/e2e/jobs_crash.py" >"$BUILDDIR/bench-crash.log" 2>&1 || rc=$?
secs=$(( $(date +%s) - start ))
grep -v '^ts=' "$BUILDDIR/bench-crash.log" | grep -v '^--- ' | tail -n 20 >&2 || true
[ -s "$REPORT" ] || { echo "bench-crash: no counts (exit $rc); see $BUILDDIR/bench-crash.log" >&2; exit 1; }
python3 - "$REPORT" "$secs" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
rows = [("seed", c["seed"]), ("jobs", c["jobs"]), ("kill -9", c["kills"]),
        ("succeeded", c["outcome"]["succeeded"]), ("failed (refused by the game)",
        c["outcome"]["failed"]), ("other end", c["outcome"]["other"]),
        ("submissions retried across a kill", c["submissions_retried"]),
        ("  of them answered as replays", c["replays"]),
        ("faults before the effect", c["faults"]), ("answers lost after it", c["lost_answers"])]
rows += [("applied %s" % k, v) for k, v in sorted(c["applied"].items())]
rows += [("reconciled %s" % k, v) for k, v in sorted(c["reconciled"].items())]
rows += [("problems", c["problems"]), ("wall seconds", int(sys.argv[2]))]
w = max(len(k) for k, _ in rows)
print("crash matrix at bench size")
for k, v in rows:
    print("  %-*s %s" % (w, k, v))
PY
exit $rc
