#!/usr/bin/env bash
# Installs what the container test tiers need on a fresh Debian machine: podman (run with runc,
# netavark + aardvark-dns so that hosts resolve each other, and the iptables netavark runs to
# set up every container network), buildah, mmdebstrap for the local base image, Debian's
# docker-registry, Debian's docker-compose (v1: SageMaker local mode runs it against podman's
# Docker API), and a docker CLI when there is none.
# Idempotent and quick when everything is there. Without root or apt-get it installs nothing
# and says so; the container tests then skip with their reason.
set -euo pipefail

packages=(podman buildah runc uidmap slirp4netns fuse-overlayfs netavark aardvark-dns iptables
    mmdebstrap docker-registry docker-compose)
# docker.io only for its CLI: its daemon is never started (podman serves the Docker API).
command -v docker >/dev/null 2>&1 || packages+=(docker.io)

is_installed() {
    [[ $(dpkg-query --show --showformat='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for package in "${packages[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "not installing the container tools (${missing[*]}): needs root and apt-get;" \
        "the container tests will skip" >&2
    exit 0
fi

echo ">> Installing container tools: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
