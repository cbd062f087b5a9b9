#include "simd.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace nodeano::simd {

namespace {

bool cpu_has_avx2() {
#if NODEANO_HAVE_AVX2
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

// Decided once: the CPU feature and the NODEANO_SIMD=portable escape hatch (for debugging a suspected SIMD issue).
bool initial_avx2() {
  const char* env = std::getenv("NODEANO_SIMD");
  if (env && std::strcmp(env, "portable") == 0) return false;
  return cpu_has_avx2();
}

std::atomic<bool>& avx2_flag() {
  static std::atomic<bool> flag{initial_avx2()};
  return flag;
}

}  // namespace

bool avx2_enabled() { return avx2_flag().load(std::memory_order_relaxed); }

bool set_avx2(bool on) { return avx2_flag().exchange(on && cpu_has_avx2(), std::memory_order_relaxed); }

}  // namespace nodeano::simd
