#!/usr/bin/env bash
# Small whole-file uploads per second: `partcheck serve` (null, memory, disk
# with --fsync never and always) against nginx answering 200 to the same
# requests, driven by wrk with a fresh uuid per request, plus `partcheck
# bench --file-size 1KiB` at c=16 for comparison with wrk.
#
#   bench/load_target.sh                      # ROUNDS=3 DURATION=5
#   ROUNDS=1 DURATION=3 TARGETS="nginx null" bench/load_target.sh
#
# Each request: POST /pub/v1/disk/file/upload?hash=<uuid>, Content-Range:
# bytes 0-1024/1024, Content-Type: application/octet-stream, Authorization:
# Bearer <key>, a 1024-byte body. Every target is started afresh per round;
# the table shows medians over the rounds, and each ratio is the median of
# the per-round ratios to nginx at the same concurrency (docs/benchmarking.md:
# on a shared machine only same-run ratios compare). Needs wrk and nginx
# (Debian: apt-get install wrk nginx-light).
#
# Knobs (environment): ROUNDS (3), DURATION (seconds per run, 5), CONNS
# ("1 16 64"), TARGETS ("nginx null memory disk-never disk-always"),
# BENCH_CONNS (16; empty: no partcheck bench runs), NGINX_WORKERS (auto),
# THREADS (the mock's --threads, 2), PARTCHECK (build/partcheck), WORK (a
# temp dir).
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/serve_banner.sh

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNS=${CONNS:-"1 16 64"}
TARGETS=${TARGETS:-"nginx null memory disk-never disk-always"}
BENCH_CONNS=${BENCH_CONNS-16}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
THREADS=${THREADS:-2}
PARTCHECK=${PARTCHECK:-build/partcheck}
UPLOAD_PATH=/pub/v1/disk/file/upload

fail() { echo "load_target.sh: $*" >&2; exit 2; }
log() { printf '  %s\n' "$*" >&2; }

command -v wrk >/dev/null || fail "wrk is missing (apt-get install wrk)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x "$NGINX" ]] || fail "nginx is missing (apt-get install nginx-light)"
[[ -x "$PARTCHECK" ]] || fail "$PARTCHECK is missing (build first)"

[[ -n "${WORK:-}" ]] || WORK=$(mktemp -d "${TMPDIR:-/tmp}/partcheck-load.XXXXXX")
mkdir -p "$WORK"
TARGET_PID=""
cleanup() {
  if [[ -n "$TARGET_PID" ]]; then kill "$TARGET_PID" 2>/dev/null || true; wait "$TARGET_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The wrk script: one request per call, each with a fresh uuid. Arguments
# after `--`: the API key and a seed (so two runs never share a uuid). done()
# prints one line the shell reads: requests, seconds, non-2xx/3xx, socket
# errors, p50 and p99 latency in microseconds.
cat >"$WORK/upload.lua" <<EOF
local body = string.rep("x", 1024)
local headers = {}
local random = math.random
function init(args)
  headers["Authorization"] = "Bearer " .. (args[1] or "none")
  headers["Content-Range"] = "bytes 0-1024/1024"
  headers["Content-Type"] = "application/octet-stream"
  math.randomseed(tonumber(args[2] or "0") + os.time())
end
function request()
  local hash = string.format("%08x-%04x-4%03x-%04x-%012x", random(0, 0xffffffff), random(0, 0xffff),
                             random(0, 0xfff), random(0x8000, 0xbfff), random(0, 0xffffffffffff))
  return wrk.format("POST", "$UPLOAD_PATH?hash=" .. hash, headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.6f %d %d %d %d\n", summary.requests, summary.duration / 1e6, e.status,
                         e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
EOF

# nginx on a free port, everything under $WORK/nginx: POST to the upload
# path gets 200 and a small JSON body, the body itself is read and dropped.
start_nginx() {
  local dir="$WORK/nginx" port; port=$(free_port)
  rm -rf "$dir"; mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location = $UPLOAD_PATH {
      if (\$request_method != POST) { return 405; }
      default_type application/json;
      return 200 '{"success":true}';
    }
  }
}
EOF
  "$NGINX" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" -g 'daemon off;' >"$dir/out" 2>&1 &
  TARGET_PID=$!
  for _ in $(seq 100); do
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
    kill -0 "$TARGET_PID" 2>/dev/null || fail "nginx did not start: $(cat "$dir/out" "$dir/logs/error.log" 2>/dev/null)"
    sleep 0.05
  done
  URL="http://127.0.0.1:$port"; KEY=none
}

# `partcheck serve` with the given flags; its banner gives URL and KEY.
start_mock() {
  rm -rf "$WORK/data"
  "$PARTCHECK" serve --listen 127.0.0.1:0 --quiet --threads "$THREADS" --data-dir "$WORK/data" "$@" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  TARGET_PID=$!
  read_serve_banner "$TARGET_PID" "$WORK/serve.out" "$WORK/serve.err"
  URL=$SERVED_URL KEY=$SERVED_KEY
}

start_target() {
  case $1 in
    nginx) start_nginx ;;
    null | memory) start_mock --storage "$1" ;;
    disk-never) start_mock --storage disk --fsync never ;;
    disk-always) start_mock --storage disk --fsync always ;;
    *) fail "unknown target $1 (nginx, null, memory, disk-never, disk-always)" ;;
  esac
}
stop_target() {
  kill "$TARGET_PID" 2>/dev/null || true
  wait "$TARGET_PID" 2>/dev/null || true
  TARGET_PID=""
}
kib() { awk -v field="$1:" '$1 == field {print $2}' "/proc/$TARGET_PID/status"; }

# One wrk run: sets RATE (requests/s) and adds its 2xx answers to WRK_DONE.
wrk_rate() {
  local conns=$1 out="$WORK/wrk.out"
  wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s -s "$WORK/upload.lua" "$URL" -- "$KEY" "$RANDOM$RANDOM" \
    >"$out" 2>&1 || fail "wrk failed: $(tail -3 "$out")"
  read -r _ requests seconds bad errors p50 p99 < <(grep '^RESULT ' "$out") || fail "no wrk result: $(tail -3 "$out")"
  (( bad == 0 && errors == 0 )) || log "wrk c=$conns on $URL: $bad non-2xx answers, $errors socket errors"
  WRK_DONE=$(( ${WRK_DONE:-0} + requests - bad ))
  RATE=$(python3 -c "print($requests / $seconds)")
  log "wrk c=$conns: $(printf '%.0f' "$RATE")/s, p50 ${p50} us, p99 ${p99} us"
}

# `partcheck bench` of 1 KiB files at a concurrency: uploads/s. A run that
# does not end within DURATION + 30 s counts as hung (nan).
bench_rate() {
  local conns=$1 out="$WORK/bench.json"
  rm -f "$out"
  timeout $(( DURATION + 30 )) "$PARTCHECK" bench --target "$URL" --api-key "$KEY" --file-size 1KiB \
    --concurrency "$conns" --duration "${DURATION}s" --quiet --out "$out" >"$WORK/bench.log" 2>&1
  local rc=$?
  if (( rc == 124 )); then log "partcheck bench c=$conns hung (killed after $(( DURATION + 30 )) s)"; echo nan; return; fi
  (( rc == 0 )) || fail "partcheck bench failed: $(tail -3 "$WORK/bench.log")"
  python3 - "$out" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
if t["failed_uploads"]:
    print(f"  bench: {t['failed_uploads']} failed uploads", file=sys.stderr)
print(t["uploads_per_s"])
EOF
}

# The mock's completed uploads (GET /__mock/stats), or wrk's 2xx count for nginx.
uploads_done() {
  if [[ $1 == nginx ]]; then echo "$WRK_DONE"; return; fi
  python3 -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/__mock/stats", timeout=10))["uploads_completed"])' "$URL"
}

# Figures per target and column, one value per round, in the order first seen.
declare -A VALUES
ORDER=()
record() {
  [[ -n "${VALUES["$1|$2"]:-}" ]] || ORDER+=("$1|$2")
  VALUES["$1|$2"]+="$3 "
}

echo "partcheck load_target: $ROUNDS rounds, $DURATION s per run, wrk c=$CONNS, bench c=${BENCH_CONNS:-none}; $(uptime | sed 's/.*load/load/')" >&2
for round in $(seq "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  for target in $TARGETS; do
    log "$target"
    start_target "$target"
    base_rss=$(kib VmRSS)
    WRK_DONE=0
    for conns in $CONNS; do
      wrk_rate "$conns"
      record "$target" "wrk c=$conns" "$RATE"
    done
    if [[ -n "$BENCH_CONNS" ]]; then
      rate=$(bench_rate "$BENCH_CONNS") || exit 2
      record "$target" "bench c=$BENCH_CONNS" "$rate"
      [[ $rate == nan ]] || log "bench c=$BENCH_CONNS: $(printf '%.0f' "$rate")/s"
    fi
    done_now=$(uploads_done "$target") || fail "cannot read the mock's stats"
    peak=$(kib VmHWM)
    record "$target" uploads "$done_now"
    record "$target" "peak RSS KiB" "$peak"
    record "$target" "start RSS KiB" "$base_rss"
    stop_target
  done
done
echo "load at the end: $(uptime | sed 's/.*load/load/')" >&2

cat >"$WORK/table.py" <<'EOF'
import math, statistics, sys
values = {}
for line in sys.stdin:
    target, column, numbers = line.rstrip("\n").split("|")
    values[(target, column)] = [float(x) for x in numbers.split()]
targets = list(dict.fromkeys(t for t, _ in values))
rates = list(dict.fromkeys(c for _, c in values if c.startswith(("wrk", "bench"))))
def med(xs):
    xs = [x for x in xs if not math.isnan(x)]
    return statistics.median(xs) if xs else float("nan")
print()
print("uploads/s, median of rounds (ratio: median of per-round ratios to nginx at the same column)")
print(f"{'target':<12}" + "".join(f"{c:>22}" for c in rates))
for t in targets:
    cells = []
    for c in rates:
        own = values.get((t, c), [])
        ref = values.get(("nginx", c), [])
        cell = f"{med(own):9.0f}"
        if t != "nginx" and ref:
            cell += f" ({med([a / b for a, b in zip(own, ref) if b > 0]):5.3f})"
        cells.append(cell)
    print(f"{t:<12}" + "".join(f"{x:>22}" for x in cells))
print()
print("memory of the server: peak RSS (VmHWM) after all runs of a round, and its growth per upload done")
print(f"{'target':<12}{'uploads':>12}{'start RSS':>12}{'peak RSS':>12}{'bytes/upload':>14}")
for t in targets:
    up = values[(t, "uploads")]; start = values[(t, "start RSS KiB")]; peak = values[(t, "peak RSS KiB")]
    per = med([(p - s) * 1024 / u for p, s, u in zip(peak, start, up) if u > 0])
    print(f"{t:<12}{med(up):>12.0f}{med(start) / 1024:>9.1f} MiB{med(peak) / 1024:>9.1f} MiB{per:>14.0f}")
if "nginx" in targets:
    print("(nginx: the master's RSS; its workers are not counted)")
print(f"\nmedians of {len(next(iter(values.values())))} rounds")
EOF
for key in "${ORDER[@]}"; do printf '%s|%s\n' "$key" "${VALUES[$key]}"; done | python3 "$WORK/table.py"
