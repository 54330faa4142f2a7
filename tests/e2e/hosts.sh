# hosts.sh -- the DNS-rebinding guard.  A page on rebind.example re-pointed
# to 127.0.0.1 sends its own name as Host and a matching Origin: every
# route (POST /v1/jobs, /healthz, the dashboard, a preflight) answers 421
# with the JSON error body and stores nothing, before the token is even
# looked at.  Loopback names and addresses, the listen address and hosts
# named with --allowed-host (or FLEETD_ALLOWED_HOST, comma-separated) are
# served; a request without Host (HTTP/1.0) is too.  Bad --allowed-host
# values are one-line usage errors.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl jq

start_fleetd fleetd "$SCRATCH/a.db" || fail "fleetd did not start"
url="http://127.0.0.1:$port"

# code PATH [curl args...] -> status; headers in $SCRATCH/h, body in $SCRATCH/b
code() {
	local p=$1
	shift
	curl -sS -D "$SCRATCH/h" -o "$SCRATCH/b" -w '%{http_code}' "$@" "$url$p"
}
refused() { # WHAT: the last answer was the 421 with its JSON body
	[ "$(jq -r .error.code "$SCRATCH/b" 2>/dev/null)" = host_not_allowed ] ||
		fail "$1: body $(cat "$SCRATCH/b")"
	grep -qi '^Content-Type: application/json' "$SCRATCH/h" || fail "$1: not JSON"
}
job='{"fleet": 11, "steps": [{"op": "wait", "seconds": 3600}]}'

# the attack: a same-origin POST from the rebound page
evil="rebind.example:$port"
c=$(code /v1/jobs -X POST -H "Host: $evil" -H "Origin: http://$evil" \
	-H 'Content-Type: application/json' --data "$job")
[ "$c" = 421 ] || fail "rebound POST /v1/jobs gave $c"
refused "rebound POST"
for p in /healthz /web/ /v1/jobs /metrics /v1/events /no/such/route; do
	c=$(code "$p" -H "Host: $evil")
	[ "$c" = 421 ] || fail "rebound GET $p gave $c"
	refused "GET $p"
done
c=$(code /v1/jobs -X OPTIONS -H "Host: $evil" -H "Origin: http://$evil" \
	-H 'Access-Control-Request-Method: POST')
[ "$c" = 421 ] || fail "rebound preflight gave $c"
for h in "127.evil.invalid:$port" "localhost.evil.invalid:$port" "127.0.0.1.nip.io:$port" \
	"2130706433:$port" "user@localhost:$port" "[::1]x" "localhost:80:80" \
	"localhost:http" "local_host:$port"; do
	c=$(code /healthz -H "Host: $h")
	[ "$c" = 421 ] || fail "Host '$h' gave $c"
done
[ "$(code /v1/jobs -H 'Host: 127.0.0.1')" = 200 ] || fail "jobs list"
[ "$(jq '.jobs | length' "$SCRATCH/b")" = 0 ] || fail "a refused request stored a job"

# the names of this server
for h in "127.0.0.1:$port" "localhost:$port" "LocalHost:$port" "localhost.:$port" \
	"127.0.0.2:$port" "[::1]:$port" "[0::1]:$port" localhost; do
	c=$(code /healthz -H "Host: $h")
	[ "$c" = 200 ] || fail "Host '$h' gave $c"
done
c=$(code /v1/jobs -X POST -H "Host: localhost:$port" -H "Origin: http://localhost:$port" \
	-H 'Content-Type: application/json' --data "$job")
[ "$c" = 201 ] || fail "same-origin POST from localhost gave $c"
# HTTP/1.0 without a Host header: not a browser
c=$(code /healthz -0 -H 'Host:')
[ "$c" = 200 ] || fail "HTTP/1.0 without Host gave $c"
# refusals are counted like any answer
code /metrics >/dev/null
grep -q 'status="421"' "$SCRATCH/b" || fail "421 not in /metrics"
kill -TERM "$pid"
wait_exit "$pid" 10 || fail "fleetd did not stop"

# --allowed-host, with a token: 421 comes before 401, allowed hosts get to
# the token check; the environment variable takes a comma-separated list
printf 'tok-hosts\n' >"$SCRATCH/token"
FLEETD_ALLOWED_HOST='fleet.example,192.0.2.7' start_fleetd tok "$SCRATCH/b.db" \
	--api-token-file "$SCRATCH/token" --allowed-host Fleetd.Example.com \
	--allowed-host '[2001:db8::7]' || fail "fleetd with --allowed-host did not start"
url="http://127.0.0.1:$port"
grep -q 'allowed_hosts=4' "$SCRATCH/tok.log" || fail "not 4 allowed hosts (env and flags add up): $(grep 'api guard' "$SCRATCH/tok.log")"
c=$(code /metrics -H "Host: $evil")
[ "$c" = 421 ] || fail "rebound host with a token gave $c (want 421 before 401)"
for h in "fleetd.example.com:$port" "FLEETD.EXAMPLE.COM" "[2001:db8:0::7]:443"; do
	[ "$(code /metrics -H "Host: $h")" = 401 ] || fail "allowed Host '$h' did not reach the token check"
	[ "$(code /metrics -H "Host: $h" -H 'Authorization: Bearer tok-hosts')" = 200 ] ||
		fail "allowed Host '$h' with the token"
done
[ "$(code /healthz -H "Host: fleet.example:$port")" = 200 ] || fail "env host fleet.example"
[ "$(code /healthz -H "Host: 192.0.2.7")" = 200 ] || fail "env host 192.0.2.7"
[ "$(code /healthz -H "Host: evil.fleetd.example.com")" = 421 ] || fail "a sub-domain of an allowed host"
[ "$(code /healthz -H "Host: 192.0.2.70")" = 421 ] || fail "another address"
kill -TERM "$pid"
wait_exit "$pid" 10 || fail "fleetd with --allowed-host did not stop"

# hostile values: one line on stderr, exit 2
for v in ' ' '*' '*.example.com' 'http://fleet.example' 'fleet.example:8080' \
	'[::1]:8080' 'fleet.example/' 'user@fleet.example' 'fleet example' '[127.0.0.1]' \
	"$(printf 'caf\303\251.example')" "$(head -c 300 /dev/zero | tr '\0' a)"; do
	usage_error fleetd "$FLEETD" --db "$SCRATCH/r.db" --allowed-host "$v"
	grep -q -- '--allowed-host: invalid value' "$SCRATCH/err" || fail "message for '$v': $(cat "$SCRATCH/err")"
done
FLEETD_ALLOWED_HOST="$(printf 'a.example\nX-Injected: 1')" \
	usage_error fleetd "$FLEETD" --db "$SCRATCH/r.db"
grep -q 'not shown' "$SCRATCH/err" || fail "an unprintable value was echoed: $(cat "$SCRATCH/err")"
usage_error fleetd "$FLEETD" --db "$SCRATCH/r.db" --allowed-host
echo ok
