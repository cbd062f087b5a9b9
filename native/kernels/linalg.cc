// Diagonals of matrices (Diag, DiagLike); any dtype, moved by element size.
#include "kernel.h"

#include <algorithm>
#include <cstring>

namespace nodeano {

namespace {

// Length of the k-th diagonal of an [r, c] matrix (k > 0 above the main diagonal) and the offset of its first entry.
int64_t diag_length(int64_t r, int64_t c, int64_t k) { return std::max<int64_t>(0, k >= 0 ? std::min(r, c - k) : std::min(r + k, c)); }
int64_t diag_start(int64_t c, int64_t k) { return k >= 0 ? k : -k * c; }

// dst (a zeroed [r, c] matrix) gets v on its k-th diagonal; element size es.
void place(const void* v, int64_t len, size_t es, void* dst, int64_t r, int64_t c, int64_t k) {
  char* d = static_cast<char*>(dst);
  std::memset(d, 0, static_cast<size_t>(r * c) * es);
  const char* s = static_cast<const char*>(v);
  const int64_t start = diag_start(c, k);
  for (int64_t i = 0; i < len; i++) std::memcpy(d + (start + i * (c + 1)) * es, s + i * es, es);
}

}  // namespace

// Diag: ints [k]; in [n] -> out [n+|k|, n+|k|], zero but for in on diagonal k; in [r, c] -> out [len], its k-th
// diagonal (k > 0 above the main one); any dtype; out does not alias.
Status diag_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  if (x.dtype != y.dtype) return ERR_DTYPE;
  const int64_t k = ctx.attrs.ints[0];
  const size_t es = dtype_size(x.dtype);
  if (x.ndim == 1) {
    const int64_t c = x.shape[0] + (k < 0 ? -k : k);
    if (y.ndim != 2 || y.shape[0] != c || y.shape[1] != c) return ERR_SHAPE;
    place(x.data, x.shape[0], es, y.data, c, c, k);
    return OK;
  }
  if (x.ndim != 2) return ERR_SHAPE;
  const int64_t len = diag_length(x.shape[0], x.shape[1], k);
  if (y.ndim != 1 || y.shape[0] != len) return ERR_SHAPE;
  const char* s = static_cast<const char*>(x.data);
  char* d = static_cast<char*>(y.data);
  const int64_t start = diag_start(x.shape[1], k);
  for (int64_t i = 0; i < len; i++) std::memcpy(d + i * es, s + (start + i * (x.shape[1] + 1)) * es, es);
  return OK;
}
NODEANO_KERNEL("Diag", diag_kernel, nullptr);

// DiagLike: inputs v [len], ref [r, c] (its data is not read); ints [k]; out [r, c], zero but for v on diagonal k
// (len must be that diagonal's length); any dtype; out does not alias.
Status diag_like_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 2 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  const Tensor &v = ctx.in[0], &ref = ctx.in[1];
  Tensor& y = *ctx.out;
  if (v.dtype != y.dtype) return ERR_DTYPE;
  const int64_t k = ctx.attrs.ints[0];
  if (ref.ndim != 2 || y.ndim != 2 || y.shape[0] != ref.shape[0] || y.shape[1] != ref.shape[1]) return ERR_SHAPE;
  if (v.ndim != 1 || v.shape[0] != diag_length(y.shape[0], y.shape[1], k)) return ERR_SHAPE;
  place(v.data, v.shape[0], dtype_size(v.dtype), y.data, y.shape[0], y.shape[1], k);
  return OK;
}
NODEANO_KERNEL("DiagLike", diag_like_kernel, nullptr);

}  // namespace nodeano
