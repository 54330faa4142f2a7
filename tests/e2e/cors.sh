# cors.sh -- CORS off by default; --cors-origin allows the named origins
# (echoed, with Vary: Origin, Location exposed); preflights answer 204 with
# the allowed methods and headers before auth, or 403 for other origins;
# a cross-origin POST from an origin not allowed is refused (CSRF guard)
# while a same-origin one is not; answers never carry a wildcard origin
# together with credentials.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl jq

printf 'tok-cors-test\n' >"$SCRATCH/token"
good=http://localhost:3000
start_bg fleetd "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/a.db" \
	--api-token-file "$SCRATCH/token" --cors-origin "$good" \
	--cors-origin https://Fleet.Example.com
port=$(wait_port "$SCRATCH/fleetd.log") || fail "fleetd did not start"
url="http://127.0.0.1:$port"
auth="Authorization: Bearer tok-cors-test"

code() {
	local u=$1
	shift
	curl -sS -D "$SCRATCH/h" -o "$SCRATCH/b" -w '%{http_code}' "$@" "$u"
}
hdr() { grep -i "^$1:" "$SCRATCH/h" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }

# preflight: no token needed, answered before routing
c=$(code "$url/v1/jobs" -X OPTIONS -H "Origin: $good" \
	-H "Access-Control-Request-Method: POST" \
	-H "Access-Control-Request-Headers: authorization, content-type, idempotency-key")
[ "$c" = 204 ] || fail "preflight gave $c"
[ "$(hdr Access-Control-Allow-Origin)" = "$good" ] || fail "preflight origin: $(cat "$SCRATCH/h")"
hdr Access-Control-Allow-Methods | grep -q POST || fail "preflight methods"
for h in Authorization Content-Type Idempotency-Key Last-Event-ID; do
	hdr Access-Control-Allow-Headers | grep -q "$h" || fail "preflight lacks $h"
done
[ -n "$(hdr Access-Control-Max-Age)" ] || fail "no Max-Age"
hdr Vary | grep -q Origin || fail "no Vary: Origin on preflight"
hdr Access-Control-Allow-Credentials | grep -q . && fail "credentials header sent"

# origins are compared case-insensitively (browsers send lower case)
c=$(code "$url/v1/jobs" -X OPTIONS -H "Origin: https://fleet.example.com" \
	-H "Access-Control-Request-Method: GET")
[ "$c" = 204 ] || fail "second origin preflight gave $c"

# preflight from an unknown origin
c=$(code "$url/v1/jobs" -X OPTIONS -H "Origin: http://evil.example" \
	-H "Access-Control-Request-Method: POST")
[ "$c" = 403 ] || fail "foreign preflight gave $c"
[ "$(jq -r .error.code "$SCRATCH/b")" = cors_denied ] || fail "403 body"
hdr Access-Control-Allow-Origin | grep -q . && fail "foreign origin allowed"

# actual requests
c=$(code "$url/metrics" -H "Origin: $good" -H "$auth")
[ "$c" = 200 ] || fail "allowed GET gave $c"
[ "$(hdr Access-Control-Allow-Origin)" = "$good" ] || fail "no ACAO on GET"
hdr Vary | grep -q Origin || fail "no Vary on GET"
hdr Access-Control-Expose-Headers | grep -q Location || fail "Location not exposed"
# the 401 of an allowed origin carries CORS headers, so the page can read it
c=$(code "$url/metrics" -H "Origin: $good")
[ "$c" = 401 ] || fail "no-token GET gave $c"
[ "$(hdr Access-Control-Allow-Origin)" = "$good" ] || fail "no ACAO on 401"

c=$(code "$url/metrics" -H "Origin: http://evil.example" -H "$auth")
[ "$c" = 200 ] || fail "foreign GET gave $c"
hdr Access-Control-Allow-Origin | grep -q . && fail "ACAO for a foreign origin"
c=$(code "$url/v1/jobs" -X POST -H "Origin: http://evil.example" -H "$auth" \
	-H 'Content-Type: text/plain' --data '{}')
[ "$c" = 403 ] || fail "foreign POST gave $c"
# same origin (the dashboard served by fleetd itself) is not cross-origin
c=$(code "$url/healthz" -X POST -H "Origin: http://127.0.0.1:$port" -H "$auth" --data '{}')
[ "$c" = 405 ] || fail "same-origin POST gave $c"

kill -TERM "$LAST_PID"
wait_exit "$LAST_PID" 10 || fail "fleetd did not stop"

# off by default: no CORS header for anyone, preflights refused
start_bg plain "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/b.db"
port=$(wait_port "$SCRATCH/plain.log") || fail "plain fleetd did not start"
c=$(code "http://127.0.0.1:$port/healthz" -H "Origin: $good")
[ "$c" = 200 ] || fail "plain GET gave $c"
hdr Access-Control-Allow-Origin | grep -q . && fail "CORS on by default"
c=$(code "http://127.0.0.1:$port/healthz" -X OPTIONS -H "Origin: $good" \
	-H "Access-Control-Request-Method: GET")
[ "$c" = 403 ] || fail "plain preflight gave $c"
kill -TERM "$LAST_PID"
wait_exit "$LAST_PID" 10 || fail "plain fleetd did not stop"

# a wildcard without a token: "*" and no credentials
start_bg star "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/c.db" --cors-origin '*'
port=$(wait_port "$SCRATCH/star.log") || fail "star fleetd did not start"
code "http://127.0.0.1:$port/metrics" -H "Origin: http://any.example" >/dev/null
[ "$(hdr Access-Control-Allow-Origin)" = "*" ] || fail "wildcard not sent"
hdr Access-Control-Allow-Credentials | grep -q . && fail "credentials with wildcard"
echo ok
