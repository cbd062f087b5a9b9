// Splitting kernel loops across the plan's thread pool.
#pragma once
#include <cstdint>
#include <functional>

#include "kernel.h"
#include "thread_pool.h"

namespace nodeano {

// Minimum elements per chunk, so a loop splits from 2 * grain elements up: 2^16 for memory-bound ops and 2^14 for
// transcendentals (~10x the work per element). Measured on a 2-core VM with back-to-back kernels (README.md): at
// those sizes a split already beats running inline.
constexpr int64_t kGrainCheap = int64_t{1} << 15;
constexpr int64_t kGrainHeavy = int64_t{1} << 13;

// Runs fn(begin, end) over [0, n): across ctx.pool in contiguous chunks of at least `grain` items when there is a
// pool and enough work, else inline on the calling thread.
template <class Fn>
void parallel_range(const KernelCtx& ctx, int64_t n, int64_t grain, Fn&& fn) {
  if (ctx.pool != nullptr && ctx.pool->threads() > 1 && n >= 2 * grain) {
    ctx.pool->parallel_for(n, grain, std::function<void(int64_t, int64_t)>(fn));
  } else if (n > 0) {
    fn(int64_t{0}, n);
  }
}

}  // namespace nodeano
