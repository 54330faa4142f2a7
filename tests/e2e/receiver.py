"""receiver.py -- a webhook receiver for the e2e tests and the bench
(imported): a threaded http.server on loopback that keeps every POST it
gets (path, headers, body) and answers as told per path prefix.

Answers: "ok" (204), "fail" (500), "redirect" (302 to /target), "hold"
(204 once release is set, so the delivery stays in flight until then). stop()
closes the listening socket, so a delivery meets a refused connection;
start() again listens on the same port."""
import hashlib
import hmac
import http.server
import json
import sys
import threading


def signature(secret, body):
    """The X-Fleetd-Signature value fleetd must send for body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        rec = self.server.owner
        if rec.down:  # a connection kept alive from before stop(): drop it
            self.close_connection = True
            return
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with rec.lock:
            rec.got.append({"path": self.path, "headers": dict(self.headers),
                            "body": body})
            mode = rec.mode_for(self.path)
        if mode == "hold":
            rec.release.wait(60)
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "/target")
        elif mode == "fail":
            self.send_response(500)
        else:
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a sender that hung up is no error here (fleetd drops the
        # transfer of a webhook deleted meanwhile)
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    def __init__(self, port=0):
        self.lock = threading.Lock()
        self.got = []
        self.modes = {}
        self.release = threading.Event()
        self.port = port
        self.down = False
        self.srv = None
        self.start()

    def mode_for(self, path):
        for prefix, mode in self.modes.items():
            if path.startswith(prefix):
                return mode
        return "ok"

    def start(self):
        self.down = False
        self.srv = _Server(("127.0.0.1", self.port), _Handler)
        self.srv.owner = self
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        self.down = True
        self.srv.shutdown()
        self.srv.server_close()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def posts(self, path):
        with self.lock:
            return [g for g in self.got if g["path"] == path]

    def unique(self, path):
        """The posts to path, the first of each delivery id only, in the
        order they came (fleetd sends at least once: repeats may come)."""
        seen, out = set(), []
        for g in self.posts(path):
            d = g["headers"].get("X-Fleetd-Delivery")
            if d not in seen:
                seen.add(d)
                out.append(g)
        return out

    def bodies(self, path):
        return [json.loads(g["body"]) for g in self.unique(path)]
