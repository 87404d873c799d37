#!/usr/bin/env bash
# Does sharding lose anything? The same work run two ways against one mock,
# alternating, ROUNDS times:
#   single: one `partcheck bench --concurrency C` process;
#   shards: N `partcheck bench --shard I/N --concurrency C` processes started
#           together (--start-at), then `partcheck report merge`.
# Prints each round's throughput and the median ratio shards/single; exits 1
# when that median is below MIN_RATIO (0.9), 2 on a setup error.
#
#   bench/shard_scaling.sh                          # ROUNDS=3, 4 shards, 8 GiB per run
#   ROUNDS=5 FILES=64 FILE_SIZE=64MiB bench/shard_scaling.sh
#
# Knobs (environment): ROUNDS (3), SHARDS (4), CONCURRENCY (4, the total over
# the shards), FILES (32), FILE_SIZE (256MiB), PART_SIZE (64MiB), STORAGE
# (null), MIN_RATIO (0.9), PARTCHECK (build/partcheck), WORK (a temp dir,
# removed at the end; the last round's results stay there with KEEP=1).
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/serve_banner.sh

ROUNDS=${ROUNDS:-3}
SHARDS=${SHARDS:-4}
CONCURRENCY=${CONCURRENCY:-4}
FILES=${FILES:-32}
FILE_SIZE=${FILE_SIZE:-256MiB}
PART_SIZE=${PART_SIZE:-64MiB}
STORAGE=${STORAGE:-null}
MIN_RATIO=${MIN_RATIO:-0.9}
PARTCHECK=${PARTCHECK:-build/partcheck}

fail() { echo "shard_scaling.sh: $*" >&2; exit 2; }
[[ -x "$PARTCHECK" ]] || fail "$PARTCHECK is missing (build first)"

[[ -n "${WORK:-}" ]] || WORK=$(mktemp -d "${TMPDIR:-/tmp}/partcheck-shards.XXXXXX")
mkdir -p "$WORK"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PARTCHECK" serve --listen 127.0.0.1:0 --storage "$STORAGE" --quiet >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
read_serve_banner "$SERVER_PID" "$WORK/serve.out" "$WORK/serve.err"

WORKLOAD=(--target "$SERVED_URL" --api-key "$SERVED_KEY" --files "$FILES" --file-size "$FILE_SIZE"
          --part-size "$PART_SIZE" --concurrency "$CONCURRENCY" --quiet)

# Bytes per second of one result file.
throughput() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["totals"]["throughput_bytes_per_s"])' "$1"; }

run_single() {
  "$PARTCHECK" bench "${WORKLOAD[@]}" --out "$WORK/single.json" >/dev/null || fail "the single run failed"
  throughput "$WORK/single.json"
}

run_shards() {
  local pids=() i
  rm -f "$WORK"/shard-*.json
  for ((i = 0; i < SHARDS; i++)); do
    "$PARTCHECK" bench "${WORKLOAD[@]}" --shard "$i/$SHARDS" --start-at +2s --out "$WORK/shard-$i.json" >/dev/null &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || fail "a shard failed"; done
  "$PARTCHECK" report merge "$WORK"/shard-*.json --out "$WORK/merged.json" >/dev/null || fail "the merge failed"
  throughput "$WORK/merged.json"
}

ratios=()
printf '%-6s %14s %14s %8s\n' round single_MiB/s shards_MiB/s ratio
for ((round = 1; round <= ROUNDS; round++)); do
  single=$(run_single)
  shards=$(run_shards)
  ratio=$(awk -v a="$shards" -v b="$single" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
  ratios+=("$ratio")
  awk -v r="$round" -v a="$single" -v b="$shards" -v q="$ratio" \
    'BEGIN { printf "%-6s %14.1f %14.1f %8s\n", r, a / 1048576, b / 1048576, q }'
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "median ratio shards/single: $median (goal >= $MIN_RATIO; $SHARDS shards, concurrency $CONCURRENCY, $FILES x $FILE_SIZE)"
awk -v m="$median" -v g="$MIN_RATIO" 'BEGIN { exit !(m >= g) }' || exit 1
