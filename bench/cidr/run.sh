#!/usr/bin/env bash
# The egress benchmark in one command: sync the snapshots with every AWS, GCP and Azure service
# approved, synthesise 1x/10x/100x data, run opa bench on both stores, write results.json.
#   bash bench/cidr/run.sh [WORK_DIR]   (default /tmp/mlfence-bench; COUNT=5 repetitions)
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-/tmp/mlfence-bench}
F=${FEEDS:-/work/shared/feeds}
PY=.venv/bin/python
mkdir -p "$WORK"
if [ ! -f "$WORK/synced/provenance.json" ]; then
  .venv/bin/mlfence sync --out "$WORK/synced" --config bench/cidr/bundle-all.yaml \
    --feed aws=$F/aws-ip-ranges.json --feed gcp=$F/gcp-cloud.json --feed google=$F/gcp-goog.json \
    --feed azure=$F/azure-servicetags-public.json --feed fastly=$F/fastly-public-ip-list.json \
    --feed cloudflare=$F/cloudflare-ips-v4.txt --feed cloudflare=$F/cloudflare-ips-v6.txt 2>&1 | tail -1
fi
for s in 1 10 100; do
  [ -f "$WORK/data/${s}x/stats.json" ] || $PY bench/cidr/make_data.py "$WORK/synced" "$WORK/data" "$s"
done
$PY bench/cidr/run.py "$WORK/data" --count "${COUNT:-5}"
