// Indexing kernels: basic slicing (Subtensor, IncSubtensor), integer-array indexing on one axis (Take, IncTake) and
// bool masks (BooleanMask, BooleanMaskGrad).
#include "kernel.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <new>
#include <vector>

#include "parallel.h"

namespace nodeano {

namespace {

// A missing slice bound in the spec ints (NULL_BOUND in lib/ops/subtensor.ts).
constexpr int32_t kNull = INT32_MIN;
// A symbolic bound or index (SYM_BOUND): the value of the step's next I32 scalar input.
constexpr int32_t kSym = INT32_MIN + 1;

// How many symbolic bounds a spec has (start and stop positions only).
int sym_count(const int32_t* spec, int32_t n_spec) {
  int n = 0;
  for (int32_t i = 0; i < n_spec; i++) n += (i % 4 == 1 || i % 4 == 2) && spec[i] == kSym;
  return n;
}

// The elements a basic index selects: per input axis a length and an element stride, from element `base` of x.
// Dropped (integer-indexed) axes have length 1; `out_shape` lists the kept lengths.
struct Region {
  int rank = 0;
  int64_t base = 0;
  int64_t len[kMaxRank] = {0};
  int64_t stride[kMaxRank] = {0};
  bool drop[kMaxRank] = {false};
  int64_t size = 1;
  int out_rank = 0;
  int64_t out_shape[kMaxRank] = {0};
};

// Python's slice.indices for an axis of size n: first position and length.
void resolve_axis(int64_t n, int64_t a, int64_t b, int64_t s, int64_t* first, int64_t* len) {
  if (s > 0) {
    int64_t lo = a == kNull ? 0 : a < 0 ? std::max<int64_t>(0, a + n) : std::min(a, n);
    int64_t hi = b == kNull ? n : b < 0 ? std::max<int64_t>(0, b + n) : std::min(b, n);
    *first = lo;
    *len = hi > lo ? (hi - lo + s - 1) / s : 0;
  } else {
    int64_t lo = a == kNull ? n - 1 : a < 0 ? std::max<int64_t>(-1, a + n) : std::min(a, n - 1);
    int64_t hi = b == kNull ? -1 : b < 0 ? std::max<int64_t>(-1, b + n) : std::min(b, n - 1);
    *first = lo;
    *len = lo > hi ? (lo - hi + (-s) - 1) / (-s) : 0;
  }
}

// spec: 4 ints per axis of x, [kind (0 index, 1 slice), start, stop, step]; symbolic bounds read `scalars` (I32,
// one element each) in spec order. ERR_INVALID for a malformed spec, ERR_SHAPE for an index out of range.
Status resolve(const Tensor& x, const int32_t* spec, int32_t n_spec, const Tensor* scalars, int n_scalars, Region* r) {
  if (n_spec != 4 * x.ndim || x.ndim > kMaxRank || sym_count(spec, n_spec) != n_scalars) return ERR_INVALID;
  // spec with the symbolic bounds replaced, clamped so that none reads as a missing bound
  int32_t sub[4 * kMaxRank];
  for (int32_t i = 0, j = 0; i < n_spec; i++) {
    sub[i] = spec[i];
    if ((i % 4 == 1 || i % 4 == 2) && spec[i] == kSym) {
      const Tensor& t = scalars[j++];
      if (t.dtype != I32 || t.size != 1) return ERR_DTYPE;
      sub[i] = std::max(INT32_MIN + 2, *static_cast<const int32_t*>(t.data));
    }
  }
  r->rank = x.ndim;
  int64_t xstride = 1;
  for (int k = x.ndim - 1; k >= 0; k--) {
    const int32_t* s = sub + 4 * k;
    const int64_t n = x.shape[k];
    int64_t first = 0, len = 1;
    if (s[0] == 0) {
      first = s[1] < 0 ? int64_t{s[1]} + n : s[1];
      if (first < 0 || first >= n) return ERR_SHAPE;
      r->drop[k] = true;
    } else if (s[0] == 1 && s[3] != 0 && s[3] != kNull) {
      resolve_axis(n, s[1], s[2], s[3], &first, &len);
      r->drop[k] = false;
    } else {
      return ERR_INVALID;
    }
    r->len[k] = len;
    r->stride[k] = (r->drop[k] ? 1 : s[3]) * xstride;
    r->base += (len > 0 ? first : 0) * xstride;
    xstride *= n;
  }
  for (int k = 0; k < x.ndim; k++) {
    r->size *= r->len[k];
    if (!r->drop[k]) r->out_shape[r->out_rank++] = r->len[k];
  }
  return OK;
}

bool same_shape(const Tensor& t, const int64_t* shape, int rank) {
  if (t.ndim != rank) return false;
  for (int k = 0; k < rank; k++) {
    if (t.shape[k] != shape[k]) return false;
  }
  return true;
}

// Strides (in elements) of y broadcast NumPy-style against `shape`; false when y does not broadcast to it.
bool broadcast_strides(const Tensor& y, const int64_t* shape, int rank, int64_t* strides) {
  if (y.ndim > rank) return false;
  int64_t s = 1;
  for (int k = rank - 1; k >= 0; k--) {
    const int i = k - (rank - y.ndim);
    if (i < 0) {
      strides[k] = 0;
      continue;
    }
    const int64_t d = y.shape[i];
    if (d != shape[k] && d != 1) return false;
    strides[k] = d == 1 ? 0 : s;
    s *= d;
  }
  return true;
}

// Calls f(offset a, offset b) for every position of a `rank`-dim block in C order, the offsets stepping by sa / sb.
template <class F>
void walk(int rank, const int64_t* len, const int64_t* sa, const int64_t* sb, int64_t a, int64_t b, int64_t size, F f) {
  if (size == 0) return;
  int64_t idx[kMaxRank] = {0};
  for (int64_t e = 0; e < size; e++) {
    f(a, b);
    for (int d = rank - 1; d >= 0; d--) {
      a += sa[d];
      b += sb[d];
      if (++idx[d] < len[d]) break;
      a -= sa[d] * len[d];
      b -= sb[d] * len[d];
      idx[d] = 0;
    }
  }
}

template <class T>
void gather(const Region& r, const T* x, T* out) {
  int64_t ostr[kMaxRank];
  int64_t s = 1;
  for (int k = r.rank - 1; k >= 0; k--) {
    ostr[k] = s;
    s *= r.len[k];
  }
  const int last = r.rank - 1;
  if (r.rank > 0 && r.stride[last] == 1) {
    // contiguous rows: copy each whole
    const int64_t row = r.len[last];
    int64_t one[kMaxRank];
    for (int k = 0; k < r.rank; k++) one[k] = r.len[k];
    one[last] = 1;
    walk(r.rank, one, r.stride, ostr, r.base, 0, r.size / (row ? row : 1), [&](int64_t a, int64_t b) { std::memcpy(out + b, x + a, row * sizeof(T)); });
    return;
  }
  walk(r.rank, r.len, r.stride, ostr, r.base, 0, r.size, [&](int64_t a, int64_t b) { out[b] = x[a]; });
}

// Integer addition that wraps like the TypeScript reference's Int32Array store.
template <class T>
inline T add_wrap(T a, T b) {
  return a + b;
}
template <>
inline int32_t add_wrap<int32_t>(int32_t a, int32_t b) {
  return int32_t(uint32_t(a) + uint32_t(b));
}

template <class T>
void scatter(const Region& r, const int64_t* ystr, bool set, const T* y, T* out) {
  if (set) {
    walk(r.rank, r.len, r.stride, ystr, r.base, 0, r.size, [&](int64_t a, int64_t b) { out[a] = y[b]; });
  } else {
    walk(r.rank, r.len, r.stride, ystr, r.base, 0, r.size, [&](int64_t a, int64_t b) { out[a] = add_wrap(out[a], y[b]); });
  }
}

// Bit patterns of the element size: copies never look at values.
template <class F>
Status by_size(DType d, F f) {
  switch (dtype_size(d)) {
    case 1: f(uint8_t{}); return OK;
    case 4: f(uint32_t{}); return OK;
    case 8: f(uint64_t{}); return OK;
  }
  return ERR_DTYPE;
}

// y, or a copy of it in `keep` when it overlaps the output: a plan may write the output over x in place, and y may
// be x itself, whose elements must be read before they are overwritten.
const void* unaliased(const Tensor& y, const Tensor& out, std::vector<uint8_t>& keep) {
  const size_t yb = size_t(y.size) * dtype_size(y.dtype), ob = size_t(out.size) * dtype_size(out.dtype);
  const uint8_t* a = static_cast<const uint8_t*>(y.data);
  const uint8_t* b = static_cast<const uint8_t*>(out.data);
  if (yb == 0 || ob == 0 || a + yb <= b || b + ob <= a) return y.data;
  keep.assign(a, a + yb);
  return keep.data();
}

// Indices checked before anything is written, so a bad index leaves no partial result behind.
bool indices_ok(const Tensor& idx, int64_t n) {
  const int32_t* I = static_cast<const int32_t*>(idx.data);
  for (int64_t j = 0; j < idx.size; j++) {
    if (I[j] >= n || I[j] < -n) return false;
  }
  return true;
}

// x's shape with `axis` replaced by idx's shape.
int take_shape(const Tensor& x, const Tensor& idx, int axis, int64_t* shape) {
  int r = 0;
  for (int k = 0; k < axis; k++) shape[r++] = x.shape[k];
  for (int k = 0; k < idx.ndim; k++) shape[r++] = idx.shape[k];
  for (int k = axis + 1; k < x.ndim; k++) shape[r++] = x.shape[k];
  return r;
}

// Offsets in y of every C-order position of a block of `rank` dims with y strides `strides`.
void offset_table(int rank, const int64_t* dims, const int64_t* strides, std::vector<int64_t>& t) {
  int64_t n = 1;
  for (int k = 0; k < rank; k++) n *= dims[k];
  t.resize(size_t(n));
  int64_t zero[kMaxRank] = {0};
  int64_t i = 0;
  walk(rank, dims, strides, zero, 0, 0, n, [&](int64_t a, int64_t) { t[size_t(i++)] = a; });
}

}  // namespace

// Subtensor: out = x[spec] (basic NumPy indexing, copied out C-contiguous); any dtype; ints: 4 per axis of x
// [kind (0 index, 1 slice), start, stop, step] with INT32_MIN for a missing bound and INT32_MIN + 1 for a symbolic
// one. Inputs: x, one I32 scalar per symbolic bound, and optionally the size ref (data not read; out's shape must
// match the region anyway). Single-threaded.
Status subtensor_kernel(const KernelCtx& ctx) {
  const int nsym = sym_count(ctx.attrs.ints, ctx.attrs.n_ints);
  if (ctx.n_in < 1 + nsym || ctx.n_in > 2 + nsym || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& out = *ctx.out;
  Region r;
  Status st = resolve(x, ctx.attrs.ints, ctx.attrs.n_ints, ctx.in + 1, nsym, &r);
  if (st != OK) return st;
  if (out.dtype != x.dtype) return ERR_DTYPE;
  if (!same_shape(out, r.out_shape, r.out_rank)) return ERR_SHAPE;
  if (r.size == 0) return OK;
  return by_size(x.dtype, [&](auto t) {
    using T = decltype(t);
    gather(r, static_cast<const T*>(x.data), static_cast<T*>(out.data));
  });
}
NODEANO_KERNEL("Subtensor", subtensor_kernel, nullptr);

// IncSubtensor: out = copy of x with y added to (set = 1: written over) x[spec]; y broadcasts to the selected
// region's shape. ints: [set, ...spec as in Subtensor]; inputs x, y, one I32 scalar per symbolic bound. set: any
// dtype; add: F32, F64, I32 (wraps). out may be x itself (in place); a y overlapping out is copied first.
// Single-threaded.
Status inc_subtensor_kernel(const KernelCtx& ctx) {
  if (ctx.attrs.n_ints < 1 || ctx.n_out != 1) return ERR_INVALID;
  const int nsym = sym_count(ctx.attrs.ints + 1, ctx.attrs.n_ints - 1);
  if (ctx.n_in != 2 + nsym) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  const Tensor& y = ctx.in[1];
  Tensor& out = *ctx.out;
  const bool set = ctx.attrs.ints[0] != 0;
  Region r;
  Status st = resolve(x, ctx.attrs.ints + 1, ctx.attrs.n_ints - 1, ctx.in + 2, nsym, &r);
  if (st != OK) return st;
  if (out.dtype != x.dtype || y.dtype != x.dtype) return ERR_DTYPE;
  if (!same_shape(out, x.shape, x.ndim)) return ERR_SHAPE;
  int64_t bstr[kMaxRank];
  if (!broadcast_strides(y, r.out_shape, r.out_rank, bstr)) return ERR_SHAPE;
  int64_t ystr[kMaxRank];
  for (int k = 0, j = 0; k < r.rank; k++) ystr[k] = r.drop[k] ? 0 : bstr[j++];
  std::vector<uint8_t> keep;
  const void* yd;
  try {
    yd = unaliased(y, out, keep);
  } catch (const std::bad_alloc&) {
    return ERR_ALLOC;
  }
  if (out.data != x.data && x.size > 0) std::memcpy(out.data, x.data, size_t(x.size) * dtype_size(x.dtype));
  if (r.size == 0) return OK;
  if (set) {
    return by_size(x.dtype, [&](auto t) {
      using T = decltype(t);
      scatter(r, ystr, true, static_cast<const T*>(yd), static_cast<T*>(out.data));
    });
  }
  switch (x.dtype) {
    case F32: scatter(r, ystr, false, static_cast<const float*>(yd), static_cast<float*>(out.data)); return OK;
    case F64: scatter(r, ystr, false, static_cast<const double*>(yd), static_cast<double*>(out.data)); return OK;
    case I32: scatter(r, ystr, false, static_cast<const int32_t*>(yd), static_cast<int32_t*>(out.data)); return OK;
    default: return ERR_DTYPE;
  }
}
NODEANO_KERNEL("IncSubtensor", inc_subtensor_kernel, nullptr);

// Take: out = x with axis `axis` replaced by idx's shape, out[.., j.., ..] = x[.., idx[j..], ..]; any dtype for x,
// idx I32 of any rank, negative indices count from the end; an index outside [-n, n) is ERR_INVALID before anything
// is written. ints: [axis] (non-negative). Rows split across the pool when large.
Status take_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 2 || ctx.n_out != 1 || ctx.attrs.n_ints != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  const Tensor& idx = ctx.in[1];
  Tensor& out = *ctx.out;
  const int axis = ctx.attrs.ints[0];
  if (axis < 0 || axis >= x.ndim || x.ndim + idx.ndim - 1 > kMaxRank) return ERR_INVALID;
  if (idx.dtype != I32 || out.dtype != x.dtype) return ERR_DTYPE;
  int64_t shape[kMaxRank];
  const int rank = take_shape(x, idx, axis, shape);
  if (!same_shape(out, shape, rank)) return ERR_SHAPE;
  const int64_t n = x.shape[axis];
  if (!indices_ok(idx, n)) return ERR_INVALID;
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < axis; k++) outer *= x.shape[k];
  for (int k = axis + 1; k < x.ndim; k++) inner *= x.shape[k];
  const int64_t J = idx.size;
  const int32_t* I = static_cast<const int32_t*>(idx.data);
  const size_t es = dtype_size(x.dtype);
  const size_t row = size_t(inner) * es;
  const char* X = static_cast<const char*>(x.data);
  char* O = static_cast<char*>(out.data);
  if (row == 0 || outer * J == 0) return OK;
  parallel_range(ctx, outer * J, std::max<int64_t>(1, kGrainCheap / inner), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; p++) {
      const int64_t a = p / J;
      int64_t i = I[p % J];
      if (i < 0) i += n;
      std::memcpy(O + size_t(p) * row, X + size_t(a * n + i) * row, row);
    }
  });
  return OK;
}
NODEANO_KERNEL("Take", take_kernel, nullptr);

// IncTake: out = copy of x with y added at (set = 1: written to) the positions Take would read, in index order so
// repeated indices accumulate (set: the last write wins); y broadcasts to Take's output shape. ints: [axis, set].
// set: any dtype; add: F32, F64, I32 (wraps). Index checks as in Take. out may be x itself (in place); a y overlapping
// out is copied first. Single-threaded (repeats make rows collide).
Status inc_take_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1 || ctx.attrs.n_ints != 2) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  const Tensor& idx = ctx.in[1];
  const Tensor& y = ctx.in[2];
  Tensor& out = *ctx.out;
  const int axis = ctx.attrs.ints[0];
  const bool set = ctx.attrs.ints[1] != 0;
  if (axis < 0 || axis >= x.ndim || x.ndim + idx.ndim - 1 > kMaxRank) return ERR_INVALID;
  if (idx.dtype != I32 || out.dtype != x.dtype || y.dtype != x.dtype) return ERR_DTYPE;
  if (!same_shape(out, x.shape, x.ndim)) return ERR_SHAPE;
  int64_t shape[kMaxRank];
  const int rank = take_shape(x, idx, axis, shape);
  int64_t ystr[kMaxRank];
  if (!broadcast_strides(y, shape, rank, ystr)) return ERR_SHAPE;
  const int64_t n = x.shape[axis];
  if (!indices_ok(idx, n)) return ERR_INVALID;
  std::vector<int64_t> t_outer, t_j, t_inner;
  std::vector<uint8_t> keep;
  const void* yd;
  try {
    yd = unaliased(y, out, keep);
    offset_table(axis, x.shape, ystr, t_outer);
    offset_table(idx.ndim, idx.shape, ystr + axis, t_j);
    offset_table(x.ndim - axis - 1, x.shape + axis + 1, ystr + axis + idx.ndim, t_inner);
  } catch (const std::bad_alloc&) {
    return ERR_ALLOC;
  }
  if (out.data != x.data && x.size > 0) std::memcpy(out.data, x.data, size_t(x.size) * dtype_size(x.dtype));
  const int32_t* I = static_cast<const int32_t*>(idx.data);
  const int64_t inner = int64_t(t_inner.size());
  auto run = [&](auto t, bool add) {
    using T = decltype(t);
    const T* Y = static_cast<const T*>(yd);
    T* O = static_cast<T*>(out.data);
    for (size_t a = 0; a < t_outer.size(); a++) {
      for (size_t j = 0; j < t_j.size(); j++) {
        int64_t i = I[j];
        if (i < 0) i += n;
        T* dst = O + (int64_t(a) * n + i) * inner;
        const T* src = Y + t_outer[a] + t_j[j];
        if (add) {
          for (int64_t k = 0; k < inner; k++) dst[k] = add_wrap(dst[k], src[t_inner[size_t(k)]]);
        } else {
          for (int64_t k = 0; k < inner; k++) dst[k] = src[t_inner[size_t(k)]];
        }
      }
    }
  };
  if (set) return by_size(x.dtype, [&](auto t) { run(t, false); });
  switch (x.dtype) {
    case F32: run(float{}, true); return OK;
    case F64: run(double{}, true); return OK;
    case I32: run(int32_t{}, true); return OK;
    default: return ERR_DTYPE;
  }
}
NODEANO_KERNEL("IncTake", inc_take_kernel, nullptr);

namespace {

int64_t count_true(const Tensor& m) {
  const uint8_t* M = static_cast<const uint8_t*>(m.data);
  int64_t c = 0;
  for (int64_t i = 0; i < m.size; i++) c += M[i] != 0;
  return c;
}

// m's dims equal x's leading dims; `inner` gets the element count of x's remaining dims.
bool mask_fits(const Tensor& x, const Tensor& m, int64_t* inner) {
  if (m.dtype != BOOL || m.ndim > x.ndim) return false;
  for (int k = 0; k < m.ndim; k++) {
    if (m.shape[k] != x.shape[k]) return false;
  }
  *inner = 1;
  for (int k = m.ndim; k < x.ndim; k++) *inner *= x.shape[k];
  return true;
}

}  // namespace

// BooleanMask: out = x[m] (NumPy), m BOOL of x's leading dims, out [count, ...x's remaining dims] with the rows
// where m is nonzero in C order; in[2] (ref, data not read) carries the count as its dim 0, and a mask whose count
// differs is ERR_SHAPE. Any dtype; no attrs. Single-threaded.
Status boolean_mask_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  const Tensor& m = ctx.in[1];
  Tensor& out = *ctx.out;
  int64_t inner = 1;
  if (!mask_fits(x, m, &inner) || out.dtype != x.dtype) return m.dtype != BOOL || out.dtype != x.dtype ? ERR_DTYPE : ERR_SHAPE;
  if (out.ndim != 1 + x.ndim - m.ndim || out.ndim < 1 || out.shape[0] != count_true(m) || ctx.in[2].ndim < 1 || ctx.in[2].shape[0] != out.shape[0]) return ERR_SHAPE;
  for (int k = 1; k < out.ndim; k++) {
    if (out.shape[k] != x.shape[m.ndim + k - 1]) return ERR_SHAPE;
  }
  const size_t row = size_t(inner) * dtype_size(x.dtype);
  if (row == 0) return OK;
  const uint8_t* M = static_cast<const uint8_t*>(m.data);
  const char* X = static_cast<const char*>(x.data);
  char* O = static_cast<char*>(out.data);
  for (int64_t i = 0; i < m.size; i++) {
    if (M[i]) {
      std::memcpy(O, X + size_t(i) * row, row);
      O += row;
    }
  }
  return OK;
}
NODEANO_KERNEL("BooleanMask", boolean_mask_kernel, nullptr);

// BooleanMaskGrad: out = zeros of ref's shape (in[2], data not read) with g's rows (in[0], [count, ...]) placed
// where m (in[1], BOOL of ref's leading dims) is nonzero; a g whose row count differs from m's count is ERR_SHAPE.
// Any dtype; no attrs. Single-threaded.
Status boolean_mask_grad_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 3 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& g = ctx.in[0];
  const Tensor& m = ctx.in[1];
  const Tensor& ref = ctx.in[2];
  Tensor& out = *ctx.out;
  int64_t inner = 1;
  if (m.dtype != BOOL || out.dtype != g.dtype) return ERR_DTYPE;
  if (!mask_fits(ref, m, &inner) || !same_shape(out, ref.shape, ref.ndim)) return ERR_SHAPE;
  if (g.ndim != 1 + ref.ndim - m.ndim || g.shape[0] != count_true(m)) return ERR_SHAPE;
  for (int k = 1; k < g.ndim; k++) {
    if (g.shape[k] != ref.shape[m.ndim + k - 1]) return ERR_SHAPE;
  }
  const size_t row = size_t(inner) * dtype_size(g.dtype);
  if (out.size > 0) std::memset(out.data, 0, size_t(out.size) * dtype_size(out.dtype));
  if (row == 0) return OK;
  const uint8_t* M = static_cast<const uint8_t*>(m.data);
  const char* G = static_cast<const char*>(g.data);
  char* O = static_cast<char*>(out.data);
  for (int64_t i = 0; i < m.size; i++) {
    if (M[i]) {
      std::memcpy(O + size_t(i) * row, G, row);
      G += row;
    }
  }
  return OK;
}
NODEANO_KERNEL("BooleanMaskGrad", boolean_mask_grad_kernel, nullptr);

}  // namespace nodeano
