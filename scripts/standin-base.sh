#!/usr/bin/env bash
# Test aid, not the real base: builds a Debian bookworm image with python3 and venv from
# Debian's packages (mmdebstrap, then `podman import`) for machines that cannot pull the
# Dockerfile's python base image. The host's CA bundle goes in, so that pip inside the build
# trusts what the host trusts (an HTTPS proxy's CA, say). Usage: standin-base.sh ENGINE TAG
set -euo pipefail
engine=${1:?engine}
tag=${2:?tag}
if "$engine" image exists "$tag" 2>/dev/null; then
    exit 0
fi
tarball=$(mktemp --suffix=.tar)
trap 'rm -f "$tarball"' EXIT
echo "building the stand-in base $tag with mmdebstrap (a test aid, not the real base)"
hooks=()
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    hooks+=(--customize-hook='copy-in /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs')
fi
mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates \
    "${hooks[@]}" bookworm "$tarball"
"$engine" import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    "$tarball" "$tag" >/dev/null
