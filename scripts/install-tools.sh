#!/usr/bin/env bash
# Install the pinned policy toolchain (tools/pins.txt) into .tools/bin with `go install`.
# A binary whose embedded module version already matches its pin is left alone, so a warm
# machine finishes in well under a second. Go's module and build caches are never cleared.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"
command -v go >/dev/null || { echo "install-tools: 'go' is not on PATH" >&2; exit 2; }

installed_version() {
  # Prints the main module version recorded in a go-built binary, or nothing.
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}

while read -r name module version; do
  case "$name" in ''|'#'*) continue ;; esac
  target="$bin/$name"
  if [ -x "$target" ] && [ "$(installed_version "$target")" = "$version" ]; then
    continue
  fi
  echo "install-tools: building $name $version ($module) ..." >&2
  start=$(date +%s)
  GOBIN="$bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install "$module@$version"
  # `go install` names the binary after the last path element of the package.
  built="$bin/$(basename "$module")"
  [ "$built" = "$target" ] || mv -f "$built" "$target"
  echo "install-tools: $name $version built in $(( $(date +%s) - start ))s" >&2
done < "$root/tools/pins.txt"
