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

}  // namespace nodeano
