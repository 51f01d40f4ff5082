#!/usr/bin/env bash
# Build the mlfence wheel: the Python package plus the policy, the data and the schemas as package
# data and, unless --pure, the pinned OPA engine (tools/pins.txt) inside a platform wheel.
#
#   scripts/build-wheel.sh                       # this machine's platform, e.g. manylinux_2_17_x86_64
#   scripts/build-wheel.sh --goos linux --goarch arm64     # cross-build: manylinux_2_17_aarch64
#   scripts/build-wheel.sh --goos darwin --goarch arm64    # macosx_12_0_arm64
#   scripts/build-wheel.sh --pure                # py3-none-any, no engine: uses MLFENCE_OPA / PATH
#   OUT=dir PYTHON=python3 scripts/build-wheel.sh
#
# OPA is built with CGO_ENABLED=0, so the binary is static and runs on any glibc or musl Linux;
# the host platform reuses .tools/bin/opa when it is the pinned version (scripts/install-tools.sh
# builds it the same way), other platforms are built here from the Go module proxy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/dist}"
python="${PYTHON:-$root/.venv/bin/python}"
pure=0 goos="" goarch=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pure) pure=1 ;;
    --goos) goos="$2"; shift ;;
    --goarch) goarch="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "build-wheel: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Stale files of an earlier build (a removed module, another platform's engine) must not ship.
rm -rf build/lib build/bdist.*

if [ "$pure" = 1 ]; then
  unset MLFENCE_WHEEL_OPA MLFENCE_WHEEL_PLATFORM
else
  version="$(awk '$1 == "opa" { print $3 }' tools/pins.txt)"
  module="$(awk '$1 == "opa" { print $2 }' tools/pins.txt)"
  host_os="$(go env GOHOSTOS 2>/dev/null || uname -s | tr '[:upper:]' '[:lower:]')"
  host_arch="$(go env GOHOSTARCH 2>/dev/null || echo amd64)"
  goos="${goos:-$host_os}" goarch="${goarch:-$host_arch}"
  case "$goos/$goarch" in
    linux/amd64) platform=manylinux_2_17_x86_64 ;;
    linux/arm64) platform=manylinux_2_17_aarch64 ;;
    darwin/amd64) platform=macosx_12_0_x86_64 ;;   # Go >= 1.25 needs macOS 12
    darwin/arm64) platform=macosx_12_0_arm64 ;;
    *) echo "build-wheel: no wheel platform tag for $goos/$goarch (try --pure)" >&2; exit 2 ;;
  esac
  platform="${MLFENCE_WHEEL_PLATFORM:-$platform}"
  local_opa="$root/.tools/bin/opa"
  if [ "$goos/$goarch" = "$host_os/$host_arch" ] && [ -x "$local_opa" ] \
      && [ "$(go version -m "$local_opa" 2>/dev/null | awk '$1 == "mod" { print $3; exit }')" = "$version" ]; then
    opa="$local_opa"
  else
    echo "build-wheel: building opa $version for $goos/$goarch ..." >&2
    printf 'module mlfence.local/wheelopa\n\ngo 1.22\n\nrequire %s %s\n' "$module" "$version" > "$work/go.mod"
    (cd "$work" && GOOS="$goos" GOARCH="$goarch" CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" \
      go build -trimpath -o "$work/opa" "$module")
    opa="$work/opa"
  fi
  export MLFENCE_WHEEL_OPA="$opa" MLFENCE_WHEEL_PLATFORM="$platform"
fi

# Without build isolation when this Python already has a setuptools that builds the project (no
# download); otherwise `build` fetches one into an isolated environment.
isolation=()
if "$python" -c 'import setuptools, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 77)' 2>/dev/null; then
  isolation=(--no-isolation)
fi
mkdir -p "$out"
"$python" -m build --wheel "${isolation[@]}" --outdir "$work/dist" . >&2
wheel="$(ls "$work"/dist/*.whl)"
mv -f "$wheel" "$out/"
echo "$out/$(basename "$wheel")"
