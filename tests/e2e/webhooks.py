"""webhooks.py -- webhooks end to end: a real fleetd (no game needed: job
ends are the events) and a local receiver (receiver.py) started here.

- hostile registrations: bad JSON, wrong media type, wrong types, unknown
  fields, a key file path, URLs with other schemes or credentials (never
  echoed), a huge body, bad ids, wrong methods, bad queries;
- the secret: returned once in the 201 (given, or 64 hex digits made by
  fleetd), never in a later answer, never in the log (debug level);
- signature: every POST carries X-Fleetd-Signature = HMAC-SHA256 of the
  body with the secret, verified here;
- order: the deliveries of a webhook come in the order of their events;
- receiver down while events happen, fleetd killed -9 meanwhile, then
  the receiver up: nothing lost, order kept;
- Discord format: only Discord's execute-webhook fields, content one line
  of at most 2000 characters;
- a redirect is not followed (the target is never hit; 302 recorded);
- a dead letter after the (shortened) --webhook-max-age, then
  redelivered by POST .../redeliver once the receiver is there;
- DELETE stops deliveries: no attempt begins after its answer; only the
  one it abandoned (fleetd logs it), whose request may already have been
  written, may still land; one still connecting never does;
- ids are not reused: a webhook registered after the newest one was
  deleted, while that one's delivery was still in flight, gets a new id
  and lists none of the deleted one's deliveries (the deleted one's id
  was the new one's before migration 0014); that transfer is abandoned
  by the DELETE and never written as anyone's delivery."""
import json
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jobslib import Fleetd, check, until  # noqa: E402
from receiver import Receiver, signature  # noqa: E402

SECRET = "test-secret-0123456789-abcdef"



def register(fd, body, expect=201):
    st, b = fd.call("POST", "/v1/webhooks", body)
    check(st == expect, "POST /v1/webhooks %r -> %d %s" % (body.get("url"), st, b))
    return b


def refused(fd, body, status, code, raw=None, ctype="application/json"):
    data = raw if raw is not None else json.dumps(body).encode()
    st, _, out = fd.raw("POST", "/v1/webhooks", data,
                        {"Content-Type": ctype} if ctype else None)
    check(st == status, "%r -> %d %s (wanted %d)" % (data[:80], st, out[:200], status))
    check(code.encode() in out, "%r: no %s in %s" % (data[:80], code, out[:200]))
    return out


def cancelled_job(fd, fleet):
    j = fd.submit({"fleet": fleet, "steps": [{"op": "wait", "seconds": 3600}]})
    st, _ = fd.call("POST", "/v1/jobs/%d/cancel" % j["id"])
    check(st in (200, 202), "cancel %d -> %d" % (j["id"], st))
    return j["id"]


def deliveries(fd, hook, q=""):
    st, b = fd.call("GET", "/v1/webhooks/%d/deliveries%s" % (hook, q))
    check(st == 200, "deliveries of %d -> %d %s" % (hook, st, b))
    return b["deliveries"]


def abandoned(fd, hook):
    """The delivery id whose attempt a DELETE of hook abandoned, or None."""
    text = open(fd.logname, errors="replace").read()
    m = re.search(r'msg="webhook delivery abandoned" webhook=%d delivery=(\d+)' % hook, text)
    return m and int(m.group(1))


def attempted(fd, hook, n):
    """hook's n deliveries once each has an attempt's outcome recorded."""
    d = deliveries(fd, hook)
    return d if len(d) == n and all(x["attempts"] >= 1 for x in d) else None


def check_signed(posts, secret):
    for g in posts:
        h = g["headers"]
        check(h.get("X-Fleetd-Signature") == signature(secret, g["body"]),
              "bad signature %r on %r" % (h.get("X-Fleetd-Signature"), g["body"][:100]))
        check(h.get("Content-Type") == "application/json", "content type %r" %
              h.get("Content-Type"))


# --- hostile input ---------------------------------------------------------
rx = Receiver()
fd = Fleetd(extra=["--log-level", "debug", "--webhook-max-age", "60"])
refused(fd, None, 400, "bad_json", raw=b"{nope")
refused(fd, None, 400, "bad_json", raw=b"")
refused(fd, None, 415, "unsupported_media_type", raw=b"{}", ctype="text/plain")
refused(fd, [1], 422, "invalid_webhook")
refused(fd, {"url": 5, "events": ["job.failed"]}, 422, "url")
refused(fd, {"url": rx.url("/a"), "events": "job.failed"}, 422, "events")
refused(fd, {"url": rx.url("/a"), "events": ["job.state"]}, 422, "events[0]")
refused(fd, {"url": rx.url("/a"), "events": ["job.failed"], "format": "slack"}, 422, "format")
refused(fd, {"url": rx.url("/a"), "events": ["job.failed"], "secret": "short"}, 422, "secret")
refused(fd, {"url": rx.url("/a"), "events": ["job.failed"], "secret_file": "/etc/passwd"},
        422, "unknown field")
for bad in ["file:///etc/passwd", "gopher://127.0.0.1/", "ftp://h/x", "http:///x",
            "//h/x", "http://h/a b", "https://" + "a" * 3000 + ".com/"]:
    out = refused(fd, {"url": bad, "events": ["job.failed"]}, 422, "url")
    check(bad.encode()[:40] not in out or len(bad) < 12, "url echoed: %s" % out[:200])
out = refused(fd, {"url": "http://admin:hunter2hunter2@127.0.0.1:1/x",
                   "events": ["job.failed"]}, 422, "credentials")
check(b"hunter2" not in out, "credentials echoed: %s" % out)
sock = socket.create_connection(("127.0.0.1", fd.port), timeout=10)
sock.sendall(b"POST /v1/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"Content-Type: application/json\r\nContent-Length: 8388608\r\n\r\n")
answer = sock.recv(4096)
sock.close()
check(answer.startswith(b"HTTP/1.1 413"), "huge body -> %r" % answer[:60])
for method, path, want in [("PUT", "/v1/webhooks", 405), ("GET", "/v1/webhooks/99", 404),
                           ("GET", "/v1/webhooks/x", 404), ("DELETE", "/v1/webhooks/99", 404),
                           ("GET", "/v1/webhooks/99/deliveries", 404),
                           ("POST", "/v1/webhooks/99/deliveries/1/redeliver", 404),
                           ("GET", "/v1/webhooks/-1", 404)]:
    st, _, _ = fd.raw(method, path)
    check(st == want, "%s %s -> %d (wanted %d)" % (method, path, st, want))

# --- registration and the secret --------------------------------------------
a = register(fd, {"url": rx.url("/a"), "events": ["job.cancelled", "job.succeeded"],
                  "secret": SECRET})
check(a["secret"] == SECRET and a["format"] == "json", "201: %s" % a)
b = register(fd, {"url": rx.url("/discord"), "events": ["job.cancelled"],
                  "format": "discord"})
made = b["secret"]
check(re.fullmatch(r"[0-9a-f]{64}", made), "made secret: %r" % made)
for path in ["/v1/webhooks", "/v1/webhooks/%d" % a["id"], "/v1/webhooks/%d" % b["id"]]:
    st, _, raw = fd.raw("GET", path)
    check(st == 200 and SECRET.encode() not in raw and made.encode() not in raw and
          b'"secret"' not in raw, "%s shows the secret: %s" % (path, raw[:300]))
st, lst = fd.call("GET", "/v1/webhooks")
check([w["id"] for w in lst["webhooks"]] == [a["id"], b["id"]], "list: %s" % lst)
for q in ["?state=lost", "?limit=0", "?limit=x", "?cursor=-3"]:
    st, _, _ = fd.raw("GET", "/v1/webhooks/%d/deliveries%s" % (a["id"], q))
    check(st == 400, "deliveries%s -> %d" % (q, st))

# --- order and signatures ----------------------------------------------------
jobs = [cancelled_job(fd, 1000 + i) for i in range(6)]
until("6 deliveries at /a", lambda: len(rx.unique("/a")) >= 6)
until("6 deliveries at /discord", lambda: len(rx.unique("/discord")) >= 6)
got = [x["job_id"] for x in rx.bodies("/a")]
check(got == jobs, "order at /a: %s, jobs %s" % (got, jobs))
check(all(x["event"] == "job.cancelled" and x["data"]["to"] == "cancelled"
          for x in rx.bodies("/a")), "bodies: %s" % rx.bodies("/a"))
check_signed(rx.posts("/a"), SECRET)
check_signed(rx.posts("/discord"), made)
check(all(g["headers"].get("X-Fleetd-Event") == "job.cancelled" for g in rx.posts("/a")),
      "X-Fleetd-Event")

# Discord's execute-webhook body: content (<= 2000 characters), username
# (<= 80), avatar_url, tts, embeds, allowed_mentions, components, files,
# payload_json, attachments, flags, thread_name: nothing else
DISCORD_FIELDS = {"content", "username", "avatar_url", "tts", "embeds", "allowed_mentions",
                  "components", "files", "payload_json", "attachments", "flags",
                  "thread_name", "applied_tags", "poll"}
lines = []
for body in rx.bodies("/discord"):
    check(set(body) <= DISCORD_FIELDS, "not Discord's fields: %s" % body)
    c = body.get("content")
    check(isinstance(c, str) and 0 < len(c) <= 2000 and "\n" not in c, "content %r" % c)
    check(len(body.get("username", "")) <= 80, "username")
    check(body.get("allowed_mentions") == {"parse": []}, "mentions %s" % body)
    lines.append(c)
check(lines == ["fleetd: Job %d was cancelled." % j for j in jobs], "lines %s" % lines)
# the receiver has a POST before fleetd reads its answer and records it
d = until("the outcomes of 6 deliveries recorded", lambda: attempted(fd, a["id"], 6))
check(len(d) == 6 and all(x["state"] == "delivered" and x["attempts"] == 1 and
                          x["last_status"] == 204 for x in d), "history: %s" % d[:2])
check([x["id"] for x in d] == sorted((x["id"] for x in d), reverse=True), "newest first")
st, p = fd.call("GET", "/v1/webhooks/%d/deliveries?limit=4" % a["id"])
check(len(p["deliveries"]) == 4 and p["next_cursor"], "page 1: %s" % p)
st, p2 = fd.call("GET", "/v1/webhooks/%d/deliveries?limit=4&cursor=%s" %
                 (a["id"], p["next_cursor"]))
check(len(p2["deliveries"]) == 2 and p2["next_cursor"] is None, "page 2: %s" % p2)

# --- receiver down, fleetd killed meanwhile: nothing lost, order kept --------
rx.stop()
more = [cancelled_job(fd, 2000 + i) for i in range(5)]
until("a failed attempt", lambda: any(x["attempts"] >= 1 and x["state"] == "pending"
                                      for x in deliveries(fd, a["id"], "?state=pending")))
pend = deliveries(fd, a["id"], "?state=pending")
check(len(pend) == 5 and all(x["last_error"] is None or x["last_status"] is None
                             for x in pend), "pending: %s" % pend)
fd.stop(sig=9)
fd.start()
time.sleep(0.5)
rx.start()
until("11 deliveries at /a", lambda: len(rx.unique("/a")) >= 11, timeout=60)
until("11 deliveries at /discord", lambda: len(rx.unique("/discord")) >= 11, timeout=60)
got = [x["job_id"] for x in rx.bodies("/a")]
check(got == jobs + more, "order after the outage: %s" % got)
check_signed(rx.posts("/a"), SECRET)

# --- a redirect is not followed ------------------------------------------------
rx.modes["/redirect"] = "redirect"
c = register(fd, {"url": rx.url("/redirect"), "events": ["job.cancelled"]})
cancelled_job(fd, 3000)
until("the redirect answered", lambda: rx.posts("/redirect"))
x = until("302 recorded", lambda: [y for y in deliveries(fd, c["id"])
                                   if y["last_status"] == 302])
check(x[0]["state"] == "pending" and "redirect" in x[0]["last_error"], "302: %s" % x)
time.sleep(1.5)
check(not rx.posts("/target"), "the redirect was followed")
# its retries go on (0.5-1, 1-2, 2-4 s apart) and the DELETE may meet one
# under way: that one may still land (the receiver records a post before
# it answers, so every attempt fleetd had finished is counted in n)
st, _, _ = fd.raw("DELETE", "/v1/webhooks/%d" % c["id"])
n = len(rx.posts("/redirect"))
check(st == 204, "DELETE -> %d" % st)
st, _, _ = fd.raw("GET", "/v1/webhooks/%d" % c["id"])
check(st == 404, "deleted webhook -> %d" % st)
cancelled_job(fd, 3001)
until("12 at /a", lambda: len(rx.unique("/a")) >= 13)
time.sleep(2.5)  # a retry still due would have come
under_way = abandoned(fd, c["id"])
check(len(rx.posts("/redirect")) - n <= (1 if under_way else 0),
      "a deleted webhook was still sent to: %d posts after the answer, %s" %
      (len(rx.posts("/redirect")) - n, "one attempt was under way" if under_way else
       "none under way"))

# --- dead letter after the max age, then redelivered --------------------------
fd2 = Fleetd(name="short", extra=["--webhook-max-age", "2"])
spare = Receiver()
port = spare.port
spare.stop()  # a port nothing listens on, known free just now
h = register(fd2, {"url": "http://127.0.0.1:%d/late" % port, "events": ["job.cancelled"],
                   "secret": SECRET})
cancelled_job(fd2, 4000)
dead = until("a dead letter", lambda: deliveries(fd2, h["id"], "?state=dead"), timeout=30)
check(dead[0]["attempts"] >= 1 and dead[0]["done_ms"], "dead: %s" % dead)
late = Receiver(port)
st, r = fd2.call("POST", "/v1/webhooks/%d/deliveries/%d/redeliver" % (h["id"], dead[0]["id"]))
check(st == 202 and r["state"] == "pending", "redeliver -> %d %s" % (st, r))
until("the redelivery", lambda: late.posts("/late"))
check_signed(late.posts("/late"), SECRET)
until("delivered", lambda: deliveries(fd2, h["id"], "?state=delivered"))

# --- a deleted webhook's ids are not handed out again ------------------------------
fd3 = Fleetd(name="reuse")
rx.modes["/held"] = "hold"
e = register(fd3, {"url": rx.url("/held"), "events": ["job.cancelled"]})
cancelled_job(fd3, 5000)
until("a delivery in flight", lambda: rx.posts("/held"))
held = deliveries(fd3, e["id"])
st, _, _ = fd3.raw("DELETE", "/v1/webhooks/%d" % e["id"])
check(st == 204, "DELETE the newest webhook -> %d" % st)
down = Receiver()
down.stop()  # the new webhook's receiver refuses: its delivery stays pending
f = register(fd3, {"url": down.url("/new"), "events": ["job.cancelled"]})
check(f["id"] > e["id"], "a deleted webhook's id was reused: %d then %d" % (e["id"], f["id"]))
cancelled_job(fd3, 5001)
until("the new webhook's first attempt",
      lambda: [x for x in deliveries(fd3, f["id"]) if x["attempts"] >= 1])
rx.release.set()  # the receiver answers 204 to a transfer fleetd dropped
time.sleep(1.5)  # (were it still read, its outcome would be written now)
mine = deliveries(fd3, f["id"])
check(len(mine) == 1 and mine[0]["id"] not in [x["id"] for x in held],
      "deliveries of the new webhook: %s (the deleted one's: %s)" % (mine, held))
check(mine[0]["state"] == "pending" and mine[0]["last_status"] != 204,
      "a delivery never answered with a 2xx: %s" % mine[0])
check(not down.posts("/new"), "the refusing receiver got a post")
check(abandoned(fd3, e["id"]) == held[0]["id"],
      "the DELETE did not abandon the transfer in flight: %s" % held)

# --- an attempt still connecting when the DELETE comes never lands -----------------
# a listener whose accept queue is full drops fleetd's SYN: its attempt
# waits to connect (the kernel tries again 1 s later); the DELETE comes
# meanwhile, then the queue is emptied: nothing may arrive after the answer


def syn_sent_to(port):
    """Some connection to 127.0.0.1:port is still in SYN-SENT."""
    with open("/proc/net/tcp") as t:
        rows = [line.split() for line in t.readlines()[1:]]
    return any(r[3] == "02" and int(r[2].split(":")[1], 16) == port for r in rows)


full = socket.socket()
full.bind(("127.0.0.1", 0))
full.listen(0)
slow = full.getsockname()[1]
fillers = []
while True:  # connect until one is not taken in: the queue is full
    s = socket.socket()
    s.settimeout(0.3)
    try:
        s.connect(("127.0.0.1", slow))
    except OSError:
        s.close()
        break
    fillers.append(s)
check(fillers and len(fillers) < 10, "%d connections filled a backlog of 0" % len(fillers))
g = register(fd3, {"url": "http://127.0.0.1:%d/slow" % slow, "events": ["job.cancelled"]})
cancelled_job(fd3, 5002)
until("fleetd's attempt waiting to connect", lambda: syn_sent_to(slow), timeout=30)
st, _, _ = fd3.raw("DELETE", "/v1/webhooks/%d" % g["id"])
answered = time.monotonic()
check(st == 204, "DELETE a webhook whose attempt is connecting -> %d" % st)
for s in fillers:
    s.close()
full.settimeout(0.2)
came = []
end = time.time() + 4  # past the kernel's next two tries (1 s, then 2 s later)
while time.time() < end:
    try:
        conn, _ = full.accept()
    except socket.timeout:
        continue
    conn.settimeout(1)
    try:
        first = conn.recv(4096)
    except OSError:
        first = b""
    if first:
        came.append((time.monotonic() - answered, first[:60]))
    conn.close()
full.close()
check(not came, "an attempt began after its webhook's DELETE was answered: %r" % came)
check(abandoned(fd3, g["id"]), "the connecting attempt was not abandoned")

# --- the secrets never reach a log ---------------------------------------------
for p in [fd, fd2, fd3]:
    p.stop()
for name in os.listdir(os.path.dirname(fd.logname)):
    if name.endswith(".log") and name.startswith(("fleetd", "short", "reuse")):
        text = open(os.path.join(os.path.dirname(fd.logname), name), errors="replace").read()
        check(SECRET not in text and made not in text and "hunter2" not in text,
              "a secret is in %s" % name)
print("ok")
