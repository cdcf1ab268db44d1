#!/usr/bin/env bash
# Runs the micro-benchmarks and writes their figures under bench/results/:
#   bench/results/<date>-micro.md    table with MB/s and the ratio to the memcpy baseline
#   bench/results/<date>-micro.json  Google Benchmark's raw output
# Usage: scripts/bench.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
day=$(date -u +%F)
mkdir -p bench/results
"$build/bin/kstream-microbench" \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 \
  --benchmark_out="bench/results/$day-micro.json" --benchmark_out_format=json \
  --report="bench/results/$day-micro.md"
