# install.sh -- `make install DESTDIR=...` puts fleetd (and fleetsim, once
# it is built) in $(bindir), both man pages in man1 and the two systemd
# units with ExecStart naming the installed binary; the installed fleetd
# runs; `make uninstall` takes every file away again.
. "$TESTS_SRCDIR/e2e/lib.sh"
[ -n "${OPS_BUILDDIR:-}" ] || fail "OPS_BUILDDIR not set (run through make check)"
dest="$SCRATCH/root"
# a make of its own, not a part of the running `make check`
unset MAKEFLAGS MFLAGS MAKELEVEL
make -s -C "$OPS_BUILDDIR" install DESTDIR="$dest" >"$SCRATCH/install.log" 2>&1 ||
	fail "make install: $(tail -n 20 "$SCRATCH/install.log")"
vars=$(make -s --no-print-directory -C "$OPS_BUILDDIR" -f Makefile -f - print-dirs <<'MK'
print-dirs:
	@echo "$(bindir) $(mandir) $(systemdsystemunitdir)"
MK
)
set -- $vars
bindir=$1 mandir=$2 unitdir=$3
[ -x "$dest$bindir/fleetd" ] || fail "no $bindir/fleetd"
"$dest$bindir/fleetd" --version | grep -q '^fleetd ' || fail "installed fleetd does not run"
if [ -x "${FLEETSIM:-}" ]; then
	[ -x "$dest$bindir/fleetsim" ] || fail "fleetsim is built but not installed"
fi
for m in fleetd.1 fleetsim.1; do
	[ -s "$dest$mandir/man1/$m" ] || fail "no $mandir/man1/$m"
done
for u in fleetd.service fleetd@.service; do
	f="$dest$unitdir/$u"
	[ -s "$f" ] || fail "no $unitdir/$u"
	grep -q "^ExecStart=$bindir/fleetd\$" "$f" || fail "$u ExecStart: $(grep ExecStart "$f")"
done
make -s -C "$OPS_BUILDDIR" uninstall DESTDIR="$dest" >>"$SCRATCH/install.log" 2>&1 ||
	fail "make uninstall failed"
left=$(find "$dest" -type f | head -n 5)
[ -z "$left" ] || fail "left after uninstall: $left"
echo ok
