// Neural-network losses and one-hot encoding; plain loops in double, single-threaded (they are a small part of a
// training step next to the matrix products). Out-of-range labels return ERR_INVALID, which the TypeScript side
// reports as a RuntimeError naming the node.
#include "kernel.h"

#include "broadcast_geom.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nodeano {
namespace {

bool same_shape(const Tensor& a, const Tensor& b) {
  if (a.ndim != b.ndim) return false;
  for (int k = 0; k < a.ndim; k++)
    if (a.shape[k] != b.shape[k]) return false;
  return true;
}

// probs [n, k] float, targets I32 [n] (labels) or [n, k] of probs' dtype (rows); *labels says which.
Status check_cce(const Tensor& p, const Tensor& t, bool* labels) {
  if (p.dtype != F32 && p.dtype != F64) return ERR_DTYPE;
  if (p.ndim != 2) return ERR_SHAPE;
  *labels = t.ndim == 1;
  if (*labels) {
    if (t.dtype != I32) return ERR_DTYPE;
    if (t.shape[0] != p.shape[0]) return ERR_SHAPE;
  } else {
    if (t.dtype != p.dtype) return ERR_DTYPE;
    if (!same_shape(p, t)) return ERR_SHAPE;
  }
  return OK;
}

template <typename T>
Status cce(const T* P, const void* targets, bool labels, int64_t n, int64_t k, T* out) {
  for (int64_t i = 0; i < n; i++) {
    if (labels) {
      const int32_t c = static_cast<const int32_t*>(targets)[i];
      if (c < 0 || c >= k) return ERR_INVALID;
      out[i] = static_cast<T>(0.0 - std::log(double(P[i * k + c])));  // +0, not -0, for p = 1
    } else {
      const T* t = static_cast<const T*>(targets) + i * k;
      double s = 0;
      for (int64_t j = 0; j < k; j++)
        if (t[j] != 0) s += double(t[j]) * std::log(double(P[i * k + j]));
      out[i] = static_cast<T>(0.0 - s);
    }
  }
  return OK;
}

template <typename T>
Status cce_grad(const T* G, const T* P, const void* targets, bool labels, int64_t n, int64_t k, T* out) {
  for (int64_t i = 0; i < n; i++) {
    const double g = G[i];
    T* o = out + i * k;
    if (labels) {
      const int32_t c = static_cast<const int32_t*>(targets)[i];
      if (c < 0 || c >= k) return ERR_INVALID;
      std::fill(o, o + k, T(0));
      o[c] = static_cast<T>(-g / double(P[i * k + c]));
    } else {
      const T* t = static_cast<const T*>(targets) + i * k;
      for (int64_t j = 0; j < k; j++) o[j] = t[j] == 0 ? T(0) : static_cast<T>((-g * double(t[j])) / double(P[i * k + j]));
    }
  }
  return OK;
}

inline double bce_value(double p, double t) {
  const double a = t == 0 ? 0 : t * std::log(p);
  const double b = t == 1 ? 0 : (1 - t) * std::log1p(-p);
  return 0.0 - (a + b);  // +0, not -0, where p equals t
}

inline double bce_logits_value(double x, double t) { return std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::fabs(x))); }

// Row by row over the broadcast geometry: within a row each operand is contiguous (stride 1) or one element (0).
template <typename T, bool Logits>
void bce_rows(const BroadcastGeom& g, const T* X, const T* Tg, T* out) {
  const int64_t inner = g.inner(), rows = g.rows();
  const int sx = g.inner_stride(0), st = g.inner_stride(1);
  RowCursor c(g, 0);
  for (int64_t r = 0; r < rows; r++, c.next(), out += inner) {
    const T *x = X + c.off[0], *t = Tg + c.off[1];
    for (int64_t j = 0; j < inner; j++) {
      const double a = x[j * sx], b = t[j * st];
      out[j] = static_cast<T>(Logits ? bce_logits_value(a, b) : bce_value(a, b));
    }
  }
}

template <typename T>
void bce_typed(const BroadcastGeom& g, const Tensor& x, const Tensor& t, Tensor& y, bool logits) {
  const T *a = static_cast<const T*>(x.data), *b = static_cast<const T*>(t.data);
  T* o = static_cast<T*>(y.data);
  logits ? bce_rows<T, true>(g, a, b, o) : bce_rows<T, false>(g, a, b, o);
}

Status bce_common(const KernelCtx& ctx, bool logits) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor &x = ctx.in[0], &t = ctx.in[1];
  Tensor& y = *ctx.out;
  if (x.dtype != t.dtype || x.dtype != y.dtype || (x.dtype != F32 && x.dtype != F64)) return ERR_DTYPE;
  for (int k = 0; k < y.ndim; k++) {
    const int ix = k - (y.ndim - x.ndim), it = k - (y.ndim - t.ndim);
    const int64_t dx = ix >= 0 ? x.shape[ix] : 1, dt = it >= 0 ? t.shape[it] : 1;
    if (y.shape[k] != (dx == 1 ? dt : dx)) return ERR_SHAPE;  // y must be exactly the broadcast shape
  }
  const Tensor* ops[2] = {&x, &t};
  BroadcastGeom g;
  if (!broadcast_geom(ops, 2, y.shape, y.ndim, &g)) return ERR_SHAPE;
  if (y.size == 0) return OK;
  if (x.dtype == F32) bce_typed<float>(g, x, t, y, logits);
  else bce_typed<double>(g, x, t, y, logits);
  return OK;
}

}  // namespace

// CategoricalCrossentropy: in0 probs [n, k] F32/F64, in1 targets (I32 labels [n] or rows [n, k] of in0's dtype);
// out [n] = -log p[i, t_i] or -sum_j t_ij log p_ij (terms with t = 0 skipped), in double. A label outside [0, k) is
// ERR_INVALID.
Status categorical_crossentropy_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor &p = ctx.in[0], &t = ctx.in[1];
  Tensor& y = *ctx.out;
  bool labels = false;
  Status st = check_cce(p, t, &labels);
  if (st != OK) return st;
  if (y.dtype != p.dtype) return ERR_DTYPE;
  if (y.ndim != 1 || y.shape[0] != p.shape[0]) return ERR_SHAPE;
  if (p.dtype == F32) return cce(static_cast<const float*>(p.data), t.data, labels, p.shape[0], p.shape[1], static_cast<float*>(y.data));
  return cce(static_cast<const double*>(p.data), t.data, labels, p.shape[0], p.shape[1], static_cast<double*>(y.data));
}
NODEANO_KERNEL("CategoricalCrossentropy", categorical_crossentropy_kernel, nullptr);

// CategoricalCrossentropyGrad: in0 g [n], in1 probs [n, k], in2 targets as above; out [n, k] = -g_i [j = t_i] / p_ij
// (labels) or -g_i t_ij / p_ij, 0 where t_ij = 0 (rows).
Status categorical_crossentropy_grad_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor &g = ctx.in[0], &p = ctx.in[1], &t = ctx.in[2];
  Tensor& y = *ctx.out;
  bool labels = false;
  Status st = check_cce(p, t, &labels);
  if (st != OK) return st;
  if (g.dtype != p.dtype || y.dtype != p.dtype) return ERR_DTYPE;
  if (g.ndim != 1 || g.shape[0] != p.shape[0] || !same_shape(p, y)) return ERR_SHAPE;
  if (p.dtype == F32) {
    return cce_grad(static_cast<const float*>(g.data), static_cast<const float*>(p.data), t.data, labels, p.shape[0], p.shape[1],
                    static_cast<float*>(y.data));
  }
  return cce_grad(static_cast<const double*>(g.data), static_cast<const double*>(p.data), t.data, labels, p.shape[0], p.shape[1],
                  static_cast<double*>(y.data));
}
NODEANO_KERNEL("CategoricalCrossentropyGrad", categorical_crossentropy_grad_kernel, nullptr);

// BinaryCrossentropy: in0 probs, in1 targets of one dtype (F32/F64) and NumPy-broadcastable shapes, out of the
// broadcast shape (not aliasing an input); out = 0 - (t log p + (1 - t) log1p(-p)), a term with weight 0 skipped; in
// double.
Status binary_crossentropy_kernel(const KernelCtx& ctx) { return bce_common(ctx, false); }
NODEANO_KERNEL("BinaryCrossentropy", binary_crossentropy_kernel, nullptr);

// BinaryCrossentropyWithLogits: in0 logits, in1 targets as above; out = max(x, 0) - x t + log1p(exp(-|x|)), in double.
Status binary_crossentropy_with_logits_kernel(const KernelCtx& ctx) { return bce_common(ctx, true); }
NODEANO_KERNEL("BinaryCrossentropyWithLogits", binary_crossentropy_with_logits_kernel, nullptr);

// OneHot: in0 I32 labels (any shape), ints [nClasses]; out (any dtype) shape [...labels, nClasses], 1 at each label.
// A label outside [0, nClasses) is ERR_INVALID.
Status one_hot_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  const Tensor& l = ctx.in[0];
  Tensor& y = *ctx.out;
  const int64_t k = ctx.attrs.ints[0];
  if (l.dtype != I32) return ERR_DTYPE;
  if (k <= 0 || y.ndim != l.ndim + 1 || y.shape[l.ndim] != k) return ERR_SHAPE;
  for (int d = 0; d < l.ndim; d++)
    if (y.shape[d] != l.shape[d]) return ERR_SHAPE;
  const size_t es = dtype_size(y.dtype);
  if (y.size > 0) std::memset(y.data, 0, size_t(y.size) * es);
  const int32_t* L = static_cast<const int32_t*>(l.data);
  for (int64_t i = 0; i < l.size; i++) {
    const int32_t c = L[i];
    if (c < 0 || c >= k) return ERR_INVALID;
    const int64_t at = i * k + c;
    switch (y.dtype) {
      case F32: static_cast<float*>(y.data)[at] = 1.0f; break;
      case F64: static_cast<double*>(y.data)[at] = 1.0; break;
      case I32: static_cast<int32_t*>(y.data)[at] = 1; break;
      default: static_cast<uint8_t*>(y.data)[at] = 1; break;
    }
  }
  return OK;
}
NODEANO_KERNEL("OneHot", one_hot_kernel, nullptr);

}  // namespace nodeano
