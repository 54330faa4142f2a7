# web.sh -- the dashboard's static files as fleetd serves them: redirects to
# /web/, every file of web/ byte for byte with its Content-Type, 404 for
# unknown or unsafe names, no token needed for the page (the API still
# needs one), and --web-root serving an edited copy instead of the
# embedded one (and refusing a missing directory).
. "$TESTS_SRCDIR/e2e/lib.sh"
need curl jq cmp

WEB="$TOP_SRCDIR/web"
printf 'sekrit-token-123\n' >"$SCRATCH/token"
start_bg fleetd "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/f.db" \
	--api-token-file "$SCRATCH/token"
port=$(wait_port "$SCRATCH/fleetd.log") || fail "fleetd did not start"
base="http://127.0.0.1:$port"

for p in / /web; do
	out=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "$base$p")
	[ "$out" = "302 $base/web/" ] || fail "GET $p: $out"
done

# every file, exact bytes and type, no Authorization header sent
for f in "$WEB"/*; do
	name=$(basename "$f")
	case "$name" in
	*.html) want='text/html; charset=utf-8' ;;
	*.css) want='text/css; charset=utf-8' ;;
	*.js) want='text/javascript; charset=utf-8' ;;
	*) fail "unexpected file in web/: $name (add its type to src/fleetd/api_web.c and this test)" ;;
	esac
	url="$base/web/$name"
	[ "$name" = index.html ] && url="$base/web/"
	got=$(curl -sS -o "$SCRATCH/got" -w '%{http_code} %{content_type}' "$url")
	[ "$got" = "200 $want" ] || fail "$name: $got"
	cmp -s "$f" "$SCRATCH/got" || fail "$name: bytes differ from web/$name"
done
hdrs=$(curl -sS -D - -o /dev/null "$base/web/")
echo "$hdrs" | grep -qi "^content-security-policy: default-src 'self'" || fail "no CSP on the page: $hdrs"
echo "$hdrs" | grep -qi '^x-content-type-options: nosniff' || fail "no nosniff"
code=$(curl -sS -o /dev/null -w '%{http_code}' -I "$base/web/app.js")
[ "$code" = 200 ] || fail "HEAD app.js: $code"

# unknown, hidden, traversal and untyped names are 404 with the JSON error
for p in /web/nope.js /web/.gitignore /web/x.exe /web/index.html.bak; do
	code=$(curl -sS -o "$SCRATCH/e.json" -w '%{http_code}' "$base$p")
	[ "$code" = 404 ] || fail "GET $p: $code"
	[ "$(jq -r .error.code "$SCRATCH/e.json")" = not_found ] || fail "$p body: $(cat "$SCRATCH/e.json")"
done
# an encoded / inside a segment is refused before any route sees it
for p in /web/..%2f..%2fetc%2fpasswd /web/index.html%00.js; do
	code=$(curl -sS -o "$SCRATCH/e.json" -w '%{http_code}' "$base$p")
	[ "$code" = 400 ] || fail "GET $p: $code"
	[ "$(jq -r .error.code "$SCRATCH/e.json")" = bad_path ] || fail "$p body: $(cat "$SCRATCH/e.json")"
done
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer sekrit-token-123" "$base/web/app.js")
[ "$code" = 405 ] || fail "POST to a file gave $code"

# the page is public, the API is not
code=$(curl -sS -o /dev/null -w '%{http_code}' "$base/metrics")
[ "$code" = 401 ] || fail "/metrics without a token gave $code"

# --web-root: an edited copy is served as it is on disk, at each request
mkdir -p "$SCRATCH/site"
cp "$WEB"/* "$SCRATCH/site/"
echo '/* edited */' >>"$SCRATCH/site/style.css"
start_bg fleetd2 "$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/f2.db" --web-root "$SCRATCH/site"
port2=$(wait_port "$SCRATCH/fleetd2.log") || fail "fleetd --web-root did not start"
curl -sS "http://127.0.0.1:$port2/web/style.css" | tail -n 1 | grep -q 'edited' ||
	fail "--web-root copy not served"
echo '/* again */' >>"$SCRATCH/site/style.css"
curl -sS "http://127.0.0.1:$port2/web/style.css" | tail -n 1 | grep -q 'again' ||
	fail "--web-root not read at each request"
rm "$SCRATCH/site/app.js"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port2/web/app.js")
[ "$code" = 404 ] || fail "file missing under --web-root gave $code"
mkdir "$SCRATCH/site/dir.js"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port2/web/dir.js")
[ "$code" = 404 ] || fail "a directory under --web-root gave $code"
curl -sS -f -o /dev/null "http://127.0.0.1:$port2/healthz" || fail "fleetd died serving bad names"

# a --web-root that is not a directory stops start-up with one clear line
"$FLEETD" --listen 127.0.0.1:0 --db "$SCRATCH/f3.db" --web-root "$SCRATCH/none" \
	>"$SCRATCH/bad.out" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "--web-root missing: exit $rc"
grep -q -- '--web-root: .*none is not a directory' "$SCRATCH/bad.out" || fail "message: $(cat "$SCRATCH/bad.out")"
echo ok
