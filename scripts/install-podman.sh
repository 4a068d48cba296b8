#!/usr/bin/env bash
# Installs what `make test-image` needs on Debian: podman, buildah, runc and mmdebstrap (the
# last builds a stand-in base image where no registry image can be pulled). Exits 0 when they
# are there; exits 3, saying why, when they cannot be installed here (not root, no apt-get).
set -euo pipefail
needed=(podman buildah runc mmdebstrap)
missing=()
for tool in "${needed[@]}"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "cannot install ${missing[*]}: needs root and apt-get" >&2
    exit 3
fi
echo "installing ${missing[*]} with apt-get"
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
        podman buildah runc mmdebstrap uidmap slirp4netns fuse-overlayfs containernetworking-plugins >/dev/null; then
    echo "could not install ${missing[*]} with apt-get" >&2
    exit 3
fi
