#!/usr/bin/env bash
# Scenario 2 (many objects): N small Pods shaped like real ones (spec with containers,
# probes, volumes; status with conditions and container statuses), C concurrent full LISTs
# as JSON, protobuf and Table (what `kubectl get pods -A` asks for); kstream streaming
# with the raw limit, then --streaming=false under the memory cap.
#
#   bench/scenarios/many-pods.sh                  # 200,000 Pods, 10 clients
#   OBJECTS=20000 bench/scenarios/many-pods.sh
source "$(dirname "$0")/lib.sh"
OBJECTS=${OBJECTS:-200000}
CLIENTS=${CLIENTS:-10}
scenario_paths many-pods
URL_PATH="/api/v1/pods?resourceVersion=0"

if [ "${REPORT_ONLY:-0}" != 1 ]; then  # REPORT_ONLY=1: only the report, from the JSON results in $OUT
start_server
load pod "$OBJECTS" 0 bench
for accept in json protobuf table; do
  bench_list "$OUT/streaming-$accept.json" "$URL_PATH" streaming "$accept" false \
    --clients "$CLIENTS" --expect-items "$OBJECTS" --raw
done
stop_server

for accept in json protobuf table; do
  restart_server --streaming=false
  bench_list "$OUT/buffered-$accept.json" "$URL_PATH" buffered "$accept" false \
    --clients "$CLIENTS" --expect-items "$OBJECTS" --server-memory-cap "$CAP"
done
stop_server
fi

python3 bench/scenarios/report.py --md "$REPORT" --plots-dir "$OUT" --memory-plot memory-over-time.svg --cap "$CAP" \
  --title "Many objects: $OBJECTS Pods, $CLIENTS concurrent full LISTs ($STORAGE)" \
  --intro "Command: \`OBJECTS=$OBJECTS CLIENTS=$CLIENTS STORAGE=$STORAGE bench/scenarios/many-pods.sh\`. Pods as \`kstream-bench load --kind pod\` makes them: a realistic spec and status (the table gives the bytes per list), all in namespace \`bench\`, listed across all namespaces (\`/api/v1/pods\`). The table rows are \`kubectl get pods\`' (Accept \`application/json;as=Table;v=v1;g=meta.k8s.io\`). Raw JSON results in \`$(basename "$OUT")/\`." \
  "$OUT"/*.json
echo "report: $REPORT"
