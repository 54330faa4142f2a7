# openapi_lint.sh -- every OpenAPI document in api-docs/ passes a real
# linter (Redocly CLI, `redocly lint` with api-docs/redocly.yaml: the
# recommended rules) with no error; a deliberately broken copy fails, so
# the check is proven able to fail; /v1/events and /metrics are described.
# scripts/test installs the linter (pinned) into .tools/ from npm.
. "$TESTS_SRCDIR/e2e/lib.sh"
redocly=${REDOCLY:-$TOP_SRCDIR/.tools/node_modules/.bin/redocly}
[ -x "$redocly" ] || redocly=$(command -v redocly 2>/dev/null) ||
	skip "redocly not installed (scripts/test installs @redocly/cli into .tools/)"
command -v node >/dev/null 2>&1 || skip "node not installed"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1

docs=$(grep -l '^openapi: 3' "$TOP_SRCDIR"/api-docs/*.yaml)
[ -n "$docs" ] || fail "no OpenAPI document in api-docs/"
lint() { # FILE -> status; output in $SCRATCH/lint.out
	(cd "$TOP_SRCDIR/api-docs" &&
		"$redocly" lint --config "$TOP_SRCDIR/api-docs/redocly.yaml" --format=codeframe "$1") \
		>"$SCRATCH/lint.out" 2>&1
}
for f in $docs; do
	lint "$f" || fail "redocly lint $(basename "$f"): $(grep -v '[║╔╚]' "$SCRATCH/lint.out" | tail -n 40)"
	grep -q 'Your API description is valid' "$SCRATCH/lint.out" ||
		fail "lint said: $(tail -n 20 "$SCRATCH/lint.out")"
done

# both operational routes are described (in openapi.yaml once it exists)
main="$TOP_SRCDIR/api-docs/openapi.yaml"
[ -f "$main" ] || main="$TOP_SRCDIR/api-docs/ops.yaml"
for p in /v1/events: /metrics:; do
	grep -q "^  $p" "$main" || fail "$(basename "$main") does not describe ${p%:}"
done

# a broken document must be refused
cp "$TOP_SRCDIR/api-docs/ops.yaml" "$TOP_SRCDIR/api-docs/redocly.yaml" "$SCRATCH/"
sed 's/^      responses:$/      answers:/' "$TOP_SRCDIR/api-docs/ops.yaml" >"$SCRATCH/broken.yaml"
(cd "$SCRATCH" && "$redocly" lint --config redocly.yaml broken.yaml) >"$SCRATCH/lint.out" 2>&1 &&
	fail "a document without responses passed the linter"
grep -q 'answers. is not expected' "$SCRATCH/lint.out" || fail "the linter did not name the problem"
echo ok
