#!/usr/bin/env bash
# Every benchmark figure in one command (what `make bench` runs):
#   bash bench/run.sh
# Knobs (environment): PLANS=200 MANIFESTS=2000 SCAN_REPS=3 SCAN_SUBSET= (N files for both tools)
#   SIDECAR_DURATION=10 SIDECAR_REPS=3 SIDECAR_RATES=... RULES_COUNT=3 GATOR_ITERATIONS=50
#   CIDR_RERUN=0 (1: run bench/cidr/run.sh even when bench/cidr/results.json exists)
#   REALWORLD=/work/shared/realworld REALWORLD_REPS=3 (the real-world step is skipped when REALWORLD is absent)
#   SMALL_REPS=10 (runs of `mlfence check` of one small file)
#   SCALE_SIZES=10000,100000 SCALE_TIMEOUT=900 (SCALE_SIZES= skips the scale step)
#   REACH_SCALES="1 10" (platform multiples of bench/reach)
#   REACH_ADMISSION_REQUESTS=300 REACH_GATOR_ITERATIONS=1 REACH_GATOR_NAMESPACES=0 (bench/reach/admission.py; 0: all)
#   REACH_GATOR_TUNED_REVIEWS=1000 (gator with docs/deploy.md's collector settings; 0 skips it)
#   STEPS="corpus fulldata scan realworld small scale sidecar rules gator reach cidr" (the default: all);
#     the issue-18 headline figures alone (bench corpus, real-world corpora with every peer, one
#     small file, sidecar; add `scale` for 100k objects), as the lead re-measures them:
#     STEPS="corpus fulldata scan realworld small sidecar" nice bash bench/run.sh
#   Peers (bench-only): Checkov 3.3.30 in bench/.venv-checkov; kube-score, Trivy and vegeta built
#   from bench/pins.txt into bench/.bin. Polaris and kube-linter cannot be installed here (the Go
#   module proxy serves neither): bench/realworld.py records them as unavailable.
# Inputs and raw outputs go to bench/work/ (git-ignored); results to bench/results.json,
# bench/README.md (table between the results markers) and bench/latency_vs_rate.png.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=bench/work
CK=bench/.venv-checkov
mkdir -p "$WORK"
export PATH="$PWD/.tools/bin:$PATH"
STEPS=" ${STEPS:-corpus fulldata scan realworld small scale sidecar rules gator reach cidr} "
want() { [[ "$STEPS" == *" $1 "* ]]; }

# Machine description first, so the load average is the one at the start.
$PY bench/report.py --work "$WORK" --out /dev/null --machine-only

# Benchmark-only tools, each set up only when a step of STEPS uses it (a cold Trivy build alone
# takes minutes): Checkov (scan, realworld) and matplotlib (the sidecar's plot) in their own venv,
# never a project dependency; wrk (sidecar).
if { want scan || want realworld || want sidecar; } && [ ! -x "$CK/bin/checkov" ]; then
  python3 -m venv "$CK"
  "$CK/bin/pip" install -q "checkov==3.3.30" "matplotlib>=3.8"
fi
if want sidecar && ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } || true
fi

# vegeta (Go, the sidecar step's fixed-rate load generator), kube-score and Trivy (real-world
# peers), pinned in bench/pins.txt: the lines of the steps asked for.
# A peer that fails to build is reported and left out (realworld.json names it), not fatal.
peers=()
if want sidecar; then peers+=(vegeta); fi
if want realworld; then peers+=(kube-score trivy); fi
if [ ${#peers[@]} -gt 0 ]; then
  wanted="$WORK/pins.wanted.txt"
  awk -v names=" ${peers[*]} " '$1 ~ /^#/ || index(names, " " $1 " ")' bench/pins.txt >"$wanted"
  PINS="$wanted" BIN="$PWD/bench/.bin" bash scripts/install-tools.sh ||
    echo "bench: a tool of bench/pins.txt did not build; the steps that need it skip it" >&2
fi

if want corpus; then
  echo "== corpus" >&2
  $PY bench/corpus.py "$WORK/corpus" --plans "${PLANS:-200}" --manifests "${MANIFESTS:-2000}"
fi

if want fulldata; then
  echo "== full range data and bundle" >&2
  $PY bench/fulldata.py "$WORK" >"$WORK/fulldata.json"
fi

if want scan; then
  echo "== CI scan: mlfence vs Checkov" >&2
  $PY bench/scan.py "$WORK/corpus" --reps "${SCAN_REPS:-3}" --checkov "$CK/bin/checkov" \
    ${SCAN_SUBSET:+--subset "$SCAN_SUBSET"} --out "$WORK/scan.json"
fi

if want realworld; then
  echo "== real-world scan: mlfence vs Checkov (Terraform fixture plans, Kubeflow manifests)" >&2
  if [ -d "${REALWORLD:-/work/shared/realworld}" ]; then
    $PY bench/realworld.py --root "${REALWORLD:-/work/shared/realworld}" --reps "${REALWORLD_REPS:-3}" \
      --checkov "$CK/bin/checkov" --peers-bin bench/.bin --out "$WORK/realworld.json"
  fi
fi

if want small; then
  echo "== one small file: mlfence check as a pre-commit hook runs it" >&2
  $PY bench/small_file.py --reps "${SMALL_REPS:-10}" --out "$WORK/small.json"
fi

if want scale; then
  echo "== scale: one mlfence check of many tiny objects" >&2
  if [ -n "${SCALE_SIZES-10000,100000}" ]; then
    $PY bench/scale.py --sizes "${SCALE_SIZES-10000,100000}" --timeout "${SCALE_TIMEOUT:-900}" --extrapolate-to 100000 \
      --work "$WORK/scale" --out "$WORK/scale.json"
  fi
fi

if want sidecar; then
  echo "== sidecar" >&2
  $PY bench/sidecar.py --bundle "$WORK/bundle.tar.gz" --duration "${SIDECAR_DURATION:-10}" \
    --reps "${SIDECAR_REPS:-3}" --rates "${SIDECAR_RATES:-5,10,25,50,100,500}" \
    --decision-rates "${SIDECAR_DECISION_RATES:-500}" --plan-rates "${SIDECAR_PLAN_RATES:-5,10,25,50}" --wrk-seconds "${SIDECAR_WRK_SECONDS:-10}" \
    --out "$WORK/sidecar.json"
  "$CK/bin/python" bench/plot.py "$WORK/sidecar.json" bench/latency_vs_rate.png
fi

if want rules; then
  echo "== per-entrypoint and per-rule cost" >&2
  $PY bench/rules.py --data "$WORK/root/data" --rule-data data --count "${RULES_COUNT:-3}" --out "$WORK/rules.json"
fi

if want gator; then
  echo "== gator bench" >&2
  $PY bench/gator_bench.py --work "$WORK/gk" --iterations "${GATOR_ITERATIONS:-50}" --out "$WORK/gator.json"
fi

if want reach; then
  echo "== reach: the connectivity model at 1x and 10x the platform (bench/reach)" >&2
  # shellcheck disable=SC2086  # REACH_SCALES is a list of numbers
  # --flows: each scale again with declared flows (the declared-flow verdicts on top of the model).
  $PY bench/reach/run.py --flows --scales ${REACH_SCALES:-1 10} --out "$WORK/reach.json"

  echo "== reach: one NetworkPolicy's admission against the 1x platform's inventory (opa run --server, gator bench)" >&2
  # gator bench reviews every object it loads: the Constraints of the rules matching a NetworkPolicy
  # are narrowed to that kind, so the 2,001 NetworkPolicies are judged against the whole inventory
  # (~1 min of CPU for one iteration); REACH_GATOR_NAMESPACES=N reviews those of N namespaces only.
  # --tuned: the server measured a second time as docs/deploy.md runs it with a fed inventory;
  # --gator-tuned-reviews: the one-policy gator run again with docs/deploy.md's collector settings
  # for Gatekeeper, over enough reviews that its rarer cycles fall among them.
  # 300 requests per case (a p99 needs them; 5 dated from a 4 s decision), after 20 of warm-up.
  $PY bench/reach/admission.py --tuned --requests "${REACH_ADMISSION_REQUESTS:-300}" --warmup 20 \
    --gator-iterations "${REACH_GATOR_ITERATIONS:-1}" --gator-namespaces "${REACH_GATOR_NAMESPACES:-0}" \
    --gator-tuned-reviews "${REACH_GATOR_TUNED_REVIEWS:-1000}" --out "$WORK/reach_admission.json"
fi

if want cidr; then
  echo "== CIDR lookup growth (bench/cidr, owned by the ranges work)" >&2
  if [ "${CIDR_RERUN:-0}" = 1 ] || [ ! -f bench/cidr/results.json ]; then
    bash bench/cidr/run.sh "$WORK/cidr"
  fi
fi

$PY bench/report.py --work "$WORK" --out bench/results.json --readme bench/README.md
