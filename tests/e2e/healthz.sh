# healthz.sh -- start the built fleetd on a free loopback port with a fresh
# database, ask /healthz with curl (GET, and HEAD: headers, no body), stop
# it with SIGTERM, and check the exit status, the log and the schema left
# in the database file.
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl jq sqlite3

db="$SCRATCH/fleetd.db"
start_fleetd fleetd "$db" || fail "fleetd did not start"

body=$(curl -sS -f "http://127.0.0.1:$port/healthz") || fail "healthz request failed"
[ "$(jget "$body" .status)" = ok ] || fail "status is not ok: $body"
[ "$(jget "$body" '.schema_version | type')" = number ] || fail "no schema_version: $body"
ctype=$(curl -sS -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/healthz")
case "$ctype" in application/json*) ;; *) fail "content type $ctype" ;; esac

# unknown routes answer 404 with the JSON error body
code=$(curl -sS -o "$SCRATCH/nf.json" -w '%{http_code}' "http://127.0.0.1:$port/nope")
[ "$code" = 404 ] || fail "unknown route gave $code"
[ "$(jq -r .error.code "$SCRATCH/nf.json")" = not_found ] || fail "404 body: $(cat "$SCRATCH/nf.json")"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$port/healthz")
[ "$code" = 405 ] || fail "wrong method gave $code"
# HEAD is served as documented: the GET answer's headers, no body
code=$(curl -sS -I -D "$SCRATCH/head.h" -o "$SCRATCH/head.b" -w '%{http_code}' \
	"http://127.0.0.1:$port/healthz")
[ "$code" = 200 ] || fail "HEAD /healthz gave $code"
grep -qi '^Content-Type: application/json' "$SCRATCH/head.h" || fail "HEAD content type: $(cat "$SCRATCH/head.h")"
grep -qi '^Content-Length: [1-9]' "$SCRATCH/head.h" || fail "HEAD without the GET length: $(cat "$SCRATCH/head.h")"
[ "$(curl -sS -I -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/healthz/")" = 0 ] ||
	fail "HEAD /healthz/ sent a body"

kill -TERM "$pid"
wait_exit "$pid" 10
rc=$?
[ "$rc" = 0 ] || fail "fleetd exited $rc after SIGTERM"
grep -q 'msg="stopped"' "$SCRATCH/fleetd.log" || fail "no clean stop in the log"

mode=$(stat -c %a "$db")
[ "$mode" = 600 ] || fail "database mode is $mode"
[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = wal ] || fail "database not in WAL mode"
v=$(sqlite3 "$db" 'PRAGMA user_version')
n=$(ls "$TOP_SRCDIR"/migrations/*.sql | wc -l)
[ "$v" = "$n" ] || fail "schema version $v, expected $n"
[ "$(sqlite3 "$db" 'SELECT count(*) FROM migration_log')" = "$n" ] || fail "migration_log"

# a second start applies nothing new
start_fleetd fleetd2 "$db" || fail "second start failed"
grep -q 'migration applied' "$SCRATCH/fleetd2.log" && fail "second start re-applied migrations"
kill -INT "$pid"
wait_exit "$pid" 10 || fail "fleetd did not stop on SIGINT"

# a database from a newer fleetd is refused with a clear message
sqlite3 "$db" 'PRAGMA user_version = 999'
"$FLEETD" --listen 127.0.0.1:0 --db "$db" >"$SCRATCH/newer.log" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "newer schema: exit $rc"
grep -q 'newer than this fleetd' "$SCRATCH/newer.log" || fail "newer schema message"
echo "ok"
