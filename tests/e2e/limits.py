"""limits.py -- each limit answers its status and the daemon keeps
serving: body over --max-body -> 413 (JSON); URL over the connection
memory limit -> 414, headers over it -> 431 (JSON bodies, counted in
/metrics, also when libmicrohttpd answers them itself); JSON nested deeper
than 32 levels -> 400; connections opened beyond --max-connections -> 503
with Retry-After and the JSON body, but /healthz and connections opened
before are still served; more than --max-connections-per-ip from one
address are closed at once; a client that sends half a request, or a byte
at a time, is cut off --conn-timeout after it began; and a normal request
still works after each."""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import check, fleetd, raw_exchange, request, run  # noqa: E402


def alive(d):
    st, _, body = request(d.url + "/healthz")
    check(st == 200, "not serving any more: %s %r" % (st, body))


def status_of(raw):
    check(raw.startswith(b"HTTP/1."), "no HTTP answer: %r" % raw[:200])
    return int(raw.split(b" ", 2)[1])


def main(scratch, daemons):
    d = fleetd(scratch, daemons, "limits", "--max-body", "1024",
               "--max-connections", "4", "--max-connections-per-ip", "8",
               "--conn-timeout", "60")

    st, _, body = request(d.url + "/healthz", "POST", "x" * 5000)
    check(st == 413, "big body gave %s" % st)
    check(json.loads(body)["error"]["code"] == "body_too_large", "413 body %r" % body)
    alive(d)
    st, _, _ = request(d.url + "/healthz", "POST", "x" * 1000)
    check(st == 405, "body under the cap gave %s (wanted the route's 405)" % st)

    # JSON nested past the cap is refused before it is parsed
    deep = '{"fleet":1,"steps":[{"op":"wait","seconds":1,"x":' + "[" * 40 + "]" * 40 + "}]}"
    st, _, body = request(d.url + "/v1/jobs", "POST", deep,
                          {"Content-Type": "application/json"})
    check(st == 400, "deep JSON gave %s" % st)
    err = json.loads(body)["error"]
    check("nested deeper than 32" in err["message"], "deep JSON error %r" % err)
    st, _, _ = request(d.url + "/v1/jobs?state=queued")
    check(st == 200, "job list after the deep JSON gave %s" % st)

    def json_error(raw, status, code):
        check(status_of(raw) == status, "wanted %d: %r" % (status, raw[:100]))
        head, _, body = raw.partition(b"\r\n\r\n")
        check(b"application/json" in head, "%d is not JSON: %r" % (status, head))
        check(json.loads(body)["error"]["code"] == code, "%d body %r" % (status, body))

    raw = raw_exchange(d.port, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    json_error(raw, 414, "uri_too_long")
    alive(d)
    raw = raw_exchange(d.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                       b"a" * 20000 + b"\r\n\r\n")
    json_error(raw, 431, "headers_too_large")
    # under the 16 KiB a connection may use for its request, a big header is fine
    raw = raw_exchange(d.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Mid: " +
                       b"a" * 10000 + b"\r\nConnection: close\r\n\r\n")
    check(status_of(raw) == 200, "10 KB header: %r" % raw[:100])
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(160))
    raw = raw_exchange(d.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + many + b"\r\n")
    json_error(raw, 431, "headers_too_large")
    # far beyond (over twice the limit): libmicrohttpd answers itself; a
    # request line is not counted, headers are
    raw = raw_exchange(d.port, b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    check(status_of(raw) == 414, "a 40 KB request line: %r" % raw[:100])
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(1000))
    raw = raw_exchange(d.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + many + b"\r\n")
    check(status_of(raw) == 431, "100 KB of headers: %r" % raw[:100])
    alive(d)
    _, _, metrics = request(d.url + "/metrics")
    counted = {}
    for line in metrics.decode().splitlines():
        if line.startswith("fleetd_http_requests_total{"):
            for st in ("414", "431"):
                if 'status="%s"' % st in line:
                    counted[st] = counted.get(st, 0) + int(float(line.split()[-1]))
    check(counted.get("414") == 1 and counted.get("431") == 3,
          "414/431 not all counted: %s" % counted)

    # four connections from four addresses fill the soft cap
    def connect(src):
        s = socket.socket()
        s.bind((src, 0))
        s.connect(("127.0.0.1", d.port))
        s.settimeout(30)
        return s

    def ask(s, path):
        s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        out = b""
        while b"\r\n\r\n" not in out:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out

    idle = [connect("127.0.0.%d" % (i + 2)) for i in range(4)]
    try:
        # the server counts a connection when it accepts it: a request on
        # the last one makes sure all four were accepted
        first = ask(idle[3], b"/healthz")
        check(first.startswith(b"HTTP/1.1 200"), "idle[3] %r" % first[:80])
        st, hdrs, body = request(d.url + "/v1/jobs")
        check(st == 503, "over the cap gave %s" % st)
        check(hdrs.get("Retry-After") == "1", "no Retry-After: %s" % hdrs)
        check(json.loads(body)["error"]["code"] == "overloaded", "503 body %r" % body)
        # the reserve: a health probe is answered at the cap ...
        st, _, _ = request(d.url + "/healthz")
        check(st == 200, "/healthz over the cap gave %s" % st)
        # ... and connections opened within the cap are served as ever
        again = ask(idle[0], b"/v1/jobs")
        check(again.startswith(b"HTTP/1.1 200"), "open connection at the cap: %r" % again[:80])
    finally:
        for s in idle:
            s.close()
    for _ in range(100):  # the server notices the closes on its next turns
        st, _, _ = request(d.url + "/v1/jobs")
        if st == 200:
            break
    check(st == 200, "cap not released after the idle connections closed")
    check(d.stop() == 0, "fleetd exit status")

    # one address may hold --max-connections-per-ip; others still get in
    d = d3 = fleetd(scratch, daemons, "perip", "--max-connections-per-ip", "2")
    mine = [connect("127.0.0.1") for _ in range(2)]
    try:
        check(ask(mine[1], b"/healthz").startswith(b"HTTP/1.1 200"), "second connection")
        third = connect("127.0.0.1")
        try:
            got = ask(third, b"/healthz")
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        third.close()
        check(got == b"", "third connection from one address got %r" % got[:80])
        other = connect("127.0.0.9")
        check(ask(other, b"/healthz").startswith(b"HTTP/1.1 200"), "another address refused")
        other.close()
    finally:
        for s in mine:
            s.close()
    check(d3.stop() == 0, "fleetd exit status")

    # half a request: cut off by the per-connection timeout, nothing answered
    d2 = fleetd(scratch, daemons, "slow", "--conn-timeout", "1")
    got = raw_exchange(d2.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n", timeout=60)
    check(got == b"", "half request got %r" % got[:100])
    # a half-sent body too
    got = raw_exchange(d2.port, b"POST /healthz HTTP/1.1\r\nHost: localhost\r\n"
                       b"Content-Length: 100\r\n\r\nabc", timeout=60)
    check(got == b"", "half body got %r" % got[:100])
    # a byte every half second keeps MHD's idle timer happy, but the
    # request must have arrived --conn-timeout after it began
    s = socket.create_connection(("127.0.0.1", d2.port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
    s.settimeout(0.5)
    cut = False
    for _ in range(120):  # 60 s at most; the timeout is 1 s
        try:
            s.sendall(b"X")
            if s.recv(100) == b"":
                cut = True
                break
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            cut = True
            break
    s.close()
    check(cut, "a client sending a byte every 0.5 s outlived --conn-timeout 1")
    alive(d2)
    check(d2.stop() == 0, "fleetd exit status")


run(main)
