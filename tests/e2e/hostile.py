"""hostile.py -- what fleetd refuses from a hostile client before it reads
a body (issue 13, points 4, 7 and 8), each against a real fleetd:

- a request without a valid token is answered 401 as soon as its headers
  are in (before 413, CORS headers as usual) and its body is never read:
  the 401 comes back although no byte of the body was sent, and clients
  pushing 1 MiB bodies do not grow the daemon by their size;
- framing two parsers could read two ways (Content-Length with chunked,
  two Content-Length, "Content-Length :", a coding other than chunked) is
  answered 400 with Connection: close, and the request hidden after it is
  never run;
- a percent-encoded NUL anywhere or / inside a path segment is 400; a
  path or field name that is not UTF-8, or cut mid-character, gives a 4xx
  with a valid JSON body, never 500."""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import check, fleetd, request, run  # noqa: E402

MIB = 1 << 20


def status_of(raw):
    check(raw.startswith(b"HTTP/1."), "no HTTP answer: %r" % raw[:200])
    return int(raw.split(b" ", 2)[1])


def head_and_body(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def exchange(port, data, timeout=20):
    """Send data, then read until the server closes (or the deadline)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    out = b""
    try:
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    except socket.timeout:
        return out + b"<<no close>>"
    except (ConnectionResetError, BrokenPipeError):
        return out
    finally:
        s.close()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def token_before_body(scratch, daemons):
    tok = os.path.join(scratch, "token")
    with open(tok, "w") as f:
        f.write("hostile-token-1\n")
    d = fleetd(scratch, daemons, "auth", "--api-token-file", tok,
               "--max-body", "4096", "--cors-origin", "http://front.example")
    post = (b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n")
    # headers only: the 401 must come without any byte of the body sent
    raw = exchange(d.port, post % MIB + b"\r\n")
    check(status_of(raw) == 401, "no token, body announced: %r" % raw[:200])
    head, body = head_and_body(raw)
    check("WWW-Authenticate: Bearer" in head, "401 head: %s" % head)
    check("Connection: close" in head, "401 without Connection: close: %s" % head)
    check(json.loads(body)["error"]["code"] == "unauthorized", "401 body %r" % body)
    # a body over --max-body without a token: 401 before 413
    raw = exchange(d.port, post % (8 * MIB) + b"\r\n")
    check(status_of(raw) == 401, "no token, body over the cap: %r" % raw[:200])
    # chunked, with a wrong token, from an allowed origin: 401 with CORS
    raw = exchange(d.port, b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Origin: http://front.example\r\nAuthorization: Bearer nope\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n1000\r\n" + b"x" * 4096)
    check(status_of(raw) == 401, "chunked, wrong token: %r" % raw[:200])
    head, _ = head_and_body(raw)
    check("Access-Control-Allow-Origin: http://front.example" in head,
          "401 without CORS headers: %s" % head)
    # with the token, the announced size alone earns 413, body unread
    raw = exchange(d.port, b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Authorization: Bearer hostile-token-1\r\n"
                   b"Content-Length: 8388608\r\n\r\n")
    check(status_of(raw) == 413, "token, body over the cap: %r" % raw[:200])
    # many clients pushing 1 MiB without a token: nothing is buffered
    before = rss_kib(d.proc.pid)
    socks = []
    for _ in range(40):
        s = socket.create_connection(("127.0.0.1", d.port))
        s.settimeout(20)
        s.sendall(post % MIB + b"\r\n")
        socks.append(s)
    for s in socks:
        try:
            s.sendall(b"x" * MIB)
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            pass
        s.close()
    st, _, _ = request(d.url + "/healthz")
    check(st == 200, "healthz after the flood: %s" % st)
    grown = rss_kib(d.proc.pid) - before
    check(grown < 16 * 1024, "40 unauthenticated 1 MiB bodies grew fleetd by %d KiB" % grown)
    check(d.stop() == 0, "fleetd exit status")


SMUGGLED = (b"GET /v1/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Connection: close\r\n\r\n")


def framing(scratch, daemons):
    d = fleetd(scratch, daemons, "framing")
    cases = {
        "Content-Length and chunked":
            b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
        "two Content-Length":
            b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
            b"Content-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED,
        "Content-Length with a space before the colon":
            b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length : %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED,
        "a coding other than chunked":
            b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    }
    for name, data in cases.items():
        raw = exchange(d.port, data)
        check(raw.count(b"HTTP/1.1 ") == 1, "%s: more than one answer: %r" % (name, raw))
        check(status_of(raw) == 400, "%s: %r" % (name, raw[:200]))
        head, body = head_and_body(raw)
        check("Connection: close" in head, "%s: no Connection: close: %s" % (name, head))
        check(json.loads(body)["error"]["code"] == "bad_request", "%s: %r" % (name, body))
    # the hidden request never ran: /metrics counted no 404
    st, _, body = request(d.url + "/metrics")
    check(st == 200, "metrics %s" % st)
    check(b'status="404"' not in body, "a smuggled request was answered:\n%s" %
          body.decode())
    # a well-framed chunked request still works
    raw = exchange(d.port, b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                   b"2\r\nab\r\n0\r\n\r\n")
    check(status_of(raw) == 405, "chunked POST /healthz: %r" % raw[:200])
    check(d.stop() == 0, "fleetd exit status")


def paths(scratch, daemons):
    d = fleetd(scratch, daemons, "paths")

    def get(path):
        raw = exchange(d.port, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Connection: close\r\n\r\n")
        head, body = head_and_body(raw)
        return status_of(raw), body

    for p in (b"/v1/fleets/%00abc", b"/web/index.html%00.js", b"/v1/jobs?state=%00x",
              b"/v1%2Ffleets", b"/v1/jobs/1%2f..", b"/web/%2e%2e%2Fx"):
        st, body = get(p)
        check(st == 400, "%s gave %s %r" % (p, st, body))
        check(json.loads(body)["error"]["code"] == "bad_path", "%s: %r" % (p, body))
    st, body = get(b"/web/index.html")
    check(st == 200, "index.html gave %s" % st)
    st, body = get(b"/%ff")
    check(st == 404, "/%%ff gave %s %r" % (st, body))
    json.loads(body)
    st, body = get(b"/" + b"%c3%a9" * 300)
    check(st == 404, "a long UTF-8 path gave %s" % st)
    msg = json.loads(body)["error"]["message"]
    check(len(msg.encode()) <= 512, "message not cut: %d bytes" % len(msg.encode()))
    # an unknown field name cut at 40 bytes in the middle of a character
    for key in ("é" * 25, "x" + "é" * 25):
        spec = '{"fleet": 5, "%s": 1, "steps": [{"op": "wait", "seconds": 1}]}' % key
        st, _, body = request(d.url + "/v1/jobs", "POST", spec.encode(),
                              {"Content-Type": "application/json"})
        check(st == 422, "unknown field %r gave %s %r" % (key[:3], st, body))
        msg = json.loads(body)["error"]["message"]
        check(msg.endswith(": unknown field") and "\ufffd" not in msg,
              "message %r" % msg)
    check(d.stop() == 0, "fleetd exit status")


def main(scratch, daemons):
    token_before_body(scratch, daemons)
    framing(scratch, daemons)
    paths(scratch, daemons)


run(main)
