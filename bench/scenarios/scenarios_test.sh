#!/usr/bin/env bash
# The scenario scripts end to end at a tiny size (ctest: bench.scenarios): each starts real
# servers, loads objects, runs kstream-bench, and writes its report and plots. Checks the
# report rows (streaming complete, buffered killed at a small cap, lists cut at the deadline
# for slow clients), the targets table, and that every plot is well-formed SVG.
#   bench/scenarios/scenarios_test.sh <dir with kstream-apiserver and kstream-bench>
set -euo pipefail
export BIN=$(cd "${1:?usage: scenarios_test.sh BIN_DIR}" && pwd)
cd "$(dirname "$0")/../.."
T=$(mktemp -d /tmp/kstream-scenarios-test-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
has() {  # has <file> <fixed string>
  grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$1 lacks: $2"; }
}
svg_ok() {  # every SVG in a directory parses and has a polyline or circles
  python3 - "$@" <<'EOF'
import sys, glob, xml.etree.ElementTree as ET
files = [f for d in sys.argv[1:] for f in glob.glob(d + "/*.svg")]
assert files, "no plots"
for f in files:
    root = ET.parse(f).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg", f
    assert root.findall(f".//{ns}polyline") or root.findall(f".//{ns}circle"), f + ": no data drawn"
print(f"{len(files)} plots ok")
EOF
}

echo "== kep-scale"
OBJECTS=300 SIZE=100KB CLIENTS=3 CAP=24MiB OUT="$T/kep" REPORT="$T/kep.md" \
  bench/scenarios/kep-scale.sh > "$T/kep.log" 2>&1 || { cat "$T/kep.log"; fail "kep-scale.sh"; }
for t in json protobuf; do
  for gz in no yes; do
    has "$T/kep.md" "| streaming | $t | $gz | 3 | 300 |"
    has "$T/kep.md" "| buffered | $t | $gz | 3 |"
  done
done
has "$T/kep.md" "(killed at the 24MiB cap)"
has "$T/kep.md" "| zero malformed or truncated responses | 0 failed of 12 lists"
has "$T/kep.md" "![server memory over time](kep/memory-over-time.svg)"
[ "$(ls "$T"/kep/*.json | wc -l)" = 8 ] || fail "kep: expected 8 result files"
svg_ok "$T/kep"
# The report alone, again from the same results.
REPORT_ONLY=1 OBJECTS=300 SIZE=100KB CLIENTS=3 CAP=24MiB OUT="$T/kep" REPORT="$T/kep2.md" \
  bench/scenarios/kep-scale.sh > /dev/null
has "$T/kep2.md" "| streaming | protobuf | yes | 3 | 300 |"

echo "== kep-scale, custom resources"
KIND=widget OBJECTS=100 SIZE=50KB CLIENTS=2 GZIP_RUNS=false OUT="$T/kepw" REPORT="$T/kepw.md" \
  bench/scenarios/kep-scale.sh > "$T/kepw.log" 2>&1 || { cat "$T/kepw.log"; fail "KIND=widget kep-scale.sh"; }
has "$T/kepw.md" "# KEP scale: 100 Widgets (custom resources) x 50KB, 2 concurrent full LISTs"
has "$T/kepw.md" "| streaming | json | no | 2 | 100 |"
has "$T/kepw.md" "| buffered | json | no | 2 | 100 |"
[ "$(ls "$T"/kepw/*.json | wc -l)" = 2 ] || fail "kep widgets: expected 2 result files (JSON only)"

echo "== many-pods"
OBJECTS=60 CLIENTS=2 OUT="$T/pods" REPORT="$T/pods.md" bench/scenarios/many-pods.sh > "$T/pods.log" 2>&1 \
  || { cat "$T/pods.log"; fail "many-pods.sh"; }
for t in json protobuf table; do has "$T/pods.md" "| streaming | $t | no | 2 | 60 |"; done
has "$T/pods.md" "| buffered | table | no | 2 | 60 |"

echo "== slow-clients"
OBJECTS=100 SIZE=100KB CLIENTS=3 RATE=1MB DURATION=2s OUT="$T/slow" REPORT="$T/slow.md" \
  bench/scenarios/slow-clients.sh > "$T/slow.log" 2>&1 || { cat "$T/slow.log"; fail "slow-clients.sh"; }
has "$T/slow.md" "| streaming | json | no | 3 at 1 MB/s |"
has "$T/slow.md" "(0 done, 3 cut at the deadline)"

echo "== scaling"
SIZES="20 40" CONCURRENCY="1 3" CONC_OBJECTS=30 OUT="$T/scal" REPORT="$T/scal.md" \
  bench/scenarios/scaling.sh > "$T/scal.log" 2>&1 || { cat "$T/scal.log"; fail "scaling.sh"; }
has "$T/scal.md" "## Concurrency: 30 ConfigMaps x 100 KB"
has "$T/scal.md" "## List size: 10 clients"
for p in clients-memory clients-throughput size-memory size-throughput; do has "$T/scal.md" "(scal/$p.svg)"; done
[ "$(grep -c '^| streaming | ' "$T/scal.md")" = 8 ] || fail "scaling: expected 8 streaming rows"
svg_ok "$T/scal" "$T/slow" "$T/pods"
echo "PASS"
