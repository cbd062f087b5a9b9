#include "broadcast_geom.h"

namespace nodeano {

namespace {

// Stride of an operand of shape `s` (rank r, right-aligned) along output dim d of an output of rank out_rank;
// -1 if the sizes conflict.
int64_t dim_stride(const int64_t* s, int r, int d, int out_rank, int64_t size) {
  const int k = d - (out_rank - r);
  if (k < 0) return 0;
  if (s[k] != size) return s[k] == 1 ? 0 : -1;
  int64_t stride = 1;
  for (int j = k + 1; j < r; j++) stride *= s[j];
  return stride;
}

bool build(const int64_t* const* shapes, const int* ranks, int n, const int64_t* out_shape, int out_rank,
           BroadcastGeom* g) {
  if (n > kMaxOperands || out_rank > kMaxRank) return false;
  g->n = n;
  int r = 0;
  for (int i = 0; i < n; i++) {
    if (ranks[i] > out_rank) return false;
  }
  for (int d = 0; d < out_rank; d++) {
    const int64_t size = out_shape[d];
    int64_t st[kMaxOperands];
    for (int i = 0; i < n; i++) {
      st[i] = dim_stride(shapes[i], ranks[i], d, out_rank, size);
      if (st[i] < 0) return false;
    }
    if (size == 1) continue;
    bool merge = r > 0;
    for (int i = 0; i < n && merge; i++) merge = g->stride[i][r - 1] == st[i] * size;
    if (merge) {
      g->shape[r - 1] *= size;
      for (int i = 0; i < n; i++) g->stride[i][r - 1] = st[i];
    } else {
      g->shape[r] = size;
      for (int i = 0; i < n; i++) g->stride[i][r] = st[i];
      r++;
    }
  }
  if (r == 0) {
    g->shape[0] = 1;
    for (int i = 0; i < n; i++) g->stride[i][0] = 0;
    r = 1;
  }
  g->rank = r;
  return true;
}

}  // namespace

bool broadcast_geom(const Tensor* const* operands, int n, const int64_t* out_shape, int out_rank, BroadcastGeom* g) {
  const int64_t* shapes[kMaxOperands];
  int ranks[kMaxOperands];
  if (n > kMaxOperands) return false;
  for (int i = 0; i < n; i++) {
    shapes[i] = operands[i]->shape;
    ranks[i] = operands[i]->ndim;
  }
  return build(shapes, ranks, n, out_shape, out_rank, g);
}

bool broadcast_geom_shape(const int64_t* shape, int rank, const int64_t* out_shape, int out_rank, BroadcastGeom* g) {
  return build(&shape, &rank, 1, out_shape, out_rank, g);
}

}  // namespace nodeano
