#!/usr/bin/env bash
# Builds and runs the kernel checks: bash native/kernels/test/build.sh [--full | --no-sweep | --bench]
# The kernels get the addon's flags (-O3 -fno-trapping-math -fno-math-errno, no -march: the AVX2 path is chosen at
# run time); the test driver itself is built with -O2. Needs OpenBLAS (apt-get install libopenblas-dev).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${KERNEL_CHECK_BUILD:-/tmp/nodeano_kernel_check}"
mkdir -p "$build"
flags=(-std=c++17 -Wall -Wextra -pthread)
objs=() pids=()
for src in "$here"/../*.cc; do
  obj="$build/$(basename "${src%.cc}").o"
  g++ "${flags[@]}" -O3 -fno-trapping-math -fno-math-errno -c "$src" -o "$obj" &
  objs+=("$obj") pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
g++ "${flags[@]}" -O2 -c "$here/kernel_check.cc" -o "$build/kernel_check.o"
g++ -pthread "$build/kernel_check.o" "${objs[@]}" -o "$build/kernel_check" -lopenblas
"$build/kernel_check" "$@"
