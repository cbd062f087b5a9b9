// 2-D pooling over the last two axes (Theano's Pool, MaxPoolGrad, AveragePoolGrad, DownsampleFactorMaxGradGrad).
// All four kernels take ints [wsH, wsW, strideH, strideW, padH, padW, ignoreBorder, mode] (mode: max 0, sum 1,
// average_inc_pad 2, average_exc_pad 3), F32 or F64 throughout, C-contiguous, outputs never aliasing inputs. Work is
// split over the [H, W] planes (one plane's windows never touch another's); sums accumulate in double in window
// row-major order, as the TypeScript kernels (lib/ops/pool.ts) do.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#include "kernel.h"
#include "parallel.h"

namespace nodeano {

namespace {

enum Mode : int32_t { kMax = 0, kSum = 1, kAvgInc = 2, kAvgExc = 3 };

int64_t out_dim(int64_t v, int64_t ws, int64_t st, int64_t pad, bool ignore_border) {
  auto floordiv = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  if (ignore_border) return std::max<int64_t>(0, floordiv(v + 2 * pad - ws, st) + 1);
  if (v == 0) return 0;
  return st >= ws ? floordiv(v - 1, st) + 1 : std::max<int64_t>(0, floordiv(v - 1 - ws + st, st)) + 1;
}

// Output i of one axis reads input [lo[i], hi[i]) (padding left out); inc[i] is its length inside the padded axis.
struct AxisWindows {
  std::vector<int64_t> lo, hi, inc;
};

AxisWindows axis_windows(int64_t v, int64_t n, int64_t ws, int64_t st, int64_t pad) {
  AxisWindows a;
  a.lo.resize(n);
  a.hi.resize(n);
  a.inc.resize(n);
  for (int64_t i = 0; i < n; i++) {
    const int64_t s = i * st, e = std::min(s + ws, v + 2 * pad);
    a.inc[i] = e - s;
    a.lo[i] = std::max(s, pad) - pad;
    a.hi[i] = std::min(e, v + pad) - pad;
  }
  return a;
}

// Everything a pooling step needs that depends only on shapes and attributes; made once per plan.
struct PoolState : KernelState {
  DType dtype = F32;
  int32_t mode = kMax;
  int64_t planes = 0, h = 0, w = 0, oh = 0, ow = 0;
  int64_t wh = 0, ww = 0;  // window size
  // Windows that tile the plane without overlap or padding (stride = ws, pad 0, every window whole: the LeNet and
  // VGG case): max pooling then takes branch-free loops, and its gradient writes each input once, with no buffer.
  bool tiled = false;
  AxisWindows rows, cols;
};

// The geometry of x = in[0] under the attributes (check_shapes then checks the other tensors against it).
Status make_state(const KernelCtx& ctx, PoolState* s) {
  if (ctx.attrs.n_ints < 8 || ctx.n_in < 1 || ctx.n_out != 1) return ERR_INVALID;
  const int32_t* a = ctx.attrs.ints;
  for (int i = 0; i < 4; i++) {
    if (a[i] < 1) return ERR_INVALID;
  }
  if (a[4] < 0 || a[5] < 0 || a[4] >= a[0] || a[5] >= a[1] || a[7] < kMax || a[7] > kAvgExc) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  if (x.ndim < 2) return ERR_SHAPE;
  for (int i = 0; i < ctx.n_in; i++) {
    if (ctx.in[i].dtype != x.dtype) return ERR_DTYPE;
  }
  if ((x.dtype != F32 && x.dtype != F64) || ctx.out->dtype != x.dtype) return ERR_DTYPE;
  s->dtype = x.dtype;
  s->mode = a[7];
  s->h = x.shape[x.ndim - 2];
  s->w = x.shape[x.ndim - 1];
  s->planes = 1;
  for (int d = 0; d < x.ndim - 2; d++) s->planes *= x.shape[d];
  s->oh = out_dim(s->h, a[0], a[2], a[4], a[6] != 0);
  s->ow = out_dim(s->w, a[1], a[3], a[5], a[6] != 0);
  s->rows = axis_windows(s->h, s->oh, a[0], a[2], a[4]);
  s->cols = axis_windows(s->w, s->ow, a[1], a[3], a[5]);
  s->wh = a[0];
  s->ww = a[1];
  s->tiled = a[0] == a[2] && a[1] == a[3] && a[4] == 0 && a[5] == 0 && s->oh * a[0] <= s->h && s->ow * a[1] <= s->w;
  return OK;
}

bool has_shape(const Tensor& t, const Tensor& lead, int64_t h, int64_t w) {
  if (t.ndim != lead.ndim) return false;
  for (int d = 0; d < t.ndim - 2; d++) {
    if (t.shape[d] != lead.shape[d]) return false;
  }
  return t.shape[t.ndim - 2] == h && t.shape[t.ndim - 1] == w;
}

int64_t grain_planes(int64_t per_plane) {
  return std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, per_plane));
}

// max(m, v) that keeps a NaN of either side (a NaN sticks, as in the generic loop), without a branch to mispredict.
// (Selected through integer masks: GCC turns the plain `?:` into two unpredictable branches on random data.)
template <class T>
inline T pool_max(T m, T v) {
  using U = typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type;
  U mb, vb;
  std::memcpy(&mb, &m, sizeof(T));
  std::memcpy(&vb, &v, sizeof(T));
  const U take = U(0) - U((v > m) | (v != v));
  const U r = (vb & take) | (mb & ~take);
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}

// a when c holds, else +0 (branch-free, as pool_max).
template <class T>
inline T pool_select(bool c, T a) {
  using U = typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type;
  U ab;
  std::memcpy(&ab, &a, sizeof(T));
  const U r = ab & (U(0) - U(c));
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}

// Max pooling over tiled windows: each output row reads wh whole input rows, window by window, branch-free.
template <class T>
void max_pool_tiled(const KernelCtx& ctx, const PoolState& s) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  T* y = static_cast<T*>(ctx.out->data);
  const int64_t hw = s.h * s.w, ohw = s.oh * s.ow, wh = s.wh, ww = s.ww;
  parallel_range(ctx, s.planes, grain_planes(hw + ohw), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      for (int64_t r = 0; r < s.oh; r++) {
        const T* row = x + p * hw + r * wh * s.w;
        T* yr = y + p * ohw + r * s.ow;
        if (wh == 2 && ww == 2) {
          const T* row1 = row + s.w;
          for (int64_t c = 0; c < s.ow; c++) {
            const T a = pool_max(row[2 * c], row[2 * c + 1]), b = pool_max(row1[2 * c], row1[2 * c + 1]);
            yr[c] = pool_max(a, b);
          }
          continue;
        }
        for (int64_t c = 0; c < s.ow; c++) {
          T m = -std::numeric_limits<T>::infinity();
          for (int64_t i = 0; i < wh; i++) {
            const T* q = row + i * s.w + c * ww;
            for (int64_t j = 0; j < ww; j++) m = pool_max(m, q[j]);
          }
          yr[c] = m;
        }
      }
    }
  });
}

// Its gradient: gx = gz of the window at every position equal to the window's max (ties each get it, as the generic
// loop; one term, so no double accumulation is needed to round the same), 0 elsewhere and outside every window.
template <class T>
void max_pool_grad_tiled(const KernelCtx& ctx, const PoolState& s) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  const T* m = static_cast<const T*>(ctx.in[1].data);
  const T* gz = static_cast<const T*>(ctx.in[2].data);
  T* gx = static_cast<T*>(ctx.out->data);
  const int64_t hw = s.h * s.w, ohw = s.oh * s.ow, wh = s.wh, ww = s.ww;
  parallel_range(ctx, s.planes, grain_planes(2 * hw + ohw), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const T* xp = x + p * hw;
      T* gp = gx + p * hw;
      if (s.oh * wh < s.h || s.ow * ww < s.w) std::fill(gp, gp + hw, T(0));  // rows or columns no window covers
      for (int64_t r = 0; r < s.oh; r++) {
        const T* mr = m + p * ohw + r * s.ow;
        const T* gr = gz + p * ohw + r * s.ow;
        for (int64_t i = 0; i < wh; i++) {
          const int64_t base = (r * wh + i) * s.w;
          for (int64_t c = 0; c < s.ow; c++) {
            const T mv = mr[c], g = gr[c] + T(0);  // 0 + g, as the generic loop's double sum rounds -0 to +0
            for (int64_t j = 0; j < ww; j++) gp[base + c * ww + j] = pool_select(xp[base + c * ww + j] == mv, g);
          }
        }
      }
    }
  });
}

template <class T>
void pool_forward(const KernelCtx& ctx, const PoolState& s) {
  if (s.tiled && s.mode == kMax) return max_pool_tiled<T>(ctx, s);
  const T* x = static_cast<const T*>(ctx.in[0].data);
  T* y = static_cast<T*>(ctx.out->data);
  const int64_t hw = s.h * s.w, ohw = s.oh * s.ow;
  parallel_range(ctx, s.planes, grain_planes(hw + ohw), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const T* xp = x + p * hw;
      T* yp = y + p * ohw;
      for (int64_t r = 0; r < s.oh; r++) {
        const int64_t i0 = s.rows.lo[r], i1 = s.rows.hi[r];
        for (int64_t c = 0; c < s.ow; c++) {
          const int64_t j0 = s.cols.lo[c], j1 = s.cols.hi[c];
          if (s.mode == kMax) {
            T m = -std::numeric_limits<T>::infinity();
            for (int64_t i = i0; i < i1; i++) {
              for (int64_t j = j0; j < j1; j++) {
                const T v = xp[i * s.w + j];
                if (v > m || std::isnan(v)) m = v;  // a NaN sticks: nothing compares greater than it
              }
            }
            yp[r * s.ow + c] = m;
          } else {
            double acc = 0;
            for (int64_t i = i0; i < i1; i++) {
              for (int64_t j = j0; j < j1; j++) acc += static_cast<double>(xp[i * s.w + j]);
            }
            const double n = s.mode == kAvgInc ? static_cast<double>(s.rows.inc[r] * s.cols.inc[c])
                                               : static_cast<double>((i1 - i0) * (j1 - j0));
            yp[r * s.ow + c] = static_cast<T>(s.mode == kSum ? acc : acc / n);
          }
        }
      }
    }
  });
}

// kind 0: MaxPoolGrad (x, maxout, gz) -> gx; kind 1: AveragePoolGrad (x, gz) -> gx. A plane's gradient accumulates in
// a per-thread double buffer and is rounded once.
template <class T>
Status pool_backward(const KernelCtx& ctx, const PoolState& s, bool max) {
  if (max && s.tiled) {
    max_pool_grad_tiled<T>(ctx, s);
    return OK;
  }
  const T* x = static_cast<const T*>(ctx.in[0].data);
  const T* m = max ? static_cast<const T*>(ctx.in[1].data) : nullptr;
  const T* gz = static_cast<const T*>(ctx.in[max ? 2 : 1].data);
  T* gx = static_cast<T*>(ctx.out->data);
  const int64_t hw = s.h * s.w, ohw = s.oh * s.ow;
  std::atomic<bool> failed{false};
  parallel_range(ctx, s.planes, grain_planes(2 * hw + ohw), [&](int64_t p0, int64_t p1) {
    std::unique_ptr<double[]> acc(new (std::nothrow) double[std::max<int64_t>(1, hw)]);
    if (!acc) {
      failed = true;
      return;
    }
    for (int64_t p = p0; p < p1; p++) {
      std::fill(acc.get(), acc.get() + hw, 0.0);
      const T* xp = x + p * hw;
      for (int64_t r = 0; r < s.oh; r++) {
        const int64_t i0 = s.rows.lo[r], i1 = s.rows.hi[r];
        for (int64_t c = 0; c < s.ow; c++) {
          const int64_t j0 = s.cols.lo[c], j1 = s.cols.hi[c], o = p * ohw + r * s.ow + c;
          if (max) {
            const T mv = m[o];
            const double g = static_cast<double>(gz[o]);
            for (int64_t i = i0; i < i1; i++) {
              for (int64_t j = j0; j < j1; j++) {
                if (xp[i * s.w + j] == mv) acc[i * s.w + j] += g;
              }
            }
          } else {
            const double n = s.mode == kSum ? 1.0
                             : s.mode == kAvgInc ? static_cast<double>(s.rows.inc[r] * s.cols.inc[c])
                                                 : static_cast<double>((i1 - i0) * (j1 - j0));
            const double v = static_cast<double>(gz[o]) / n;
            for (int64_t i = i0; i < i1; i++) {
              for (int64_t j = j0; j < j1; j++) acc[i * s.w + j] += v;
            }
          }
        }
      }
      for (int64_t k = 0; k < hw; k++) gx[p * hw + k] = static_cast<T>(acc[k]);
    }
  });
  return failed ? ERR_ALLOC : OK;
}

// MaxPoolGradGrad (x, maxout, ggx) -> ggz: per window the sum of ggx where x equals the window's max.
template <class T>
void max_pool_grad_grad(const KernelCtx& ctx, const PoolState& s) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  const T* m = static_cast<const T*>(ctx.in[1].data);
  const T* gg = static_cast<const T*>(ctx.in[2].data);
  T* out = static_cast<T*>(ctx.out->data);
  const int64_t hw = s.h * s.w, ohw = s.oh * s.ow;
  parallel_range(ctx, s.planes, grain_planes(2 * hw + ohw), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const T* xp = x + p * hw;
      const T* gp = gg + p * hw;
      for (int64_t r = 0; r < s.oh; r++) {
        for (int64_t c = 0; c < s.ow; c++) {
          const int64_t o = p * ohw + r * s.ow + c;
          const T mv = m[o];
          double acc = 0;
          for (int64_t i = s.rows.lo[r]; i < s.rows.hi[r]; i++) {
            for (int64_t j = s.cols.lo[c]; j < s.cols.hi[c]; j++) {
              if (xp[i * s.w + j] == mv) acc += static_cast<double>(gp[i * s.w + j]);
            }
          }
          out[o] = static_cast<T>(acc);
        }
      }
    }
  });
}

enum Kind { kPool, kMaxGrad, kAvgGrad, kMaxGradGrad };

// Shapes of the inputs and output against the state (x's shape is the state's).
Status check_shapes(const KernelCtx& ctx, const PoolState& s, Kind kind) {
  const Tensor& x = ctx.in[0];
  const int need = kind == kPool ? 1 : kind == kAvgGrad ? 2 : 3;
  if (ctx.n_in != need) return ERR_INVALID;
  if ((kind == kMaxGrad || kind == kMaxGradGrad) && s.mode != kMax) return ERR_INVALID;
  if (kind == kAvgGrad && s.mode == kMax) return ERR_INVALID;
  const bool pooled_out = kind == kPool || kind == kMaxGradGrad;
  if (!has_shape(*ctx.out, x, pooled_out ? s.oh : s.h, pooled_out ? s.ow : s.w)) return ERR_SHAPE;
  if (kind == kMaxGrad && (!has_shape(ctx.in[1], x, s.oh, s.ow) || !has_shape(ctx.in[2], x, s.oh, s.ow))) return ERR_SHAPE;
  if (kind == kAvgGrad && !has_shape(ctx.in[1], x, s.oh, s.ow)) return ERR_SHAPE;
  if (kind == kMaxGradGrad && (!has_shape(ctx.in[1], x, s.oh, s.ow) || !has_shape(ctx.in[2], x, s.h, s.w))) return ERR_SHAPE;
  return OK;
}

template <Kind kind>
Status execute(const KernelCtx& ctx, const PoolState& s) {
  const bool f32 = s.dtype == F32;
  switch (kind) {
    case kPool:
      f32 ? pool_forward<float>(ctx, s) : pool_forward<double>(ctx, s);
      return OK;
    case kMaxGrad:
    case kAvgGrad:
      return f32 ? pool_backward<float>(ctx, s, kind == kMaxGrad) : pool_backward<double>(ctx, s, kind == kMaxGrad);
    case kMaxGradGrad:
      f32 ? max_pool_grad_grad<float>(ctx, s) : max_pool_grad_grad<double>(ctx, s);
      return OK;
  }
  return ERR_INVALID;
}

template <Kind kind>
Status generic_kernel(const KernelCtx& ctx) {
  PoolState s;
  Status st = make_state(ctx, &s);
  if (st == OK) st = check_shapes(ctx, s, kind);
  return st == OK ? execute<kind>(ctx, s) : st;
}

template <Kind kind>
Status prepared_kernel(const KernelCtx& ctx) {
  return execute<kind>(ctx, *static_cast<const PoolState*>(ctx.state));
}

template <Kind kind>
Status prepare(const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<PoolState> s(new (std::nothrow) PoolState());
  if (!s) return ERR_ALLOC;
  Status st = make_state(ctx, s.get());
  if (st == OK) st = check_shapes(ctx, *s, kind);
  if (st != OK) return st;
  out->run = prepared_kernel<kind>;
  out->state = std::move(s);
  return OK;
}

}  // namespace

NODEANO_KERNEL("Pool", generic_kernel<kPool>, prepare<kPool>);
NODEANO_KERNEL("MaxPoolGrad", generic_kernel<kMaxGrad>, prepare<kMaxGrad>);
NODEANO_KERNEL("AveragePoolGrad", generic_kernel<kAvgGrad>, prepare<kAvgGrad>);
NODEANO_KERNEL("MaxPoolGradGrad", generic_kernel<kMaxGradGrad>, prepare<kMaxGradGrad>);

}  // namespace nodeano
