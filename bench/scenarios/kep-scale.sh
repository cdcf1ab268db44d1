#!/usr/bin/env bash
# Scenario 1 (KEP scale): N ConfigMaps of S bytes, C concurrent full LISTs in JSON and
# protobuf, with and without gzip; kstream streaming (with the raw-bytes limit measured by
# the same clients in the same run) and kstream --streaming=false (under a memory cap, so
# the machine survives). Writes one JSON file per run under $OUT and a markdown report.
#
#   bench/scenarios/kep-scale.sh                      # 10,000 x 100 KB, 10 clients, LMDB
#   OBJECTS=2000 bench/scenarios/kep-scale.sh         # smaller
#   STORAGE=etcd bench/scenarios/kep-scale.sh         # on a local etcd (started here)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/bin}
OBJECTS=${OBJECTS:-10000}
SIZE=${SIZE:-100KB}
CLIENTS=${CLIENTS:-10}
STORAGE=${STORAGE:-lmdb}
CAP=${CAP:-8GiB}
DATE=$(date -u +%F)
OUT=${OUT:-bench/results/$DATE-kep-$STORAGE}
REPORT=${REPORT:-bench/results/$DATE-kep-$STORAGE.md}
WORK=$(mktemp -d /var/tmp/kstream-kep-XXXXXX)
PID=""; ETCD_PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  [ -n "$ETCD_PID" ] && kill "$ETCD_PID" 2>/dev/null && wait "$ETCD_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$OUT"

STORE_ARGS=()
if [ "$STORAGE" = etcd ]; then
  EPORT=$((20000 + RANDOM % 20000))
  etcd --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$EPORT" \
       --advertise-client-urls "http://127.0.0.1:$EPORT" --listen-peer-urls "http://127.0.0.1:$((EPORT + 1))" \
       --quota-backend-bytes=$((8 * 1024 * 1024 * 1024)) > "$WORK/etcd.log" 2>&1 &
  ETCD_PID=$!
  sleep 2
  STORE_ARGS=(--storage=etcd "--etcd-servers=http://127.0.0.1:$EPORT")
fi

start_server() {  # start_server [extra flags]
  "$BIN/kstream-apiserver" --data-dir="$WORK/data" --secure-port=0 --insecure-port=0 --bind-address=127.0.0.1 \
    --max-requests-inflight=0 --max-mutating-requests-inflight=0 "${STORE_ARGS[@]}" "$@" > "$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do
    PORT=$(grep -o 'plain HTTP on http://127.0.0.1:[0-9]*' "$WORK/server.log" | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "server did not start:"; cat "$WORK/server.log"; exit 1
}
stop_server() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; }

start_server
"$BIN/kstream-bench" load --url "http://127.0.0.1:$PORT" --token-file "$WORK/data/tokens.csv" --kind configmap \
  --count "$OBJECTS" --size "$SIZE" --namespace bench --concurrency 8
URL_PATH="/api/v1/namespaces/bench/configmaps?resourceVersion=0"

run() {  # run <label> <accept> <gzip> [extra list flags]
  local label=$1 accept=$2 gz=$3; shift 3
  "$BIN/kstream-bench" list --url "http://127.0.0.1:$PORT$URL_PATH" --token-file "$WORK/data/tokens.csv" \
    --clients "$CLIENTS" --accept "$accept" --gzip="$gz" --server-pid "$PID" --label "$label" \
    --expect-items "$OBJECTS" --json-out "$OUT/$label-$accept-gzip$gz.json" "$@" || true
}

for accept in json protobuf; do
  for gz in false true; do run streaming "$accept" "$gz" --raw; done
done
stop_server

start_server --streaming=false
for accept in json protobuf; do
  for gz in false true; do
    run buffered "$accept" "$gz" --server-memory-cap "$CAP"
    if ! kill -0 "$PID" 2>/dev/null; then PID=""; start_server --streaming=false; fi
  done
done
stop_server

python3 bench/scenarios/report.py --title "KEP scale: $OBJECTS ConfigMaps x $SIZE, $CLIENTS concurrent full LISTs ($STORAGE)" \
  --cap "$CAP" "$OUT"/*.json > "$REPORT"
echo "report: $REPORT"
