# systemd.sh -- contrib/fleetd.service and contrib/fleetd@.service pass
# `systemd-analyze verify` (with ExecStart pointed at the built fleetd and
# fleetd(1) on MANPATH, as after `make install`), with no warning at all;
# a deliberately broken copy must fail, so the check itself is proven.
. "$TESTS_SRCDIR/e2e/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 ||
	skip "systemd-analyze not installed (Debian package systemd; scripts/test installs it)"
command -v man >/dev/null 2>&1 ||
	skip "man not installed (Debian package man-db; scripts/test installs it)"

mkdir -p "$SCRATCH/units" "$SCRATCH/man/man1"
cp "$TOP_SRCDIR/man/fleetd.1" "$SCRATCH/man/man1/"
export MANPATH="$SCRATCH/man"

verify() { # FILE
	(cd "$SCRATCH/units" && systemd-analyze verify "./$1") >"$SCRATCH/verify.out" 2>&1
}

for u in fleetd.service fleetd@.service; do
	sed "s|^ExecStart=/usr/local/bin/fleetd|ExecStart=$FLEETD|" \
		"$TOP_SRCDIR/contrib/$u" >"$SCRATCH/units/$u"
	grep -q "^ExecStart=$FLEETD" "$SCRATCH/units/$u" || fail "$u: ExecStart not as expected"
	for k in DynamicUser=yes StateDirectory= ProtectSystem=strict LoadCredential=api-token \
		FLEETD_API_TOKEN_FILE=%d/api-token NoNewPrivileges=yes; do
		grep -q "^[A-Za-z]*=\?.*$k" "$SCRATCH/units/$u" || fail "$u lacks $k"
	done
	verify "$u" || fail "$u: systemd-analyze verify: $(cat "$SCRATCH/verify.out")"
	[ -s "$SCRATCH/verify.out" ] && fail "$u: warnings: $(cat "$SCRATCH/verify.out")"
done
# an instance of the template resolves %i
cp "$SCRATCH/units/fleetd@.service" "$SCRATCH/units/fleetd@empire1.service"
verify fleetd@empire1.service || fail "fleetd@empire1: $(cat "$SCRATCH/verify.out")"
grep -q 'EnvironmentFile=/etc/fleetd/%i.conf' "$SCRATCH/units/fleetd@.service" ||
	fail "template does not read /etc/fleetd/%i.conf"

# the verifier catches a bad value (else this test could never fail)
sed 's/^DynamicUser=yes/DynamicUser=perhaps/' "$SCRATCH/units/fleetd.service" \
	>"$SCRATCH/units/broken.service"
verify broken.service && fail "a broken unit passed verify"
grep -q perhaps "$SCRATCH/verify.out" || fail "verify did not name the bad value"
echo ok
