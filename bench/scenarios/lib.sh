# Shared by the scenario scripts (sourced): a kstream-apiserver on LMDB or a local etcd,
# loading, and one kstream-bench list run per call. Environment:
#   BIN      where kstream-apiserver and kstream-bench are (default build/bin)
#   STORAGE  lmdb (default) or etcd (an etcd is started in the work directory)
#   CAP      the memory cap for --streaming=false servers (default 8GiB)
#   SCENARIO_WORK  work directory (default: a new one under /var/tmp, removed at exit)
#   REPORT_ONLY=1  no runs: the report again from the JSON results already in $OUT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BIN=${BIN:-build/bin}
STORAGE=${STORAGE:-lmdb}
CAP=${CAP:-8GiB}
DATE=$(date -u +%F)
if [ -n "${SCENARIO_WORK:-}" ]; then
  WORK=$SCENARIO_WORK; KEEP_WORK=1; mkdir -p "$WORK"
else
  WORK=$(mktemp -d /var/tmp/kstream-scenario-XXXXXX); KEEP_WORK=0
fi
PID=""; ETCD_PID=""; PORT=""
[ -x "$BIN/kstream-apiserver" ] && [ -x "$BIN/kstream-bench" ] || { echo "build first (make build): $BIN"; exit 1; }

scenario_cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$ETCD_PID" ]; then kill "$ETCD_PID" 2>/dev/null || true; wait "$ETCD_PID" 2>/dev/null || true; fi
  [ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"
}
trap scenario_cleanup EXIT

STORE_ARGS=()
if [ "$STORAGE" = etcd ] && [ "${REPORT_ONLY:-0}" != 1 ]; then
  EPORT=$((20000 + RANDOM % 20000))
  etcd --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$EPORT" \
       --advertise-client-urls "http://127.0.0.1:$EPORT" --listen-peer-urls "http://127.0.0.1:$((EPORT + 1))" \
       --quota-backend-bytes=$((8 * 1024 * 1024 * 1024)) > "$WORK/etcd.log" 2>&1 &
  ETCD_PID=$!
  sleep 2
  STORE_ARGS=(--storage=etcd "--etcd-servers=http://127.0.0.1:$EPORT")
fi

# NAME (default <scenario>-<storage>), OUT (its results directory) and REPORT (its
# markdown), unless the caller set them.
scenario_paths() {  # scenario_paths <scenario>
  NAME=${NAME:-$1-$STORAGE}
  OUT=${OUT:-bench/results/$DATE-$NAME}
  REPORT=${REPORT:-bench/results/$DATE-$NAME.md}
  mkdir -p "$OUT"
}

start_server() {  # start_server [extra flags]; sets PID and PORT
  "$BIN/kstream-apiserver" --data-dir="$WORK/data" --secure-port=0 --insecure-port=0 --bind-address=127.0.0.1 \
    --max-requests-inflight=0 --max-mutating-requests-inflight=0 "${STORE_ARGS[@]}" "$@" > "$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 300); do
    PORT=$(grep -o 'plain HTTP on http://127.0.0.1:[0-9]*' "$WORK/server.log" | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "server did not start:"; cat "$WORK/server.log"; exit 1
}
stop_server() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  PID=""
}
# A fresh server for each buffered run: one killed at the cap is replaced, and memory a
# previous run left in the allocator does not hide part of the next run's growth.
restart_server() {  # restart_server [extra flags]
  stop_server
  start_server "$@"
}

load() {  # load <kind> <count> <size> <namespace>
  "$BIN/kstream-bench" load --url "http://127.0.0.1:$PORT" --token-file "$WORK/data/tokens.csv" --kind "$1" \
    --count "$2" --size "$3" --namespace "$4" --concurrency 8
}

# bench_list <json-out> <url path> <label> <accept> <gzip> [kstream-bench list flags...]
# A failed run (a list failed, or the server was killed at the cap) is recorded in its JSON
# and does not stop the scenario.
bench_list() {
  local out=$1 path=$2 label=$3 accept=$4 gz=$5; shift 5
  "$BIN/kstream-bench" list --url "http://127.0.0.1:$PORT$path" --token-file "$WORK/data/tokens.csv" \
    --accept "$accept" --gzip="$gz" --server-pid "$PID" --label "$label" --json-out "$out" "$@" || true
}

# Adds "list_mb" (the nominal list size of a run, for the size curves) to a result file.
tag_list_mb() {  # tag_list_mb <json> <MB>
  python3 - "$1" "$2" <<'EOF'
import json, sys
p, mb = sys.argv[1], float(sys.argv[2])
try:
    d = json.load(open(p))
except FileNotFoundError:
    sys.exit(0)
d["list_mb"] = mb
json.dump(d, open(p, "w"))
EOF
}
