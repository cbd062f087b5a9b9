#include "blas.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <initializer_list>

#include "broadcast_geom.h"
#include "shape.h"

namespace nodeano {

namespace {

// op(X) of a product operand as a rows x cols matrix: element (i, j) is at i * s_row + j * s_col.
// A rank-1 A is a row [1, k]; a rank-1 B is a column [k, 1]; `trans` only applies to rank-2 operands.
struct Operand {
  int64_t rows, cols, s_row, s_col;
  bool trans;
};

Operand operand_of(const Tensor& t, bool trans, bool is_a) {
  if (t.ndim == 1) return is_a ? Operand{1, t.shape[0], 0, 1, false} : Operand{t.shape[0], 1, 1, 0, false};
  if (trans) return Operand{t.shape[1], t.shape[0], 1, t.shape[1], true};
  return Operand{t.shape[0], t.shape[1], t.shape[1], 1, false};
}

CBLAS_TRANSPOSE flag(bool trans) { return trans ? CblasTrans : CblasNoTrans; }

bool fits_int(std::initializer_list<int64_t> vs) {
  return std::all_of(vs.begin(), vs.end(), [](int64_t v) { return v <= INT_MAX; });
}

template <class T>
struct Blas;

template <>
struct Blas<float> {
  static void gemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                   int ldb, float beta, float* c) {
    cblas_sgemm(CblasRowMajor, flag(ta), flag(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, n);
  }
  static void gemv(bool trans, int rows, int cols, const float* a, const float* x, float* y) {
    cblas_sgemv(CblasRowMajor, flag(trans), rows, cols, 1.0f, a, cols, x, 1, 0.0f, y, 1);
  }
  // float inputs, double accumulation (as the reference kernel)
  static float dot(int n, const float* x, const float* y) { return static_cast<float>(cblas_dsdot(n, x, 1, y, 1)); }
};

template <>
struct Blas<double> {
  static void gemm(bool ta, bool tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b,
                   int ldb, double beta, double* c) {
    cblas_dgemm(CblasRowMajor, flag(ta), flag(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, n);
  }
  static void gemv(bool trans, int rows, int cols, const double* a, const double* x, double* y) {
    cblas_dgemv(CblasRowMajor, flag(trans), rows, cols, 1.0, a, cols, x, 1, 0.0, y, 1);
  }
  static double dot(int n, const double* x, const double* y) { return cblas_ddot(n, x, 1, y, 1); }
};

// Matrix-matrix via gemm, matrix-vector and vector-matrix via gemv with the transpose flag (nothing is copied),
// vector-vector via dot. Shapes were checked by the caller; k > 0 and the output is not empty.
template <class T>
Status dot_blas(const Tensor& A, const Tensor& B, bool ta, bool tb, Tensor& C) {
  const T* a = static_cast<const T*>(A.data);
  const T* b = static_cast<const T*>(B.data);
  T* c = static_cast<T*>(C.data);
  if (!fits_int({A.size, B.size})) return ERR_UNSUPPORTED;
  if (A.ndim == 2 && B.ndim == 2) {
    const int m = static_cast<int>(ta ? A.shape[1] : A.shape[0]), k = static_cast<int>(ta ? A.shape[0] : A.shape[1]);
    const int n = static_cast<int>(tb ? B.shape[0] : B.shape[1]);
    Blas<T>::gemm(ta, tb, m, n, k, T(1), a, static_cast<int>(A.shape[1]), b, static_cast<int>(B.shape[1]), T(0), c);
  } else if (A.ndim == 2) {  // op(A) v
    Blas<T>::gemv(ta, static_cast<int>(A.shape[0]), static_cast<int>(A.shape[1]), a, b, c);
  } else if (B.ndim == 2) {  // v op(B) = op(B)^T v
    Blas<T>::gemv(!tb, static_cast<int>(B.shape[0]), static_cast<int>(B.shape[1]), b, a, c);
  } else {
    c[0] = Blas<T>::dot(static_cast<int>(A.shape[0]), a, b);
  }
  return OK;
}

// int32 products wrap modulo 2^32 (accumulated in uint32, which equals the exact sum wrapped).
void dot_i32(const int32_t* a, const Operand& oa, const int32_t* b, const Operand& ob, int32_t* c) {
  const int64_t m = oa.rows, k = oa.cols, n = ob.cols;
  for (int64_t i = 0; i < m; i++) {
    uint32_t* row = reinterpret_cast<uint32_t*>(c + i * n);
    std::fill(row, row + n, 0u);
    for (int64_t p = 0; p < k; p++) {
      const uint32_t aip = static_cast<uint32_t>(a[i * oa.s_row + p * oa.s_col]);
      for (int64_t j = 0; j < n; j++) row[j] += aip * static_cast<uint32_t>(b[p * ob.s_row + j * ob.s_col]);
    }
  }
}

bool trans_flag(const Attrs& at, int i) { return at.n_ints > i && at.ints[i] != 0; }

}  // namespace

// Dot: out = op(A) op(B); inputs A, B of rank 1 or 2 (rank-1 A is a row, rank-1 B a column), same dtype as out
// (F32/F64 via BLAS, I32 by a plain loop that wraps); ints [transA, transB] (ignored on rank-1 operands); out rank =
// number of rank-2 operands; out does not alias the inputs.
Status dot_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor &A = ctx.in[0], &B = ctx.in[1];
  Tensor& C = *ctx.out;
  if (A.dtype != C.dtype || B.dtype != C.dtype || C.dtype == BOOL) return ERR_DTYPE;
  if (A.ndim < 1 || A.ndim > 2 || B.ndim < 1 || B.ndim > 2) return ERR_SHAPE;
  const bool ta = A.ndim == 2 && trans_flag(ctx.attrs, 0), tb = B.ndim == 2 && trans_flag(ctx.attrs, 1);
  const Operand oa = operand_of(A, ta, true), ob = operand_of(B, tb, false);
  if (oa.cols != ob.rows) return ERR_SHAPE;
  int64_t want[2];
  int rank = 0;
  if (A.ndim == 2) want[rank++] = oa.rows;
  if (B.ndim == 2) want[rank++] = ob.cols;
  if (C.ndim != rank || !std::equal(want, want + rank, C.shape)) return ERR_SHAPE;
  if (C.size == 0) return OK;
  if (oa.cols == 0) {  // empty inner dimension: a sum of nothing
    std::fill_n(static_cast<char*>(C.data), C.size * dtype_size(C.dtype), 0);
    return OK;
  }
  switch (C.dtype) {
    case F32: return dot_blas<float>(A, B, ta, tb, C);
    case F64: return dot_blas<double>(A, B, ta, tb, C);
    default:
      dot_i32(static_cast<const int32_t*>(A.data), oa, static_cast<const int32_t*>(B.data), ob,
              static_cast<int32_t*>(C.data));
      return OK;
  }
}

namespace {

template <class T>
Status gemm_typed(const KernelCtx& ctx, const Operand& oa, bool ta, bool tb) {
  const Tensor &A = ctx.in[0], &B = ctx.in[1], &Cin = ctx.in[2];
  Tensor& out = *ctx.out;
  const T alpha = static_cast<T>(ctx.attrs.floats[0]), beta = static_cast<T>(ctx.attrs.floats[1]);
  T* c = static_cast<T*>(out.data);
  const int64_t m = out.shape[0], n = out.shape[1], k = oa.cols;
  if (beta != T(0)) {
    Status st = broadcast_copy(ctx, Cin.data, Cin.shape, Cin.ndim, c, out.shape, 2, sizeof(T));
    if (st != OK) return st;
  }
  if (k == 0 || alpha == T(0)) {  // out = beta C, without asking BLAS about degenerate sizes
    for (int64_t i = 0; i < m * n; i++) c[i] = beta == T(0) ? T(0) : beta * c[i];
    return OK;
  }
  if (!fits_int({A.size, B.size, out.size})) return ERR_UNSUPPORTED;
  Blas<T>::gemm(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha,
                static_cast<const T*>(A.data), static_cast<int>(A.shape[1]), static_cast<const T*>(B.data),
                static_cast<int>(B.shape[1]), beta, c);
  return OK;
}

}  // namespace

// Gemm: out = alpha op(A) op(B) + beta C; inputs A, B (rank 2) and C (broadcastable to out [m, n]: a full matrix,
// a rank-1 bias of length n, a scalar...), all of out's dtype F32/F64; ints [transA, transB]; floats [alpha, beta].
// C is copied into out first (not read when beta == 0); out does not alias the inputs.
Status gemm_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1 || ctx.attrs.n_floats < 2) return ERR_INVALID;
  const Tensor &A = ctx.in[0], &B = ctx.in[1], &Cin = ctx.in[2];
  Tensor& out = *ctx.out;
  if (out.dtype != F32 && out.dtype != F64) return ERR_DTYPE;
  if (A.dtype != out.dtype || B.dtype != out.dtype || Cin.dtype != out.dtype) return ERR_DTYPE;
  if (A.ndim != 2 || B.ndim != 2 || out.ndim != 2) return ERR_SHAPE;
  const bool ta = trans_flag(ctx.attrs, 0), tb = trans_flag(ctx.attrs, 1);
  const Operand oa = operand_of(A, ta, true), ob = operand_of(B, tb, false);
  if (oa.cols != ob.rows || out.shape[0] != oa.rows || out.shape[1] != ob.cols) return ERR_SHAPE;
  BroadcastGeom g;
  if (!broadcast_geom_shape(Cin.shape, Cin.ndim, out.shape, 2, &g)) return ERR_SHAPE;
  if (out.size == 0) return OK;
  return out.dtype == F32 ? gemm_typed<float>(ctx, oa, ta, tb) : gemm_typed<double>(ctx, oa, ta, tb);
}

}  // namespace nodeano
