"""openapi_answers.py -- the answers of a running fleetd match
api-docs/: for each request below, the path and method are described, the
status is among the documented responses, the Content-Type among its
media types, and a JSON body validates against the response's schema
(JSON Schema 2020-12, as OpenAPI 3.1 says, with python3-jsonschema and
python3-yaml from Debian); the data of a live SSE event validates against
the Event schema.  /v1/events and /metrics must be described; the other
routes are checked wherever api-docs/ describes them, and must all be
once api-docs/openapi.yaml exists."""
import http.client
import json
import os
import re
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import check, fail, fleetd, need_modules, request, run  # noqa: E402

yaml, jsonschema = need_modules("yaml", "jsonschema")
# RefResolver is what Debian 12's jsonschema (4.10) has; newer ones warn
warnings.filterwarnings("ignore", category=DeprecationWarning)

TOKEN = "tok-openapi-5c2d"
AUTH = {"Authorization": "Bearer " + TOKEN}
DOCS_DIR = os.path.realpath(os.path.join(os.environ["TOP_SRCDIR"], "api-docs"))


class Docs:
    def __init__(self):
        self.docs = {}
        for name in sorted(os.listdir(DOCS_DIR)):
            if not name.endswith(".yaml"):
                continue
            with open(os.path.join(DOCS_DIR, name)) as f:
                doc = yaml.safe_load(f)
            if isinstance(doc, dict) and "openapi" in doc:
                self.docs[name] = doc
        check(self.docs, "no OpenAPI document in api-docs/")
        self.main = "openapi.yaml" if "openapi.yaml" in self.docs else None
        self.store = {self.uri(n): d for n, d in self.docs.items()}

    @staticmethod
    def uri(name):
        return "file://" + os.path.join(DOCS_DIR, name)

    def deref(self, name, node):
        """Follow $ref (local or to a sibling file) -> (doc name, node)."""
        while isinstance(node, dict) and "$ref" in node:
            target, _, pointer = node["$ref"].partition("#")
            if target:
                name = os.path.basename(target)
            node = self.docs[name]
            for part in pointer.split("/")[1:]:
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return name, node

    def operation(self, method, path):
        """(doc name, operation) describing a concrete path, or None."""
        order = ([self.main] if self.main else []) + \
            [n for n in self.docs if n != self.main]
        for name in order:
            for tmpl, item in self.docs[name].get("paths", {}).items():
                rx = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(tmpl)) + "$"
                if re.match(rx, path):
                    iname, item = self.deref(name, item)
                    op = item.get(method.lower())
                    if op is not None:
                        return iname, op
        return None

    def validate(self, name, schema, instance):
        resolver = jsonschema.RefResolver(self.uri(name), self.docs[name], store=self.store)
        jsonschema.Draft202012Validator(schema, resolver=resolver).validate(instance)


def response_of(docs, name, op, status):
    resps = op.get("responses", {})
    for key in (str(status), "%dXX" % (status // 100), "default"):
        if key in resps:
            return docs.deref(name, resps[key])
    return None


def check_answer(docs, method, path, status, ctype, body, required=False):
    found = docs.operation(method, path)
    if not found:
        if required or docs.main:
            fail("%s %s is not described in api-docs/" % (method, path))
        print("note: %s %s not described yet" % (method, path))
        return
    name, op = found
    got = response_of(docs, name, op, status)
    check(got, "%s %s answered %s, not documented in %s" % (method, path, status, name))
    rname, resp = got
    content = resp.get("content")
    if not content:
        check(not body, "%s %s %s: body but no content documented" % (method, path, status))
        return
    media = (ctype or "").split(";")[0].strip()
    check(media in content, "%s %s %s: Content-Type %s not in %s" %
          (method, path, status, ctype, list(content)))
    schema = content[media].get("schema")
    if media == "application/json" and schema is not None:
        try:
            docs.validate(rname, schema, json.loads(body))
        except jsonschema.ValidationError as e:
            fail("%s %s %s: body does not match the schema: %s\n%s" %
                 (method, path, status, e.message, body[:500]))
    return rname, content[media]


def main(scratch, daemons):
    docs = Docs()
    # the validator itself must be able to say no
    name, err_schema = docs.deref("ops.yaml", {"$ref": "#/components/schemas/Error"})
    try:
        docs.validate(name, err_schema, {"error": "nope"})
        fail("the schema validator accepted a wrong error body")
    except jsonschema.ValidationError:
        pass

    tok = os.path.join(scratch, "token")
    with open(tok, "w") as f:
        f.write(TOKEN)
    d = fleetd(scratch, daemons, "openapi", "--api-token-file", tok)

    def call(method, path, body=None, headers=None, required=False, expect=None):
        h = dict(AUTH)
        h.update(headers or {})
        if body is not None:
            h.setdefault("Content-Type", "application/json")
        st, hdrs, raw = request(d.url + path, method, body, h)
        if expect is not None:
            check(st == expect, "%s %s gave %s, wanted %s: %r" % (method, path, st, expect, raw[:300]))
        check_answer(docs, method, path.split("?")[0], st, hdrs.get("Content-Type"),
                     raw.decode(), required)
        return st, raw

    call("GET", "/metrics", required=True, expect=200)
    st, _ = call("GET", "/metrics", headers={"Authorization": "Bearer wrong"},
                 required=True, expect=401)
    call("GET", "/v1/events", headers={"Last-Event-ID": "nope"}, required=True, expect=400)
    call("GET", "/v1/events", headers={"Authorization": "Bearer wrong"}, required=True,
         expect=401)
    call("GET", "/healthz", expect=200)

    # a live stream: its first event's data matches the Event schema
    conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=60)
    conn.request("GET", "/v1/events?last_event_id=0", headers=AUTH)
    resp = conn.getresponse()
    found = check_answer(docs, "GET", "/v1/events", resp.status,
                         resp.getheader("Content-Type"), "", required=True)
    st, raw = call("POST", "/v1/jobs", json.dumps({"fleet": 9, "steps": [{"op": "wait", "seconds": 3600}]}))
    data = None
    while data is None:
        line = resp.readline().decode()
        check(line, "stream ended before an event")
        if line.startswith("data: "):
            data = json.loads(line[6:])
    rname, media = found
    event_schema = media["schema"].get("contentSchema")
    check(event_schema, "the event stream's schema names no contentSchema")
    try:
        docs.validate(rname, event_schema, data)
    except jsonschema.ValidationError as e:
        fail("event does not match the Event schema: %s: %s" % (e.message, data))
    conn.close()

    # the other routes, wherever described
    if st == 201:
        job = json.loads(raw)["id"]
        call("GET", "/v1/jobs")
        call("GET", "/v1/jobs/%d" % job)
        call("GET", "/v1/jobs/%d/events" % job)
        call("POST", "/v1/jobs/%d/pause" % job)
        call("POST", "/v1/jobs/%d/resume" % job)
        call("POST", "/v1/jobs/%d/cancel" % job)
        call("POST", "/v1/jobs/%d/retry" % job, expect=409)  # cancelled, not failed
        call("GET", "/v1/jobs?name=x&since=2026-11-29T18:00:00Z&retry_of=1", expect=200)
        call("GET", "/v1/jobs?since=yesterday", expect=400)
    call("POST", "/v1/jobs/999999/retry", expect=404)
    call("POST", "/v1/jobs/999999/retry", "{\"x\": 1}", expect=422)
    call("GET", "/v1/jobs/999999")
    call("POST", "/v1/jobs", "{\"steps\": 3}")
    call("POST", "/v1/jobs", "[" * 100 + "]" * 100)
    # schedules (schedules.yaml): every route and its refusals
    st, raw = call("POST", "/v1/schedules", json.dumps({
        "name": "s", "every": {"seconds": 3600},
        "job": {"fleet": 9, "steps": [{"op": "wait", "seconds": 60}]}}), expect=201)
    sid = json.loads(raw)["id"]
    call("GET", "/v1/schedules", expect=200)
    call("GET", "/v1/schedules/%d" % sid, expect=200)
    call("POST", "/v1/schedules/%d/pause" % sid, expect=200)
    call("POST", "/v1/schedules/%d/resume" % sid, expect=200)
    call("GET", "/v1/jobs?schedule=%d" % sid, expect=200)
    call("DELETE", "/v1/schedules/%d" % sid, expect=204)
    call("GET", "/v1/schedules/%d" % sid, expect=404)
    call("POST", "/v1/schedules", json.dumps({"name": "s"}), expect=422)
    call("POST", "/v1/schedules", "{", expect=400)
    call("GET", "/v1/schedules?limit=0", expect=400)
    call("GET", "/v1/fleets")
    call("GET", "/v1/worlds")
    call("GET", "/v1/catalogue")
    call("GET", "/v1/catalogue?limit=0")
    call("GET", "/v1/catalogue?unid=core.none")
    call("GET", "/v1/catalogue/1")
    call("GET", "/v1/sovereigns")
    call("GET", "/v1/sovereigns/1")
    # webhooks (api-docs/webhooks.yaml)
    st, raw = call("POST", "/v1/webhooks", json.dumps(
        {"url": "http://127.0.0.1:9/hook", "events": ["job.failed"]}), expect=201)
    hook = json.loads(raw)["id"]
    call("GET", "/v1/webhooks", expect=200)
    call("GET", "/v1/webhooks/%d" % hook, expect=200)
    call("GET", "/v1/webhooks/%d/deliveries" % hook, expect=200)
    call("GET", "/v1/webhooks/%d/deliveries?state=x" % hook, expect=400)
    call("GET", "/v1/webhooks/%d/deliveries/1" % hook, expect=404)
    call("POST", "/v1/webhooks/%d/deliveries/1/redeliver" % hook, expect=404)
    call("POST", "/v1/webhooks", json.dumps({"url": "ftp://h/", "events": ["job.failed"]}),
         expect=422)
    call("DELETE", "/v1/webhooks/%d" % hook, expect=204)
    call("GET", "/v1/webhooks/%d" % hook, expect=404)
    # every route but /healthz documents the 401 of a wrong token
    wrong = {"Authorization": "Bearer wrong"}
    for method, path in [("GET", "/v1/jobs"), ("POST", "/v1/jobs"), ("GET", "/v1/jobs/1"),
                         ("GET", "/v1/jobs/1/events"), ("POST", "/v1/jobs/1/cancel"),
                         ("POST", "/v1/jobs/1/pause"), ("POST", "/v1/jobs/1/resume"),
                         ("POST", "/v1/jobs/1/retry"),
                         ("GET", "/v1/fleets"), ("GET", "/v1/fleets/1"),
                         ("GET", "/v1/worlds"), ("GET", "/v1/worlds/1"),
                         ("GET", "/v1/catalogue"), ("GET", "/v1/catalogue/1"),
                         ("GET", "/v1/sovereigns"), ("GET", "/v1/sovereigns/1"),
                         ("GET", "/v1/webhooks"), ("POST", "/v1/webhooks"),
                         ("GET", "/v1/webhooks/1/deliveries"),
                         ("GET", "/v1/schedules"), ("POST", "/v1/schedules"),
                         ("GET", "/v1/schedules/1"), ("DELETE", "/v1/schedules/1"),
                         ("POST", "/v1/schedules/1/pause"),
                         ("POST", "/v1/schedules/1/resume"),
                         ("GET", "/v1/events"), ("GET", "/metrics")]:
        call(method, path, "{}" if method == "POST" else None, wrong, expect=401)
    check(d.stop() == 0, "fleetd exit status")


run(main)
