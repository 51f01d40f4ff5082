#!/usr/bin/env bash
# nginx and docker-registry from Debian for the sidecar and OCI round-trip tests, only when
# missing. The packages' own services are never started: the tests run their own. Only the test
# target installs these (scripts/setup.sh --test-servers); users and `make example` never do.
set -euo pipefail
missing=()
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
[ -x /usr/bin/docker-registry ] || command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
[ ${#missing[@]} -eq 0 ] && exit 0
bash "$(dirname "$0")/apt-install.sh" test-servers "the bundle-server and OCI tests" "${missing[@]}"
