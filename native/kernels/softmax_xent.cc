// Softmax cross-entropy from logits (lib/ops/softmax-crossentropy.ts): the loss per row and its gradient.
#include "softmax_xent.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "parallel.h"

namespace nodeano {

namespace {

// log sum exp of a row in double via its max; NaN, +inf or an all -inf row come back as the max (the TS reference).
template <class T>
double row_lse(const T* x, int64_t k) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < k; j++) {
    const double v = x[j];
    if (v > m || v != v) m = v;
    if (m != m) return m;
  }
  if (std::isinf(m)) return m;
  double s = 0;
  for (int64_t j = 0; j < k; j++) s += std::exp(static_cast<double>(x[j]) - m);
  return m + std::log(s);
}

// The shared shape check: x [N, K] float, t int32 [N] labels or rows [N, K] of x's dtype.
bool targets_fit(const Tensor& x, const Tensor& t) {
  if (x.ndim != 2) return false;
  if (t.ndim == 1) return t.shape[0] == x.shape[0] && t.dtype == I32;
  return t.ndim == 2 && t.shape[0] == x.shape[0] && t.shape[1] == x.shape[1] && t.dtype == x.dtype;
}

// Every label in [0, k) (targets as labels), checked before anything is written.
bool labels_ok(const Tensor& t, int64_t k) {
  if (t.ndim != 1) return true;
  const int32_t* c = static_cast<const int32_t*>(t.data);
  for (int64_t i = 0; i < t.shape[0]; i++) {
    if (c[i] < 0 || c[i] >= k) return false;
  }
  return true;
}

template <class T>
void xent_rows(const Tensor& X, const Tensor& Tg, T* out, int64_t r0, int64_t r1) {
  const int64_t k = X.shape[1];
  const T* x = static_cast<const T*>(X.data);
  for (int64_t r = r0; r < r1; r++) {
    const T* row = x + r * k;
    const double lse = row_lse(row, k);
    if (Tg.ndim == 1) {
      const int32_t c = static_cast<const int32_t*>(Tg.data)[r];
      out[r] = static_cast<T>(lse - row[c]);
      continue;
    }
    const T* t = static_cast<const T*>(Tg.data) + r * k;
    double s = 0;
    for (int64_t j = 0; j < k; j++) {
      if (t[j] != 0) s += static_cast<double>(t[j]) * (lse - row[j]);  // 0 * inf stays 0
    }
    out[r] = static_cast<T>(s);
  }
}

template <class T>
void xent_grad_rows(const Tensor& X, const Tensor& Tg, const T* g, T* out, int64_t r0, int64_t r1) {
  const int64_t k = X.shape[1];
  const T* x = static_cast<const T*>(X.data);
  for (int64_t r = r0; r < r1; r++) {
    const T* row = x + r * k;
    T* o = out + r * k;
    const double lse = row_lse(row, k);
    const double gr = g[r];
    if (Tg.ndim == 1) {
      const int32_t c = static_cast<const int32_t*>(Tg.data)[r];
      for (int64_t j = 0; j < k; j++) o[j] = static_cast<T>(gr * (std::exp(row[j] - lse) - (j == c ? 1.0 : 0.0)));
      continue;
    }
    const T* t = static_cast<const T*>(Tg.data) + r * k;
    double total = 0;
    for (int64_t j = 0; j < k; j++) total += t[j];
    for (int64_t j = 0; j < k; j++) o[j] = static_cast<T>(gr * (std::exp(row[j] - lse) * total - t[j]));
  }
}

}  // namespace

// SoftmaxCrossentropy: in0 logits [N, K] (F32/F64), in1 int32 labels [N] or target rows [N, K] of in0's dtype;
// out [N] of in0's dtype. A label outside [0, K) is ERR_INVALID. No attributes; the output never aliases an input.
Status softmax_xent_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  const Tensor& t = ctx.in[1];
  Tensor& y = ctx.out[0];
  if ((x.dtype != F32 && x.dtype != F64) || y.dtype != x.dtype) return ERR_DTYPE;
  if (!targets_fit(x, t) || y.ndim != 1 || y.shape[0] != x.shape[0]) return ERR_SHAPE;
  const int64_t n = x.shape[0], k = x.shape[1];
  if (!labels_ok(t, k)) return ERR_INVALID;
  parallel_range(ctx, n, std::max<int64_t>(1, kGrainHeavy / std::max<int64_t>(k, 1)), [&](int64_t r0, int64_t r1) {
    if (x.dtype == F32) xent_rows<float>(x, t, static_cast<float*>(y.data), r0, r1);
    else xent_rows<double>(x, t, static_cast<double*>(y.data), r0, r1);
  });
  return OK;
}

// SoftmaxCrossentropyGrad: in0 logits [N, K], in1 targets as above, in2 g [N] of in0's dtype; out [N, K]
// = g_i (softmax(x)_ik sum_k t_ik - t_ik). A label outside [0, K) is ERR_INVALID. No attributes; no aliasing.
Status softmax_xent_grad_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  const Tensor& t = ctx.in[1];
  const Tensor& g = ctx.in[2];
  Tensor& y = ctx.out[0];
  if ((x.dtype != F32 && x.dtype != F64) || y.dtype != x.dtype || g.dtype != x.dtype) return ERR_DTYPE;
  if (!targets_fit(x, t) || g.ndim != 1 || g.shape[0] != x.shape[0] || y.ndim != 2 || y.shape[0] != x.shape[0] ||
      y.shape[1] != x.shape[1]) {
    return ERR_SHAPE;
  }
  const int64_t n = x.shape[0], k = x.shape[1];
  if (!labels_ok(t, k)) return ERR_INVALID;
  parallel_range(ctx, n, std::max<int64_t>(1, kGrainHeavy / std::max<int64_t>(k, 1)), [&](int64_t r0, int64_t r1) {
    if (x.dtype == F32) {
      xent_grad_rows<float>(x, t, static_cast<const float*>(g.data), static_cast<float*>(y.data), r0, r1);
    } else {
      xent_grad_rows<double>(x, t, static_cast<const double*>(g.data), static_cast<double*>(y.data), r0, r1);
    }
  });
  return OK;
}

NODEANO_KERNEL("SoftmaxCrossentropy", softmax_xent_kernel, nullptr);
NODEANO_KERNEL("SoftmaxCrossentropyGrad", softmax_xent_grad_kernel, nullptr);

}  // namespace nodeano
