// Level-2 BLAS through CBLAS (lib/ops/gemv.ts, lib/ops/ger.ts). BLAS runs on the calling thread with the addon's BLAS
// thread count; shapes the BLAS call cannot take (broadcast operands, empty dims) use a plain loop in double.
#include "kernel.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace nodeano {

namespace {

bool fits_int(int64_t v) { return v <= INT_MAX; }

void blas_gemv(bool trans, int rows, int cols, float alpha, const float* a, const float* x, float beta, float* y) {
  cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, rows, cols, alpha, a, cols, x, 1, beta, y, 1);
}
void blas_gemv(bool trans, int rows, int cols, double alpha, const double* a, const double* x, double beta, double* y) {
  cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, rows, cols, alpha, a, cols, x, 1, beta, y, 1);
}
void blas_ger(int m, int n, float alpha, const float* x, const float* y, float* a) {
  cblas_sger(CblasRowMajor, m, n, alpha, x, 1, y, 1, a, n);
}
void blas_ger(int m, int n, double alpha, const double* x, const double* y, double* a) {
  cblas_dger(CblasRowMajor, m, n, alpha, x, 1, y, 1, a, n);
}

template <class T>
Status gemv_typed(const Tensor& A, const Tensor& X, const Tensor& Y, Tensor& O, bool ta, double alpha, double beta) {
  const T* a = static_cast<const T*>(A.data);
  const T* x = static_cast<const T*>(X.data);
  const T* y = static_cast<const T*>(Y.data);
  T* o = static_cast<T*>(O.data);
  const int64_t rows = A.shape[0], cols = A.shape[1];
  const int64_t m = ta ? cols : rows, k = ta ? rows : cols, n = O.ndim ? O.shape[0] : 1;
  if (m == n && k > 0 && m > 0 && fits_int(A.size)) {
    // out <- y (broadcast), then out <- alpha op(A) x + beta out
    if (Y.size == n) std::memcpy(o, y, sizeof(T) * n);
    else std::fill(o, o + n, y[0]);
    blas_gemv(ta, static_cast<int>(rows), static_cast<int>(cols), static_cast<T>(alpha), a, x, static_cast<T>(beta), o);
    return OK;
  }
  // element (i, p) of op(A) is a[i * si + p * sp]; a product of one row broadcasts over out
  const int64_t si = ta ? 1 : cols, sp = ta ? cols : 1;
  const int64_t spr = m == n ? 1 : 0, sy = Y.size == n ? 1 : 0;
  for (int64_t i = 0; i < n; i++) {
    double s = 0;
    for (int64_t p = 0; p < k; p++) s += static_cast<double>(a[i * spr * si + p * sp]) * x[p];
    o[i] = static_cast<T>(alpha * s + beta * y[i * sy]);
  }
  return OK;
}

template <class T>
Status ger_typed(const Tensor& X, const Tensor& Y, const Tensor& C, Tensor& O, double alpha) {
  const T* x = static_cast<const T*>(X.data);
  const T* y = static_cast<const T*>(Y.data);
  const T* c = static_cast<const T*>(C.data);
  T* o = static_cast<T*>(O.data);
  const int64_t rows = O.shape[0], cols = O.shape[1];
  const int64_t m = X.shape[0], n = Y.shape[0];
  if (C.ndim == 2 && C.shape[0] == rows && C.shape[1] == cols && m == rows && n == cols && rows > 0 && cols > 0 &&
      fits_int(O.size)) {
    std::memcpy(o, c, sizeof(T) * O.size);
    blas_ger(static_cast<int>(m), static_cast<int>(n), static_cast<T>(alpha), x, y, o);
    return OK;
  }
  // C broadcast against [rows, cols]: its strides by rank (a size-1 dim reads element 0)
  const int64_t cr = C.ndim == 2 && C.shape[0] != 1 ? C.shape[C.ndim - 1] : 0;
  const int64_t cc = C.ndim >= 1 && C.shape[C.ndim - 1] != 1 ? 1 : 0;
  const int64_t sx = m == rows ? 1 : 0, sy = n == cols ? 1 : 0;
  for (int64_t i = 0; i < rows; i++) {
    const double xi = alpha * x[i * sx];
    for (int64_t j = 0; j < cols; j++) o[i * cols + j] = static_cast<T>(c[i * cr + j * cc] + xi * y[j * sy]);
  }
  return OK;
}

// A dim of a broadcast operand that fits the output dim.
bool fits(int64_t d, int64_t out) { return d == out || d == 1; }

}  // namespace

// Gemv: in0 A [r, c], in1 x [k] (k = c, or r with transA), in2 y (rank <= 1, broadcasting); out [n] with n the
// broadcast of op(A)'s rows and y. ints [transA], floats [alpha, beta]; F32 or F64, all one dtype; no aliasing.
Status gemv_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1 || ctx.attrs.n_ints < 1 || ctx.attrs.n_floats < 2) return ERR_INVALID;
  const Tensor &A = ctx.in[0], &X = ctx.in[1], &Y = ctx.in[2];
  Tensor& O = ctx.out[0];
  if ((A.dtype != F32 && A.dtype != F64) || X.dtype != A.dtype || Y.dtype != A.dtype || O.dtype != A.dtype) return ERR_DTYPE;
  const bool ta = ctx.attrs.ints[0] != 0;
  if (A.ndim != 2 || X.ndim != 1 || Y.ndim > 1 || O.ndim != 1) return ERR_SHAPE;
  const int64_t m = ta ? A.shape[1] : A.shape[0], k = ta ? A.shape[0] : A.shape[1], n = O.shape[0];
  if (X.shape[0] != k || !fits(m, n) || !fits(Y.ndim ? Y.shape[0] : 1, n)) return ERR_SHAPE;
  const double alpha = ctx.attrs.floats[0], beta = ctx.attrs.floats[1];
  return A.dtype == F32 ? gemv_typed<float>(A, X, Y, O, ta, alpha, beta) : gemv_typed<double>(A, X, Y, O, ta, alpha, beta);
}
NODEANO_KERNEL("Gemv", gemv_kernel, nullptr);

// Ger: in0 x [m], in1 y [n], in2 C (rank <= 2, broadcasting); out [rows, cols] = C + alpha x y^T with x, y and C
// broadcast to it. floats [alpha]; F32 or F64, all one dtype; no aliasing.
Status ger_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1 || ctx.attrs.n_floats < 1) return ERR_INVALID;
  const Tensor &X = ctx.in[0], &Y = ctx.in[1], &C = ctx.in[2];
  Tensor& O = ctx.out[0];
  if ((C.dtype != F32 && C.dtype != F64) || X.dtype != C.dtype || Y.dtype != C.dtype || O.dtype != C.dtype) return ERR_DTYPE;
  if (X.ndim != 1 || Y.ndim != 1 || C.ndim > 2 || O.ndim != 2) return ERR_SHAPE;
  const int64_t rows = O.shape[0], cols = O.shape[1];
  if (!fits(X.shape[0], rows) || !fits(Y.shape[0], cols)) return ERR_SHAPE;
  if ((C.ndim == 2 && !fits(C.shape[0], rows)) || (C.ndim >= 1 && !fits(C.shape[C.ndim - 1], cols))) return ERR_SHAPE;
  const double alpha = ctx.attrs.floats[0];
  return C.dtype == F32 ? ger_typed<float>(X, Y, C, O, alpha) : ger_typed<double>(X, Y, C, O, alpha);
}
NODEANO_KERNEL("Ger", ger_kernel, nullptr);

}  // namespace nodeano
