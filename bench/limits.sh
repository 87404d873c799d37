#!/usr/bin/env bash
# How close does partcheck's upload path come to what this machine can do?
# Each figure is measured against a reference taken in the same run (so load
# from other processes hits both), every comparison is repeated, and the
# table shows medians. Figures (docs/benchmarking.md explains each):
#   a  one stream, FILE in PART parts into the mock (null storage)
#        vs iperf3 single-stream loopback           target >= 0.8
#        vs the bench's own --calibrate tcp ceiling  target >= 0.8
#   b  the same upload vs curl posting the same parts from files in the
#      page cache to the same `partcheck serve`      target >= 1.0
#   c  BIG parts vs 64 MiB parts (same file size)    target >= 0.9
#      concurrency 8 vs 1, aggregate throughput      target >= 0.95 (not lower)
#   d  into the mock with disk storage + fsync vs
#      dd conv=fsync on the same file system         target >= 0.8
#   e  over HTTPS (the mock's --tls-self-signed, null storage): the bench vs
#      curl posting the same parts over HTTPS         target >= 1.0
#      and vs `openssl speed` of the negotiated cipher on one core (each of
#      bench and mock encrypts or decrypts every byte once, one core each):
#      the fraction of the cipher ceiling reached     informational
#      (and vs aes-128-gcm, when another cipher was negotiated)
#      peak RSS of bench and mock, also with one BIG part  each <= 64 MiB
#      client CPU per GiB, curl's over the bench's     target >= 1.0
#
# Needs bash's `times` (curl's CPU) and python3; iperf3 is optional (figure a).
#
# Usage: bench/limits.sh [--quick] [--runs N] [--build DIR] [--work DIR] [--only a,b,c,d,e]
#   --quick   small sizes (512 MiB files), for the `perf` CTest label
# Exit: 0 all targets met, 1 a target missed, 2 a tool or a run failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
. "$ROOT/bench/serve_banner.sh"
WORK=""
RUNS=3
QUICK=0
ONLY="a,b,c,d,e"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS="$2"; shift ;;
    --build) BUILD="$2"; shift ;;
    --work) WORK="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "limits.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "limits.sh: --runs needs a positive number" >&2; exit 2; }

PARTCHECK="$BUILD/partcheck"
[[ -x "$PARTCHECK" ]] || { echo "limits.sh: $PARTCHECK not found; build first (scripts/build.sh) or pass --build" >&2; exit 2; }
for tool in python3 curl dd; do
  command -v "$tool" >/dev/null || { echo "limits.sh: $tool is required" >&2; exit 2; }
done

MiB=$((1024 * 1024)); GiB=$((1024 * MiB))
if [[ $QUICK == 1 ]]; then
  FILE=$((512 * MiB)); PART=$((128 * MiB)); BIG_FILE=$((512 * MiB)); BIG_PART=$((512 * MiB))
  CONC_FILE=$((128 * MiB)); DISK_FILE=$((256 * MiB))
else
  # Big parts: one 5 GiB part (the contract's largest) of a 5 GiB file; a
  # 10 GiB file (two parts) tells the same and takes twice as long.
  FILE=$((4 * GiB)); PART=$((1 * GiB)); BIG_FILE=$((5 * GiB)); BIG_PART=$((5 * GiB))
  CONC_FILE=$((1 * GiB)); DISK_FILE=$((2 * GiB))
fi
SMALL_PART=$((64 * MiB))

[[ -n "$WORK" ]] || WORK=$(mktemp -d "${TMPDIR:-/tmp}/partcheck-limits.XXXXXX")
mkdir -p "$WORK"
KEY="limits-$(python3 -c 'import uuid; print(uuid.uuid4())')"
SERVE_PID=""
cleanup() {
  if [[ -n "$SERVE_PID" ]]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "limits.sh: $*" >&2; exit 2; }
log() { printf '  %s\n' "$*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# `partcheck serve` on a free port; sets SERVE_URL.
start_serve() {
  "$PARTCHECK" serve --listen 127.0.0.1:0 --api-key "$KEY" --quiet "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVE_PID=$!
  read_serve_banner "$SERVE_PID" "$WORK/serve.out" "$WORK/serve.err"
  SERVE_URL=$SERVED_URL TLS_URL=$SERVED_TLS_URL
}
serve_peak_rss() { awk '/^VmHWM:/ {print $2 * 1024}' "/proc/$SERVE_PID/status"; }
stop_serve() {
  kill "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
}

# Runs `partcheck bench ARGS` and prints its throughput in bytes/s (checked:
# no failed upload, no error). The JSON stays in $WORK/last.json.
bench_bps() {
  local out="$WORK/last.json"
  "$PARTCHECK" bench --quiet --out "$out" "$@" >"$WORK/bench.log" 2>&1 \
    || fail "partcheck bench $* failed: $(tail -5 "$WORK/bench.log")"
  python3 - "$out" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
errors = sum(e["count"] for e in r["errors"])
if t["failed_uploads"] or errors:
    sys.exit(f"bench run had {t['failed_uploads']} failed uploads and {errors} errors")
print(t["throughput_bytes_per_s"])
EOF
  [[ $? == 0 ]] || exit 2
}

# The bench's own --calibrate TCP ceiling from the last JSON, bytes/s.
calibrated_tcp_bps() {
  python3 - "$WORK/last.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])).get("calibration") or {}
tcp = [x["bytes_per_s"] for x in c.get("ceilings", []) if x["name"].startswith("tcp")]
print(tcp[0] if tcp else "nan")
EOF
}

# One iperf3 single-stream test of FILE bytes over loopback, bytes/s.
iperf_bps() {
  local attempt
  for attempt in 1 2 3; do
    local port; port=$(free_port)
    iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
    local server=$!
    # Wait for the listener without connecting: the one-off server would take a probe for its test.
    for _ in $(seq 100); do ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break; sleep 0.05; done
    iperf3 -c 127.0.0.1 -p "$port" -n "$FILE" -J >"$WORK/iperf.json" 2>/dev/null || true
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    if python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 8)' \
         "$WORK/iperf.json" 2>/dev/null; then
      return 0
    fi
    log "iperf3 attempt $attempt failed: $(head -c 200 "$WORK/iperf.json" | tr '\n' ' ')"
  done
  fail "iperf3 failed three times"
}

# Part files for curl, written once and read back so they sit in the page cache.
make_part_files() {
  local offset=0 index=0
  while (( offset < FILE )); do
    local length=$(( FILE - offset < PART ? FILE - offset : PART ))
    head -c "$length" /dev/urandom >"$WORK/part.$index"
    offset=$(( offset + length )); index=$(( index + 1 ))
  done
  cat "$WORK"/part.* >/dev/null
}

# One curl process, one keep-alive connection, every part in order (--next);
# CURL_URL and CURL_EXTRA (e.g. --cacert FILE) change where and how.
curl_bps() {
  local url=${CURL_URL:-$SERVE_URL}
  local hash; hash=$(python3 -c 'import uuid; print(uuid.uuid4())')
  local args=() offset=0 index=0
  while (( offset < FILE )); do
    local length=$(( FILE - offset < PART ? FILE - offset : PART ))
    (( index > 0 )) && args+=(--next)
    args+=(-sS ${CURL_EXTRA:-} -o /dev/null -w '%{http_code}\n' -X POST -T "$WORK/part.$index"
           -H "Authorization: Bearer $KEY" -H "Content-Type: application/octet-stream" -H "Expect:"
           -H "Content-Range: bytes $offset-$(( offset + length ))/$FILE"
           "$url/pub/v1/disk/file/upload?hash=$hash")
    offset=$(( offset + length )); index=$(( index + 1 ))
  done
  local start end
  times >"$WORK/times.before"  # the CPU time of this shell's children, curl's once it is done
  start=$(date +%s.%N)
  curl "${args[@]}" >"$WORK/curl.codes" || fail "curl failed"
  end=$(date +%s.%N)
  times >"$WORK/times.after"
  python3 - "$WORK/times.before" "$WORK/times.after" >"$WORK/curl.cpu" <<'EOF'
import re, sys
def children(path):  # second line of `times`: "0m1.500s 0m1.780s", user then sys
    m = re.findall(r"(\d+)m([\d.]+)s", open(path).read().splitlines()[1])
    return sum(int(a) * 60 + float(b) for a, b in m)
print(children(sys.argv[2]) - children(sys.argv[1]))
EOF
  local expected; expected=$(python3 -c "print('206\n' * ($index - 1) + '200')")
  [[ "$(cat "$WORK/curl.codes")" == "$expected" ]] || fail "curl got statuses $(tr '\n' ' ' <"$WORK/curl.codes")"
  python3 -c "print($FILE / ($end - $start))"
}

# `openssl speed` of one cipher on one core, bytes/s (16 KiB blocks: TLS records).
cipher_bps() {
  openssl speed -evp "$1" -bytes 16384 -seconds 3 2>/dev/null | python3 -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"^\S+\s+([\d.]+)k\s*$", line.strip())
    if m: print(float(m.group(1)) * 1000); sys.exit(0)
sys.exit("cannot read openssl speed")'
}

# The negotiated cipher (bench JSON) as an `openssl speed -evp` name, then as negotiated.
tls_cipher_of_last() {
  python3 - "$WORK/last.json" <<'EOF'
import json, sys
c = (json.load(open(sys.argv[1])).get("transport") or {}).get("tls_cipher") or ""
names = {"TLS_AES_256_GCM_SHA384": "aes-256-gcm", "TLS_AES_128_GCM_SHA256": "aes-128-gcm",
         "TLS_CHACHA20_POLY1305_SHA256": "chacha20-poly1305"}
print(names.get(c, "aes-256-gcm" if "AES256-GCM" in c else "aes-128-gcm" if "AES128-GCM" in c else "-"), c or "-")
EOF
}
# CPU seconds (user + sys) per GiB of the last bench run's whole process.
client_cpu_per_gib_of_last() {
  python3 -c 'import json,sys; c = json.load(open(sys.argv[1]))["resources"]["client"]; print((c["user_s"] + c["sys_s"]) / (int(sys.argv[2]) / 2**30))' "$WORK/last.json" "$FILE"
}
client_peak_rss_of_last() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["resources"]["client"]["peak_rss_bytes"])' "$WORK/last.json"; }

dd_bps() {
  local count=$(( DISK_FILE / MiB ))
  dd if=/dev/zero of="$WORK/dd.bin" bs=1M count="$count" conv=fsync 2>"$WORK/dd.err" >/dev/null || fail "dd failed"
  rm -f "$WORK/dd.bin"
  python3 - "$WORK/dd.err" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"(\d+) bytes .*?copied, ([\d.,]+) s", text)
if not m: sys.exit("cannot read dd's summary: " + text)
print(int(m.group(1)) / float(m.group(2).replace(",", ".")))
EOF
}

# Collected figures: name|measured list|reference list|ratio list|target
declare -A MEASURED REFERENCE RATIO TARGET LABEL UNIT
ORDER=()
record() {  # key label target measured reference [unit: MiB/s (default) or MiB]
  local key=$1
  if [[ -z "${LABEL[$key]:-}" ]]; then ORDER+=("$key"); LABEL[$key]=$2; TARGET[$key]=$3; UNIT[$key]=${6:-MiB/s}; fi
  MEASURED[$key]+="$4 "; REFERENCE[$key]+="$5 "
  RATIO[$key]+="$(python3 -c 'import sys; m, r = map(float, sys.argv[1:]); print(m / r if r > 0 else float("nan"))' "$4" "$5") "
  log "$(python3 -c 'import sys; u = sys.argv[4]; k = 2**20 if u.startswith("MiB") else 1; print(f"{sys.argv[1]}: {float(sys.argv[2])/k:.2f} {u} vs {float(sys.argv[3])/k:.2f} {u}")' "$2" "$4" "$5" "${6:-MiB/s}")"
}
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
human() { python3 -c "import sys; print(f'{float(sys.argv[1])/2**30:.2f} GiB')" "$1"; }

echo "partcheck limits: $RUNS runs per figure, work dir $WORK$([[ $QUICK == 1 ]] && echo ' (quick mode)')" >&2
echo "  one-stream file $(human $FILE) in $(human $PART) parts; big parts: $(human $BIG_FILE) in $(human $BIG_PART)" >&2

if wants b || wants e; then make_part_files; fi

for run in $(seq "$RUNS"); do
  echo "run $run/$RUNS" >&2
  if wants a; then
    bps=$(bench_bps --file-size "$FILE" --part-size "$PART" --files 1 --concurrency 1 --calibrate)
    tcp=$(calibrated_tcp_bps) || fail "cannot read the calibration"
    if command -v iperf3 >/dev/null; then
      iperf=$(iperf_bps) || exit 2
      record a1 "a  one stream vs iperf3 loopback" 0.8 "$bps" "$iperf"
    fi
    [[ "$tcp" != nan ]] && record a2 "a  one stream vs --calibrate tcp" 0.8 "$bps" "$tcp"
  fi
  if wants b; then
    start_serve --storage null
    bench=$(bench_bps --target "$SERVE_URL" --api-key "$KEY" --file-size "$FILE" --part-size "$PART" --files 1)
    curl=$(curl_bps) || exit 2
    record b "b  bench vs curl, same parts" 1.0 "$bench" "$curl"
    stop_serve
  fi
  if wants c; then
    big=$(bench_bps --file-size "$BIG_FILE" --part-size "$BIG_PART" --files 1)
    small=$(bench_bps --file-size "$BIG_FILE" --part-size "$SMALL_PART" --files 1)
    record c1 "c  $(human $BIG_PART) parts vs 64 MiB parts" 0.9 "$big" "$small"
    one=$(bench_bps --file-size "$CONC_FILE" --part-size "$SMALL_PART" --files 8 --concurrency 1)
    eight=$(bench_bps --file-size "$CONC_FILE" --part-size "$SMALL_PART" --files 8 --concurrency 8)
    record c2 "c  concurrency 8 vs 1 (aggregate)" 0.95 "$eight" "$one"
  fi
  if wants d; then
    rm -rf "$WORK/data"
    start_serve --storage disk --fsync always --data-dir "$WORK/data"
    disk=$(bench_bps --target "$SERVE_URL" --api-key "$KEY" --file-size "$DISK_FILE" --part-size "$PART" --files 1)
    stop_serve
    rm -rf "$WORK/data"
    dd=$(dd_bps) || exit 2
    record d "d  disk+fsync vs dd conv=fsync" 0.8 "$disk" "$dd"
  fi
  if wants e; then
    rm -rf "$WORK/tls"
    start_serve --storage null --listen-tls 127.0.0.1:0 --tls-self-signed --data-dir "$WORK/tls"
    cert="$WORK/tls/tls/cert.pem"
    [[ -n "$TLS_URL" && -f "$cert" ]] || fail "partcheck serve gave no TLS listener or certificate"
    tls=$(bench_bps --target "$TLS_URL" --api-key "$KEY" --cacert "$cert" --file-size "$FILE" --part-size "$PART" --files 1)
    read -r cipher negotiated < <(tls_cipher_of_last)
    bench_rss=$(client_peak_rss_of_last)
    bench_cpu=$(client_cpu_per_gib_of_last)
    # The memory bound holds for the largest part the contract allows, too.
    bench_bps --target "$TLS_URL" --api-key "$KEY" --cacert "$cert" --file-size "$BIG_FILE" --part-size "$BIG_PART" \
      --files 1 >/dev/null
    bench_rss_big=$(client_peak_rss_of_last)
    curl=$(CURL_URL=$TLS_URL CURL_EXTRA="--cacert $cert" curl_bps) || exit 2
    curl_cpu=$(python3 -c 'import sys; print(float(open(sys.argv[1]).read()) / (int(sys.argv[2]) / 2**30))' "$WORK/curl.cpu" "$FILE")
    serve_rss=$(serve_peak_rss)
    stop_serve
    record e1 "e  https: bench vs curl, same parts" 1.0 "$tls" "$curl"
    if [[ "$cipher" != - ]]; then
      ceiling=$(cipher_bps "$cipher") || fail "openssl speed -evp $cipher failed"
      log "negotiated $negotiated; openssl speed -evp $cipher: $(python3 -c "print(f'{$ceiling/2**20:.0f}')") MiB/s on one core"
      record e2 "e  https: bench vs $cipher/core" - "$tls" "$ceiling"
    fi
    if [[ "$cipher" != aes-128-gcm ]]; then  # the common cipher of TLS 1.2 and 1.3, for comparison
      ceiling128=$(cipher_bps aes-128-gcm) || fail "openssl speed -evp aes-128-gcm failed"
      record e2b "e  https: bench vs aes-128-gcm/core" - "$tls" "$ceiling128"
    fi
    # Peak RSS against the 64 MiB budget, recorded as budget / measured: >= 1.0 is within it.
    record e3 "e  64 MiB vs bench peak RSS" 1.0 $((64 * MiB)) "$bench_rss" MiB
    record e3b "e  64 MiB vs bench RSS, $(human $BIG_PART) part" 1.0 $((64 * MiB)) "$bench_rss_big" MiB
    record e4 "e  64 MiB vs mock peak RSS" 1.0 $((64 * MiB)) "$serve_rss" MiB
    # Client CPU per GiB, recorded as curl's / the bench's: >= 1.0 is the bench
    # spending no more than curl. (Both runs share the same server, whose one
    # core per connection may cap both throughputs alike.)
    record e5 "e  client CPU: curl vs bench" 1.0 "$curl_cpu" "$bench_cpu" s/GiB
    rm -rf "$WORK/tls"
  fi
done

# The table: medians over the runs; the ratio is the median of per-run ratios.
cat >"$WORK/table.py" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("|") for line in sys.stdin if line.strip()]
header = ("figure", "measured", "reference", "ratio", "target", "met?")
print()
print(f"{header[0]:<40} {header[1]:>15} {header[2]:>15} {header[3]:>6} {header[4]:>7}  {header[5]}")
missed = 0
for label, measured, reference, ratios, target, unit in rows:
    scale = 2**20 if unit.startswith("MiB") else 1  # bytes shown in MiB; other units as they are
    unit = unit.ljust(5)
    m = statistics.median(map(float, measured.split())) / scale
    r = statistics.median(map(float, reference.split())) / scale
    q = statistics.median(map(float, ratios.split()))
    if target == "-":  # informational: nothing to meet
        print(f"{label:<40} {m:>9.2f} {unit} {r:>9.2f} {unit} {q:>6.3f} {'-':>7}  info")
        continue
    ok = q >= float(target)
    missed += not ok
    print(f"{label:<40} {m:>9.2f} {unit} {r:>9.2f} {unit} {q:>6.3f} {'>=' + target:>7}  {'yes' if ok else 'NO'}")
runs = len(rows[0][1].split()) if rows else 0
print(f"\nmedians of {runs} runs; each ratio is the median of the per-run ratios (figure / reference of the same run)")
sys.exit(1 if missed else 0)
EOF
MISSED=0
for key in "${ORDER[@]}"; do
  printf '%s|%s|%s|%s|%s|%s\n' "${LABEL[$key]}" "${MEASURED[$key]}" "${REFERENCE[$key]}" "${RATIO[$key]}" "${TARGET[$key]}" "${UNIT[$key]}"
done | python3 "$WORK/table.py" || MISSED=1
exit $MISSED
