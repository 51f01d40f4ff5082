#!/usr/bin/env bash
# What only the test suite needs, on top of scripts/setup.sh: Debian's Chromium, in which
# tests/test_reach_html.py loads the page `mlfence reach --format html` writes (headless).
# Run by `make test`, never by `make example`. A fast no-op when Chromium is there.
set -euo pipefail
command -v chromium >/dev/null 2>&1 || bash "$(dirname "$0")/apt-install.sh" setup-test \
  "the browser test of reach's HTML page" chromium
