// Float32 exp / log / tanh / sigmoid in two instantiations of the same source (vec_math.inc):
// vmath::portable on one float at a time (the compiler may vectorize loops of it with SSE2) and vmath::avx2 on __m256.
// Both paths perform identical IEEE operations, so they return bit-identical results.
// The namespaces are anonymous on purpose: every includer gets its own copies, so a TU built with other target flags
// can never lend the linker an AVX2-compiled "portable" function (or the reverse).
#pragma once
#include <cstdint>
#include <limits>

#include "simd.h"

namespace nodeano::vmath {
namespace {
namespace portable {
using V = simd::Scalar;
#include "vec_math.inc"
}  // namespace portable
}  // namespace
}  // namespace nodeano::vmath

#if NODEANO_HAVE_AVX2
#pragma GCC push_options
#pragma GCC target("avx2")
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#endif
namespace nodeano::vmath {
namespace {
namespace avx2 {
using V = simd::Avx2;
#include "vec_math.inc"
}  // namespace avx2
}  // namespace
}  // namespace nodeano::vmath
#ifdef __clang__
#pragma clang attribute pop
#endif
#pragma GCC pop_options
#endif
