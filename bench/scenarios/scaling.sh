#!/usr/bin/env bash
# Scenario 4 (scaling): how memory and throughput grow with the work.
#   - concurrency: 1, 10, 50, 100 clients listing the same list (CONC_OBJECTS x 100 KB);
#   - list size: 100 MB, 500 MB, 1 GB, 2 GB, 4 GB (SIZES, in ConfigMaps of 100 KB), 10 clients.
# JSON and protobuf, kstream streaming with the raw limit at every point; --streaming=false
# at every point under the memory cap (the points past it are reported as killed).
#
#   bench/scenarios/scaling.sh
#   SIZES="1000 5000" CONCURRENCY="1 10" bench/scenarios/scaling.sh   # smaller
source "$(dirname "$0")/lib.sh"
SIZES=${SIZES:-1000 5000 10000 20000 40000}
CONCURRENCY=${CONCURRENCY:-1 10 50 100}
CONC_OBJECTS=${CONC_OBJECTS:-5000}
SIZE_CLIENTS=${SIZE_CLIENTS:-10}
TYPES=${TYPES:-json protobuf}
scenario_paths scaling
mkdir -p "$OUT/clients" "$OUT/size"

path() { echo "/api/v1/namespaces/size-$1/configmaps?resourceVersion=0"; }

if [ "${REPORT_ONLY:-0}" != 1 ]; then  # REPORT_ONLY=1: only the report, from the JSON results in $OUT
start_server
for n in $(echo "$SIZES $CONC_OBJECTS" | tr ' ' '\n' | sort -un); do load configmap "$n" 100KB "size-$n"; done
for accept in $TYPES; do
  for c in $CONCURRENCY; do
    bench_list "$OUT/clients/streaming-$accept-c$c.json" "$(path "$CONC_OBJECTS")" streaming "$accept" false \
      --clients "$c" --expect-items "$CONC_OBJECTS" --raw
  done
  for n in $SIZES; do
    f="$OUT/size/streaming-$accept-n$n.json"
    bench_list "$f" "$(path "$n")" streaming "$accept" false --clients "$SIZE_CLIENTS" --expect-items "$n" --raw
    tag_list_mb "$f" "$((n / 10))"
  done
done
stop_server

for accept in $TYPES; do
  for c in $CONCURRENCY; do
    restart_server --streaming=false
    bench_list "$OUT/clients/buffered-$accept-c$c.json" "$(path "$CONC_OBJECTS")" buffered "$accept" false \
      --clients "$c" --expect-items "$CONC_OBJECTS" --server-memory-cap "$CAP"
  done
  for n in $SIZES; do
    restart_server --streaming=false
    f="$OUT/size/buffered-$accept-n$n.json"
    bench_list "$f" "$(path "$n")" buffered "$accept" false --clients "$SIZE_CLIENTS" --expect-items "$n" \
      --server-memory-cap "$CAP"
    tag_list_mb "$f" "$((n / 10))"
  done
done
stop_server
fi

python3 bench/scenarios/report.py --md "$OUT/clients.md" --plots-dir "$OUT" --curve clients:clients --cap "$CAP" \
  --title "Concurrency: $CONC_OBJECTS ConfigMaps x 100 KB" "$OUT"/clients/*.json
python3 bench/scenarios/report.py --md "$OUT/size.md" --plots-dir "$OUT" --curve size:list_mb --cap "$CAP" \
  --title "List size: $SIZE_CLIENTS clients" "$OUT"/size/*.json
{
  echo "# Scaling: memory and throughput against concurrency and list size ($STORAGE)"
  echo
  echo "Command: \`SIZES=\"$SIZES\" CONCURRENCY=\"$CONCURRENCY\" CONC_OBJECTS=$CONC_OBJECTS STORAGE=$STORAGE bench/scenarios/scaling.sh\`. ConfigMaps of 100 KB; list sizes are 100 KB x the object count. The buffered server (\`--streaming=false\`) runs under a $CAP cap: points past it are killed, drawn at the memory reached. Raw JSON results in \`$(basename "$OUT")/\`."
  echo
  sed -e '1s/^# /## /' -e "s#](#]($(basename "$OUT")/#g" "$OUT/clients.md"
  echo
  sed -e '1s/^# /## /' -e "s#](#]($(basename "$OUT")/#g" "$OUT/size.md"
} > "$REPORT"
rm -f "$OUT/clients.md" "$OUT/size.md"
echo "report: $REPORT"
