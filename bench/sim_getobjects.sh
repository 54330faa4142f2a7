#!/usr/bin/env bash
# bench/sim_getobjects.sh -- time a full getObjects of a 5,000-world galaxy
# served by fleetsim, measured with curl over loopback; prints every run and
# the median.  Usage: bench/sim_getobjects.sh [FLEETSIM] [RUNS]
# (default: build/fleetsim, 21 runs).  Not a test: it asserts nothing.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
SIM=${1:-$TOP/build/fleetsim}
RUNS=${2:-21}
WORLDS=${WORLDS:-5000}
FLEETS=${FLEETS:-500}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

"$SIM" --listen 127.0.0.1:0 --worlds "$WORLDS" --fleets "$FLEETS" --seed 1 >"$tmp/log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 200); do
	port=$(sed -n 's/.*msg="listening".* port=\([0-9]*\).*/\1/p' "$tmp/log" | head -n 1)
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { echo "fleetsim did not start" >&2; cat "$tmp/log" >&2; exit 1; }
base=http://127.0.0.1:$port/api
tok=$(curl -sS -X POST "$base/login" -d '{"username":"demo","password":"demo"}' |
	sed 's/.*"authToken":"\([^"]*\)".*/\1/')
body="{\"authToken\":\"$tok\",\"gameID\":\"sim\",\"sovereignID\":5000001,\"sequence\":0}"
curl -sS -o "$tmp/full.json" -X POST "$base/getObjects" -d "$body" # warm-up
for i in $(seq 1 "$RUNS"); do
	curl -sS -o /dev/null -w '%{time_total}\n' -X POST "$base/getObjects" -d "$body"
done >"$tmp/times"
bytes=$(wc -c <"$tmp/full.json")
objects=$(grep -o '"class":"[a-z]*"' "$tmp/full.json" | wc -l)
median=$(sort -n "$tmp/times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] * 1000}')
min=$(sort -n "$tmp/times" | head -n 1 | awk '{print $1 * 1000}')
max=$(sort -n "$tmp/times" | tail -n 1 | awk '{print $1 * 1000}')
echo "worlds=$WORLDS fleets=$FLEETS objects=$objects bytes=$bytes runs=$RUNS"
echo "full getObjects (curl time_total): median ${median} ms, min ${min} ms, max ${max} ms"
