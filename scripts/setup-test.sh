#!/usr/bin/env bash
# What only the test suite needs, on top of scripts/setup.sh: Debian's Chromium, in which
# tests/test_reach_html.py loads the page `mlfence reach --format html` writes (headless).
# Run by `make test`, never by `make example`. A fast no-op when Chromium is there.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup-test: installing chromium (Debian) for the browser test of reach's HTML page" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || echo "setup-test: could not install chromium; the browser test will fail" >&2
else
  echo "setup-test: chromium missing and cannot be installed here (needs root + apt-get)" >&2
fi
