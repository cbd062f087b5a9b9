#!/usr/bin/env bash
# Builds and runs the kernel checks: bash native/kernels/test/build.sh [--quick | --full | --no-sweep | --bench]
# The kernels get the addon's flags (-O3 -fno-trapping-math -fno-math-errno, no -march: the AVX2 path is chosen at
# run time); the test driver itself is built with -O2. Every object compiles in parallel. Needs g++ and OpenBLAS
# (apt-get install libopenblas-dev); without them it prints "skip: <reason>" and exits 77 (test/native/kernel-check.test.ts
# then skips). KERNEL_CHECK_BUILD names the build directory (default /tmp/nodeano_kernel_check).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${KERNEL_CHECK_BUILD:-/tmp/nodeano_kernel_check}"
cxx="${CXX:-g++}"

if ! command -v "$cxx" > /dev/null 2>&1; then
  echo "skip: no C++ compiler ($cxx) on PATH"
  exit 77
fi
# OpenBLAS's cblas.h as the addon finds it: pkg-config first, then the compiler's default include path
blas_cflags=() blas_libs=(-lopenblas)
if command -v pkg-config > /dev/null 2>&1 && pkg-config --exists openblas 2> /dev/null; then
  read -r -a blas_cflags <<< "$(pkg-config --cflags openblas)"
  read -r -a blas_libs <<< "$(pkg-config --libs openblas)"
fi
if ! printf '#include <cblas.h>\n#include <openblas_config.h>\n' | "$cxx" -x c++ -fsyntax-only ${blas_cflags[@]+"${blas_cflags[@]}"} - 2> /dev/null; then
  echo "skip: OpenBLAS headers (cblas.h, openblas_config.h) not found; install libopenblas-dev"
  exit 77
fi

mkdir -p "$build"
flags=(-std=c++17 -Wall -Wextra -pthread ${blas_cflags[@]+"${blas_cflags[@]}"})
objs=() pids=()
for src in "$here"/../*.cc; do
  obj="$build/$(basename "${src%.cc}").o"
  "$cxx" "${flags[@]}" -O3 -fno-trapping-math -fno-math-errno -c "$src" -o "$obj" &
  objs+=("$obj") pids+=($!)
done
"$cxx" "${flags[@]}" -O2 -c "$here/kernel_check.cc" -o "$build/kernel_check.o" &
pids+=($!)
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
if [ "$failed" -ne 0 ]; then
  echo "kernel_check: compiling failed" >&2
  exit 1
fi
"$cxx" -pthread "$build/kernel_check.o" "${objs[@]}" -o "$build/kernel_check" "${blas_libs[@]}"
"$build/kernel_check" "$@"
