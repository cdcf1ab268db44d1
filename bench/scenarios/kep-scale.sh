#!/usr/bin/env bash
# Scenario 1 (KEP scale): N ConfigMaps of S bytes, C concurrent full LISTs in JSON and
# protobuf, with and without gzip; kstream streaming (with the raw-bytes limit measured by
# the same clients in the same run) and kstream --streaming=false (under a memory cap, so
# the machine survives). Writes one JSON file per run under $OUT, plots, and a report.
#
#   bench/scenarios/kep-scale.sh                      # 10,000 x 100 KB, 10 clients, LMDB
#   OBJECTS=2000 bench/scenarios/kep-scale.sh         # smaller
#   STORAGE=etcd bench/scenarios/kep-scale.sh         # on a local etcd (started here)
#   KIND=widget bench/scenarios/kep-scale.sh          # custom resources (a CRD's Widgets, JSON
#                                                     # only: kube serves them no protobuf)
source "$(dirname "$0")/lib.sh"
OBJECTS=${OBJECTS:-10000}
SIZE=${SIZE:-100KB}
CLIENTS=${CLIENTS:-10}
GZIP_RUNS=${GZIP_RUNS:-false true}
KIND=${KIND:-configmap}
case "$KIND" in
  configmap)
    scenario_paths kep
    URL_PATH="/api/v1/namespaces/bench/configmaps?resourceVersion=0"
    ACCEPTS=${ACCEPTS:-json protobuf}
    WHAT="ConfigMaps" ;;
  widget)
    scenario_paths kep-widgets
    URL_PATH="/apis/bench.kstream.io/v1/namespaces/bench/widgets?resourceVersion=0"
    ACCEPTS=${ACCEPTS:-json}
    WHAT="Widgets (custom resources)" ;;
  *) echo "KIND must be configmap or widget" >&2; exit 2 ;;
esac

if [ "${REPORT_ONLY:-0}" != 1 ]; then  # REPORT_ONLY=1: only the report, from the JSON results in $OUT
start_server
load "$KIND" "$OBJECTS" "$SIZE" bench
for accept in $ACCEPTS; do
  for gz in $GZIP_RUNS; do
    bench_list "$OUT/streaming-$accept-gzip$gz.json" "$URL_PATH" streaming "$accept" "$gz" \
      --clients "$CLIENTS" --expect-items "$OBJECTS" --raw
  done
done
stop_server

for accept in $ACCEPTS; do
  for gz in $GZIP_RUNS; do
    restart_server --streaming=false
    bench_list "$OUT/buffered-$accept-gzip$gz.json" "$URL_PATH" buffered "$accept" "$gz" \
      --clients "$CLIENTS" --expect-items "$OBJECTS" --server-memory-cap "$CAP"
  done
done
stop_server
fi

python3 bench/scenarios/report.py --md "$REPORT" --plots-dir "$OUT" --memory-plot memory-over-time.svg --cap "$CAP" --targets \
  --title "KEP scale: $OBJECTS $WHAT x $SIZE, $CLIENTS concurrent full LISTs ($STORAGE)" \
  --intro "Command: \`$(echo "OBJECTS=$OBJECTS SIZE=$SIZE CLIENTS=$CLIENTS STORAGE=$STORAGE KIND=$KIND") bench/scenarios/kep-scale.sh\`; kstream streaming (the default) against the same server with \`--streaming=false\` (the whole body in memory before the first byte, as kube before 1.33), the buffered server under a $CAP memory cap. Raw JSON results in \`$(basename "$OUT")/\`." \
  "$OUT"/*.json
echo "report: $REPORT"
