# fleet_events.sh -- the mirror's changes reach /v1/events (src/fleetd/fleet_events.c):
# against fleetsim with short watches, one "watch" event per watch (never
# the same watch twice), and for a fleet sent by a move job
# "fleet.departed" from its world and then "fleet.arrived" at the
# destination; the first full load announces nothing.  The stream is read
# from the start (Last-Event-ID: 0), so this also shows the events are
# stored, not just pushed.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl jq

start_bg sim "$FLEETSIM" --listen 127.0.0.1:0 --watch-ms 400 --seed 3 --worlds 60 --fleets 8
sp=$(wait_port "$SCRATCH/sim.log") || fail "fleetsim did not start"
printf 'demo\n' >"$SCRATCH/pw"
chmod 600 "$SCRATCH/pw"
start_bg fleetd "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/f.db" \
	--upstream "http://127.0.0.1:$sp/api/" --username demo --password-file "$SCRATCH/pw"
port=$(wait_port "$SCRATCH/fleetd.log") || fail "fleetd did not start"
api="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
	[ "$(curl -sS "$api/healthz" | jq -r .upstream)" = connected ] && break
	sleep 0.1
done
[ "$(curl -sS "$api/healthz" | jq -r .upstream)" = connected ] || fail "upstream not connected"

curl -sSN -H 'Last-Event-ID: 0' "$api/v1/events" >"$SCRATCH/sse.txt" 2>/dev/null &
PIDS="$PIDS $!"

# an anchored fleet of the player's, and the nearest other world
curl -sS "$api/v1/fleets" >"$SCRATCH/fleets.json"
fid=$(jq '[.fleets[] | select(.anchor != null)][0].id' "$SCRATCH/fleets.json")
from=$(jq "[.fleets[] | select(.id == $fid)][0].anchor" "$SCRATCH/fleets.json")
[ "$fid" != null ] || fail "no anchored fleet: $(cat "$SCRATCH/fleets.json")"
curl -sS "$api/v1/worlds?limit=1000" >"$SCRATCH/worlds.json"
to=$(jq --argjson from "$from" '
	([.worlds[] | select(.id == $from)][0].position) as $p |
	[.worlds[] | select(.id != $from) |
	 {id, d: ((.position.x - $p.x) * (.position.x - $p.x) + (.position.y - $p.y) * (.position.y - $p.y))}] |
	sort_by(.d)[0].id' "$SCRATCH/worlds.json")
code=$(curl -sS -o "$SCRATCH/job.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d "{\"fleet\": $fid, \"steps\": [{\"op\": \"move\", \"to\": $to}]}" "$api/v1/jobs")
[ "$code" = 201 ] || fail "submit: $code $(cat "$SCRATCH/job.json")"

# complete events only: curl may be half way through writing the last line
events() { sed -n 's/^data: //p' "$SCRATCH/sse.txt" | jq -c -R 'fromjson? // empty'; }
for _ in $(seq 1 600); do
	events | jq -s -e --argjson f "$fid" --argjson w "$to" \
		'any(.[]; .type == "fleet.arrived" and .data.fleet == $f and .data.world == $w)' \
		>/dev/null 2>&1 && break
	sleep 0.1
done
# and a few more watches, to see one event each
for _ in $(seq 1 200); do
	[ "$(events | jq -s '[.[] | select(.type == "watch")] | length')" -ge 3 ] && break
	sleep 0.1
done
events >"$SCRATCH/events.json"
jq -s -e --argjson f "$fid" --argjson w "$to" \
	'any(.[]; .type == "fleet.arrived" and .data.fleet == $f and .data.world == $w)' \
	"$SCRATCH/events.json" >/dev/null || fail "no fleet.arrived for $fid at $to: $(jq -c . "$SCRATCH/events.json" | tail -n 20)"
dep=$(jq -s --argjson f "$fid" --argjson w "$from" \
	'[.[] | select(.type == "fleet.departed" and .data.fleet == $f and .data.from == $w)][0].id' \
	"$SCRATCH/events.json")
arr=$(jq -s --argjson f "$fid" '[.[] | select(.type == "fleet.arrived" and .data.fleet == $f)][0].id' \
	"$SCRATCH/events.json")
[ "$dep" != null ] && [ "$dep" -lt "$arr" ] || fail "fleet.departed ($dep) not before fleet.arrived ($arr)"

# one event per watch, never the same watch twice, in order
nw=$(jq -s '[.[] | select(.type == "watch")] | length' "$SCRATCH/events.json")
[ "$nw" -ge 3 ] || fail "only $nw watch events in 20 s of 0.4 s watches"
jq -s -e '[.[] | select(.type == "watch") | .data.watch] as $w |
	($w | length) == ($w | unique | length) and $w == ($w | sort)' "$SCRATCH/events.json" >/dev/null ||
	fail "watch events repeat or go back: $(jq -s -c '[.[] | select(.type == "watch") | .data.watch]' "$SCRATCH/events.json")"
# the first full load is not news: no fleet.new for the fleets already there
n=$(jq -s '[.[] | select(.type == "fleet.new")] | length' "$SCRATCH/events.json")
[ "$n" = 0 ] || fail "$n fleet.new events for fleets that were there from the start"
echo ok
