# jobs_noupstream.sh -- fleetd without --upstream still takes jobs: a game
# step waits (kind mirror_ready) without being re-run in a loop (its row is
# not rewritten), a timed wait runs to the end, and both survive kill -9
# with the same absolute deadline.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl jq sqlite3

db="$SCRATCH/fleetd.db"
start_bg fleetd "$FLEETD" --listen 127.0.0.1:0 --db "$db"
pid=$LAST_PID
port=$(wait_port "$SCRATCH/fleetd.log") || fail "fleetd did not start"
api="http://127.0.0.1:$port"
post() { curl -sS -H 'Content-Type: application/json' -d "$1" "$api/v1/jobs"; }

a=$(post '{"fleet": 11, "steps": [{"op": "move", "to": 20}]}' | jq -r .id)
b=$(post '{"fleet": 12, "steps": [{"op": "wait", "seconds": 2}, {"op": "wait", "seconds": 3600}]}' | jq -r .id)
[ "$a" = 1 ] && [ "$b" = 2 ] || fail "submissions: $a $b"
for _ in $(seq 1 100); do
	s=$(curl -sS "$api/v1/jobs/$a" | jq -r '.state + " " + (.wait.kind // "")')
	[ "$s" = "waiting mirror_ready" ] && break
	sleep 0.05
done
[ "$s" = "waiting mirror_ready" ] || fail "move without a galaxy: $s"
u1=$(sqlite3 "$db" "SELECT updated_at FROM jobs WHERE id = $a")
e1=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE job_id = $a")
sleep 1
u2=$(sqlite3 "$db" "SELECT updated_at FROM jobs WHERE id = $a")
e2=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE job_id = $a")
[ "$u1" = "$u2" ] && [ "$e1" = "$e2" ] || fail "a waiting job was re-run: $u1/$u2 events $e1/$e2"

# the timed job reaches its second wait; its deadline survives kill -9
for _ in $(seq 1 100); do
	step=$(curl -sS "$api/v1/jobs/$b" | jq -r .step)
	[ "$step" = 1 ] && break
	sleep 0.1
done
[ "$step" = 1 ] || fail "the first wait did not end"
sleep 0.2
wake=$(curl -sS "$api/v1/jobs/$b" | jq -r .wake_at)
kill -9 "$pid"
wait "$pid" 2>/dev/null
start_bg fleetd2 "$FLEETD" --listen 127.0.0.1:0 --db "$db"
pid=$LAST_PID
port=$(wait_port "$SCRATCH/fleetd2.log") || fail "restart failed"
api="http://127.0.0.1:$port"
grep -q 'msg="jobs loaded" live=2' "$SCRATCH/fleetd2.log" || fail "live jobs not loaded"
j=$(curl -sS "$api/v1/jobs/$b")
[ "$(jget "$j" .wake_at)" = "$wake" ] || fail "deadline moved: $wake -> $(jget "$j" .wake_at)"
[ "$(jget "$j" .state)" = waiting ] || fail "state after restart: $j"
[ "$(curl -sS "$api/v1/jobs/$a" | jq -r .wait.kind)" = mirror_ready ] || fail "condition lost"
[ "$(curl -sS "$api/healthz" | jq -r .jobs.live)" = 2 ] || fail "healthz job counts"
kill -TERM "$pid"
wait_exit "$pid" 10 || fail "no clean stop"
echo ok
