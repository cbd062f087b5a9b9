// Broadcast geometry shared by the elementwise, fused, shape and blas kernels: an output shape with size-1 dims
// dropped and adjacent dims merged wherever every operand is contiguous (or broadcast) across both, plus each
// operand's element strides over it. Inputs are C-contiguous, so the innermost merged stride is always 0 or 1 and
// the work becomes rows that the span loops handle: a contiguous operand or a broadcast scalar per row.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernel.h"

namespace nodeano {

constexpr int kMaxOperands = 3;

struct BroadcastGeom {
  int rank = 1;  // >= 1; a scalar output has shape [1]
  int n = 0;     // operands
  int64_t shape[kMaxRank] = {1};
  int64_t stride[kMaxOperands][kMaxRank] = {};

  int64_t inner() const { return shape[rank - 1]; }
  int64_t rows() const {
    int64_t r = 1;
    for (int d = 0; d < rank - 1; d++) r *= shape[d];
    return r;
  }
  // Stride (0 or 1) of operand i along the innermost dim.
  int inner_stride(int i) const { return static_cast<int>(stride[i][rank - 1]); }
};

// NumPy broadcasting (right-aligned, size-1 dims stretch) of operand shapes to out_shape.
// Returns false if an operand does not broadcast to out_shape. `n` <= kMaxOperands.
bool broadcast_geom(const Tensor* const* operands, int n, const int64_t* out_shape, int out_rank, BroadcastGeom* g);

// Same, for an operand whose shape is given directly (BroadcastTo inserts size-1 dims before broadcasting).
bool broadcast_geom_shape(const int64_t* shape, int rank, const int64_t* out_shape, int out_rank, BroadcastGeom* g);

// Walks the rows of a geometry: off[i] is operand i's element offset at the start of the current row.
struct RowCursor {
  const BroadcastGeom& g;
  int64_t idx[kMaxRank] = {};
  int64_t off[kMaxOperands] = {};

  RowCursor(const BroadcastGeom& geom, int64_t row) : g(geom) {
    for (int d = g.rank - 2; d >= 0; d--) {
      idx[d] = row % g.shape[d];
      row /= g.shape[d];
      for (int i = 0; i < g.n; i++) off[i] += idx[d] * g.stride[i][d];
    }
  }
  void next() {
    for (int d = g.rank - 2; d >= 0; d--) {
      if (++idx[d] < g.shape[d]) {
        for (int i = 0; i < g.n; i++) off[i] += g.stride[i][d];
        return;
      }
      for (int i = 0; i < g.n; i++) off[i] -= g.stride[i][d] * (g.shape[d] - 1);
      idx[d] = 0;
    }
  }
};

// Copies output elements [start, start + count) of operand i from src into dst, expanding broadcast dims:
// contiguous row pieces are memcpy'd, broadcast ones filled. T is any trivially copyable element type.
template <class T>
void gather_broadcast(const BroadcastGeom& g, int i, const T* src, int64_t start, int64_t count, T* dst) {
  const int64_t inner = g.inner();
  const bool contiguous = g.inner_stride(i) == 1;
  RowCursor c(g, start / inner);
  int64_t col = start % inner;
  while (count > 0) {
    const int64_t m = inner - col < count ? inner - col : count;
    if (contiguous) {
      std::memcpy(dst, src + c.off[i] + col, m * sizeof(T));
    } else {
      const T v = src[c.off[i]];
      for (int64_t j = 0; j < m; j++) dst[j] = v;
    }
    dst += m;
    count -= m;
    col = 0;
    c.next();
  }
}

}  // namespace nodeano
