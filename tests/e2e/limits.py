"""limits.py -- each limit answers its status and the daemon keeps
serving: body over --max-body -> 413 (JSON); URL over the connection
memory limit -> 414, headers over it -> 431 (libmicrohttpd's own answers,
HTML bodies); JSON nested deeper than 32 levels -> 400; connections beyond --max-connections -> 503 with
Retry-After and the JSON body; a client that sends half a request is cut
off after --conn-timeout; and a normal request still works after each."""
import json
import os
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
               "--max-connections", "4", "--conn-timeout", "60")

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

    raw = raw_exchange(d.port, b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    check(status_of(raw) == 414, "long URL: %r" % raw[:100])
    alive(d)
    raw = raw_exchange(d.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                       b"a" * 40000 + b"\r\n\r\n")
    check(status_of(raw) == 431, "big header: %r" % raw[:100])
    # under the 16 KiB a connection may use for its request, a big header is fine
    raw = raw_exchange(d.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Mid: " +
                       b"a" * 10000 + b"\r\nConnection: close\r\n\r\n")
    check(status_of(raw) == 200, "10 KB header: %r" % raw[:100])
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(400))
    raw = raw_exchange(d.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + many + b"\r\n")
    check(status_of(raw) == 431, "many headers: %r" % raw[:100])
    alive(d)

    # four idle connections fill the soft cap; the fifth is told 503
    import socket
    idle = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(4)]
    try:
        # the server counts a connection when it accepts it: a request on
        # one of the idle ones makes sure all four were accepted
        idle[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        idle[0].settimeout(30)
        first = idle[0].recv(65536)
        check(first.startswith(b"HTTP/1.1 200"), "idle[0] %r" % first[:80])
        st, hdrs, body = request(d.url + "/healthz")
        check(st == 503, "over the cap gave %s" % st)
        check(hdrs.get("Retry-After") == "1", "no Retry-After: %s" % hdrs)
        check(json.loads(body)["error"]["code"] == "overloaded", "503 body %r" % body)
    finally:
        for s in idle:
            s.close()
    for _ in range(100):  # the server notices the closes on its next turns
        st, _, _ = request(d.url + "/healthz")
        if st == 200:
            break
    check(st == 200, "cap not released after the idle connections closed")
    check(d.stop() == 0, "fleetd exit status")

    # half a request: cut off by the per-connection timeout, nothing answered
    d2 = fleetd(scratch, daemons, "slow", "--conn-timeout", "1")
    got = raw_exchange(d2.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n", timeout=60)
    check(got == b"", "half request got %r" % got[:100])
    # a half-sent body too
    got = raw_exchange(d2.port, b"POST /healthz HTTP/1.1\r\nHost: localhost\r\n"
                       b"Content-Length: 100\r\n\r\nabc", timeout=60)
    check(got == b"", "half body got %r" % got[:100])
    alive(d2)
    check(d2.stop() == 0, "fleetd exit status")


run(main)
