# logs.sh -- every log line is logfmt with a level; --log-level debug adds
# one line per HTTP request (method, route, path, status, duration_ms) and
# info leaves them out; no secret reaches the log: not the API token, not
# a wrong token a client tried, not the game password (also through a real
# login to fleetsim, where upstream calls are logged at debug too), not a
# query string.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl

token="tok-$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')"
password="pw-$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$token" >"$SCRATCH/token"
printf '%s\n' "$password" >"$SCRATCH/password"

run_fleetd() { # NAME LEVEL
	start_bg "$1" "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/$1.db" \
		--log-level "$2" --api-token-file "$SCRATCH/token" \
		--upstream http://127.0.0.1:9/api/ --username logtester \
		--password-file "$SCRATCH/password"
	PID=$LAST_PID
	PORT=$(wait_port "$SCRATCH/$1.log") || fail "$1 did not start"
}
traffic() {
	local u="http://127.0.0.1:$PORT"
	curl -sS -o /dev/null "$u/healthz"
	curl -sS -o /dev/null -H "Authorization: Bearer $token" "$u/metrics"
	curl -sS -o /dev/null -H "Authorization: Bearer guess-$password" "$u/metrics"
	curl -sS -o /dev/null -H "Authorization: Bearer $token" "$u/v1/nothing?secret=$password"
	curl -sS -o /dev/null -X POST -H "Authorization: Bearer $token" \
		--data "{\"password\":\"$password\"}" "$u/healthz"
}

run_fleetd debug debug
traffic
kill -TERM "$PID"
wait_exit "$PID" 10 || fail "fleetd did not stop"
log="$SCRATCH/debug.log"
grep -q 'level=debug msg="http request" method=GET route="/healthz" path="/healthz" status=200 duration_ms=[0-9.]*$' "$log" ||
	fail "no debug line for /healthz"
grep -q 'msg="http request" method=GET route="-" path="/metrics" status=401' "$log" ||
	fail "no debug line for the 401"
grep -q 'msg="http request" method=POST route="-" path="/healthz" status=405' "$log" ||
	fail "no debug line for the 405"
bad=$(grep -v -E '^ts=[0-9T:.-]+Z level=(debug|info|warn|error) msg="[^"]*"( [a-z_]+=("([^"\\]|\\.)*"|[^ "]*))*$' "$log")
[ -z "$bad" ] || fail "lines that are not logfmt: $bad"

run_fleetd info info
traffic
kill -TERM "$PID"
wait_exit "$PID" 10 || fail "fleetd did not stop"
grep -q 'msg="http request"' "$SCRATCH/info.log" && fail "request lines at info"
grep -q 'level=debug' "$SCRATCH/info.log" && fail "debug lines at info"

# a real login: fleetd signs in to fleetsim with the password, at debug
if [ -x "${FLEETSIM:-}" ]; then
	start_bg sim "$FLEETSIM" --listen 127.0.0.1:0 --user "logtester:$password" \
		--watch-ms 500 --log-level debug
	SIMPID=$LAST_PID
	simport=$(wait_port "$SCRATCH/sim.log") || fail "fleetsim did not start"
	start_bg live "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/live.db" \
		--log-level debug --api-token-file "$SCRATCH/token" \
		--upstream "http://127.0.0.1:$simport/api/" --username logtester \
		--password-file "$SCRATCH/password"
	PID=$LAST_PID
	PORT=$(wait_port "$SCRATCH/live.log") || fail "live fleetd did not start"
	for i in $(seq 1 400); do
		grep -q 'msg="logged in"' "$SCRATCH/live.log" &&
			grep -q 'msg="upstream call" endpoint=getObjects' "$SCRATCH/live.log" && break
		sleep 0.05
	done
	grep -q 'msg="logged in"' "$SCRATCH/live.log" || fail "fleetd did not log in to fleetsim"
	grep -q 'level=debug msg="upstream call" endpoint=[a-zA-Z]* status=200 .*ms=[0-9.]*' \
		"$SCRATCH/live.log" || fail "no debug line for upstream calls"
	traffic
	kill -TERM "$PID"
	wait_exit "$PID" 10 || fail "live fleetd did not stop"
	kill -TERM "$SIMPID"
	wait_exit "$SIMPID" 10 || fail "fleetsim did not stop"
fi

for f in "$SCRATCH"/*.log; do
	grep -q -- "$token" "$f" && fail "API token in $f"
	grep -q -- "$password" "$f" && fail "password in $f"
done
echo ok
