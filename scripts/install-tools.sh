#!/usr/bin/env bash
# Install the pinned policy toolchain (tools/pins.txt) into .tools/bin with `go install`.
# PINS and BIN override both (bench/run.sh builds its load generator that way).
# A binary whose embedded module version already matches its pin is left alone, so a warm
# machine finishes in well under a second. Go's module and build caches are never cleared.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${BIN:-$root/.tools/bin}"
pins="${PINS:-$root/tools/pins.txt}"
mkdir -p "$bin"
command -v go >/dev/null || { echo "install-tools: 'go' is not on PATH" >&2; exit 2; }
# Built binaries are also kept per machine, beside Go's own caches, one file per name and pinned
# version: a fresh clone on a machine that built the pin before copies it (checked with
# `go version -m` like any installed binary) instead of linking it again from Go's build cache
# (8 binaries, about 25 s of CPU on 2 cores). MLFENCE_TOOLS_CACHE=off builds every time.
cache="${MLFENCE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlfence/tools}"

installed_version() {
  # Prints the main module version recorded in a go-built binary, or nothing.
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}

place() {
  # A hard link when the cache and the clone share a file system, else a copy; either way under a
  # temporary name, then renamed. Copying the eight binaries (~480 MB) took ~25 s of a clean
  # clone's `make test` on this machine's disk; a link takes none. Nothing here ever writes into
  # an installed binary (every update is a rename over it), so the linked file stays the cache's.
  ln -f "$1" "$2.tmp.$$" 2>/dev/null || cp -f "$1" "$2.tmp.$$"
  mv -f "$2.tmp.$$" "$2"
}

module_of() {
  # The module that holds a package: the longest path prefix the proxy knows at that version.
  local candidate="$1"
  while [ -n "$candidate" ] && [ "$candidate" != "." ]; do
    if go list -m "$candidate@$2" >/dev/null 2>&1; then echo "$candidate"; return 0; fi
    candidate="$(dirname "$candidate")"
  done
  echo "install-tools: no module found for $1@$2" >&2
  return 1
}

# A fourth column and after, when present, are environment assignments for that one build
# (trivy needs GOEXPERIMENT=jsonv2 for encoding/json/v2 on Go 1.26).
while read -r name module version build_env; do
  case "$name" in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2206  # build_env is a list of NAME=VALUE words
  build_env=(${build_env:-})
  target="$bin/$name"
  if [ -x "$target" ] && [ "$(installed_version "$target")" = "$version" ]; then
    continue
  fi
  cached="$cache/$name@$version"
  if [ "$cache" != off ] && [ -x "$cached" ] && [ "$(installed_version "$cached")" = "$version" ]; then
    place "$cached" "$target"
    continue
  fi
  echo "install-tools: building $name $version ($module) ..." >&2
  start=$(date +%s)
  if ! env ${build_env[@]+"${build_env[@]}"} GOBIN="$bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install "$module@$version"; then
    # `go install pkg@version` also asks the proxy for the module's version list to report
    # deprecations; the proxy refuses that list for some modules (seen: regal, 403) while it
    # serves the pinned version itself. Building the same package from a throwaway module that
    # requires exactly the pin resolves the same dependency graph without that lookup.
    echo "install-tools: go install failed for $name; building $module@$version via a wrapper module" >&2
    wrapper="$(mktemp -d)"
    trap 'rm -rf "$wrapper"' EXIT
    printf 'module mlfence.local/toolbuild\n\ngo 1.22\n\nrequire %s %s\n' \
      "$(module_of "$module" "$version")" "$version" > "$wrapper/go.mod"
    (cd "$wrapper" && env ${build_env[@]+"${build_env[@]}"} CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" go build -o "$target" "$module")
    rm -rf "$wrapper"
    trap - EXIT
  else
    # `go install` names the binary after the last path element of the package, skipping a
    # major-version suffix (sigs.k8s.io/kustomize/kustomize/v5 builds `kustomize`).
    package="$module"
    case "$(basename "$package")" in v[0-9]*) package="$(dirname "$package")" ;; esac
    built="$bin/$(basename "$package")"
    [ "$built" = "$target" ] || mv -f "$built" "$target"
  fi
  echo "install-tools: $name $version built in $(( $(date +%s) - start ))s" >&2
  if [ "$cache" != off ] && mkdir -p "$cache" 2>/dev/null; then
    # Written under a temporary name and renamed: a clone reading the cache never sees half a file.
    place "$target" "$cached" || rm -f "$cached.tmp.$$"
  fi
done < "$pins"
