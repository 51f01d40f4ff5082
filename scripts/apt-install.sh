#!/usr/bin/env bash
# Install Debian packages the project's own setup needs: scripts/apt-install.sh WHO WHY PKG...
# WHO prefixes the messages, WHY says what needs the packages. Callers check first that the
# packages are missing, so a ready machine never reaches apt. Without root or apt-get this only
# says what is missing; the tests that need it then fail with their own message.
set -euo pipefail
who="$1" why="$2"
shift 2
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "$who: installing $* (Debian) for $why" >&2
  apt-get update -qq >/dev/null
  # policy-rc.d 101 keeps Debian from starting the packages' own services on install: the tests
  # start their own servers.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || echo "$who: could not install $*; $why will fail" >&2
  rm -f /usr/sbin/policy-rc.d
else
  echo "$who: $* missing and cannot be installed here (needs root + apt-get); $why will fail" >&2
fi
