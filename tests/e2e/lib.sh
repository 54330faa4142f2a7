# lib.sh -- shared helpers for the end-to-end tests (sourced, not run).
# Each test gets a scratch directory; processes it starts are killed on
# exit.  Ports are never guessed: the daemons listen on port 0 and the
# test reads the real port from their "listening" log line.

set -u
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/fleetd-e2e.XXXXXX")
PIDS=""

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${KEEP_SCRATCH:-}" = "" ]; then rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	for f in "$SCRATCH"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f (last 30 lines)" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || fail "missing tool: $t"
	done
}

# wait_port LOGFILE -> prints the port from the first "listening" line
wait_port() {
	local log=$1 i port
	for i in $(seq 1 200); do
		port=$(sed -n 's/.*msg="listening".* port=\([0-9][0-9]*\).*/\1/p' "$log" 2>/dev/null | head -n 1)
		if [ -n "$port" ]; then
			echo "$port"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# start_bg NAME CMD... : start in the background, log to $SCRATCH/NAME.log
start_bg() {
	local name=$1
	shift
	"$@" >"$SCRATCH/$name.log" 2>&1 &
	LAST_PID=$!
	PIDS="$PIDS $LAST_PID"
}

# start_fleetd NAME DB [ARGS...] : fleetd on a free loopback port with the
# database DB, logging to $SCRATCH/NAME.log; sets pid and port, and fails
# (status 1) when no "listening" line comes
start_fleetd() {
	local name=$1 db=$2
	shift 2
	start_bg "$name" "$FLEETD" --listen 127.0.0.1:0 --db "$db" "$@"
	pid=$LAST_PID
	port=$(wait_port "$SCRATCH/$name.log")
}

# wait_exit PID SECONDS -> exit status, or 124 on timeout
wait_exit() {
	local pid=$1 secs=$2 i
	for i in $(seq 1 $((secs * 20))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return $?
		fi
		sleep 0.05
	done
	return 124
}

# usage_error NAME CMD ARGS... : CMD run with ARGS must exit 2 with exactly
# one line on stderr and nothing on stdout (NAME is what failures call it)
usage_error() {
	local name=$1 cmd=$2 rc
	shift 2
	"$cmd" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	rc=$?
	[ "$rc" = 2 ] || fail "$name $* exited $rc, wanted 2"
	[ "$(wc -l <"$SCRATCH/err")" = 1 ] || fail "$name $*: stderr is not one line: $(cat "$SCRATCH/err")"
	[ -s "$SCRATCH/out" ] && fail "$name $*: wrote to stdout"
	return 0
}

# jget JSON FILTER
jget() { printf '%s' "$1" | jq -r "$2"; }
