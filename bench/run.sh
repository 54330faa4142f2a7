#!/usr/bin/env bash
# bench/run.sh -- entry point of `make bench` (never part of `make check`).
# Installs what the benchmarks compare against (nginx, wrk, Debian's
# python3) with scripts/common.sh's installer, as scripts/test installs
# test packages, then runs the suite in bench/bench.py against the built
# fleetd and fleetsim and rewrites the generated part of
# docs/PERFORMANCE.md.
#
# usage: bench/run.sh BUILDDIR [OUTPUT.md]   (BUILDDIR holds fleetd, fleetsim)
# env:   BENCH_ONLY=name,name  run only these groups (see bench/bench.py)
#        BENCH_RUNS=N          runs per figure (default 3, at least 3 in the doc)
set -eu

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"
SRCDIR=$TOP
BUILDDIR=$(cd "${1:?usage: bench/run.sh BUILDDIR [OUTPUT.md]}" && pwd)
OUT=${2:-$SRCDIR/docs/PERFORMANCE.md}
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")

# What the suite runs side by side with fleetd: Debian's own packages.
BENCH_PKGS="nginx wrk python3 curl procps"
# shellcheck disable=SC2086
ensure_pkgs $BENCH_PKGS

for b in fleetd fleetsim; do
	[ -x "$BUILDDIR/$b" ] || { echo "bench: $BUILDDIR/$b not built (run make first)" >&2; exit 1; }
done

# Debian's interpreter, not whatever python3 is first on PATH: the asyncio
# baseline is "what a player runs", and the figures name its version.
exec /usr/bin/python3 "$SRCDIR/bench/bench.py" \
	--builddir "$BUILDDIR" --srcdir "$SRCDIR" --out "$OUT"
