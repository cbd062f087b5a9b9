#include "scan.h"

#include <algorithm>
#include <cstdint>

#include "parallel.h"

namespace nodeano {

namespace {

// Each element is accumulated in Acc (double for floats, uint32 for integers, which wraps like the int32 result) in
// element order along the line and stored after every step: the TypeScript reference's arithmetic, bit for bit.
template <class Acc, bool kProd>
inline Acc step(Acc a, Acc v) {
  return kProd ? a * v : a + v;
}

// x and y viewed as [outer, len, inner]; lines run along len (backwards when reverse). inner == 1: one line after
// another; inner > 1: tiles of up to 1024 columns advance together, one row at a time.
template <class In, class Out, class Acc, bool kProd>
void scan_typed(const KernelCtx& ctx, const In* x, Out* y, int64_t outer, int64_t len, int64_t inner, bool reverse) {
  if (inner == 1) {
    parallel_range(ctx, outer, std::max<int64_t>(1, kGrainCheap / len), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; o++) {
        const In* xs = x + o * len;
        Out* ys = y + o * len;
        Acc a = Acc(kProd ? 1 : 0);
        for (int64_t j = 0; j < len; j++) {
          const int64_t i = reverse ? len - 1 - j : j;
          a = step<Acc, kProd>(a, static_cast<Acc>(xs[i]));
          ys[i] = static_cast<Out>(a);
        }
      }
    });
    return;
  }
  constexpr int64_t kTile = 1024;
  const int64_t tiles = (inner + kTile - 1) / kTile;
  parallel_range(ctx, outer * tiles, std::max<int64_t>(1, kGrainCheap / (len * std::min(inner, kTile))),
                 [&](int64_t w0, int64_t w1) {
                   Acc acc[kTile];
                   for (int64_t w = w0; w < w1; w++) {
                     const int64_t o = w / tiles, k0 = (w % tiles) * kTile, m = std::min(kTile, inner - k0);
                     std::fill(acc, acc + m, Acc(kProd ? 1 : 0));
                     for (int64_t j = 0; j < len; j++) {
                       const int64_t off = (o * len + (reverse ? len - 1 - j : j)) * inner + k0;
                       for (int64_t k = 0; k < m; k++) {
                         acc[k] = step<Acc, kProd>(acc[k], static_cast<Acc>(x[off + k]));
                         y[off + k] = static_cast<Out>(acc[k]);
                       }
                     }
                   }
                 });
}

template <bool kProd>
Status scan_common(const KernelCtx& ctx) {
  if (ctx.n_in < 1 || ctx.n_in > 2 || ctx.n_out != 1 || ctx.attrs.n_ints != 2) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  const int axis = ctx.attrs.ints[0];
  const bool reverse = ctx.attrs.ints[1] != 0;
  int64_t outer = 1, len = x.size, inner = 1;
  if (axis == -1) {  // flattened: any output shape of the same size (1-D, or the shape of in[1])
    if (y.size != x.size) return ERR_SHAPE;
  } else {
    if (axis < 0 || axis >= x.ndim) return ERR_INVALID;
    if (y.ndim != x.ndim || !std::equal(x.shape, x.shape + x.ndim, y.shape)) return ERR_SHAPE;
    len = x.shape[axis];
    for (int d = 0; d < axis; d++) outer *= x.shape[d];
    for (int d = axis + 1; d < x.ndim; d++) inner *= x.shape[d];
  }
  const DType in = x.dtype, out = y.dtype;
  const bool ok = (in == F32 && out == F32) || (in == F64 && out == F64) || ((in == I32 || in == BOOL) && out == I32);
  if (!ok) return ERR_DTYPE;
  if (x.size == 0) return OK;
  switch (in) {
    case F32: scan_typed<float, float, double, kProd>(ctx, static_cast<const float*>(x.data), static_cast<float*>(y.data), outer, len, inner, reverse); break;
    case F64: scan_typed<double, double, double, kProd>(ctx, static_cast<const double*>(x.data), static_cast<double*>(y.data), outer, len, inner, reverse); break;
    case I32: scan_typed<int32_t, int32_t, uint32_t, kProd>(ctx, static_cast<const int32_t*>(x.data), static_cast<int32_t*>(y.data), outer, len, inner, reverse); break;
    case BOOL: scan_typed<uint8_t, int32_t, uint32_t, kProd>(ctx, static_cast<const uint8_t*>(x.data), static_cast<int32_t*>(y.data), outer, len, inner, reverse); break;
  }
  return OK;
}

}  // namespace

// Cumsum, Cumprod: out = the running sum / product of in0 along ints [axis, reverse] (from the end when reverse);
// axis -1 scans the flattened tensor in row-major order into an output of the same size whatever its shape (1-D, or
// the shape of an optional in1 whose data is not read). F32 -> F32 and F64 -> F64 accumulated in double, I32 and
// BOOL -> I32 wrapping. out does not alias in0.
Status cumsum_kernel(const KernelCtx& ctx) { return scan_common<false>(ctx); }
Status cumprod_kernel(const KernelCtx& ctx) { return scan_common<true>(ctx); }

NODEANO_KERNEL("Cumsum", cumsum_kernel, nullptr);
NODEANO_KERNEL("Cumprod", cumprod_kernel, nullptr);

}  // namespace nodeano
