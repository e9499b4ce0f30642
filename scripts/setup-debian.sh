#!/usr/bin/env bash
# Installs the Debian packages the test environment runs: the OCI registry, htpasswd for its basic-auth
# instance, containerd + runc to pull and run built images, busybox-static for a tiny test image.
# Idempotent: installs only what is missing, and runs `apt-get update` only then.
set -euo pipefail

packages=(docker-registry apache2-utils containerd runc busybox-static ca-certificates openssl libstdc++6 libgcc-s1)
[[ ${1:-} == --bench ]] && packages+=(wrk buildah)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo=sudo
echo "[setup-debian] installing: ${missing[*]}" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
