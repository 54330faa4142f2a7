# vglib.sh -- sourced by the tests of `make check-valgrind` (*.vg): run
# programs under Valgrind's memcheck, and fleetd or fleetsim in an e2e test
# through a wrapper, so that any memory error or definite leak fails the
# test.  Exit 77 (SKIP) when valgrind is not installed.
set -u

if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind is not installed (Debian: apt-get install valgrind)"
	exit 77
fi

# Errors and definite leaks fail; still-reachable blocks at exit (libcurl's
# and SQLite's caches) do not.  Suppressions: tests/valgrind/fleetd.supp.
VG_OPTS="--tool=memcheck --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=no \
--num-callers=30 --suppressions=$TOP_SRCDIR/tests/valgrind/fleetd.supp"

VG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fleetd-vg.XXXXXX")
# shellcheck disable=SC2064
trap "rm -rf '$VG_DIR'" EXIT
vg_failed=0

# vg_run NAME PROGRAM [ARGS...]: run it under memcheck; a line per result.
vg_run() {
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	# shellcheck disable=SC2086
	valgrind $VG_OPTS --log-file="$VG_DIR/$(basename "$name").%p.vg" "$@" \
		>"$VG_DIR/$(basename "$name").out" 2>&1
	rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 77 ]; then
		echo "ok: $name ($(($(date +%s) - t0)) s)"
	else
		echo "FAIL: $name (exit $rc after $(($(date +%s) - t0)) s)"
		tail -n 20 "$VG_DIR/$(basename "$name").out"
		cat "$VG_DIR/$(basename "$name")".*.vg
		vg_failed=1
	fi
}

# vg_wrap VAR: point $VAR (FLEETD or FLEETSIM) at a script that runs the
# real binary under memcheck, each process logging to its own file.
vg_wrap() {
	local var=$1 real
	eval "real=\$$var"
	cat >"$VG_DIR/$var" <<WRAP
#!/bin/sh
exec valgrind $VG_OPTS --log-file="$VG_DIR/$var.%p.vg" "$real" "\$@"
WRAP
	chmod +x "$VG_DIR/$var"
	eval "$var=\$VG_DIR/\$var"
	export "${var?}"
}

# vg_logs_clean [VAR]: no process's log reports an error (also for
# processes the test stopped itself and whose exit status it did not
# check); with VAR, at least one process ran through vg_wrap VAR.
vg_logs_clean() {
	local f bad=0
	if [ -n "${1:-}" ] && ! ls "$VG_DIR/$1".*.vg >/dev/null 2>&1; then
		echo "FAIL: no $1 process ran under memcheck"
		bad=1
	fi
	for f in "$VG_DIR"/*.vg; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$f"; then
			echo "FAIL: memcheck errors in $(basename "$f"):"
			cat "$f"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}
