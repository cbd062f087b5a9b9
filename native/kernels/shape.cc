#include "shape.h"

#include <algorithm>
#include <cstring>

#include "broadcast_geom.h"
#include "parallel.h"

namespace nodeano {

namespace {

// A permutation with size-1 axes dropped and runs of axes that stay adjacent merged: out axis i is in axis perm[i].
struct Perm {
  int rank = 0;
  int64_t shape[kMaxRank];  // input shape
  int perm[kMaxRank];
};

Perm simplify(const int64_t* shape, const int32_t* perm, int rank) {
  int renum[kMaxRank];  // input axis -> index among the kept (size > 1) axes
  int64_t kept_shape[kMaxRank];
  int n = 0;
  for (int a = 0; a < rank; a++) {
    renum[a] = shape[a] == 1 ? -1 : n;
    if (shape[a] != 1) kept_shape[n++] = shape[a];
  }
  int p[kMaxRank], np = 0;
  for (int i = 0; i < rank; i++) {
    if (renum[perm[i]] >= 0) p[np++] = renum[perm[i]];
  }
  // A merged axis starts at every out axis whose input axis does not follow the previous out axis's input axis.
  bool starts[kMaxRank] = {};
  int group_start[kMaxRank], groups = 0;
  for (int i = 0; i < np; i++) {
    if (i == 0 || p[i] != p[i - 1] + 1) {
      starts[p[i]] = true;
      group_start[groups++] = p[i];
    }
  }
  Perm out;
  int merged[kMaxRank] = {};  // kept input axis -> merged input axis (merged axes numbered in input order)
  for (int a = 0, g = -1; a < n; a++) {
    if (starts[a]) out.shape[++g] = 1;
    merged[a] = g;
    out.shape[g] *= kept_shape[a];
  }
  out.rank = groups;
  for (int g = 0; g < groups; g++) out.perm[g] = merged[group_start[g]];
  return out;
}

// dst[i * ldd + j] = src[j * lds + i] for i < rows, j < cols. Each 32 x 32 tile goes through a local buffer: the
// tile's source rows are read whole and its destination rows written whole, so power-of-two strides (which map every
// strided access of a naive loop to the same cache set) cannot thrash L1.
template <class T>
void transpose_2d(const T* src, int64_t lds, T* dst, int64_t ldd, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 32;
  T buf[kTile][kTile];
  for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
    const int64_t nj = std::min(kTile, cols - j0);
    for (int64_t j = 0; j < nj; j++) {
      const T* s = src + (j0 + j) * lds;
      for (int64_t i = 0; i < rows; i++) buf[i][j] = s[i];
    }
    for (int64_t i = 0; i < rows; i++) std::memcpy(dst + i * ldd + j0, buf[i], nj * sizeof(T));
  }
}

// Element strides of the simplified permutation, by out axis: its size, its input stride, its output stride.
struct PermStrides {
  int64_t size[kMaxRank], in[kMaxRank], out[kMaxRank];
};

PermStrides strides_of(const Perm& p) {
  PermStrides s;
  int64_t istr[kMaxRank];
  int64_t st = 1;
  for (int a = p.rank - 1; a >= 0; a--) {
    istr[a] = st;
    st *= p.shape[a];
  }
  for (int i = 0; i < p.rank; i++) {
    s.size[i] = p.shape[p.perm[i]];
    s.in[i] = istr[p.perm[i]];
  }
  st = 1;
  for (int i = p.rank - 1; i >= 0; i--) {
    s.out[i] = st;
    st *= s.size[i];
  }
  return s;
}

// Offsets of flat index `item` over the out axes listed in `axes` (row-major over them).
void decompose(int64_t item, const int* axes, int n, const PermStrides& s, int64_t* in_off, int64_t* out_off) {
  *in_off = *out_off = 0;
  for (int k = n - 1; k >= 0; k--) {
    const int ax = axes[k];
    const int64_t idx = item % s.size[ax];
    item /= s.size[ax];
    *in_off += idx * s.in[ax];
    *out_off += idx * s.out[ax];
  }
}

template <class T>
void transpose_typed(const KernelCtx& ctx, const Perm& p, const T* src, T* dst) {
  const int r = p.rank;
  const PermStrides s = strides_of(p);
  if (p.perm[r - 1] == r - 1) {  // the innermost axis stays innermost: copy contiguous rows
    const int64_t inner = s.size[r - 1];
    int axes[kMaxRank];
    int64_t rows = 1;
    for (int i = 0; i < r - 1; i++) {
      axes[i] = i;
      rows *= s.size[i];
    }
    parallel_range(ctx, rows, std::max<int64_t>(1, kGrainCheap / inner), [&](int64_t r0, int64_t r1) {
      for (int64_t row = r0; row < r1; row++) {
        int64_t in_off, out_off;
        decompose(row, axes, r - 1, s, &in_off, &out_off);
        std::memcpy(dst + out_off, src + in_off, inner * sizeof(T));
      }
    });
    return;
  }
  // Out axis `a` walks the contiguous input axis and out axis r-1 is contiguous in the output: a 2-D transpose
  // between them for every index of the other out axes. Work items: (outer index, slab of 32 rows of axis a);
  // transpose_2d needs rows <= 32.
  int a = 0;
  while (p.perm[a] != r - 1) a++;
  int outer_axes[kMaxRank], n_outer = 0;
  int64_t n_outer_items = 1;
  for (int i = 0; i < r - 1; i++) {
    if (i == a) continue;
    outer_axes[n_outer++] = i;
    n_outer_items *= s.size[i];
  }
  constexpr int64_t kSlab = 32;
  const int64_t rows = s.size[a], cols = s.size[r - 1], lds = s.in[r - 1], ldd = s.out[a];
  const int64_t slabs = (rows + kSlab - 1) / kSlab;
  parallel_range(ctx, n_outer_items * slabs, std::max<int64_t>(1, kGrainCheap / (kSlab * cols)),
                 [&](int64_t w0, int64_t w1) {
                   for (int64_t w = w0; w < w1; w++) {
                     int64_t in_off, out_off;
                     decompose(w / slabs, outer_axes, n_outer, s, &in_off, &out_off);
                     const int64_t i0 = (w % slabs) * kSlab;
                     transpose_2d(src + in_off + i0, lds, dst + out_off + i0 * ldd, ldd,
                                  std::min(kSlab, rows - i0), cols);
                   }
                 });
}

// ---- Broadcast copy

template <class T>
void broadcast_rows(const KernelCtx& ctx, const BroadcastGeom& g, const T* src, T* dst) {
  const int64_t inner = g.inner(), rows = g.rows();
  const bool contiguous = g.inner_stride(0) == 1;
  parallel_range(ctx, rows, std::max<int64_t>(1, kGrainCheap / inner), [&](int64_t r0, int64_t r1) {
    RowCursor c(g, r0);
    for (int64_t row = r0; row < r1; row++, c.next()) {
      T* out = dst + row * inner;
      if (contiguous) {
        std::memcpy(out, src + c.off[0], inner * sizeof(T));
      } else {
        std::fill(out, out + inner, src[c.off[0]]);
      }
    }
  });
}

bool valid_perm(const int32_t* perm, int n, int rank) {
  if (n != rank) return false;
  bool seen[kMaxRank] = {};
  for (int i = 0; i < n; i++) {
    if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) return false;
    seen[perm[i]] = true;
  }
  return true;
}

}  // namespace

Status broadcast_copy(const KernelCtx& ctx, const void* src, const int64_t* shape, int rank, void* dst,
                      const int64_t* out_shape, int out_rank, size_t elem_size) {
  BroadcastGeom g;
  if (!broadcast_geom_shape(shape, rank, out_shape, out_rank, &g)) return ERR_SHAPE;
  int64_t n = 1;
  for (int d = 0; d < out_rank; d++) n *= out_shape[d];
  if (n == 0) return OK;
  switch (elem_size) {
    case 1: broadcast_rows(ctx, g, static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst)); break;
    case 4: broadcast_rows(ctx, g, static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst)); break;
    case 8: broadcast_rows(ctx, g, static_cast<const uint64_t*>(src), static_cast<uint64_t*>(dst)); break;
    default: return ERR_DTYPE;
  }
  return OK;
}

// Transpose: out = in0 with axes permuted, out axis i = in axis perm[i]; ints = perm; any dtype; out does not alias.
Status transpose_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  if (!valid_perm(ctx.attrs.ints, ctx.attrs.n_ints, x.ndim)) return ERR_INVALID;
  if (x.dtype != y.dtype) return ERR_DTYPE;
  if (y.ndim != x.ndim) return ERR_SHAPE;
  for (int i = 0; i < x.ndim; i++) {
    if (y.shape[i] != x.shape[ctx.attrs.ints[i]]) return ERR_SHAPE;
  }
  if (x.size == 0) return OK;
  const size_t es = dtype_size(x.dtype);
  const Perm p = simplify(x.shape, ctx.attrs.ints, x.ndim);
  if (p.rank <= 1) {
    std::memcpy(y.data, x.data, x.size * es);
    return OK;
  }
  switch (es) {
    case 1: transpose_typed(ctx, p, static_cast<const uint8_t*>(x.data), static_cast<uint8_t*>(y.data)); break;
    case 4: transpose_typed(ctx, p, static_cast<const uint32_t*>(x.data), static_cast<uint32_t*>(y.data)); break;
    default: transpose_typed(ctx, p, static_cast<const uint64_t*>(x.data), static_cast<uint64_t*>(y.data)); break;
  }
  return OK;
}
NODEANO_KERNEL("Transpose", transpose_kernel, nullptr);

// BroadcastTo: inputs x, ref; out = x with size-1 dims inserted at out positions ints[...] (ascending, inserted in
// order), then broadcast (right-aligned) to out.shape = ref.shape; ref's data is not read; any dtype.
Status broadcast_to_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  if (x.dtype != y.dtype) return ERR_DTYPE;
  const int r = x.ndim + ctx.attrs.n_ints;
  if (r > kMaxRank) return ERR_SHAPE;
  int64_t shape[kMaxRank];
  std::copy(x.shape, x.shape + x.ndim, shape);
  for (int k = 0, len = x.ndim; k < ctx.attrs.n_ints; k++, len++) {
    const int at = ctx.attrs.ints[k];
    if (at < 0 || at > len) return ERR_INVALID;
    std::copy_backward(shape + at, shape + len, shape + len + 1);
    shape[at] = 1;
  }
  return broadcast_copy(ctx, x.data, shape, r, y.data, y.shape, y.ndim, dtype_size(y.dtype));
}
NODEANO_KERNEL("BroadcastTo", broadcast_to_kernel, nullptr);

}  // namespace nodeano

// ---- Shape kernels (reshape, join, split, tile, repeat, arange, eye): single-threaded memcpy loops

namespace nodeano {

namespace {

bool same_dims_except(const Tensor& a, const Tensor& b, int skip) {
  if (a.ndim != b.ndim) return false;
  for (int i = 0; i < a.ndim; i++) {
    if (i != skip && a.shape[i] != b.shape[i]) return false;
  }
  return true;
}

int64_t prod(const int64_t* s, int from, int to) {
  int64_t p = 1;
  for (int i = from; i < to; i++) p *= s[i];
  return p;
}

// out = the inputs' bytes interleaved: for each of `outer` rows, input k contributes size_k / outer elements.
void join_copy(const KernelCtx& ctx, int64_t outer) {
  const size_t es = dtype_size(ctx.out->dtype);
  char* dst = static_cast<char*>(ctx.out->data);
  if (outer == 0 || ctx.out->size == 0) return;
  for (int64_t o = 0; o < outer; o++) {
    for (int k = 0; k < ctx.n_in; k++) {
      const size_t w = size_t(ctx.in[k].size / outer) * es;
      if (w == 0) continue;
      std::memcpy(dst, static_cast<const char*>(ctx.in[k].data) + size_t(o) * w, w);
      dst += w;
    }
  }
}

bool valid_dtype(DType d) { return d == F32 || d == F64 || d == I32 || d == BOOL; }

}  // namespace

// Reshape: out = in0's bytes under out's shape (same size and dtype); inputs after in0 are read for their shapes
// only (the TypeScript side computed out.shape from them); no attrs. A plan usually skips this step (a view).
Status reshape_kernel(const KernelCtx& ctx) {
  if (ctx.n_in < 1 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  if (x.dtype != y.dtype || !valid_dtype(x.dtype)) return ERR_DTYPE;
  if (x.size != y.size) return ERR_SHAPE;
  if (y.size > 0) std::memcpy(y.data, x.data, size_t(y.size) * dtype_size(y.dtype));
  return OK;
}
NODEANO_KERNEL("Reshape", reshape_kernel, serial_prepare<reshape_kernel>);

// Squeeze: out = in0 without its size-1 axes ints[...] (ascending); same bytes.
Status squeeze_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  const int n = ctx.attrs.n_ints;
  if (y.ndim != x.ndim - n) return ERR_SHAPE;
  for (int k = 0, j = 0, i = 0; i < x.ndim; i++) {
    if (k < n && ctx.attrs.ints[k] == i) {
      if (x.shape[i] != 1) return ERR_SHAPE;
      k++;
    } else if (y.shape[j++] != x.shape[i]) {
      return ERR_SHAPE;
    }
    if (i == x.ndim - 1 && k != n) return ERR_INVALID;  // an axis out of range or out of order
  }
  if (n > 0 && x.ndim == 0) return ERR_INVALID;
  return reshape_kernel(ctx);
}
NODEANO_KERNEL("Squeeze", squeeze_kernel, serial_prepare<squeeze_kernel>);

// Shape: out (I32, [in0.ndim]) = in0's shape; in0's data is not read.
Status shape_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  Tensor& y = *ctx.out;
  if (y.dtype != I32) return ERR_DTYPE;
  if (y.ndim != 1 || y.shape[0] != ctx.in[0].ndim) return ERR_SHAPE;
  for (int i = 0; i < ctx.in[0].ndim; i++) static_cast<int32_t*>(y.data)[i] = int32_t(ctx.in[0].shape[i]);
  return OK;
}
NODEANO_KERNEL("Shape", shape_kernel, serial_prepare<shape_kernel>);

// ShapeI: out (I32 scalar) = in0.shape[ints[0]]; in0's data is not read.
Status shape_i_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  const int axis = ctx.attrs.ints[0];
  if (axis < 0 || axis >= ctx.in[0].ndim) return ERR_INVALID;
  if (ctx.out->dtype != I32) return ERR_DTYPE;
  if (ctx.out->ndim != 0) return ERR_SHAPE;
  *static_cast<int32_t*>(ctx.out->data) = int32_t(ctx.in[0].shape[axis]);
  return OK;
}
NODEANO_KERNEL("ShapeI", shape_i_kernel, serial_prepare<shape_i_kernel>);

// Concatenate: out = the inputs joined along axis ints[0]; all of out's dtype and rank, equal dims elsewhere.
Status concatenate_kernel(const KernelCtx& ctx) {
  if (ctx.n_in < 1 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  Tensor& y = *ctx.out;
  const int axis = ctx.attrs.ints[0];
  if (axis < 0 || axis >= y.ndim) return ERR_INVALID;
  int64_t total = 0;
  for (int k = 0; k < ctx.n_in; k++) {
    if (ctx.in[k].dtype != y.dtype) return ERR_DTYPE;
    if (!same_dims_except(ctx.in[k], y, axis)) return ERR_SHAPE;
    total += ctx.in[k].shape[axis];
  }
  if (total != y.shape[axis]) return ERR_SHAPE;
  join_copy(ctx, prod(y.shape, 0, axis));
  return OK;
}
NODEANO_KERNEL("Concatenate", concatenate_kernel, serial_prepare<concatenate_kernel>);

// Stack: out = the same-shaped inputs joined along a new out axis ints[0] (out.shape[axis] = n_in).
Status stack_kernel(const KernelCtx& ctx) {
  if (ctx.n_in < 1 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  Tensor& y = *ctx.out;
  const int axis = ctx.attrs.ints[0];
  if (axis < 0 || axis >= y.ndim) return ERR_INVALID;
  if (y.shape[axis] != ctx.n_in) return ERR_SHAPE;
  for (int k = 0; k < ctx.n_in; k++) {
    const Tensor& x = ctx.in[k];
    if (x.dtype != y.dtype) return ERR_DTYPE;
    if (x.ndim != y.ndim - 1) return ERR_SHAPE;
    for (int i = 0; i < x.ndim; i++) {
      if (x.shape[i] != y.shape[i < axis ? i : i + 1]) return ERR_SHAPE;
    }
  }
  join_copy(ctx, prod(y.shape, 0, axis));
  return OK;
}
NODEANO_KERNEL("Stack", stack_kernel, serial_prepare<stack_kernel>);

// Split: the outputs = in0 cut along axis ints[0] into consecutive pieces of the outputs' sizes; inputs after in0 are
// read for their shapes only.
Status split_kernel(const KernelCtx& ctx) {
  if (ctx.n_in < 1 || ctx.n_out < 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  const int axis = ctx.attrs.ints[0];
  if (axis < 0 || axis >= x.ndim) return ERR_INVALID;
  int64_t total = 0;
  for (int k = 0; k < ctx.n_out; k++) {
    if (ctx.out[k].dtype != x.dtype) return ERR_DTYPE;
    if (!same_dims_except(ctx.out[k], x, axis)) return ERR_SHAPE;
    total += ctx.out[k].shape[axis];
  }
  if (total != x.shape[axis]) return ERR_SHAPE;
  const int64_t outer = prod(x.shape, 0, axis);
  if (outer == 0 || x.size == 0) return OK;
  const size_t es = dtype_size(x.dtype);
  const char* src = static_cast<const char*>(x.data);
  for (int64_t o = 0; o < outer; o++) {
    for (int k = 0; k < ctx.n_out; k++) {
      const size_t w = size_t(ctx.out[k].size / outer) * es;
      if (w == 0) continue;
      std::memcpy(static_cast<char*>(ctx.out[k].data) + size_t(o) * w, src, w);
      src += w;
    }
  }
  return OK;
}
NODEANO_KERNEL("Split", split_kernel, serial_prepare<split_kernel>);

// Tile: out = in0 (padded with leading size-1 dims to out's rank) repeated out.shape[i] / in.shape[i] times along each
// axis i (the TypeScript side computed out.shape from the reps, which may be symbolic); inputs after in0 are read for
// their shapes only; no attrs.
Status tile_kernel(const KernelCtx& ctx) {
  if (ctx.n_in < 1 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  const int r = y.ndim;
  if (x.ndim > r) return ERR_SHAPE;
  if (x.dtype != y.dtype) return ERR_DTYPE;
  int64_t xs[kMaxRank];
  for (int i = 0; i < r; i++) {
    xs[i] = i < r - x.ndim ? 1 : x.shape[i - (r - x.ndim)];
    if (xs[i] == 0 ? y.shape[i] != 0 : y.shape[i] % xs[i] != 0) return ERR_SHAPE;
  }
  if (y.size == 0) return OK;
  const size_t es = dtype_size(y.dtype);
  if (r == 0) {
    std::memcpy(y.data, x.data, es);
    return OK;
  }
  int64_t str[kMaxRank];
  str[r - 1] = 1;
  for (int i = r - 2; i >= 0; i--) str[i] = str[i + 1] * xs[i + 1];
  const size_t row = size_t(xs[r - 1]) * es;
  const int64_t reps = y.shape[r - 1] / xs[r - 1], rows = y.size / y.shape[r - 1];
  int64_t idx[kMaxRank] = {};
  char* dst = static_cast<char*>(y.data);
  for (int64_t k = 0; k < rows; k++) {
    int64_t off = 0;
    for (int d = 0; d < r - 1; d++) off += (idx[d] % xs[d]) * str[d];
    const char* src = static_cast<const char*>(x.data) + size_t(off) * es;
    for (int64_t t = 0; t < reps; t++, dst += row) std::memcpy(dst, src, row);
    for (int d = r - 2; d >= 0; d--) {
      if (++idx[d] < y.shape[d]) break;
      idx[d] = 0;
    }
  }
  return OK;
}
NODEANO_KERNEL("Tile", tile_kernel, serial_prepare<tile_kernel>);

// Repeat: out = in0 with each index j along axis ints[0] repeated in a row: ints [axis, 0] repeats every index
// out.shape[axis] / in0.shape[axis] times (a count the TypeScript side computed, maybe from symbolic sizes; inputs
// after in0 are read for their shapes only), ints [axis, 1, r_0, ..., r_{n-1}] repeats index j r_j times
// (n = in0.shape[axis]).
Status repeat_kernel(const KernelCtx& ctx) {
  if (ctx.n_in < 1 || ctx.n_out != 1 || ctx.attrs.n_ints < 2) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  const int32_t* a = ctx.attrs.ints;
  const int axis = a[0];
  const bool each = a[1] == 1;
  if (axis < 0 || axis >= x.ndim || (a[1] != 0 && a[1] != 1) || (!each && ctx.attrs.n_ints != 2)) return ERR_INVALID;
  if (x.dtype != y.dtype) return ERR_DTYPE;
  if (!same_dims_except(x, y, axis)) return ERR_SHAPE;
  const int64_t n = x.shape[axis];
  int64_t count = 0;
  if (each) {
    if (ctx.attrs.n_ints - 2 != n) return ERR_SHAPE;
    int64_t total = 0;
    for (int k = 2; k < ctx.attrs.n_ints; k++) {
      if (a[k] < 0) return ERR_INVALID;
      total += a[k];
    }
    if (y.shape[axis] != total) return ERR_SHAPE;
  } else if (n == 0 ? y.shape[axis] != 0 : y.shape[axis] % n != 0) {
    return ERR_SHAPE;
  } else {
    count = n == 0 ? 0 : y.shape[axis] / n;
  }
  if (y.size == 0) return OK;
  const size_t w = size_t(prod(x.shape, axis + 1, x.ndim)) * dtype_size(x.dtype);
  const int64_t rows = prod(x.shape, 0, axis + 1);
  char* dst = static_cast<char*>(y.data);
  for (int64_t p = 0; p < rows; p++) {
    const char* src = static_cast<const char*>(x.data) + size_t(p) * w;
    const int64_t reps = each ? a[2 + p % n] : count;
    for (int64_t t = 0; t < reps; t++, dst += w) std::memcpy(dst, src, w);
  }
  return OK;
}
NODEANO_KERNEL("Repeat", repeat_kernel, serial_prepare<repeat_kernel>);

// Arange: out (rank 1, F32/F64/I32) = start + i * step, floats [start, step], computed in double and converted once
// (I32 wraps as JS ToInt32 does); inputs (if any) are read for their shapes only.
Status arange_kernel(const KernelCtx& ctx) {
  if (ctx.n_out != 1 || ctx.attrs.n_floats != 2) return ERR_INVALID;
  Tensor& y = *ctx.out;
  if (y.ndim != 1) return ERR_SHAPE;
  const double start = ctx.attrs.floats[0], step = ctx.attrs.floats[1];
  const int64_t n = y.shape[0];
  switch (y.dtype) {
    case F32:
      for (int64_t i = 0; i < n; i++) static_cast<float*>(y.data)[i] = float(start + double(i) * step);
      break;
    case F64:
      for (int64_t i = 0; i < n; i++) static_cast<double*>(y.data)[i] = start + double(i) * step;
      break;
    case I32:
      for (int64_t i = 0; i < n; i++) {
        const double v = start + double(i) * step;
        static_cast<int32_t*>(y.data)[i] = int32_t(uint32_t(uint64_t(int64_t(v))));
      }
      break;
    default: return ERR_DTYPE;
  }
  return OK;
}
NODEANO_KERNEL("Arange", arange_kernel, serial_prepare<arange_kernel>);

// Eye: out (rank 2, any dtype) = ones on diagonal ints[0] (above the main one when positive), zeros elsewhere;
// inputs (if any) are read for their shapes only.
Status eye_kernel(const KernelCtx& ctx) {
  if (ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  Tensor& y = *ctx.out;
  if (y.ndim != 2) return ERR_SHAPE;
  if (!valid_dtype(y.dtype)) return ERR_DTYPE;
  const size_t es = dtype_size(y.dtype);
  if (y.size == 0) return OK;
  std::memset(y.data, 0, size_t(y.size) * es);
  const int64_t n = y.shape[0], m = y.shape[1], k = ctx.attrs.ints[0];
  for (int64_t i = std::max<int64_t>(0, -k); i < n && i + k < m; i++) {
    char* p = static_cast<char*>(y.data) + size_t(i * m + i + k) * es;
    switch (y.dtype) {
      case F32: *reinterpret_cast<float*>(p) = 1.0f; break;
      case F64: *reinterpret_cast<double*>(p) = 1.0; break;
      case I32: *reinterpret_cast<int32_t*>(p) = 1; break;
      default: *reinterpret_cast<uint8_t*>(p) = 1; break;
    }
  }
  return OK;
}
NODEANO_KERNEL("Eye", eye_kernel, serial_prepare<eye_kernel>);

// Tril / Triu: out = in0 (rank >= 2, any dtype, same shape) with element (i, j) of every matrix of the last two axes
// kept where j - i <= k (Tril) or j - i >= k (Triu) and +0 elsewhere (NumPy: a selection, so a NaN masked off is 0);
// ints [k]. out may be in0's own buffer (in place). Rows split across ctx.pool when large.
template <bool Upper>
Status triangle_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  if (x.dtype != y.dtype) return ERR_DTYPE;
  if (!valid_dtype(y.dtype)) return ERR_DTYPE;
  if (x.ndim < 2 || x.ndim != y.ndim) return ERR_SHAPE;
  for (int d = 0; d < x.ndim; d++) {
    if (x.shape[d] != y.shape[d]) return ERR_SHAPE;
  }
  if (y.size == 0) return OK;
  const int64_t r = y.shape[y.ndim - 2], c = y.shape[y.ndim - 1], rows = y.size / c, k = ctx.attrs.ints[0];
  const size_t es = dtype_size(y.dtype);
  const char* src = static_cast<const char*>(x.data);
  char* dst = static_cast<char*>(y.data);
  parallel_range(ctx, rows, std::max<int64_t>(1, kGrainCheap / c), [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; row++) {
      const int64_t i = row % r;
      // columns [0, cut) are kept by Tril and zeroed by Triu
      const int64_t cut = std::min(c, std::max<int64_t>(0, Upper ? i + k : i + k + 1));
      const size_t o = size_t(row * c) * es, head = size_t(cut) * es, all = size_t(c) * es;
      const size_t keep_at = Upper ? head : 0, keep_n = Upper ? all - head : head;
      const size_t zero_at = Upper ? 0 : head, zero_n = Upper ? head : all - head;
      if (src != dst && keep_n) std::memcpy(dst + o + keep_at, src + o + keep_at, keep_n);
      if (zero_n) std::memset(dst + o + zero_at, 0, zero_n);
    }
  });
  return OK;
}
NODEANO_KERNEL("Tril", triangle_kernel<false>, nullptr);
NODEANO_KERNEL("Triu", triangle_kernel<true>, nullptr);

}  // namespace nodeano
