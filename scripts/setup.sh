#!/usr/bin/env bash
# One-stop setup for a fresh machine (and a fast no-op on a ready one):
#   1. the pinned policy toolchain into .tools/bin (scripts/install-tools.sh)
#   2. nginx and docker-registry from Debian for the sidecar and OCI round-trip tests (only
#      when missing; the registry's own service is never started, tests run their own)
#   3. Graphviz from Debian: `mlfence reach --format dot|html` lays its graph out with `dot`
#   4. a virtual environment in .venv with mlfence and its test extras
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/install-tools.sh

missing=()
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
[ -x /usr/bin/docker-registry ] || command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} (Debian) for the bundle-server and OCI tests and reach graphs" >&2
    apt-get update -qq >/dev/null
    # policy-rc.d 101 keeps Debian from starting the packages' own services on install.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || echo "setup: could not install ${missing[*]}; the tests that need them will fail" >&2
    rm -f /usr/sbin/policy-rc.d
  else
    echo "setup: ${missing[*]} missing and cannot be installed here (needs root + apt-get)" >&2
  fi
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# Reinstall only when the package definition changed since the last install.
stamp=.venv/.mlfence-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi
