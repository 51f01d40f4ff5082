#!/usr/bin/env bash
# nginx and docker-registry from Debian for the sidecar and OCI round-trip tests, only when
# missing. The packages' own services are never started: the tests run their own. Only the test
# target installs these (scripts/setup.sh --test-servers); users and `make example` never do.
set -euo pipefail
missing=()
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
[ -x /usr/bin/docker-registry ] || command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-servers: installing ${missing[*]} (Debian) for the bundle-server and OCI tests" >&2
  apt-get update -qq >/dev/null
  # policy-rc.d 101 keeps Debian from starting the packages' own services on install.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "test-servers: could not install ${missing[*]}; the tests that need them will fail" >&2
  rm -f /usr/sbin/policy-rc.d
else
  echo "test-servers: ${missing[*]} missing and cannot be installed here (needs root + apt-get)" >&2
fi
