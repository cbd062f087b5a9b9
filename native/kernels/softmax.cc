#include "softmax.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <new>

#include "elementwise.h"
#include "parallel.h"
#include "reduce_common.h"

namespace nodeano {

using namespace reduce_detail;

namespace {

// ---- Logsumexp: m + log(sum(exp(x - m))) with m the group's max, in double; a group whose max is not finite gives
// that max (all -inf: -inf; holding +inf: +inf; holding NaN: NaN).

template <class T>
T lse_row(const T* x, int64_t n) {
  const double m = static_cast<double>(MaxR<T>::row(x, n));
  if (!std::isfinite(m)) return static_cast<T>(m);
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += std::exp(static_cast<double>(x[i]) - m);
  return static_cast<T>(m + std::log(s));
}

template <class T>
Status lse_typed(const KernelCtx& ctx, const Groups& g) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  T* y = static_cast<T*>(ctx.out->data);
  const int64_t out_size = ctx.out->size;
  if (out_size == 0) return OK;
  if (g.n == 0 || pattern(g, {true}) || pattern(g, {false, true}) || pattern(g, {false})) {  // one row per output
    const int64_t len = g.n == 0 || !g.reduced[g.n - 1] ? 1 : g.size[g.n - 1];
    parallel_range(ctx, out_size, std::max<int64_t>(1, kGrainHeavy / len), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) y[r] = lse_row(x + r * len, len);
    });
    return OK;
  }
  if (pattern(g, {true, false}) || pattern(g, {false, true, false})) {  // column tiles: a max pass, then a sum pass
    const bool lead = g.n == 2;
    const int64_t outer = lead ? 1 : g.size[0], red = g.size[lead ? 0 : 1], inner = g.size[lead ? 1 : 2];
    constexpr int64_t kTile = 512;
    const int64_t tiles = (inner + kTile - 1) / kTile;
    parallel_range(ctx, outer * tiles, std::max<int64_t>(1, kGrainHeavy / (red * std::min(inner, kTile))),
                   [&](int64_t w0, int64_t w1) {
                     double m[kTile], s[kTile];
                     for (int64_t w = w0; w < w1; w++) {
                       const int64_t o = w / tiles, j0 = (w % tiles) * kTile, n = std::min(kTile, inner - j0);
                       const T* base = x + o * red * inner + j0;
                       std::fill(m, m + n, -std::numeric_limits<double>::infinity());
                       std::fill(s, s + n, 0.0);
                       for (int64_t r = 0; r < red; r++) {
                         for (int64_t j = 0; j < n; j++) m[j] = max_nan(m[j], static_cast<double>(base[r * inner + j]));
                       }
                       for (int64_t r = 0; r < red; r++) {
                         for (int64_t j = 0; j < n; j++) s[j] += std::exp(static_cast<double>(base[r * inner + j]) - m[j]);
                       }
                       T* dst = y + o * inner + j0;
                       for (int64_t j = 0; j < n; j++) dst[j] = static_cast<T>(std::isfinite(m[j]) ? m[j] + std::log(s[j]) : m[j]);
                     }
                   });
    return OK;
  }
  // any other pattern: two row-major passes (max, then the shifted sum), single-threaded
  std::unique_ptr<double[]> m(new (std::nothrow) double[out_size]);
  std::unique_ptr<double[]> s(new (std::nothrow) double[out_size]());
  if (!m || !s) return ERR_ALLOC;
  std::fill(m.get(), m.get() + out_size, -std::numeric_limits<double>::infinity());
  const bool last_reduced = g.reduced[g.n - 1];
  visit_runs(x, g, [&](int64_t o, const T* p, int64_t len) {
    for (int64_t j = 0; j < len; j++) {
      double& q = m[last_reduced ? o : o + j];
      q = max_nan(q, static_cast<double>(p[j]));
    }
  });
  visit_runs(x, g, [&](int64_t o, const T* p, int64_t len) {
    for (int64_t j = 0; j < len; j++) {
      const int64_t q = last_reduced ? o : o + j;
      s[q] += std::exp(static_cast<double>(p[j]) - m[q]);
    }
  });
  for (int64_t o = 0; o < out_size; o++) y[o] = static_cast<T>(std::isfinite(m[o]) ? m[o] + std::log(s[o]) : m[o]);
  return OK;
}

Status lse_dispatch(const KernelCtx& ctx, const Groups& g) {
  if (ctx.in[0].dtype != ctx.out->dtype) return ERR_DTYPE;
  if (ctx.out->dtype == F32) return lse_typed<float>(ctx, g);
  if (ctx.out->dtype == F64) return lse_typed<double>(ctx, g);
  return ERR_DTYPE;
}

// ---- Softmax along one axis.

template <class T>
T max_row(const T* x, int64_t n) {
  return MaxR<T>::row(x, n);
}

// y = exp(x - max) / sum, or (x - max) - log(sum); the sum accumulates in double. Rows of all -inf (or with a NaN)
// give NaN, as in NumPy.
template <class T>
void softmax_row(const T* x, T* y, int64_t n, bool log) {
  const T m = max_row(x, n);
  ew_binary(EwOp::Sub, x, 1, &m, 0, y, n);
  ew_unary(EwOp::Exp, y, y, n);
  const double s = SumR<T, double>::row(y, n);
  if (log) {
    const T lse = static_cast<T>(std::log(s));
    ew_binary(EwOp::Sub, x, 1, &m, 0, y, n);
    ew_binary(EwOp::Sub, y, 1, &lse, 0, y, n);
  } else {
    const T inv = static_cast<T>(1.0 / s);
    ew_binary(EwOp::Mul, y, 1, &inv, 0, y, n);
  }
}

// A softmax along a middle axis: each line [outer, len, inner] is gathered into a buffer, computed as a row and
// scattered back.
template <class T>
Status softmax_strided(const KernelCtx& ctx, const T* x, T* y, int64_t outer, int64_t len, int64_t inner, bool log) {
  std::atomic<bool> failed{false};
  parallel_range(ctx, outer * inner, std::max<int64_t>(1, kGrainHeavy / len), [&](int64_t l0, int64_t l1) {
    std::unique_ptr<T[]> buf(new (std::nothrow) T[2 * len]);
    if (!buf) {
      failed = true;
      return;
    }
    for (int64_t l = l0; l < l1; l++) {
      const int64_t base = (l / inner) * len * inner + l % inner;
      for (int64_t j = 0; j < len; j++) buf[j] = x[base + j * inner];
      softmax_row(buf.get(), buf.get() + len, len, log);
      for (int64_t j = 0; j < len; j++) y[base + j * inner] = buf[len + j];
    }
  });
  return failed ? ERR_ALLOC : OK;
}

Status softmax_common(const KernelCtx& ctx, bool log) {
  if (ctx.n_in != 1 || ctx.n_out != 1 || ctx.attrs.n_ints < 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  const int axis = ctx.attrs.ints[0] == -1 ? x.ndim - 1 : ctx.attrs.ints[0];
  if (x.ndim > 0 && (axis < 0 || axis >= x.ndim)) return ERR_INVALID;
  if (x.dtype != y.dtype || (x.dtype != F32 && x.dtype != F64)) return ERR_DTYPE;
  if (x.ndim != y.ndim || !std::equal(x.shape, x.shape + x.ndim, y.shape)) return ERR_SHAPE;
  if (x.size == 0) return OK;
  const int64_t len = x.ndim ? x.shape[axis] : 1, rows = x.size / len;
  int64_t inner = 1;
  for (int d = axis + 1; d < x.ndim; d++) inner *= x.shape[d];
  if (inner > 1 && len > 1) {
    const int64_t outer = rows / inner;
    if (x.dtype == F32) {
      return softmax_strided(ctx, static_cast<const float*>(x.data), static_cast<float*>(y.data), outer, len, inner, log);
    }
    return softmax_strided(ctx, static_cast<const double*>(x.data), static_cast<double*>(y.data), outer, len, inner, log);
  }
  parallel_range(ctx, rows, std::max<int64_t>(1, kGrainHeavy / len), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      if (x.dtype == F32) {
        softmax_row(static_cast<const float*>(x.data) + r * len, static_cast<float*>(y.data) + r * len, len, log);
      } else {
        softmax_row(static_cast<const double*>(x.data) + r * len, static_cast<double*>(y.data) + r * len, len, log);
      }
    }
  });
  return OK;
}

}  // namespace

// Logsumexp: out = m + log(sum(exp(x - m))) over axes, m the group max, in double; a group whose max is -inf, +inf
// or NaN gives that max. F32 -> F32, F64 -> F64; reducing no elements is ERR_SHAPE.
Status logsumexp_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<lse_dispatch, true>(ctx); }
Status logsumexp_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<lse_dispatch, true>(ctx, out); }
NODEANO_KERNEL("Logsumexp", logsumexp_kernel, logsumexp_prepare);

// Softmax: out = exp(x - max) / sum along one axis, numerically stable; ints [axis] (-1 for the last); F32/F64, same
// shape; out does not alias in0. Lines along the last axis (or any axis when the dims after it are 1) are computed in
// place; others through a per-thread buffer.
Status softmax_kernel(const KernelCtx& ctx) { return softmax_common(ctx, false); }
NODEANO_KERNEL("Softmax", softmax_kernel, nullptr);

// LogSoftmax: out = (x - max) - log(sum exp(x - max)) along one axis; as Softmax otherwise.
Status log_softmax_kernel(const KernelCtx& ctx) { return softmax_common(ctx, true); }
NODEANO_KERNEL("LogSoftmax", log_softmax_kernel, nullptr);

}  // namespace nodeano
