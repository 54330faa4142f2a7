# flags.sh -- the command line: --help and --version exit 0; every bad flag
# or value is exactly one line on stderr and exit status 2.
. "$TESTS_SRCDIR/e2e/lib.sh"

"$FLEETD" --help >"$SCRATCH/help" 2>&1 || fail "--help failed"
grep -q -- '--listen' "$SCRATCH/help" || fail "--help lacks --listen"
grep -q 'FLEETD_DB' "$SCRATCH/help" || fail "--help lacks env names"
"$FLEETD" --version | grep -q '^fleetd [0-9]' || fail "--version"

bad() { usage_error fleetd "$FLEETD" "$@"; }
bad --frobnicate
bad --listen
bad --listen nowhere
bad --rate -1
bad --log-level chatty
bad --max-body 1
bad --upstream gopher://x
FLEETD_RATE=zero bad
bad --retain-days -1
bad --retain-days 1e9
bad --retain-days thirty
FLEETD_RETAIN_DAYS=nan bad
grep -q -- '--retain-days N .*FLEETD_RETAIN_DAYS' "$SCRATCH/help" || fail "--help lacks --retain-days"
echo ok
