# dashboard.sh -- runs the dashboard's browser tests in Debian's chromium
# through playwright-core, one after the other: dashboard.mjs (the page at
# work), token_origin.mjs (the token stays with its API origin),
# retry.mjs (the job view's Retry button) and groups.mjs (a group folded
# in the table, cancelled from its parent) and schedules.mjs (a schedule
# made in the form, its jobs appearing live).  Installs the pinned npm
# dependencies with `npm ci` when they are missing: into tests/browser/
# when the source tree is writable, else (make distcheck) into a copy in
# the build tree.  Chromium or node missing is a failure, not a skip:
# scripts/test installs them.
. "$TESTS_SRCDIR/e2e/lib.sh"
need node npm
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "chromium is not installed (apt-get install chromium)"

src="$TESTS_SRCDIR/browser"
deps="$src"
if [ ! -f "$deps/node_modules/playwright-core/package.json" ]; then
	if [ ! -w "$src" ]; then
		deps="$PWD/browser-deps"
		mkdir -p "$deps"
		cp "$src/package.json" "$src/package-lock.json" "$deps/"
	fi
	if [ ! -f "$deps/node_modules/playwright-core/package.json" ]; then
		# never a browser download: playwright-core has none, and scripts
		# are off all the same
		(cd "$deps" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts \
			--no-audit --no-fund --prefer-offline) >"$SCRATCH/npm.log" 2>&1 ||
			fail "npm ci failed: $(tail -n 5 "$SCRATCH/npm.log")"
	fi
fi
status=0
for t in dashboard.mjs token_origin.mjs retry.mjs groups.mjs schedules.mjs webhooks.mjs; do
	echo "# $t"
	BROWSER_DEPS_DIR="$deps" BROWSER_ARTIFACTS="${BROWSER_ARTIFACTS:-$PWD/browser-artifacts}" \
		node "$src/$t" || status=1
done
exit $status
