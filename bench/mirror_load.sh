#!/bin/sh
# bench/mirror_load.sh -- time and peak memory to load a full getObjects
# answer of 5,000 worlds (cloned from the real excerpt) into the mirror,
# and of an answer the size of the real 3.1 MB one.  Not a test.
#   bench/mirror_load.sh [BUILD_DIR]   (default: build, after scripts/test)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shared=${FLEETD_SHARED:-$top/../shared}
excerpt=$shared/fixtures/anacreon/getObjects-excerpt.json
[ -r "$excerpt" ] || { echo "no excerpt at $excerpt (set FLEETD_SHARED)" >&2; exit 1; }
make -C "$build" bench/mirror_load >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/mirror_load" gen "$excerpt" 5000 "$tmp/5000.json"
"$build/bench/mirror_load" gen "$excerpt" 1450 "$tmp/3mb.json"
for n in 5000 3mb; do
	case $n in
	5000) echo "== 5,000 worlds" ;;
	3mb) echo "== about 3.1 MB (the size of the real full answer)" ;;
	esac
	# each in a fresh process, so that its peak memory is its own
	"$build/bench/mirror_load" load "$tmp/$n.json" 7
	"$build/bench/mirror_load" load-jansson "$tmp/$n.json" 7
done
