#include "blas.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <initializer_list>
#include <memory>
#include <new>

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

// Products with at most this many multiply-adds (m * n * k) run as plain loops: below it a BLAS call costs more than
// the arithmetic (measured on the 2-core VM: cblas_sgemm is ~40 ns for 4x2x5 and a loop ~10 ns; README.md).
constexpr int64_t kSmallMacs = 2048;

// Small products in double, in 4 x 4 blocks of the output: each element is sum_p a(i, p) b(p, j) accumulated in p
// order from 0 (the reference kernel's arithmetic: floats multiply exactly in double), and a block keeps up to 16
// independent sums in registers instead of one serial chain per element.
#define NODEANO_INLINE inline __attribute__((always_inline))

template <int MR, int NR, bool kUnitB, class T>
NODEANO_INLINE void product_block(const T* a, const Operand& oa, const T* b, const Operand& ob, double* out, int64_t ldo) {
  double s[MR][NR] = {};
  const int64_t k = oa.cols;
  const int64_t sbc = kUnitB ? 1 : ob.s_col;  // a compile-time 1 lets the block vectorize across its columns
  for (int64_t p = 0; p < k; p++) {
    const T* ap = a + p * oa.s_col;
    const T* bp = b + p * ob.s_row;
    double av[MR], bv[NR];
    for (int r = 0; r < MR; r++) av[r] = static_cast<double>(ap[r * oa.s_row]);
    for (int c = 0; c < NR; c++) bv[c] = static_cast<double>(bp[c * sbc]);
    for (int r = 0; r < MR; r++) {
      for (int c = 0; c < NR; c++) s[r][c] += av[r] * bv[c];
    }
  }
  for (int r = 0; r < MR; r++) {
    for (int c = 0; c < NR; c++) out[r * ldo + c] = s[r][c];
  }
}

template <int MR, bool kUnitB, class T>
NODEANO_INLINE void product_row_block(int nr, const T* a, const Operand& oa, const T* b, const Operand& ob, double* out, int64_t ldo) {
  switch (nr) {
    case 4: return product_block<MR, 4, kUnitB>(a, oa, b, ob, out, ldo);
    case 3: return product_block<MR, 3, kUnitB>(a, oa, b, ob, out, ldo);
    case 2: return product_block<MR, 2, kUnitB>(a, oa, b, ob, out, ldo);
    default: return product_block<MR, 1, kUnitB>(a, oa, b, ob, out, ldo);
  }
}

template <bool kUnitB, class T>
NODEANO_INLINE void small_product_blocks(const T* a, const Operand& oa, const T* b, const Operand& ob, double* prod) {
  const int64_t m = oa.rows, n = ob.cols;
  for (int64_t i = 0; i < m; i += 4) {
    const int mr = static_cast<int>(std::min<int64_t>(4, m - i));
    for (int64_t j = 0; j < n; j += 4) {
      const int nr = static_cast<int>(std::min<int64_t>(4, n - j));
      const T* ai = a + i * oa.s_row;
      const T* bj = b + j * ob.s_col;
      double* o = prod + i * n + j;
      switch (mr) {
        case 4: product_row_block<4, kUnitB>(nr, ai, oa, bj, ob, o, n); break;
        case 3: product_row_block<3, kUnitB>(nr, ai, oa, bj, ob, o, n); break;
        case 2: product_row_block<2, kUnitB>(nr, ai, oa, bj, ob, o, n); break;
        default: product_row_block<1, kUnitB>(nr, ai, oa, bj, ob, o, n); break;
      }
    }
  }
}

// prod[i * n + j] = (op(A) op(B))[i, j] in double for the whole m x n product (m n <= kSmallMacs).
template <class T>
NODEANO_INLINE void small_product(const T* a, const Operand& oa, const T* b, const Operand& ob, double* prod) {
  if (ob.s_col == 1) {
    small_product_blocks<true>(a, oa, b, ob, prod);
  } else {
    small_product_blocks<false>(a, oa, b, ob, prod);
  }
}

// ---- Dot

// Everything Dot needs besides the data, worked out once per plan (or per generic call).
struct DotState : KernelState {
  Operand oa{}, ob{};
  bool ta = false, tb = false;
  bool empty = false;  // nothing to write
  bool zero = false;   // empty inner dimension: out = 0
  bool small = false;  // plain loops instead of BLAS
};

Status dot_setup(const KernelCtx& ctx, DotState* s) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor &A = ctx.in[0], &B = ctx.in[1];
  Tensor& C = *ctx.out;
  if (A.dtype != C.dtype || B.dtype != C.dtype || C.dtype == BOOL) return ERR_DTYPE;
  if (A.ndim < 1 || A.ndim > 2 || B.ndim < 1 || B.ndim > 2) return ERR_SHAPE;
  s->ta = A.ndim == 2 && trans_flag(ctx.attrs, 0);
  s->tb = B.ndim == 2 && trans_flag(ctx.attrs, 1);
  s->oa = operand_of(A, s->ta, true);
  s->ob = operand_of(B, s->tb, false);
  if (s->oa.cols != s->ob.rows) return ERR_SHAPE;
  int64_t want[2];
  int rank = 0;
  if (A.ndim == 2) want[rank++] = s->oa.rows;
  if (B.ndim == 2) want[rank++] = s->ob.cols;
  if (C.ndim != rank || !std::equal(want, want + rank, C.shape)) return ERR_SHAPE;
  s->empty = C.size == 0;
  s->zero = s->oa.cols == 0;
  if (C.dtype != I32 && !s->empty && !s->zero && !fits_int({A.size, B.size})) return ERR_UNSUPPORTED;
  // (m n k cannot overflow: each of m, n, k is at most 2^31 here only when the others are small)
  const double macs = static_cast<double>(s->oa.rows) * static_cast<double>(s->ob.cols) * static_cast<double>(s->oa.cols);
  s->small = C.dtype == I32 || macs <= static_cast<double>(kSmallMacs);
  return OK;
}

Status dot_execute(const KernelCtx& ctx, const DotState& s) {
  const Tensor &A = ctx.in[0], &B = ctx.in[1];
  Tensor& C = *ctx.out;
  if (s.empty) return OK;
  if (s.zero) {  // empty inner dimension: a sum of nothing
    std::fill_n(static_cast<char*>(C.data), C.size * dtype_size(C.dtype), 0);
    return OK;
  }
  switch (C.dtype) {
    case F32:
      if (s.small) {
        double prod[kSmallMacs];
        small_product(static_cast<const float*>(A.data), s.oa, static_cast<const float*>(B.data), s.ob, prod);
        float* c = static_cast<float*>(C.data);
        for (int64_t i = 0; i < C.size; i++) c[i] = static_cast<float>(prod[i]);
        return OK;
      }
      return dot_blas<float>(A, B, s.ta, s.tb, C);
    case F64:
      if (s.small) {
        small_product(static_cast<const double*>(A.data), s.oa, static_cast<const double*>(B.data), s.ob, static_cast<double*>(C.data));
        return OK;
      }
      return dot_blas<double>(A, B, s.ta, s.tb, C);
    default:
      dot_i32(static_cast<const int32_t*>(A.data), s.oa, static_cast<const int32_t*>(B.data), s.ob,
              static_cast<int32_t*>(C.data));
      return OK;
  }
}

Status dot_prepared(const KernelCtx& ctx) { return dot_execute(ctx, *static_cast<const DotState*>(ctx.state)); }

// ---- Gemm

// Strides of C broadcast to [m, n] (rank <= 2, right-aligned); false if it does not broadcast.
bool c_strides(const Tensor& c, int64_t m, int64_t n, int64_t* s_row, int64_t* s_col) {
  if (c.ndim > 2) return false;
  const int64_t cn = c.ndim >= 1 ? c.shape[c.ndim - 1] : 1, cm = c.ndim == 2 ? c.shape[0] : 1;
  if ((cn != n && cn != 1) || (cm != m && cm != 1)) return false;
  *s_col = cn == 1 ? 0 : 1;
  *s_row = cm == 1 ? 0 : cn;
  return true;
}

struct GemmState : KernelState {
  Operand oa{}, ob{};
  bool ta = false, tb = false;
  int64_t m = 0, n = 0, k = 0;      // out is [m, n]; the product op(A) op(B) is [pm, pn] with pm in {1, m}, pn in {1, n}
  int64_t pm = 0, pn = 0;
  bool bcast = false;               // the product is smaller than out and broadcasts
  bool small = false;               // plain loops instead of BLAS
  int64_t cs_row = 0, cs_col = 0;   // C's strides over out
  double alpha = 0, beta = 0;
  size_t scratch = 0;               // bytes of the product when it broadcasts
  bool too_big = false;             // sizes BLAS cannot take (int arguments)
};

Status gemm_setup(const KernelCtx& ctx, GemmState* s) {
  if (ctx.n_in != 3 || ctx.n_out != 1 || ctx.attrs.n_floats < 2) return ERR_INVALID;
  const Tensor &A = ctx.in[0], &B = ctx.in[1], &Cin = ctx.in[2];
  Tensor& out = *ctx.out;
  if (out.dtype != F32 && out.dtype != F64) return ERR_DTYPE;
  if (A.dtype != out.dtype || B.dtype != out.dtype || Cin.dtype != out.dtype) return ERR_DTYPE;
  if (A.ndim != 2 || B.ndim != 2 || out.ndim != 2) return ERR_SHAPE;
  s->ta = trans_flag(ctx.attrs, 0);
  s->tb = trans_flag(ctx.attrs, 1);
  s->oa = operand_of(A, s->ta, true);
  s->ob = operand_of(B, s->tb, false);
  if (s->oa.cols != s->ob.rows) return ERR_SHAPE;
  s->m = out.shape[0];
  s->n = out.shape[1];
  s->k = s->oa.cols;
  s->pm = s->oa.rows;
  s->pn = s->ob.cols;
  // out = broadcast(product, C): each product dim equals out's or is 1 (then it broadcasts)
  if ((s->pm != s->m && s->pm != 1) || (s->pn != s->n && s->pn != 1)) return ERR_SHAPE;
  if (!c_strides(Cin, s->m, s->n, &s->cs_row, &s->cs_col)) return ERR_SHAPE;
  s->bcast = s->pm != s->m || s->pn != s->n;
  s->alpha = ctx.attrs.floats[0];
  s->beta = ctx.attrs.floats[1];
  s->too_big = !fits_int({A.size, B.size, out.size});
  const double macs = static_cast<double>(s->pm) * static_cast<double>(s->pn) * static_cast<double>(s->k);
  s->small = macs <= static_cast<double>(kSmallMacs);
  s->scratch = s->bcast && !s->small ? static_cast<size_t>(s->pm * s->pn) * dtype_size(out.dtype) : 0;
  return OK;
}

// out[i, j] = alpha * product[i, j] + beta * C[i, j] for every output element, with the product (a pm x pn matrix,
// broadcast) and C given by strides; all in T, C not read when beta = 0. out may be C itself (same shape).
template <class T>
void combine(const GemmState& s, const T* prod, const T* c, T* out) {
  const T alpha = static_cast<T>(s.alpha), beta = static_cast<T>(s.beta);
  const int64_t ps_row = s.pm == 1 ? 0 : s.pn, ps_col = s.pn == 1 ? 0 : 1;
  for (int64_t i = 0; i < s.m; i++) {
    const T* pr = prod + i * ps_row;
    const T* cr = c + i * s.cs_row;
    T* o = out + i * s.n;
    if (beta == T(0)) {
      for (int64_t j = 0; j < s.n; j++) o[j] = alpha * pr[j * ps_col];
    } else {
      for (int64_t j = 0; j < s.n; j++) o[j] = alpha * pr[j * ps_col] + beta * cr[j * s.cs_col];
    }
  }
}

// Small products: the pm x pn product in double, then each element as one double expression alpha * prod + beta * c
// rounded once (the reference's arithmetic), the product broadcast over out when it is smaller.
template <class T>
void gemm_small(const GemmState& s, const T* a, const T* b, const T* c, T* out) {
  double prod[kSmallMacs];
  small_product(a, s.oa, b, s.ob, prod);
  const int64_t ps_row = s.pm == 1 ? 0 : s.pn, ps_col = s.pn == 1 ? 0 : 1;
  const double alpha = s.alpha, beta = s.beta;
  for (int64_t i = 0; i < s.m; i++) {
    const double* pr = prod + i * ps_row;
    const T* cr = c + i * s.cs_row;
    T* o = out + i * s.n;
    if (beta == 0) {
      for (int64_t j = 0; j < s.n; j++) o[j] = static_cast<T>(alpha * pr[j * ps_col]);
    } else {
      for (int64_t j = 0; j < s.n; j++) o[j] = static_cast<T>(alpha * pr[j * ps_col] + beta * static_cast<double>(cr[j * s.cs_col]));
    }
  }
}

template <class T>
Status gemm_typed(const KernelCtx& ctx, const GemmState& s) {
  const Tensor &A = ctx.in[0], &B = ctx.in[1], &Cin = ctx.in[2];
  Tensor& out = *ctx.out;
  const T alpha = static_cast<T>(s.alpha), beta = static_cast<T>(s.beta);
  const T* a = static_cast<const T*>(A.data);
  const T* b = static_cast<const T*>(B.data);
  const T* cin = static_cast<const T*>(Cin.data);
  T* c = static_cast<T*>(out.data);
  const int64_t m = s.m, n = s.n, k = s.k;
  if (k == 0 || alpha == T(0)) {  // out = beta C, without asking BLAS about degenerate sizes
    if (beta == T(0)) {
      std::fill(c, c + m * n, T(0));
    } else {
      for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) c[i * n + j] = beta * cin[i * s.cs_row + j * s.cs_col];
      }
    }
    return OK;
  }
  if (s.small) {
    gemm_small(s, a, b, cin, c);
    return OK;
  }
  if (s.too_big) return ERR_UNSUPPORTED;
  if (s.bcast) {  // the product goes to scratch, then broadcasts into out
    std::unique_ptr<T[]> own;
    T* prod = static_cast<T*>(ctx.scratch);
    if (!prod || ctx.scratch_bytes < s.scratch) {
      own.reset(new (std::nothrow) T[static_cast<size_t>(s.pm * s.pn)]);
      if (!own) return ERR_ALLOC;
      prod = own.get();
    }
    Blas<T>::gemm(s.ta, s.tb, static_cast<int>(s.pm), static_cast<int>(s.pn), static_cast<int>(k), T(1), a,
                  static_cast<int>(A.shape[1]), b, static_cast<int>(B.shape[1]), T(0), prod);
    combine(s, prod, cin, c);
    return OK;
  }
  if (beta != T(0) && !(cin == c && Cin.size == out.size)) {  // (C may be out itself: an in-place update)
    Status st = broadcast_copy(ctx, Cin.data, Cin.shape, Cin.ndim, c, out.shape, 2, sizeof(T));
    if (st != OK) return st;
  }
  Blas<T>::gemm(s.ta, s.tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
                static_cast<int>(A.shape[1]), b, static_cast<int>(B.shape[1]), beta, c);
  return OK;
}

Status gemm_execute(const KernelCtx& ctx, const GemmState& s) {
  if (ctx.out->size == 0) return OK;
  return ctx.out->dtype == F32 ? gemm_typed<float>(ctx, s) : gemm_typed<double>(ctx, s);
}

Status gemm_prepared(const KernelCtx& ctx) { return gemm_execute(ctx, *static_cast<const GemmState*>(ctx.state)); }

}  // namespace

// Dot: out = op(A) op(B); inputs A, B of rank 1 or 2 (rank-1 A is a row, rank-1 B a column), same dtype as out
// (F32/F64 via BLAS, or plain loops accumulating in double for at most kSmallMacs multiply-adds; I32 by a plain loop
// that wraps); ints [transA, transB] (ignored on rank-1 operands); out rank = number of rank-2 operands; out does not
// alias the inputs.
Status dot_kernel(const KernelCtx& ctx) {
  DotState s;
  Status st = dot_setup(ctx, &s);
  return st != OK ? st : dot_execute(ctx, s);
}

Status dot_prepare(const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<DotState> s(new DotState());
  Status st = dot_setup(ctx, s.get());
  if (st != OK) return st;
  out->needs_pool = !s->small && !s->empty && !s->zero;
  out->run = dot_prepared;
  out->state = std::move(s);
  return OK;
}

// Gemm: out = alpha op(A) op(B) + beta C; inputs A, B (rank 2) and C, all of out's dtype F32/F64; ints
// [transA, transB]; floats [alpha, beta]. out [m, n] is the broadcast of the product and C: C may be a full matrix,
// a rank-1 bias of length n, [m, 1], a scalar...; the product may itself be smaller ([1, n], [m, 1], [1, 1]) and
// broadcast (it then goes through kernel_scratch_bytes of scratch). C is not read when beta == 0. out may be C
// itself (an in-place update of the same shape) but no other input. Small products (at most kSmallMacs
// multiply-adds) are plain loops computing alpha * sum + beta * c in double; larger ones use BLAS.
Status gemm_kernel(const KernelCtx& ctx) {
  GemmState s;
  Status st = gemm_setup(ctx, &s);
  return st != OK ? st : gemm_execute(ctx, s);
}

Status gemm_prepare(const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<GemmState> s(new GemmState());
  Status st = gemm_setup(ctx, s.get());
  if (st != OK) return st;
  if (s->too_big) return ERR_UNSUPPORTED;
  out->needs_pool = !s->small && ctx.out->size > 0;
  out->run = gemm_prepared;
  out->state = std::move(s);
  return OK;
}

size_t gemm_scratch_bytes(const KernelCtx& ctx) {
  GemmState s;
  return gemm_setup(ctx, &s) == OK ? s.scratch : 0;
}

}  // namespace nodeano
