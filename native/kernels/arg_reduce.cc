#include "arg_reduce.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>

#include "parallel.h"
#include "reduce_common.h"

namespace nodeano {

using namespace reduce_detail;

namespace {

// ---- Argmax / Argmin: the first best element wins a tie, and the first NaN wins over any number (NumPy).

template <bool kMin, class T>
inline bool arg_better(T v, T b) {
  return b == b && ((kMin ? v < b : v > b) || v != v);
}

// The index of the best of x[0..n), n >= 1, and that element in *best.
template <bool kMin, class T>
int64_t arg_row(const T* x, int64_t n, T* best) {
  T b = x[0];
  int64_t k = 0;
  for (int64_t i = 1; i < n && b == b; i++) {
    if (arg_better<kMin>(x[i], b)) {
      b = x[i];
      k = i;
    }
  }
  *best = b;
  return k;
}

template <bool kMin, class T>
Status arg_typed(const KernelCtx& ctx, const Groups& g) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  int32_t* y = static_cast<int32_t*>(ctx.out->data);
  const int64_t out_size = ctx.out->size;
  if (out_size == 0) return OK;
  if (g.n == 0 || pattern(g, {false})) {  // groups of one element
    std::fill(y, y + out_size, 0);
    return OK;
  }
  if (pattern(g, {true})) {  // fixed chunks, merged in order (a later chunk wins only if strictly better)
    constexpr int64_t kChunk = int64_t{1} << 16;
    const int64_t n = g.size[0], chunks = (n + kChunk - 1) / kChunk;
    std::unique_ptr<T[]> best(new (std::nothrow) T[chunks]);
    std::unique_ptr<int64_t[]> at(new (std::nothrow) int64_t[chunks]);
    if (!best || !at) return ERR_ALLOC;
    parallel_range(ctx, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; c++) at[c] = c * kChunk + arg_row<kMin>(x + c * kChunk, std::min(kChunk, n - c * kChunk), &best[c]);
    });
    int64_t k = 0;
    for (int64_t c = 1; c < chunks; c++) {
      if (arg_better<kMin>(best[c], best[k])) k = c;
    }
    y[0] = static_cast<int32_t>(at[k]);
    return OK;
  }
  if (pattern(g, {false, true})) {
    const int64_t len = g.size[1];
    parallel_range(ctx, g.size[0], std::max<int64_t>(1, kGrainCheap / len), [&](int64_t r0, int64_t r1) {
      T b;
      for (int64_t r = r0; r < r1; r++) y[r] = static_cast<int32_t>(arg_row<kMin>(x + r * len, len, &b));
    });
    return OK;
  }
  if (pattern(g, {true, false}) || pattern(g, {false, true, false})) {  // column tiles, as reduce_columns
    const bool lead = g.n == 2;
    const int64_t outer = lead ? 1 : g.size[0], red = g.size[lead ? 0 : 1], inner = g.size[lead ? 1 : 2];
    constexpr int64_t kTile = 1024;
    const int64_t tiles = (inner + kTile - 1) / kTile;
    parallel_range(ctx, outer * tiles, std::max<int64_t>(1, kGrainCheap / (red * std::min(inner, kTile))),
                   [&](int64_t w0, int64_t w1) {
                     T best[kTile];
                     int32_t at[kTile];
                     for (int64_t w = w0; w < w1; w++) {
                       const int64_t o = w / tiles, j0 = (w % tiles) * kTile, m = std::min(kTile, inner - j0);
                       const T* base = x + o * red * inner + j0;
                       std::copy(base, base + m, best);
                       std::fill(at, at + m, 0);
                       for (int64_t r = 1; r < red; r++) {
                         const T* row = base + r * inner;
                         for (int64_t j = 0; j < m; j++) {
                           if (arg_better<kMin>(row[j], best[j])) {
                             best[j] = row[j];
                             at[j] = static_cast<int32_t>(r);
                           }
                         }
                       }
                       std::copy(at, at + m, y + o * inner + j0);
                     }
                   });
    return OK;
  }
  // any other pattern: one pass in row-major order with a running count per group, single-threaded
  std::unique_ptr<T[]> best(new (std::nothrow) T[out_size]);
  std::unique_ptr<int64_t[]> seen(new (std::nothrow) int64_t[out_size]());
  if (!best || !seen) return ERR_ALLOC;
  std::fill(y, y + out_size, 0);
  const bool last_reduced = g.reduced[g.n - 1];
  visit_runs(x, g, [&](int64_t o, const T* p, int64_t len) {
    for (int64_t j = 0; j < len; j++) {
      const int64_t q = last_reduced ? o : o + j;
      const int64_t k = seen[q]++;
      if (k == 0 || arg_better<kMin>(p[j], best[q])) {
        best[q] = p[j];
        y[q] = static_cast<int32_t>(k);
      }
    }
  });
  return OK;
}

template <bool kMin>
Status arg_dispatch(const KernelCtx& ctx, const Groups& g) {
  if (ctx.out->dtype != I32) return ERR_DTYPE;
  switch (ctx.in[0].dtype) {
    case F32: return arg_typed<kMin, float>(ctx, g);
    case F64: return arg_typed<kMin, double>(ctx, g);
    case I32: return arg_typed<kMin, int32_t>(ctx, g);
    case BOOL: return arg_typed<kMin, uint8_t>(ctx, g);
  }
  return ERR_DTYPE;
}

Status argmax_dispatch(const KernelCtx& ctx, const Groups& g) { return arg_dispatch<false>(ctx, g); }
Status argmin_dispatch(const KernelCtx& ctx, const Groups& g) { return arg_dispatch<true>(ctx, g); }

}  // namespace

// Argmax, Argmin: out (I32) = the index of the largest / smallest element within its group, counted in row-major
// order over the reduced axes (the flat index when all are reduced); the first wins a tie and the first NaN wins over
// any number. Any input dtype; reducing no elements is ERR_SHAPE.
Status argmax_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<argmax_dispatch, true>(ctx); }
Status argmax_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<argmax_dispatch, true>(ctx, out); }
Status argmin_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<argmin_dispatch, true>(ctx); }
Status argmin_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<argmin_dispatch, true>(ctx, out); }
NODEANO_KERNEL("Argmax", argmax_kernel, argmax_prepare);
NODEANO_KERNEL("Argmin", argmin_kernel, argmin_prepare);

}  // namespace nodeano
