#!/usr/bin/env bash
# Scenario 3 (slow clients): C clients each reading the KEP-scale list (N ConfigMaps x S)
# at R bytes/s for D; the lists still running at the end are cut (at 1 MB/s a 1 GB list
# takes 17 minutes). The server's memory over time shows what a slow reader costs:
# streaming holds one batch per client; --streaming=false holds each client's whole body.
#
#   bench/scenarios/slow-clients.sh               # 50 clients at 1 MB/s, 10,000 x 100 KB, 60 s
source "$(dirname "$0")/lib.sh"
OBJECTS=${OBJECTS:-10000}
SIZE=${SIZE:-100KB}
CLIENTS=${CLIENTS:-50}
RATE=${RATE:-1MB}
DURATION=${DURATION:-60s}
scenario_paths slow-clients
URL_PATH="/api/v1/namespaces/bench/configmaps?resourceVersion=0"

if [ "${REPORT_ONLY:-0}" != 1 ]; then  # REPORT_ONLY=1: only the report, from the JSON results in $OUT
start_server
load configmap "$OBJECTS" "$SIZE" bench
for accept in json protobuf; do
  bench_list "$OUT/streaming-$accept.json" "$URL_PATH" streaming "$accept" false \
    --clients "$CLIENTS" --read-rate "$RATE" --duration "$DURATION" --cut-at-deadline --threads 2
done
stop_server

restart_server --streaming=false
bench_list "$OUT/buffered-json.json" "$URL_PATH" buffered json false \
  --clients "$CLIENTS" --read-rate "$RATE" --duration "$DURATION" --cut-at-deadline --threads 2 \
  --server-memory-cap "$CAP"
stop_server
fi

python3 bench/scenarios/report.py --md "$REPORT" --plots-dir "$OUT" --memory-plot memory-over-time.svg --cap "$CAP" \
  --title "Slow clients: $CLIENTS clients reading $OBJECTS ConfigMaps x $SIZE at $RATE/s each ($STORAGE)" \
  --intro "Command: \`OBJECTS=$OBJECTS SIZE=$SIZE CLIENTS=$CLIENTS RATE=$RATE DURATION=$DURATION STORAGE=$STORAGE bench/scenarios/slow-clients.sh\`. Each client reads at $RATE/s for $DURATION; lists still running then are cut (counted, not failed). MB/s is the sum over all clients. Raw JSON results in \`$(basename "$OUT")/\`." \
  "$OUT"/*.json
echo "report: $REPORT"
