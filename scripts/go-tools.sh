#!/usr/bin/env bash
# Builds the test environment's Go binaries (etcd, kube-apiserver, kube-controller-manager, kubectl,
# versitygw) from the Go module proxy, through the wrapper modules under tools/go/.
#
# Binaries land in $FIREWORKERS_CACHE/bin/<module>-<hash of its go.mod+go.sum>/, so a warm run only
# checks that the files exist. Prints the bin directory of every module on stdout, as NAME=DIR lines.
#
#   scripts/go-tools.sh            build what is missing (k8s control plane, etcd, versitygw)
#   scripts/go-tools.sh --node     also kube-scheduler, kubelet, kube-proxy, crictl and CoreDNS (the single-node cluster)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${FIREWORKERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fireworkers}
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

k8s_bins=(kube-apiserver kube-controller-manager kubectl)
node=false
[[ ${1:-} == --node ]] && node=true
$node && k8s_bins+=(kube-scheduler kubelet kube-proxy)

log() { printf '[go-tools] %s\n' "$*" >&2; }

# key MODULE_DIR -> short hash of the wrapper module's go.mod and go.sum
key() { cat "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-12; }

# tool_version MODULE_DIR IMPORT_PATH_PREFIX -> the required version of that module in go.mod
tool_version() { awk -v m="$2" '$1 == m { print $2; exit }' "$1/go.mod"; }

build() { # build NAME MODULE_DIR PACKAGE LDFLAGS OUT_DIR
  local name=$1 dir=$2 pkg=$3 ldflags=$4 out=$5
  [[ -x $out/$name ]] && return 0
  log "building $name (first run only; the k8s binaries take several minutes each on 2 cores)"
  local started=$SECONDS
  (cd "$dir" && go build -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$out/$name.tmp" "$pkg")
  mv "$out/$name.tmp" "$out/$name"
  log "built $name in $((SECONDS - started))s"
}

# Kubernetes: version ldflags as upstream's hack/lib/version.sh sets them (a valid semver is required).
kdir=$root/tools/go/k8s
kver=$(tool_version "$kdir" k8s.io/kubernetes)
kout=$cache/bin/k8s-$kver-$(key "$kdir")
mkdir -p "$kout"
kminor=$(cut -d. -f2 <<<"$kver")
kld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kld+=" -X $p.gitVersion=$kver -X $p.gitMajor=1 -X $p.gitMinor=$kminor -X $p.gitTreeState=clean"
  kld+=" -X $p.buildDate=1970-01-01T00:00:00Z"
done
for b in "${k8s_bins[@]}"; do
  build "$b" "$kdir" "k8s.io/kubernetes/cmd/$b" "$kld" "$kout"
done

edir=$root/tools/go/etcd
ever=$(tool_version "$edir" go.etcd.io/etcd/server/v3)
eout=$cache/bin/etcd-$ever-$(key "$edir")
mkdir -p "$eout"
build etcd "$edir" go.etcd.io/etcd/server/v3 "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ever" "$eout"

vdir=$root/tools/go/versitygw
vver=$(tool_version "$vdir" github.com/versity/versitygw)
vout=$cache/bin/versitygw-$vver-$(key "$vdir")
mkdir -p "$vout"
build versitygw "$vdir" github.com/versity/versitygw/cmd/versitygw "-s -w" "$vout"

if $node; then
  # crictl: the CRI client the cluster launcher uses to stop and remove pod sandboxes on `make down`.
  cdir=$root/tools/go/crictl
  cver=$(tool_version "$cdir" sigs.k8s.io/cri-tools)
  cout=$cache/bin/crictl-$cver-$(key "$cdir")
  mkdir -p "$cout"
  build crictl "$cdir" sigs.k8s.io/cri-tools/cmd/crictl "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$cver" "$cout"
  # CoreDNS: cluster DNS, run on the node as a host process.
  ddir=$root/tools/go/coredns
  dver=$(tool_version "$ddir" github.com/coredns/coredns)
  dout=$cache/bin/coredns-$dver-$(key "$ddir")
  mkdir -p "$dout"
  build coredns "$ddir" github.com/coredns/coredns "-s -w" "$dout"
  echo "CRICTL_BIN_DIR=$cout"
  echo "COREDNS_BIN_DIR=$dout"
fi

echo "K8S_BIN_DIR=$kout"
echo "ETCD_BIN_DIR=$eout"
echo "VERSITYGW_BIN_DIR=$vout"
