#!/usr/bin/env bash
# One-stop setup for a fresh machine (and a fast no-op on a ready one):
#   1. the pinned policy toolchain into .tools/bin (scripts/install-tools.sh)
#   2. Graphviz from Debian: `mlfence reach --format dot|html` lays its graph out with `dot`
#   3. with --test-servers only: nginx and docker-registry for the sidecar and OCI round-trip
#      tests (scripts/test-servers.sh; `make test` passes it, `make example` does not)
#   4. a virtual environment in .venv with mlfence and its test extras
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/install-tools.sh

command -v dot >/dev/null 2>&1 || bash scripts/apt-install.sh setup "reach --format dot|html" graphviz

# Test servers (nginx, docker-registry) only when asked: `make test` asks, `make example` never.
if [ "${1:-}" = "--test-servers" ]; then
  bash scripts/test-servers.sh
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# Reinstall only when the package definition changed since the last install.
stamp=.venv/.mlfence-installed
want="$(cat pyproject.toml setup.py 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # An editable install from pyproject.toml alone needs pip >= 21.3 (PEP 660); an older pip is
  # upgraded first, a newer one is used as it is (the upgrade cost ~3 s and a registry round trip).
  if ! .venv/bin/python -c 'import sys, pip; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (21, 3))'; then
    .venv/bin/python -m pip install -q --upgrade pip
  fi
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi
