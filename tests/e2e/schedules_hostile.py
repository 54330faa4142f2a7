"""schedules_hostile.py -- what the schedule routes refuse: every malformed
POST /v1/schedules (a table: bad JSON, wrong types, unknown fields, a job
template POST /v1/jobs would refuse -- the same 422 invalid_job, its path
under "job." -- huge bodies, the wrong media type) gets a 4xx with the
JSON error body and stores nothing (checked in the database); bad ids
and unknown schedules are 404 on every route; a wrong method is 405;
bad list queries are 400.  fleetd is alive at the end."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jobslib import Fleetd, Sim, check, refuse_all  # noqa: E402

sim = Sim("--watch-ms", "1000", "--seed", "5", "--fleets", "10", "--worlds", "40")
fd = Fleetd(sim, extra=["--max-body", "65536", "--max-job-bytes", "4096"])
fleets = fd.wait_ready()
F = next(f["id"] for f in fleets if f["mine"])
W = next(iter(fd.worlds()))


def counts():
    return (fd.sql("SELECT count(*) FROM schedules")[0][0],
            fd.sql("SELECT count(*) FROM schedule_firings")[0][0],
            fd.sql("SELECT count(*) FROM jobs")[0][0])


def sched(**over):
    d = {"name": "s", "every": {"watches": 1},
         "job": {"fleet": F, "steps": [{"op": "move", "to": W}]}}
    d.update(over)
    return d


def tmpl(**over):
    j = {"fleet": F, "steps": [{"op": "move", "to": W}]}
    j.update(over)
    return sched(job=j)


BAD = [
    (b'{"name": "s",', 400, "invalid JSON", None),
    (b"", 400, "the body is empty", None),
    (b'{"name": "a", "name": "b"}', 400, "invalid JSON", None),
    (b'{"name": "s"} {"name": "t"}', 400, "invalid JSON", None),
    (b'{"name": ' + b"[" * 40 + b"]" * 40 + b"}", 400, "JSON nested deeper", None),
    ([], 422, "(body): must be a JSON object", None),
    ("every watch", 422, "(body): must be a JSON object", None),
    (sched(colour="red"), 422, "colour: unknown field", None),
    ({"every": {"watches": 1}, "job": {}}, 422, "name: is required", None),
    (sched(name=""), 422, "name: must be a string", None),
    (sched(name="x" * 101), 422, "name: must be a string", None),
    (sched(name=5), 422, "name: must be a string", None),
    (sched(name="a\u0007b"), 422, "name: must be a string", None),
    ({"name": "s", "job": {}}, 422, "every: is required", None),
    (sched(every=1), 422, "every: must be", None),
    (sched(every={}), 422, "every: must be", None),
    (sched(every={"minutes": 5}), 422, "every: must be", None),
    (sched(every={"watches": 1, "seconds": 60}), 422, "every: must be", None),
    (sched(every={"watches": 0}), 422, "every.watches: must be an integer", None),
    (sched(every={"watches": -3}), 422, "every.watches: must be an integer", None),
    (sched(every={"watches": 2.5}), 422, "every.watches: must be an integer", None),
    (sched(every={"watches": "1"}), 422, "every.watches: must be an integer", None),
    (sched(every={"watches": 10 ** 6}), 422, "every.watches: must be an integer", None),
    (sched(every={"seconds": 10 ** 12}), 422, "every.seconds: must be an integer", None),
    (sched(every={"seconds": 2 ** 63}), 400, "invalid JSON", None),
    (sched(overlap="queue"), 422, "overlap: must be", None),
    (sched(overlap=None), 422, "overlap: must be", None),
    (sched(catch_up="all"), 422, "catch_up: must be", None),
    (sched(catch_up=1), 422, "catch_up: must be", None),
    (sched(start_at="tomorrow"), 422, "start_at: must be an RFC 3339", None),
    (sched(start_at=1767225600), 422, "start_at: must be an RFC 3339", None),
    (sched(start_at="2099-01-01T00:00:00Z"), 422, "start_at: must be within a year", None),
    ({"name": "s", "every": {"watches": 1}}, 422, "job: is required", None),
    (sched(job="move fleet"), 422, "job: must be a job object", None),
    (sched(job=[]), 422, "job: must be a job object", None),
    (tmpl(start_at="2026-01-01T00:00:00Z"), 422, "job.start_at: a schedule's job", None),
    (sched(job={"fleets": [F], "steps": [{"op": "move", "to": W}]}), 422,
     "job.fleets: a schedule's job may not be a group", None),
    # the job validator of POST /v1/jobs, its paths under "job."
    (sched(job={"fleet": F}), 422, "job.steps: is required", None),
    (tmpl(steps=[{"op": "teleport"}]), 422, "job.steps[0].op: must be one of", None),
    (tmpl(steps=[{"op": "move", "to": "x"}]), 422, "job.steps[0].to: must be a world id", None),
    (tmpl(owner=3), 422, "job.owner: unknown field", None),
    (tmpl(fleet=987654321), 422, "job.fleet: no fleet 987654321", None),
    (tmpl(fleet="x"), 422, "job.fleet: must be a fleet id", None),
    (tmpl(repeat="yes"), 422, "job.repeat: must be", None),
    (sched(job={"steps": [{"op": "move", "to": W}]}), 422, "job.fleet: is required unless", None),
    (tmpl(steps=[{"op": "move", "to": W}] * 200), 413, None, None),
    (sched(), 415, "send Content-Type: application/json", {"Content-Type": "text/plain"}),
    (b'{"name": "' + b"x" * 70000 + b'"}', 413, None, None),
]
check(len(BAD) >= 30, "table too small")


def own_code(i, status, err):
    """The job validator's refusals are the job routes' own code; the
    schedule's rules (start_at belongs to the schedule) are its own."""
    if status != 422:
        return
    own = err["message"].startswith(("job.start_at: a schedule", "job.fleets: a schedule"))
    want = "invalid_job" if err["message"].startswith("job.") and not own \
        else "invalid_schedule"
    check(err["code"] == want, "case %d: code %s, want %s" % (i, err["code"], want))


before = counts()
refuse_all(fd, "/v1/schedules", BAD, counts, own_code)
print("ok - %d malformed schedules refused, nothing stored" % len(BAD))

# the same template is refused by POST /v1/jobs with the same message
st, a = fd.call("POST", "/v1/jobs", {"fleet": F, "steps": [{"op": "teleport"}]})
st2, b = fd.call("POST", "/v1/schedules", tmpl(steps=[{"op": "teleport"}]))
check(st == st2 == 422 and a["error"]["code"] == b["error"]["code"] and
      "job." + a["error"]["message"] == b["error"]["message"],
      "one validator: %r vs %r" % (a, b))

# ids, methods and queries
for path in ("/v1/schedules/999999", "/v1/schedules/0", "/v1/schedules/abc",
             "/v1/schedules/-1", "/v1/schedules/99999999999999999999"):
    st, b = fd.call("GET", path)
    check(st == 404 and b["error"]["code"] == "not_found", "GET %s -> %d %r" % (path, st, b))
    for verb, sub in (("DELETE", ""), ("POST", "/pause"), ("POST", "/resume")):
        st, _, data = fd.raw(verb, path + sub)
        check(st == 404, "%s %s%s -> %d %r" % (verb, path, sub, st, data[:100]))
for verb, path in (("PUT", "/v1/schedules"), ("DELETE", "/v1/schedules"),
                   ("PATCH", "/v1/schedules/1"), ("GET", "/v1/schedules/1/pause"),
                   ("PUT", "/v1/schedules/1/resume")):
    st, _, data = fd.raw(verb, path, b"{}")
    check(st in (404, 405), "%s %s -> %d" % (verb, path, st))
    check(st == 405 or "pause" in path or "resume" in path,
          "%s %s -> %d, want 405" % (verb, path, st))
for q in ("limit=0", "limit=1001", "limit=x", "cursor=-1", "cursor=abc", "limit="):
    st, b = fd.call("GET", "/v1/schedules?" + q)
    check(st == 400 and b["error"]["code"] == "bad_query", "?%s -> %d %r" % (q, st, b))
for q in ("schedule=0", "schedule=x", "schedule=-2"):
    st, b = fd.call("GET", "/v1/jobs?" + q)
    check(st == 400 and b["error"]["code"] == "bad_query", "/v1/jobs?%s -> %d %r" % (q, st, b))
check(counts() == before, "the refusals stored something: %s -> %s" % (before, counts()))
check(fd.proc.poll() is None, "fleetd died on bad input")
fd.stop()
sim.stop()
print("ok - ids, methods and queries refused")
