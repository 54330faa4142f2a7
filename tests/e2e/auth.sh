# auth.sh -- the bearer token: /healthz stays open, every other route
# (unknown ones too) answers 401 with WWW-Authenticate and the JSON error
# body unless the right token comes; the token file is checked at start-up;
# a non-loopback listener without a token is refused (exit 2, one line),
# its host resolved rather than compared as text;
# the database is created 0600; the token never reaches the log.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl jq

token="tk-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$token" >"$SCRATCH/token"
db="$SCRATCH/fleetd.db"
start_bg fleetd "$FLEETD" --listen 127.0.0.1:0 --db "$db" --log-level debug \
	--api-token-file "$SCRATCH/token"
pid=$LAST_PID
port=$(wait_port "$SCRATCH/fleetd.log") || fail "fleetd did not start"
url="http://127.0.0.1:$port"

# code URL [curl args...] -> status; headers in $SCRATCH/h, body in $SCRATCH/b
code() {
	local u=$1
	shift
	curl -sS -D "$SCRATCH/h" -o "$SCRATCH/b" -w '%{http_code}' "$@" "$u"
}

[ "$(code "$url/healthz")" = 200 ] || fail "/healthz needs no token"
for p in /metrics /v1/jobs /v1/fleets /no/such/route; do
	c=$(code "$url$p")
	[ "$c" = 401 ] || fail "$p without token gave $c"
	grep -qi '^WWW-Authenticate: Bearer realm="fleetd"' "$SCRATCH/h" ||
		fail "$p: no WWW-Authenticate: $(cat "$SCRATCH/h")"
	[ "$(jq -r .error.code "$SCRATCH/b")" = unauthorized ] || fail "$p body: $(cat "$SCRATCH/b")"
	grep -q "$token" "$SCRATCH/b" && fail "token echoed in a body"
done
[ "$(code "$url/metrics" -H "Authorization: Bearer wrong")" = 401 ] || fail "wrong token accepted"
[ "$(code "$url/metrics" -H "Authorization: Bearer ${token}x")" = 401 ] || fail "longer token accepted"
[ "$(code "$url/metrics" -H "Authorization: Bearer ${token%?}")" = 401 ] || fail "prefix accepted"
[ "$(code "$url/metrics" -H "Authorization: Basic $token")" = 401 ] || fail "Basic accepted"
[ "$(code "$url/metrics" -H "Authorization: $token")" = 401 ] || fail "no scheme accepted"
[ "$(code "$url/metrics" -H "Authorization: Bearer $token")" = 200 ] || fail "right token refused"
[ "$(code "$url/no/such/route" -H "Authorization: Bearer $token")" = 404 ] || fail "404 with token"
[ "$(code "$url/healthz" -H "Authorization: Bearer wrong")" = 200 ] || fail "/healthz with a bad token"

kill -TERM "$pid"
wait_exit "$pid" 10 || fail "fleetd did not stop"
mode=$(stat -c %a "$db")
[ "$mode" = 600 ] || fail "database mode is $mode"
grep -q 'msg="http request" method=GET route="/metrics"' "$SCRATCH/fleetd.log" ||
	fail "no debug request lines"
grep -q -- "$token" "$SCRATCH/fleetd.log" && fail "the token is in the log"

# one-line start-up refusals
refuse() { # WANT_RC PATTERN ARGS...
	local want=$1 pat=$2
	shift 2
	"$FLEETD" --db "$SCRATCH/r.db" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	local rc=$?
	[ "$rc" = "$want" ] || fail "fleetd $* exited $rc, wanted $want: $(cat "$SCRATCH/err")"
	[ "$(wc -l <"$SCRATCH/err")" = 1 ] || fail "fleetd $*: not one line: $(cat "$SCRATCH/err")"
	grep -q -- "$pat" "$SCRATCH/err" || fail "fleetd $*: message: $(cat "$SCRATCH/err")"
	[ -s "$SCRATCH/out" ] && fail "fleetd $*: wrote to stdout"
	return 0
}
refuse 2 "non-loopback" --listen 0.0.0.0:0
# resolved, not compared as text: a name that merely starts like a loopback
# address is refused (it does not resolve: .invalid never does)
refuse 2 "non-loopback" --listen 127.evil.invalid:0
refuse 2 "non-loopback" --listen 127.0.0.1.evil.invalid:0
refuse 2 "non-loopback" --listen '[::]:0'
FLEETD_LISTEN=0.0.0.0:0 refuse 2 "non-loopback"
refuse 2 "cannot be combined" --listen 127.0.0.1:0 --cors-origin '*' --api-token-file "$SCRATCH/token"
refuse 1 "cannot read" --listen 127.0.0.1:0 --api-token-file "$SCRATCH/missing"
: >"$SCRATCH/empty"
refuse 1 "empty" --listen 127.0.0.1:0 --api-token-file "$SCRATCH/empty"
chmod 000 "$SCRATCH/token"
if [ "$(id -u)" != 0 ]; then
	refuse 1 "cannot read" --listen 127.0.0.1:0 --api-token-file "$SCRATCH/token"
fi
chmod 600 "$SCRATCH/token"
grep -q -- "$token" "$SCRATCH/err" && fail "token in an error"

# a public listener with a token (from the environment) starts
FLEETD_API_TOKEN_FILE="$SCRATCH/token" start_bg public "$FLEETD" --listen 0.0.0.0:0 --db "$SCRATCH/p.db"
pid=$LAST_PID
port=$(wait_port "$SCRATCH/public.log") || fail "public listener with token did not start"
[ "$(code "http://127.0.0.1:$port/metrics")" = 401 ] || fail "env token not enforced"
[ "$(code "http://127.0.0.1:$port/metrics" -H "Authorization: Bearer $token")" = 200 ] || fail "env token refused"
kill -TERM "$pid"
wait_exit "$pid" 10 || fail "public fleetd did not stop"

# a name that resolves to loopback only needs no token
start_bg named "$FLEETD" --listen localhost:0 --db "$SCRATCH/n.db"
pid=$LAST_PID
port=$(wait_port "$SCRATCH/named.log") || fail "--listen localhost:0 without a token did not start"
[ "$(code "http://localhost:$port/healthz")" = 200 ] || fail "localhost listener"
kill -TERM "$pid"
wait_exit "$pid" 10 || fail "localhost fleetd did not stop"
echo ok
