#!/usr/bin/env bash
# Python tools the tests need (today: schemathesis, the API fuzzer), pinned in tools/fuzz/requirements.txt,
# installed from PyPI into a venv under the cache dir keyed by the hash of that file, so a warm run only
# checks that the venv exists. Prints the venv's bin directory on stdout as FUZZ_BIN_DIR=DIR.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${FIREWORKERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fireworkers}
req=$root/tools/fuzz/requirements.txt
key=$(sha256sum "$req" | cut -c1-12)
venv=$cache/python/fuzz-$key

log() { printf '[setup-python] %s\n' "$*" >&2; }

# .complete marks a finished install (an interrupted one is redone; venvs cannot be moved, so no rename).
if [[ ! -e $venv/.complete ]]; then
  # python3 with its venv module (Debian splits it into python3-venv).
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    log "installing python3 and python3-venv (Debian)"
    apt-get install -y -qq python3 python3-venv >&2 || { apt-get update -qq >&2 && apt-get install -y -qq python3 python3-venv >&2; }
  fi
  log "installing schemathesis into $venv (first run only)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$req" >&2
  touch "$venv/.complete"
fi
echo "FUZZ_BIN_DIR=$venv/bin"
