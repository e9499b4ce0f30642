#!/usr/bin/env bash
# Installs the Debian packages the test environment runs: the OCI registry, htpasswd for its basic-auth
# instance, containerd + runc to pull and run built images, busybox-static for a tiny test image.
# Idempotent: installs only what is missing, and runs `apt-get update` only then.
#
#   scripts/setup-debian.sh            the test environment's packages
#   scripts/setup-debian.sh --bench    also wrk and buildah
#   scripts/setup-debian.sh --cluster  also what the single-node cluster needs (tools/cluster): the CNI
#                                      plugins (/usr/lib/cni), iptables for kube-proxy, iproute2 for the
#                                      bridge, gcc + static libc for the pause binary, openssl for the PKI
set -euo pipefail

packages=(docker-registry apache2-utils containerd runc busybox-static ca-certificates openssl libstdc++6 libgcc-s1)
for flag in "$@"; do
  case $flag in
    --bench) packages+=(wrk buildah) ;;
    --cluster) packages+=(containernetworking-plugins iptables iproute2 gcc libc6-dev openssl mount) ;;
    *) echo "usage: $0 [--bench] [--cluster]" >&2; exit 2 ;;
  esac
done

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
