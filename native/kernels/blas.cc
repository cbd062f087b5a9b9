// Matrix products through CBLAS (OpenBLAS); the BLAS thread count is set by the addon, not here.
// line-budget: Dot, Gemm and Tensordot share the operand geometry, the BLAS wrappers and the small-product loops that
// make their results agree bit for bit with the reference; one file keeps that arithmetic in one place.
#include "kernel.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <initializer_list>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

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
  // Batched products (an operand of rank > 2): `batch` products of op(A) op(B), the t-th reading A at a_off[t] and
  // B at b_off[t] (broadcast batch axes repeat an offset) and writing C at t * m * n; lda / ldb are the stored row
  // lengths BLAS needs.
  bool batched = false;
  int64_t batch = 1;
  std::vector<int64_t> a_off, b_off;
  int64_t lda = 0, ldb = 0;
};

Status batched_setup(const KernelCtx& ctx, DotState* s);

Status dot_setup(const KernelCtx& ctx, DotState* s) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor &A = ctx.in[0], &B = ctx.in[1];
  Tensor& C = *ctx.out;
  if (A.dtype != C.dtype || B.dtype != C.dtype || C.dtype == BOOL) return ERR_DTYPE;
  if (A.ndim > 2 || B.ndim > 2) return batched_setup(ctx, s);
  if (A.ndim < 1 || B.ndim < 1) return ERR_SHAPE;
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

// op(X) of a batched operand's stored matrix (its last two axes; a rank-1 operand is a row for A, a column for B).
Operand batched_operand(const Tensor& t, bool trans, bool is_a) {
  if (t.ndim == 1) return operand_of(t, false, is_a);
  const int64_t r = t.shape[t.ndim - 2], c = t.shape[t.ndim - 1];
  return trans ? Operand{c, r, 1, c, true} : Operand{r, c, c, 1, false};
}

// The batch axes (all but the last two) of A and B broadcast (right-aligned) to out's leading axes, as element
// offsets of each batch's matrix. A product whose B has no batch axes and whose A is not transposed folds into one
// [batch * m, k] x op(B) product (A's batch matrices are consecutive rows, and so are C's).
Status batched_setup(const KernelCtx& ctx, DotState* s) {
  const Tensor &A = ctx.in[0], &B = ctx.in[1];
  Tensor& C = *ctx.out;
  if (A.ndim < 1 || B.ndim < 1) return ERR_SHAPE;
  s->batched = true;
  s->ta = A.ndim >= 2 && trans_flag(ctx.attrs, 0);
  s->tb = B.ndim >= 2 && trans_flag(ctx.attrs, 1);
  s->oa = batched_operand(A, s->ta, true);
  s->ob = batched_operand(B, s->tb, false);
  if (s->oa.cols != s->ob.rows) return ERR_SHAPE;
  const int an = std::max(0, A.ndim - 2), bn = std::max(0, B.ndim - 2);
  const int r = std::max(an, bn);
  const int rank = r + (A.ndim >= 2 ? 1 : 0) + (B.ndim >= 2 ? 1 : 0);
  if (C.ndim != rank) return ERR_SHAPE;
  int64_t as[kMaxRank], bs[kMaxRank];  // batch strides in matrices, 0 where an operand broadcasts
  int64_t batch = 1, a_mats = 1, b_mats = 1;
  for (int d = r - 1; d >= 0; d--) {
    const int64_t x = d < r - an ? 1 : A.shape[d - (r - an)], y = d < r - bn ? 1 : B.shape[d - (r - bn)];
    const int64_t o = C.shape[d];
    if ((x != o && x != 1) || (y != o && y != 1)) return ERR_SHAPE;
    as[d] = x == 1 ? 0 : a_mats;
    bs[d] = y == 1 ? 0 : b_mats;
    a_mats *= x;
    b_mats *= y;
    batch *= o;
  }
  int at = r;
  if (A.ndim >= 2 && C.shape[at++] != s->oa.rows) return ERR_SHAPE;
  if (B.ndim >= 2 && C.shape[at] != s->ob.cols) return ERR_SHAPE;
  s->empty = C.size == 0;
  s->zero = s->oa.cols == 0;
  const int64_t a_mat = s->oa.rows * s->oa.cols, b_mat = s->ob.rows * s->ob.cols;
  s->lda = A.ndim == 1 ? A.shape[0] : A.shape[A.ndim - 1];
  s->ldb = B.ndim == 1 ? 1 : B.shape[B.ndim - 1];
  if (s->empty || s->zero) return OK;
  if (bn == 0 && !s->ta && A.ndim >= 2) {
    s->oa.rows *= batch;
    batch = 1;
  }
  s->batch = batch;
  s->a_off.resize(static_cast<size_t>(batch));
  s->b_off.resize(static_cast<size_t>(batch));
  int64_t idx[kMaxRank] = {};
  int64_t ao = 0, bo = 0;
  for (int64_t t = 0; t < batch; t++) {
    s->a_off[t] = ao * a_mat;
    s->b_off[t] = bo * b_mat;
    for (int d = r - 1; d >= 0; d--) {
      ao += as[d];
      bo += bs[d];
      if (++idx[d] < C.shape[d]) break;
      ao -= as[d] * C.shape[d];
      bo -= bs[d] * C.shape[d];
      idx[d] = 0;
    }
  }
  if (C.dtype != I32 && !fits_int({s->oa.rows * s->oa.cols, b_mat, s->oa.rows * s->ob.cols})) return ERR_UNSUPPORTED;
  const double macs = static_cast<double>(s->oa.rows) * static_cast<double>(s->ob.cols) * static_cast<double>(s->oa.cols);
  s->small = C.dtype == I32 || macs <= static_cast<double>(kSmallMacs);
  return OK;
}

template <class T>
void batched_typed(const KernelCtx& ctx, const DotState& s) {
  const T* a = static_cast<const T*>(ctx.in[0].data);
  const T* b = static_cast<const T*>(ctx.in[1].data);
  T* c = static_cast<T*>(ctx.out->data);
  const int64_t m = s.oa.rows, n = s.ob.cols, k = s.oa.cols;
  for (int64_t t = 0; t < s.batch; t++) {
    const T* at = a + s.a_off[t];
    const T* bt = b + s.b_off[t];
    T* ct = c + t * m * n;
    if (s.small) {
      if constexpr (std::is_same<T, double>::value) {
        small_product(at, s.oa, bt, s.ob, ct);
      } else {
        double prod[kSmallMacs];
        small_product(at, s.oa, bt, s.ob, prod);
        for (int64_t i = 0; i < m * n; i++) ct[i] = static_cast<T>(prod[i]);
      }
    } else {
      Blas<T>::gemm(s.ta, s.tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), T(1), at,
                    static_cast<int>(s.lda), bt, static_cast<int>(s.ldb), T(0), ct);
    }
  }
}

Status batched_execute(const KernelCtx& ctx, const DotState& s) {
  switch (ctx.out->dtype) {
    case F32: batched_typed<float>(ctx, s); return OK;
    case F64: batched_typed<double>(ctx, s); return OK;
    default: {
      const int32_t* a = static_cast<const int32_t*>(ctx.in[0].data);
      const int32_t* b = static_cast<const int32_t*>(ctx.in[1].data);
      int32_t* c = static_cast<int32_t*>(ctx.out->data);
      const int64_t mn = s.oa.rows * s.ob.cols;
      for (int64_t t = 0; t < s.batch; t++) dot_i32(a + s.a_off[t], s.oa, b + s.b_off[t], s.ob, c + t * mn);
      return OK;
    }
  }
}

Status dot_execute(const KernelCtx& ctx, const DotState& s) {
  const Tensor &A = ctx.in[0], &B = ctx.in[1];
  Tensor& C = *ctx.out;
  if (s.empty) return OK;
  if (s.zero) {  // empty inner dimension: a sum of nothing
    std::fill_n(static_cast<char*>(C.data), C.size * dtype_size(C.dtype), 0);
    return OK;
  }
  if (s.batched) return batched_execute(ctx, s);
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

// ---- Tensordot

// How a tensordot operand is read as a matrix: in place (its axes already in matrix order, maybe transposed) or
// gathered into a buffer in that order. perm lists the operand's axes in matrix order (rows' axes, then columns').
struct TdOperand {
  Operand op{};
  bool gather = false;
  int64_t ld = 0;  // stored row length for BLAS
  int rank = 0;
  int64_t dims[kMaxRank] = {}, strides[kMaxRank] = {};  // gather walk: dims in matrix order, source strides
};

struct TensordotState : KernelState {
  TdOperand a, b;
  int64_t m = 0, k = 0, n = 0;
  bool small = false;
  std::vector<uint64_t> buf_a, buf_b;  // gather buffers of prepared steps (8-byte elements cover every dtype)
};

bool is_identity(const int* p, int n) {
  for (int i = 0; i < n; i++) {
    if (p[i] != i) return false;
  }
  return true;
}

// rows_axes then cols_axes of t as a rows x cols matrix.
void td_operand(const Tensor& t, const int* rows_axes, int nr, const int* cols_axes, int nc, TdOperand* o) {
  int order[kMaxRank], swapped[kMaxRank];
  std::copy(rows_axes, rows_axes + nr, order);
  std::copy(cols_axes, cols_axes + nc, order + nr);
  std::copy(cols_axes, cols_axes + nc, swapped);
  std::copy(rows_axes, rows_axes + nr, swapped + nc);
  int64_t rows = 1, cols = 1;
  for (int i = 0; i < nr; i++) rows *= t.shape[rows_axes[i]];
  for (int i = 0; i < nc; i++) cols *= t.shape[cols_axes[i]];
  const int r = t.ndim;
  if (is_identity(order, r)) {
    o->op = Operand{rows, cols, cols, 1, false};
    o->ld = cols;
  } else if (is_identity(swapped, r)) {  // stored [cols, rows]: BLAS reads it transposed
    o->op = Operand{rows, cols, 1, rows, true};
    o->ld = rows;
  } else {
    o->op = Operand{rows, cols, cols, 1, false};
    o->ld = cols;
    o->gather = true;
    int64_t str[kMaxRank];
    for (int i = r - 1, st = 1; i >= 0; i--) {
      str[i] = st;
      st *= t.shape[i];
    }
    o->rank = r;
    for (int i = 0; i < r; i++) {
      o->dims[i] = t.shape[order[i]];
      o->strides[i] = str[order[i]];
    }
  }
}

template <class E>
void gather_typed(const E* src, const TdOperand& o, E* dst, int64_t n) {
  int64_t idx[kMaxRank] = {};
  int64_t off = 0;
  for (int64_t i = 0; i < n; i++) {
    dst[i] = src[off];
    for (int d = o.rank - 1; d >= 0; d--) {
      off += o.strides[d];
      if (++idx[d] < o.dims[d]) break;
      off -= o.strides[d] * o.dims[d];
      idx[d] = 0;
    }
  }
}

void gather(const void* src, const TdOperand& o, size_t es, void* dst) {
  const int64_t n = o.op.rows * o.op.cols;
  if (es == 8) {
    gather_typed(static_cast<const uint64_t*>(src), o, static_cast<uint64_t*>(dst), n);
  } else {
    gather_typed(static_cast<const uint32_t*>(src), o, static_cast<uint32_t*>(dst), n);
  }
}

Status tensordot_setup(const KernelCtx& ctx, TensordotState* s) {
  if (ctx.n_in != 2 || ctx.n_out != 1 || ctx.attrs.n_ints < 1) return ERR_INVALID;
  const Tensor &A = ctx.in[0], &B = ctx.in[1];
  Tensor& C = *ctx.out;
  if (A.dtype != C.dtype || B.dtype != C.dtype || C.dtype == BOOL) return ERR_DTYPE;
  const int nc = ctx.attrs.ints[0];
  if (nc < 0 || nc > A.ndim || nc > B.ndim || ctx.attrs.n_ints != 1 + 2 * nc) return ERR_INVALID;
  const int* axes_a = ctx.attrs.ints + 1;
  const int* axes_b = ctx.attrs.ints + 1 + nc;
  bool used_a[kMaxRank] = {}, used_b[kMaxRank] = {};
  for (int i = 0; i < nc; i++) {
    const int x = axes_a[i], y = axes_b[i];
    if (x < 0 || x >= A.ndim || y < 0 || y >= B.ndim || used_a[x] || used_b[y]) return ERR_INVALID;
    used_a[x] = used_b[y] = true;
    if (A.shape[x] != B.shape[y]) return ERR_SHAPE;
  }
  int free_a[kMaxRank], free_b[kMaxRank], nfa = 0, nfb = 0;
  for (int i = 0; i < A.ndim; i++) {
    if (!used_a[i]) free_a[nfa++] = i;
  }
  for (int i = 0; i < B.ndim; i++) {
    if (!used_b[i]) free_b[nfb++] = i;
  }
  if (C.ndim != nfa + nfb) return ERR_SHAPE;
  for (int i = 0; i < nfa; i++) {
    if (C.shape[i] != A.shape[free_a[i]]) return ERR_SHAPE;
  }
  for (int i = 0; i < nfb; i++) {
    if (C.shape[nfa + i] != B.shape[free_b[i]]) return ERR_SHAPE;
  }
  td_operand(A, free_a, nfa, axes_a, nc, &s->a);
  td_operand(B, axes_b, nc, free_b, nfb, &s->b);
  s->m = s->a.op.rows;
  s->k = s->a.op.cols;
  s->n = s->b.op.cols;
  const double macs = static_cast<double>(s->m) * static_cast<double>(s->n) * static_cast<double>(s->k);
  s->small = C.dtype == I32 || macs <= static_cast<double>(kSmallMacs);
  if (!s->small && !fits_int({A.size, B.size, C.size})) return ERR_UNSUPPORTED;
  return OK;
}

template <class T>
void tensordot_typed(const TensordotState& s, const T* a, const T* b, T* c) {
  if (s.small) {
    if constexpr (std::is_same<T, double>::value) {
      small_product(a, s.a.op, b, s.b.op, c);
    } else {
      double prod[kSmallMacs];
      small_product(a, s.a.op, b, s.b.op, prod);
      for (int64_t i = 0; i < s.m * s.n; i++) c[i] = static_cast<T>(prod[i]);
    }
    return;
  }
  Blas<T>::gemm(s.a.op.trans, s.b.op.trans, static_cast<int>(s.m), static_cast<int>(s.n), static_cast<int>(s.k), T(1), a,
                static_cast<int>(s.a.ld), b, static_cast<int>(s.b.ld), T(0), c);
}

// buf_a / buf_b: gather buffers for the operands that need one (null otherwise).
Status tensordot_execute(const KernelCtx& ctx, const TensordotState& s, void* buf_a, void* buf_b) {
  Tensor& C = *ctx.out;
  if (C.size == 0) return OK;
  const size_t es = dtype_size(C.dtype);
  if (s.k == 0) {
    std::fill_n(static_cast<char*>(C.data), C.size * es, 0);
    return OK;
  }
  const void* a = ctx.in[0].data;
  const void* b = ctx.in[1].data;
  if (s.a.gather) {
    gather(a, s.a, es, buf_a);
    a = buf_a;
  }
  if (s.b.gather) {
    gather(b, s.b, es, buf_b);
    b = buf_b;
  }
  switch (C.dtype) {
    case F32: tensordot_typed(s, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(C.data)); break;
    case F64: tensordot_typed(s, static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(C.data)); break;
    default:
      dot_i32(static_cast<const int32_t*>(a), s.a.op, static_cast<const int32_t*>(b), s.b.op, static_cast<int32_t*>(C.data));
  }
  return OK;
}

size_t gather_elems(const TdOperand& o) { return o.gather ? static_cast<size_t>(o.op.rows * o.op.cols) : 0; }

Status tensordot_prepared(const KernelCtx& ctx) {
  auto* s = static_cast<TensordotState*>(ctx.state);
  return tensordot_execute(ctx, *s, s->buf_a.data(), s->buf_b.data());
}

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

// Dot: out = op(A) op(B) with NumPy matmul rules; inputs A, B of rank >= 1 (rank-1 A is a row, rank-1 B a column;
// the last two axes of a higher-rank operand are its matrix, leading axes are batch axes that broadcast), same dtype
// as out (F32/F64 via BLAS, one gemm per batch, or plain loops accumulating in double for at most kSmallMacs
// multiply-adds per product; I32 by a plain loop that wraps); ints [transA, transB] swap an operand's last two axes
// (ignored on rank-1 operands); out = [broadcast batch axes, m if rank A >= 2, n if rank B >= 2]; out does not alias
// the inputs.
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
NODEANO_KERNEL("Dot", dot_kernel, dot_prepare);

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

// Tensordot: out[I, J] = sum_K A[I, K] B[K, J] over the axis pairs (axesA[i], axesB[i]); ints [n, axesA (n),
// axesB (n)]; inputs A, B of out's dtype (F32/F64 through BLAS, or the small double loops up to kSmallMacs
// multiply-adds; I32 by a wrapping loop); out = [A's other axes, B's other axes], each in order. A is read as an
// [M, K] matrix (its free axes, then axesA) and B as [K, N] (axesB, then its free axes): in place when already laid
// out so, directly or transposed, otherwise gathered into a buffer (allocated once per prepared plan, per call
// otherwise). out does not alias the inputs.
Status tensordot_kernel(const KernelCtx& ctx) {
  TensordotState s;
  Status st = tensordot_setup(ctx, &s);
  if (st != OK) return st;
  if (ctx.out->size == 0 || s.k == 0) return tensordot_execute(ctx, s, nullptr, nullptr);
  std::unique_ptr<uint64_t[]> ba, bb;
  if (s.a.gather) {
    ba.reset(new (std::nothrow) uint64_t[gather_elems(s.a)]);
    if (!ba) return ERR_ALLOC;
  }
  if (s.b.gather) {
    bb.reset(new (std::nothrow) uint64_t[gather_elems(s.b)]);
    if (!bb) return ERR_ALLOC;
  }
  return tensordot_execute(ctx, s, ba.get(), bb.get());
}

Status tensordot_prepare(const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<TensordotState> s(new TensordotState());
  Status st = tensordot_setup(ctx, s.get());
  if (st != OK) return st;
  const bool work = ctx.out->size > 0 && s->k > 0;
  if (work) {
    try {
      s->buf_a.resize(gather_elems(s->a));
      s->buf_b.resize(gather_elems(s->b));
    } catch (const std::bad_alloc&) {
      return ERR_ALLOC;
    }
  }
  out->needs_pool = work && !s->small;
  out->run = tensordot_prepared;
  out->state = std::move(s);
  return OK;
}
NODEANO_KERNEL("Tensordot", tensordot_kernel, tensordot_prepare);

size_t gemm_scratch_bytes(const KernelCtx& ctx) {
  GemmState s;
  return gemm_setup(ctx, &s) == OK ? s.scratch : 0;
}
NODEANO_KERNEL("Gemm", gemm_kernel, gemm_prepare, gemm_scratch_bytes);

}  // namespace nodeano
