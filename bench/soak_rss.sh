#!/usr/bin/env bash
# Does the mock's memory stay flat under a steady load once its TTL has
# turned over? `partcheck serve --storage null --ttl TTL` takes 1 KiB
# whole-file uploads at RATE per second from `partcheck bench` (open model,
# Poisson arrivals) for DURATION seconds; the server's RSS is sampled every
# SAMPLE seconds. Once two TTLs have passed (uploads expire after one, the
# hashes they leave behind are forgotten after another: docs/contract.md), the
# largest RSS may exceed the smallest by at most 10 %.
#
#   bench/soak_rss.sh                           # RATE=2000 DURATION=600 TTL=60
#   RATE=500 DURATION=200 TTL=30 bench/soak_rss.sh
#
# Knobs (environment): RATE (uploads/s), DURATION (s), TTL (s), SAMPLE (s),
# STORAGE (null), CONCURRENCY (lanes, 16), PARTCHECK (build/partcheck).
# Prints one line per sample and a verdict; exit 0 flat, 1 not flat, 2 could
# not run.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/serve_banner.sh

RATE=${RATE:-2000}
DURATION=${DURATION:-600}
TTL=${TTL:-60}
SAMPLE=${SAMPLE:-10}
STORAGE=${STORAGE:-null}
CONCURRENCY=${CONCURRENCY:-16}
PARTCHECK=${PARTCHECK:-build/partcheck}

fail() { echo "soak_rss.sh: $*" >&2; exit 2; }
[[ -x "$PARTCHECK" ]] || fail "$PARTCHECK is missing (build first)"
(( DURATION > 2 * TTL + 2 * SAMPLE )) || fail "DURATION must exceed two TTLs and two samples to judge anything"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/partcheck-soak.XXXXXX")
SERVER_PID="" BENCH_PID=""
cleanup() {
  for pid in $BENCH_PID $SERVER_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PARTCHECK" serve --listen 127.0.0.1:0 --quiet --storage "$STORAGE" --ttl "${TTL}s" --data-dir "$WORK/data" \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
read_serve_banner "$SERVER_PID" "$WORK/serve.out" "$WORK/serve.err"
URL=$SERVED_URL KEY=$SERVED_KEY

"$PARTCHECK" bench --target "$URL" --api-key "$KEY" --file-size 1KiB --rate "${RATE}/s" \
  --concurrency "$CONCURRENCY" --duration "${DURATION}s" --quiet --out "$WORK/bench.json" >"$WORK/bench.log" 2>&1 &
BENCH_PID=$!

kib() { awk -v field="$1:" '$1 == field {print $2}' "/proc/$SERVER_PID/status"; }
completed() {
  python3 -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/__mock/stats", timeout=10))["uploads_completed"])' "$URL" 2>/dev/null || echo "?"
}

echo "soak: $STORAGE storage, --ttl ${TTL}s, $RATE uploads/s for $DURATION s, RSS every $SAMPLE s" >&2
printf '%8s %12s %12s\n' seconds uploads rss_kib
start=$(date +%s)
judged=()
while kill -0 "$BENCH_PID" 2>/dev/null; do
  sleep "$SAMPLE"
  now=$(( $(date +%s) - start ))
  rss=$(kib VmRSS)
  printf '%8d %12s %12s\n' "$now" "$(completed)" "$rss"
  (( now > 2 * TTL && now <= DURATION )) && judged+=("$rss")
done
wait "$BENCH_PID"; rc=$?; BENCH_PID=""
(( rc == 0 )) || fail "partcheck bench failed (exit $rc): $(tail -3 "$WORK/bench.log")"
(( ${#judged[@]} >= 2 )) || fail "too few samples after two TTLs"

printf '%s\n' "${judged[@]}" | python3 -c '
import sys
rss = [int(line) for line in sys.stdin if line.strip()]
low, high = min(rss), max(rss)
growth = (high - low) / low
print(f"after two TTLs: {len(rss)} samples, RSS {low / 1024:.1f} to {high / 1024:.1f} MiB, spread {growth * 100:.1f} %")
print("flat (within 10 %)" if growth <= 0.10 else "NOT flat (more than 10 %)")
sys.exit(0 if growth <= 0.10 else 1)
'
