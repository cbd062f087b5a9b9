#!/usr/bin/env bash
# Builds the addon with node-gyp from binding.gyp, in build-gyp/ (a copy of binding.gyp, native/ and the config
# script) so it never touches cmake-js's build/. Offline: node-gyp uses the installed Node headers (nodedir).
# Prints the path of the produced .node as the last line of stdout. Usage: bash scripts/build-gyp.sh [--debug]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build-gyp"

# node-gyp: the one npm runs scripts with, else npm's bundled copy, else one on PATH
gyp="${npm_config_node_gyp:-}"
if [ -z "$gyp" ] || [ ! -f "$gyp" ]; then
  npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
  gyp="$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
fi
if [ ! -f "$gyp" ]; then
  gyp="$(command -v node-gyp || true)"
fi
if [ -z "$gyp" ]; then
  echo "build-gyp: node-gyp not found (it ships with npm)" >&2
  exit 1
fi

# Node headers: npm's nodedir (npm_config_nodedir, /usr here), else the prefix of the running node if it has them.
nodedir="${npm_config_nodedir:-}"
if [ -z "$nodedir" ]; then
  prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [ -f "$prefix/include/node/node_api.h" ]; then nodedir="$prefix"; fi
fi
if [ -z "$nodedir" ]; then
  echo "build-gyp: no Node headers found (set npm_config_nodedir); refusing to download them" >&2
  exit 1
fi

mkdir -p "$out/scripts"
rm -rf "$out/native"
cp -R "$root/native" "$out/native"
cp "$root/binding.gyp" "$out/binding.gyp"
cp "$root/scripts/native-config.cjs" "$out/scripts/native-config.cjs"

config=Release
args=()
if [ "${1:-}" = "--debug" ]; then config=Debug; args+=(--debug); fi
jobs="$(node -p "require('os').availableParallelism?.() ?? require('os').cpus().length")"

# build-gyp/ sits inside the project, so require('node-addon-api') in binding.gyp resolves to ./node_modules
(cd "$out" && node "$gyp" rebuild --nodedir="$nodedir" --jobs="$jobs" "${args[@]}" >&2)

addon="$out/build/$config/nodeano.node"
if [ ! -f "$addon" ]; then
  echo "build-gyp: $addon was not produced" >&2
  exit 1
fi
echo "$addon"
