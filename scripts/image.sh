#!/usr/bin/env bash
# Builds the container image with docker (when its daemon answers) or podman.
# Where the Dockerfile's base cannot be pulled and podman builds, the base is a stand-in made by
# scripts/standin-base.sh (a test aid). Prints the build's time and the image's size.
# Settings from the environment: IMAGE (the tag), ENGINE (docker or podman), BASE (a base image),
# BUILD_LOG (a file for the build's output).
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-legal-monitor:dev}
STANDIN=localhost/legal-monitor-base:standin

source scripts/engine.sh

# The Dockerfile's default base, or a stand-in where it cannot be pulled.
base_args=()
default_base=$(sed -n 's/^ARG BASE=//p' Dockerfile)
base=${BASE:-$default_base}
if ! "$ENGINE" image inspect "$base" >/dev/null 2>&1 && ! "$ENGINE" pull -q "$base" >/dev/null 2>&1; then
    if [ -n "${BASE:-}" ] || [ "$ENGINE" != podman ] || ! command -v mmdebstrap >/dev/null; then
        echo "image: cannot pull the base $base" >&2
        exit 1
    fi
    echo "image: cannot pull $base; building on a stand-in Debian base instead (a test aid)"
    scripts/standin-base.sh podman "$STANDIN"
    base=$STANDIN
fi
[ "$base" != "$default_base" ] && base_args=(--build-arg "BASE=$base")

version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' monitor/__init__.py)
format=()
[ "$ENGINE" = podman ] && format=(--format docker)  # OCI images drop HEALTHCHECK
start=$(date +%s.%N)
build=("$ENGINE" build "${format[@]}" "${base_args[@]}" --build-arg "VERSION=$version" -t "$IMAGE" .)
if [ -n "${BUILD_LOG:-}" ]; then "${build[@]}" > "$BUILD_LOG" 2>&1; else "${build[@]}"; fi
end=$(date +%s.%N)
size=$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE")
awk -v s="$start" -v e="$end" -v b="$size" -v i="$IMAGE" -v n="$ENGINE" -v f="$base" \
    'BEGIN { printf "image: built %s with %s in %.1f s; size %.0f MB (base %s)\n", i, n, e - s, b / 1e6, f }'
