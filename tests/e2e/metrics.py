"""metrics.py -- GET /metrics parses as Prometheus text (with the
prometheus_client parser from Debian's python3-prometheus-client, plus
stricter checks of our own: TYPE before samples, no duplicate series,
cumulative buckets) and its counters move as expected: HTTP requests by
route and status, the loop and commit histograms, open connections, jobs
by state and transitions through a job's life, and (against fleetsim)
upstream calls by endpoint, getObjects per watch and logins."""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import Daemon, check, fail, fleetd, need_modules, request, run  # noqa: E402

(prom_parser,) = need_modules("prometheus_client.parser")

TOKEN = "tok-metrics-3e1f"
AUTH = {"Authorization": "Bearer " + TOKEN}
NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def scrape(d):
    st, hdrs, body = request(d.url + "/metrics", headers=AUTH)
    check(st == 200, "/metrics gave %s" % st)
    ctype = hdrs.get("Content-Type", "")
    check(ctype.startswith("text/plain; version=0.0.4"), "content type %s" % ctype)
    text = body.decode()
    strict_checks(text)
    samples = {}
    for fam in prom_parser.text_string_to_metric_families(text):
        check(NAME.match(fam.name), "bad family name %s" % fam.name)
        for s in fam.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            check(key not in samples, "duplicate series %s" % (key,))
            samples[key] = s.value
    return samples


def strict_checks(text):
    """What the lenient parser lets through."""
    check(text.endswith("\n"), "exposition does not end with a newline")
    typed = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            check(name not in typed, "family %s typed twice" % name)
            check(kind in ("counter", "gauge", "histogram", "summary", "untyped"),
                  "type %s" % kind)
            typed[name] = kind
        elif line.startswith("#") or not line:
            continue
        else:
            name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            check(name in typed or base in typed, "sample %s before its TYPE" % name)


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def buckets_cumulative(samples, name, **labels):
    rows = []
    for (n, lbl), v in samples.items():
        d = dict(lbl)
        le = d.pop("le", None)
        if n == name + "_bucket" and d == labels:
            rows.append((float(le), v))
    rows.sort()
    check(rows and rows[-1][0] == float("inf"), "%s has no +Inf bucket" % name)
    for (_, a), (_, b) in zip(rows, rows[1:]):
        check(a <= b, "%s buckets not cumulative: %s" % (name, rows))
    check(rows[-1][1] == value(samples, name + "_count", **labels),
          "%s +Inf bucket != _count" % name)


def main(scratch, daemons):
    with open(os.path.join(scratch, "token"), "w") as f:
        f.write(TOKEN + "\n")
    d = fleetd(scratch, daemons, "metrics", "--api-token-file",
               os.path.join(scratch, "token"))
    s0 = scrape(d)
    hz = ("fleetd_http_requests_total",)
    before = value(s0, *hz, method="GET", route="/healthz", status="200") or 0
    for _ in range(3):
        check(request(d.url + "/healthz")[0] == 200, "healthz")
    check(request(d.url + "/nope/1", headers=AUTH)[0] == 404, "404")
    check(request(d.url + "/metrics")[0] == 401, "401")
    s1 = scrape(d)
    got = value(s1, *hz, method="GET", route="/healthz", status="200")
    check(got == before + 3, "healthz 200 count %s -> %s" % (before, got))
    check(value(s1, *hz, method="GET", route="unmatched", status="404") == 1,
          "unmatched 404 not counted once")
    # the 401 was refused before routing: it counts as unmatched
    check(value(s1, *hz, method="GET", route="unmatched", status="401") == 1,
          "401 not counted")
    # the first scrape was itself counted once it completed
    check(value(s1, *hz, method="GET", route="/metrics", status="200") >= 1,
          "scrape not counted")
    buckets_cumulative(s1, "fleetd_http_request_duration_seconds",
                       method="GET", route="/healthz")
    check(value(s1, "fleetd_http_request_duration_seconds_count",
                method="GET", route="/healthz") == before + 3, "duration count")
    buckets_cumulative(s1, "fleetd_loop_turn_duration_seconds")
    buckets_cumulative(s1, "fleetd_store_commit_duration_seconds")
    check(value(s1, "fleetd_loop_turns_total") > value(s0, "fleetd_loop_turns_total"),
          "loop turns did not move")
    check(value(s1, "fleetd_loop_turn_duration_seconds_count") >
          value(s0, "fleetd_loop_turn_duration_seconds_count"), "turn histogram still")
    # the scrape's own connection is open while it is answered
    check(value(s1, "fleetd_http_connections_open") >= 1, "open connections")
    check(value(s1, "fleetd_http_connections_limit") == 512, "connection limit")
    check(value(s1, "fleetd_build_info", version=value_label(s1, "fleetd_build_info")) == 1,
          "build info")
    check(value(s1, "fleetd_metrics_scrapes_total") == 2, "scrapes")
    for fam in ("fleetd_store_commits_total", "fleetd_start_time_seconds",
                "fleetd_store_checkpoints_total", "fleetd_store_wal_frames"):
        check(value(s1, fam) is not None, "missing %s" % fam)
    # the job engine's numbers move with a job's life
    st, _, body = request(d.url + "/v1/jobs", "POST",
                          json.dumps({"fleet": 3, "steps": [{"op": "wait", "seconds": 3600}]}),
                          dict(AUTH, **{"Content-Type": "application/json"}))
    check(st == 201, "submit gave %s %r" % (st, body))
    job = json.loads(body)["id"]
    s2 = scrape(d)
    check(value(s2, "fleetd_jobs", state="waiting") == 1, "waiting job not counted")
    t2 = value(s2, "fleetd_job_transitions_total")
    check(t2 >= 1, "no transition counted")
    st, _, _ = request(d.url + "/v1/jobs/%d/cancel" % job, "POST", "{}",
                       dict(AUTH, **{"Content-Type": "application/json"}))
    check(st == 200, "cancel gave %s" % st)
    s3 = scrape(d)
    check(value(s3, "fleetd_jobs", state="waiting") == 0, "cancelled job still waiting")
    check(value(s3, "fleetd_jobs", state="cancelled") == 1, "cancelled job not counted")
    check(value(s3, "fleetd_job_transitions_total") > t2, "transitions did not move")
    check(value(s3, "fleetd_store_wal_frames") > 0, "the commits left no page in the WAL")
    check(value(s3, "fleetd_store_commits_total") > value(s1, "fleetd_store_commits_total"),
          "commits did not move")
    # the counts read back from the table at a start (engine.c load_counts:
    # succeeded is the total less the others, jobs_state holding none)
    hdr = dict(AUTH, **{"Content-Type": "application/json"})
    quick = []
    for fleet, secs in ((4, 1), (5, 1), (6, 3600)):
        st, _, body = request(d.url + "/v1/jobs", "POST", json.dumps(
            {"fleet": fleet, "steps": [{"op": "wait", "seconds": secs}]}), hdr)
        check(st == 201, "submit gave %s %r" % (st, body))
        if secs == 1:
            quick.append(json.loads(body)["id"])
    for _ in range(200):
        states = [json.loads(request(d.url + "/v1/jobs/%d" % j, headers=AUTH)[2])["state"]
                  for j in quick]
        if states == ["succeeded", "succeeded"]:
            break
        time.sleep(0.05)
    check(states == ["succeeded", "succeeded"], "1 s waits ended as %s" % states)
    names = ("queued", "running", "waiting", "paused", "succeeded", "failed", "cancelled")
    s4 = scrape(d)
    want = {n: value(s4, "fleetd_jobs", state=n) for n in names}
    check(want["succeeded"] == 2 and want["waiting"] == 1 and want["cancelled"] == 1,
          "counts before the restart %s" % want)
    check(d.stop() == 0, "fleetd exit status")
    d = fleetd(scratch, daemons, "metrics", "--api-token-file",
               os.path.join(scratch, "token"))
    s5 = scrape(d)
    got = {n: value(s5, "fleetd_jobs", state=n) for n in names}
    check(got == want, "counts after a restart %s, before %s" % (got, want))
    check(d.stop() == 0, "fleetd exit status")

    # with a game: upstream calls by endpoint, getObjects per watch
    if os.access(os.environ.get("FLEETSIM", ""), os.X_OK):
        sim = Daemon(scratch, "sim", [os.environ["FLEETSIM"], "--listen", "127.0.0.1:0",
                                      "--watch-ms", "300"])
        daemons.append(sim)
        g = fleetd(scratch, daemons, "game", "--api-token-file", os.path.join(scratch, "token"),
                   "--upstream", sim.url + "/api/", "--username", "demo",
                   env={"FLEETD_PASSWORD": "demo"})
        for _ in range(400):
            sg = scrape(g)
            if (value(sg, "fleetd_watches_total") or 0) >= 2:
                break
            time.sleep(0.05)
        check(value(sg, "fleetd_watches_total") >= 2, "no watches counted")
        check(value(sg, "fleetd_upstream_calls_total", endpoint="login") >= 1, "login calls")
        check(value(sg, "fleetd_upstream_calls_total", endpoint="getObjects") >= 2,
              "getObjects calls")
        check(value(sg, "fleetd_getobjects_total", kind="full") == 1, "full loads")
        check(value(sg, "fleetd_getobjects_total", kind="delta") >= 1, "deltas")
        check(value(sg, "fleetd_session_logins_total") == 1, "logins")
        check(value(sg, "fleetd_getobjects_per_watch") > 0, "getObjects per watch")
        buckets_cumulative(sg, "fleetd_upstream_latency_seconds", endpoint="getObjects")
        check(value(sg, "fleetd_upstream_errors_total", endpoint="getObjects",
                    kind="transient") == 0, "errors on a healthy game")
        check(g.stop() == 0, "fleetd (game) exit status")
        check(sim.stop() == 0, "fleetsim exit status")


def value_label(samples, name):
    for (n, lbl) in samples:
        if n == name:
            return dict(lbl).get("version")
    fail("no %s" % name)


run(main)
