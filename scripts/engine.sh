# shellcheck shell=bash
# Sourced by scripts/image.sh and scripts/test-image.sh: sets ENGINE to docker (when its daemon
# answers) or podman, unless the caller set it, and points podman at this repository's
# containers.conf unless CONTAINERS_CONF is set. Returns 3 when there is neither.
if [ -z "${ENGINE:-}" ]; then
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        ENGINE=docker
    elif command -v podman >/dev/null; then
        ENGINE=podman
    else
        echo "neither a running docker nor podman found (scripts/install-podman.sh installs podman)" >&2
        return 3
    fi
fi
export ENGINE
if [ "$ENGINE" = podman ]; then
    # The settings this machine's kind needs (see the file); a caller's own CONTAINERS_CONF wins.
    export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/scripts/containers.conf}
fi
