# Sourced by the bench scripts that start `partcheck serve` themselves.
#
# read_serve_banner PID OUT ERR: waits (up to 10 s) until the server with
# process id PID has printed its banner to the file OUT, then sets
# SERVED_URL, SERVED_TLS_URL (empty without one) and SERVED_KEY. When the
# server dies first, or prints no address or key, calls the script's own
# fail() with what it wrote to ERR.
read_serve_banner() {
  local pid=$1 out=$2 err=$3
  for _ in $(seq 200); do
    grep -q '^api key ' "$out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || fail "partcheck serve did not start: $(cat "$err")"
    sleep 0.05
  done
  SERVED_URL=$(sed -n 's/^listening on //p' "$out")
  SERVED_TLS_URL=$(sed -n 's/^also listening on //p' "$out")
  SERVED_KEY=$(sed -n 's/^api key //p' "$out")
  [[ -n "$SERVED_URL" && -n "$SERVED_KEY" ]] || fail "partcheck serve printed no address or key"
}
