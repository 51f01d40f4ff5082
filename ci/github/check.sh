#!/usr/bin/env bash
# The check step of action.yml: SARIF for code scanning, a Markdown job summary, the console
# table in the log, and mlfence's exit code as the step output `exit-code` (the action's last
# step fails the job with it, after the SARIF upload). Run as written by tests/test_integrations.py.
set -uo pipefail
read -r -a paths <<< "${MLFENCE_PATHS:-.}"
read -r -a args <<< "${MLFENCE_ARGS:-}"
sarif="${MLFENCE_SARIF:-mlfence.sarif}"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT

mlfence check --quiet "${args[@]}" "${paths[@]}"
rc=$?
mlfence check --quiet --format sarif --output "$sarif" "${args[@]}" "${paths[@]}" >/dev/null 2>&1 || true
if mlfence check --quiet --format json --output "$report" "${args[@]}" "${paths[@]}" >/dev/null 2>&1 \
    || [ -s "$report" ]; then
  python -m mlfence.integrations summary "$report" >> "${GITHUB_STEP_SUMMARY:-/dev/stdout}"
fi
echo "exit-code=$rc" >> "${GITHUB_OUTPUT:-/dev/stdout}"
exit 0
