# sim_flags.sh -- fleetsim's command line: --help and --version exit 0 and
# name every flag with its FLEETSIM_* variable; each bad flag or value is
# one line on stderr and exit 2; a galaxy that cannot be loaded is one line
# and exit 1; port 0 picks a free port that the log names.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl

"$FLEETSIM" --help >"$SCRATCH/help" 2>&1 || fail "--help failed"
for f in listen watch-ms galaxy sovereign seed worlds fleets user game fault-rate latency-ms; do
	grep -q -- "--$f" "$SCRATCH/help" || fail "--help lacks --$f"
done
grep -q FLEETSIM_WATCH_MS "$SCRATCH/help" || fail "--help lacks env names"
"$FLEETSIM" --version | grep -q '^fleetsim [0-9]' || fail "--version"

bad() {
	"$FLEETSIM" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	rc=$?
	[ "$rc" = 2 ] || fail "fleetsim $* exited $rc, wanted 2"
	[ "$(wc -l <"$SCRATCH/err")" = 1 ] || fail "fleetsim $*: stderr is not one line: $(cat "$SCRATCH/err")"
	[ -s "$SCRATCH/out" ] && fail "fleetsim $*: wrote to stdout"
	return 0
}
bad --frobnicate
bad --listen
bad --listen nowhere
bad --watch-ms 0
bad --watch-ms soon
bad --fault-rate 1.5
bad --fault-rate -0.1
bad --latency-ms -1
bad --worlds 2
bad --fleets -1
bad --user nocolon
bad --user :secret
bad --game ''
bad --log-level chatty
bad --sovereign 5
bad --galaxy /dev/null --worlds 10
bad stray-argument
FLEETSIM_WATCH_MS=abc bad
FLEETSIM_FAULT_RATE=2 bad

"$FLEETSIM" --listen 127.0.0.1:0 --galaxy "$SCRATCH/missing.json" >"$SCRATCH/out" 2>"$SCRATCH/err"
rc=$?
[ "$rc" = 1 ] || fail "a missing --galaxy exited $rc"
[ "$(wc -l <"$SCRATCH/err")" = 1 ] || fail "missing galaxy: $(cat "$SCRATCH/err")"
echo '{"not": "a list"}' >"$SCRATCH/obj.json"
"$FLEETSIM" --listen 127.0.0.1:0 --galaxy "$SCRATCH/obj.json" 2>"$SCRATCH/err" >/dev/null
[ $? = 1 ] && grep -q 'not a getObjects answer' "$SCRATCH/err" || fail "object galaxy: $(cat "$SCRATCH/err")"

# env variables are read; flags win over them
FLEETSIM_USER=alice:pw start_bg sim "$FLEETSIM" --listen 127.0.0.1:0 --game g7 --worlds 10
pid=$LAST_PID
port=$(wait_port "$SCRATCH/sim.log") || fail "fleetsim did not start on port 0"
[ "$port" -gt 0 ] || fail "port $port"
out=$(curl -sS -X POST "http://127.0.0.1:$port/api/login" -d '{"username":"alice","password":"pw"}')
case "$out" in *authToken*) ;; *) fail "FLEETSIM_USER ignored: $out" ;; esac
tok=$(printf '%s' "$out" | sed 's/.*"authToken":"\([^"]*\)".*/\1/')
out=$(curl -sS "http://127.0.0.1:$port/api/getGameInfo?authToken=$tok&gameID=g7")
case "$out" in *'"gameID":"g7"'*) ;; *) fail "--game ignored: $out" ;; esac
out=$(curl -sS -X POST "http://127.0.0.1:$port/api/login" -d '{"username":"demo","password":"demo"}')
case "$out" in *hexeError*) ;; *) fail "demo still accepted: $out" ;; esac
kill -TERM "$pid"
wait_exit "$pid" 10 || fail "fleetsim did not stop on SIGTERM"
grep -q 'msg="stopped"' "$SCRATCH/sim.log" || fail "no clean stop in the log"
echo ok
