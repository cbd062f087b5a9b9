#include "reduce.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <initializer_list>
#include <type_traits>

#include "elementwise.h"
#include "parallel.h"

namespace nodeano {

namespace {

// ---- Reduction policies. Acc is the accumulator type: double for float sums (float32 sums do not round at every
// step), uint32 for integer sums (wraps exactly like the int32 result), the element type for max.

constexpr int64_t kPairwiseBlock = 4096;  // rows longer than this are summed as a balanced tree of blocks

template <class In, class Acc>
struct SumR {
  using AccT = Acc;
  static Acc identity() { return Acc(0); }
  static Acc merge(Acc a, Acc b) { return a + b; }
  // Eight independent lanes (which the compiler vectorizes without reassociating anything), so the result depends
  // only on n, never on the SIMD path or the thread count.
  static Acc row(const In* x, int64_t n) {
    if (n > kPairwiseBlock) {
      const int64_t h = n / 2 / 8 * 8;
      return row(x, h) + row(x + h, n - h);
    }
    Acc lane[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int j = 0; j < 8; j++) lane[j] += static_cast<Acc>(x[i + j]);
    }
    Acc s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    for (; i < n; i++) s += static_cast<Acc>(x[i]);
    return s;
  }
  static void accumulate(Acc* acc, const In* x, int64_t n) {
    for (int64_t j = 0; j < n; j++) acc[j] += static_cast<Acc>(x[j]);
  }
};

// NaN-propagating max (NumPy semantics): once a NaN is seen it stays.
template <class T>
T max_nan(T a, T b) {
  return (b > a || b != b) ? b : a;
}

template <class T>
struct MaxR {
  using AccT = T;
  static T identity() {
    using L = std::numeric_limits<T>;
    return L::has_infinity ? -L::infinity() : L::lowest();
  }
  static T merge(T a, T b) { return max_nan(a, b); }
  static T row(const T* x, int64_t n) {
    T lane[8];
    std::fill(lane, lane + 8, identity());
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int j = 0; j < 8; j++) lane[j] = max_nan(lane[j], x[i + j]);
    }
    T m = identity();
    for (int j = 0; j < 8; j++) m = max_nan(m, lane[j]);
    for (; i < n; i++) m = max_nan(m, x[i]);
    return m;
  }
  static void accumulate(T* acc, const T* x, int64_t n) {
    for (int64_t j = 0; j < n; j++) acc[j] = max_nan(acc[j], x[j]);
  }
};

// NaN-propagating min, the mirror of max_nan.
template <class T>
T min_nan(T a, T b) {
  return (b < a || b != b) ? b : a;
}

template <class T>
struct MinR {
  using AccT = T;
  static T identity() {
    using L = std::numeric_limits<T>;
    return L::has_infinity ? L::infinity() : L::max();
  }
  static T merge(T a, T b) { return min_nan(a, b); }
  static T row(const T* x, int64_t n) {
    T lane[8];
    std::fill(lane, lane + 8, identity());
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int j = 0; j < 8; j++) lane[j] = min_nan(lane[j], x[i + j]);
    }
    T m = identity();
    for (int j = 0; j < 8; j++) m = min_nan(m, lane[j]);
    for (; i < n; i++) m = min_nan(m, x[i]);
    return m;
  }
  static void accumulate(T* acc, const T* x, int64_t n) {
    for (int64_t j = 0; j < n; j++) acc[j] = min_nan(acc[j], x[j]);
  }
};

// Products multiply in element order within a row (as the TypeScript reference does, so an overflow to inf followed
// by a zero gives its NaN), in doubles for floats and uint32 for integers (wrapping like Math.imul).
template <class In, class Acc>
struct ProdR {
  using AccT = Acc;
  static Acc identity() { return Acc(1); }
  static Acc merge(Acc a, Acc b) { return a * b; }
  static Acc row(const In* x, int64_t n) {
    Acc p = Acc(1);
    for (int64_t i = 0; i < n; i++) p *= static_cast<Acc>(x[i]);
    return p;
  }
  static void accumulate(Acc* acc, const In* x, int64_t n) {
    for (int64_t j = 0; j < n; j++) acc[j] *= static_cast<Acc>(x[j]);
  }
};

// Logical AND / OR of x != 0 (NaN is nonzero), as 0 or 1.
template <class In, bool kAll>
struct TruthR {
  using AccT = uint8_t;
  static uint8_t identity() { return kAll ? 1 : 0; }
  static uint8_t merge(uint8_t a, uint8_t b) { return kAll ? (a & b) : (a | b); }
  static uint8_t row(const In* x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
      if ((x[i] != 0) != kAll) return kAll ? 0 : 1;
    }
    return identity();
  }
  static void accumulate(uint8_t* acc, const In* x, int64_t n) {
    for (int64_t j = 0; j < n; j++) {
      if (kAll) {
        acc[j] &= static_cast<uint8_t>(x[j] != 0);
      } else {
        acc[j] |= static_cast<uint8_t>(x[j] != 0);
      }
    }
  }
};

// ---- Geometry: input dims merged into alternating kept / reduced groups, size-1 dims dropped.

struct Groups {
  int n = 0;
  int64_t size[kMaxRank];
  bool reduced[kMaxRank];
  int64_t count = 1;  // input elements per output element
  bool empty = false;  // the input has no elements
};

Groups group_dims(const int64_t* shape, int rank, const bool* reduced) {
  Groups g;
  for (int d = 0; d < rank; d++) {
    if (reduced[d]) g.count *= shape[d];
    if (shape[d] == 0) g.empty = true;
    if (shape[d] == 1) continue;
    if (g.n > 0 && g.reduced[g.n - 1] == reduced[d]) {
      g.size[g.n - 1] *= shape[d];
    } else {
      g.size[g.n] = shape[d];
      g.reduced[g.n] = reduced[d];
      g.n++;
    }
  }
  return g;
}

bool pattern(const Groups& g, std::initializer_list<bool> reduced) {
  if (g.n != static_cast<int>(reduced.size())) return false;
  int i = 0;
  for (bool r : reduced) {
    if (g.reduced[i++] != r) return false;
  }
  return true;
}

// ---- The engine: out[o] = fin(reduction of the input elements that map to o).

// All axes: fixed chunks (chosen from n alone, so the result does not depend on the thread count) reduced in
// parallel, then merged in order.
template <class R, class In>
typename R::AccT reduce_all(const KernelCtx& ctx, const In* x, int64_t n, Status* st) {
  using Acc = typename R::AccT;
  constexpr int64_t kChunk = int64_t{1} << 16;
  if (n <= kChunk) return R::row(x, n);
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::unique_ptr<Acc[]> part(new (std::nothrow) Acc[chunks]);
  if (!part) {
    *st = ERR_ALLOC;
    return R::identity();
  }
  parallel_range(ctx, chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) part[c] = R::row(x + c * kChunk, std::min(kChunk, n - c * kChunk));
  });
  Acc total = R::identity();
  for (int64_t c = 0; c < chunks; c++) total = R::merge(total, part[c]);
  return total;
}

// [outer, red, inner] with the reduced axis in the middle (outer may be 1): tiles of up to 2048 columns (16 KiB of
// double accumulators, in L1) accumulate whole input rows, a vectorized add per row, instead of striding down each
// column.
template <class R, class In, class Out, class Fin>
void reduce_columns(const KernelCtx& ctx, const In* x, int64_t outer, int64_t red, int64_t inner, Out* y, Fin fin) {
  using Acc = typename R::AccT;
  constexpr int64_t kTile = 2048;
  const int64_t tiles = (inner + kTile - 1) / kTile;
  parallel_range(ctx, outer * tiles, std::max<int64_t>(1, kGrainCheap / (red * std::min(inner, kTile))),
                 [&](int64_t w0, int64_t w1) {
                   Acc acc[kTile];
                   for (int64_t w = w0; w < w1; w++) {
                     const int64_t o = w / tiles, j0 = (w % tiles) * kTile, m = std::min(kTile, inner - j0);
                     std::fill(acc, acc + m, R::identity());
                     const In* base = x + o * red * inner + j0;
                     for (int64_t r = 0; r < red; r++) R::accumulate(acc, base + r * inner, m);
                     Out* dst = y + o * inner + j0;
                     for (int64_t j = 0; j < m; j++) dst[j] = fin(acc[j]);
                   }
                 });
}

template <class R, class In>
void accumulate_groups(const In* x, const Groups& g, const int64_t* in_stride, const int64_t* out_stride, int d,
                       typename R::AccT* acc) {
  if (d == g.n - 1) {
    if (g.reduced[d]) {
      *acc = R::merge(*acc, R::row(x, g.size[d]));
    } else {
      R::accumulate(acc, x, g.size[d]);
    }
    return;
  }
  for (int64_t i = 0; i < g.size[d]; i++) {
    const int64_t o = g.reduced[d] ? 0 : i * out_stride[d];
    accumulate_groups<R>(x + i * in_stride[d], g, in_stride, out_stride, d + 1, acc + o);
  }
}

// Any other pattern (e.g. [K, R, K, R]): accumulate into a buffer the size of the output, single-threaded.
template <class R, class In, class Out, class Fin>
Status reduce_generic(const In* x, const Groups& g, Out* y, int64_t out_size, Fin fin) {
  using Acc = typename R::AccT;
  int64_t in_stride[kMaxRank], out_stride[kMaxRank];
  int64_t si = 1, so = 1;
  for (int d = g.n - 1; d >= 0; d--) {
    in_stride[d] = si;
    out_stride[d] = so;
    si *= g.size[d];
    if (!g.reduced[d]) so *= g.size[d];
  }
  std::unique_ptr<Acc[]> acc(new (std::nothrow) Acc[out_size]);
  if (!acc) return ERR_ALLOC;
  std::fill(acc.get(), acc.get() + out_size, R::identity());
  accumulate_groups<R>(x, g, in_stride, out_stride, 0, acc.get());
  for (int64_t o = 0; o < out_size; o++) y[o] = fin(acc[o]);
  return OK;
}

template <class R, class In, class Out, class Fin>
Status reduce(const KernelCtx& ctx, const In* x, const Groups& g, Out* y, int64_t out_size, Fin fin) {
  if (out_size == 0) return OK;
  if (g.empty) {  // nothing to reduce: every output is the reduction of no elements
    std::fill(y, y + out_size, fin(R::identity()));
    return OK;
  }
  if (g.n == 0 || pattern(g, {false})) {  // nothing reduced (or a single element)
    parallel_range(ctx, out_size, kGrainCheap, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) y[i] = fin(R::row(x + i, 1));
    });
    return OK;
  }
  if (pattern(g, {true})) {
    Status st = OK;
    const auto total = reduce_all<R>(ctx, x, g.size[0], &st);
    y[0] = fin(total);
    return st;
  }
  if (pattern(g, {false, true})) {  // trailing axes: one reduction per row
    const int64_t len = g.size[1];
    parallel_range(ctx, g.size[0], std::max<int64_t>(1, kGrainCheap / len), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) y[r] = fin(R::row(x + r * len, len));
    });
    return OK;
  }
  if (pattern(g, {true, false})) {  // leading axes (bias gradients): column reduction
    reduce_columns<R>(ctx, x, 1, g.size[0], g.size[1], y, fin);
    return OK;
  }
  if (pattern(g, {false, true, false})) {
    reduce_columns<R>(ctx, x, g.size[0], g.size[1], g.size[2], y, fin);
    return OK;
  }
  return reduce_generic<R>(x, g, y, out_size, fin);
}

// ---- Attribute parsing and shape checks.

// ints [keepdims, ...axes] with axes ascending and in range; fills reduced[] for x's dims.
Status parse_reduce_attrs(const Attrs& at, int rank, bool* reduced, bool* keepdims) {
  if (at.n_ints < 1) return ERR_INVALID;
  *keepdims = at.ints[0] != 0;
  std::fill(reduced, reduced + kMaxRank, false);
  for (int k = 1; k < at.n_ints; k++) {
    const int a = at.ints[k];
    if (a < 0 || a >= rank || (k > 1 && a <= at.ints[k - 1])) return ERR_INVALID;
    reduced[a] = true;
  }
  return OK;
}

bool reduced_shape_ok(const Tensor& x, const bool* reduced, bool keepdims, const Tensor& y) {
  int64_t want[kMaxRank];
  int r = 0;
  for (int d = 0; d < x.ndim; d++) {
    if (!reduced[d]) {
      want[r++] = x.shape[d];
    } else if (keepdims) {
      want[r++] = 1;
    }
  }
  return y.ndim == r && std::equal(want, want + r, y.shape);
}

template <class In, class Out>
Status sum_typed(const KernelCtx& ctx, const Groups& g) {
  using Acc = std::conditional_t<std::is_floating_point_v<In>, double, uint32_t>;
  const In* x = static_cast<const In*>(ctx.in[0].data);
  Out* y = static_cast<Out*>(ctx.out->data);
  return reduce<SumR<In, Acc>>(ctx, x, g, y, ctx.out->size, [](Acc a) { return static_cast<Out>(a); });
}

// Sum with the output dtype rule of the graph: floats keep their dtype, I32 and BOOL sum to I32 (wrapping).
Status sum_dispatch(const KernelCtx& ctx, const Groups& g) {
  const DType in = ctx.in[0].dtype, out = ctx.out->dtype;
  if (in == F32 && out == F32) return sum_typed<float, float>(ctx, g);
  if (in == F64 && out == F64) return sum_typed<double, double>(ctx, g);
  if (in == I32 && out == I32) return sum_typed<int32_t, int32_t>(ctx, g);
  if (in == BOOL && out == I32) return sum_typed<uint8_t, int32_t>(ctx, g);
  return ERR_DTYPE;
}

template <class In, class Out>
Status mean_typed(const KernelCtx& ctx, const Groups& g) {
  const In* x = static_cast<const In*>(ctx.in[0].data);
  Out* y = static_cast<Out*>(ctx.out->data);
  const double count = static_cast<double>(g.count);  // 0 gives NaN, as NumPy
  auto fin = [count](double a) { return static_cast<Out>(a / count); };
  return reduce<SumR<In, double>>(ctx, x, g, y, ctx.out->size, fin);
}

template <class Out>
Status mean_out(const KernelCtx& ctx, const Groups& g) {
  switch (ctx.in[0].dtype) {
    case F32: return ctx.out->dtype == F32 ? mean_typed<float, Out>(ctx, g) : ERR_DTYPE;
    case F64: return ctx.out->dtype == F64 ? mean_typed<double, Out>(ctx, g) : ERR_DTYPE;
    case I32: return mean_typed<int32_t, Out>(ctx, g);
    default: return mean_typed<uint8_t, Out>(ctx, g);
  }
}

Status check_reduce(const KernelCtx& ctx, Groups* g) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  bool reduced[kMaxRank], keepdims;
  Status st = parse_reduce_attrs(ctx.attrs, ctx.in[0].ndim, reduced, &keepdims);
  if (st != OK) return st;
  if (!reduced_shape_ok(ctx.in[0], reduced, keepdims, *ctx.out)) return ERR_SHAPE;
  *g = group_dims(ctx.in[0].shape, ctx.in[0].ndim, reduced);
  return OK;
}

// ---- Min, Prod, All, Any: the same engine with other policies.

template <class R, class In, class Out>
Status run_reduce(const KernelCtx& ctx, const Groups& g) {
  return reduce<R>(ctx, static_cast<const In*>(ctx.in[0].data), g, static_cast<Out*>(ctx.out->data), ctx.out->size,
                   [](typename R::AccT a) { return static_cast<Out>(a); });
}

// Max and Min keep the dtype: F32, F64, I32, BOOL.
template <template <class> class R>
Status extremum_dispatch(const KernelCtx& ctx, const Groups& g) {
  if (ctx.in[0].dtype != ctx.out->dtype) return ERR_DTYPE;
  switch (ctx.out->dtype) {
    case F32: return run_reduce<R<float>, float, float>(ctx, g);
    case F64: return run_reduce<R<double>, double, double>(ctx, g);
    case I32: return run_reduce<R<int32_t>, int32_t, int32_t>(ctx, g);
    case BOOL: return run_reduce<R<uint8_t>, uint8_t, uint8_t>(ctx, g);
  }
  return ERR_DTYPE;
}

Status min_dispatch(const KernelCtx& ctx, const Groups& g) { return extremum_dispatch<MinR>(ctx, g); }
Status max_dispatch(const KernelCtx& ctx, const Groups& g) { return extremum_dispatch<MaxR>(ctx, g); }

// Prod has Sum's dtype rule: floats keep their dtype, I32 and BOOL multiply to I32 (wrapping).
Status prod_dispatch(const KernelCtx& ctx, const Groups& g) {
  const DType in = ctx.in[0].dtype, out = ctx.out->dtype;
  if (in == F32 && out == F32) return run_reduce<ProdR<float, double>, float, float>(ctx, g);
  if (in == F64 && out == F64) return run_reduce<ProdR<double, double>, double, double>(ctx, g);
  if (in == I32 && out == I32) return run_reduce<ProdR<int32_t, uint32_t>, int32_t, int32_t>(ctx, g);
  if (in == BOOL && out == I32) return run_reduce<ProdR<uint8_t, uint32_t>, uint8_t, int32_t>(ctx, g);
  return ERR_DTYPE;
}

// All and Any read any dtype and write BOOL.
template <bool kAll>
Status truth_dispatch(const KernelCtx& ctx, const Groups& g) {
  if (ctx.out->dtype != BOOL) return ERR_DTYPE;
  switch (ctx.in[0].dtype) {
    case F32: return run_reduce<TruthR<float, kAll>, float, uint8_t>(ctx, g);
    case F64: return run_reduce<TruthR<double, kAll>, double, uint8_t>(ctx, g);
    case I32: return run_reduce<TruthR<int32_t, kAll>, int32_t, uint8_t>(ctx, g);
    case BOOL: return run_reduce<TruthR<uint8_t, kAll>, uint8_t, uint8_t>(ctx, g);
  }
  return ERR_DTYPE;
}

Status all_dispatch(const KernelCtx& ctx, const Groups& g) { return truth_dispatch<true>(ctx, g); }
Status any_dispatch(const KernelCtx& ctx, const Groups& g) { return truth_dispatch<false>(ctx, g); }

// Calls f(out_offset, run, len) for every contiguous innermost run of the grouped input (g.n >= 1, not empty), in
// row-major order, so a running count per output is the index of an element within its group.
template <class In, class F>
void visit_runs(const In* x, const Groups& g, F&& f) {
  int64_t in_stride[kMaxRank], out_stride[kMaxRank], idx[kMaxRank] = {0};
  int64_t si = 1, so = 1;
  for (int d = g.n - 1; d >= 0; d--) {
    in_stride[d] = si;
    out_stride[d] = g.reduced[d] ? 0 : so;
    si *= g.size[d];
    if (!g.reduced[d]) so *= g.size[d];
  }
  const int last = g.n - 1;
  const int64_t len = g.size[last], runs = si / len;
  int64_t in_off = 0, out_off = 0;
  for (int64_t r = 0; r < runs; r++) {
    f(out_off, x + in_off, len);
    for (int d = last - 1; d >= 0; d--) {
      idx[d]++;
      in_off += in_stride[d];
      out_off += out_stride[d];
      if (idx[d] < g.size[d]) break;
      in_off -= in_stride[d] * g.size[d];
      out_off -= out_stride[d] * g.size[d];
      idx[d] = 0;
    }
  }
}

// ---- Argmax / Argmin: the first best element wins a tie, and the first NaN wins over any number (NumPy).

template <bool kMin, class T>
inline bool arg_better(T v, T b) {
  return b == b && ((kMin ? v < b : v > b) || v != v);
}

// The index of the best of x[0..n), n >= 1, and that element in *best.
template <bool kMin, class T>
int64_t arg_row(const T* x, int64_t n, T* best) {
  T b = x[0];
  int64_t k = 0;
  for (int64_t i = 1; i < n && b == b; i++) {
    if (arg_better<kMin>(x[i], b)) {
      b = x[i];
      k = i;
    }
  }
  *best = b;
  return k;
}

template <bool kMin, class T>
Status arg_typed(const KernelCtx& ctx, const Groups& g) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  int32_t* y = static_cast<int32_t*>(ctx.out->data);
  const int64_t out_size = ctx.out->size;
  if (out_size == 0) return OK;
  if (g.n == 0 || pattern(g, {false})) {  // groups of one element
    std::fill(y, y + out_size, 0);
    return OK;
  }
  if (pattern(g, {true})) {  // fixed chunks, merged in order (a later chunk wins only if strictly better)
    constexpr int64_t kChunk = int64_t{1} << 16;
    const int64_t n = g.size[0], chunks = (n + kChunk - 1) / kChunk;
    std::unique_ptr<T[]> best(new (std::nothrow) T[chunks]);
    std::unique_ptr<int64_t[]> at(new (std::nothrow) int64_t[chunks]);
    if (!best || !at) return ERR_ALLOC;
    parallel_range(ctx, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; c++) at[c] = c * kChunk + arg_row<kMin>(x + c * kChunk, std::min(kChunk, n - c * kChunk), &best[c]);
    });
    int64_t k = 0;
    for (int64_t c = 1; c < chunks; c++) {
      if (arg_better<kMin>(best[c], best[k])) k = c;
    }
    y[0] = static_cast<int32_t>(at[k]);
    return OK;
  }
  if (pattern(g, {false, true})) {
    const int64_t len = g.size[1];
    parallel_range(ctx, g.size[0], std::max<int64_t>(1, kGrainCheap / len), [&](int64_t r0, int64_t r1) {
      T b;
      for (int64_t r = r0; r < r1; r++) y[r] = static_cast<int32_t>(arg_row<kMin>(x + r * len, len, &b));
    });
    return OK;
  }
  if (pattern(g, {true, false}) || pattern(g, {false, true, false})) {  // column tiles, as reduce_columns
    const bool lead = g.n == 2;
    const int64_t outer = lead ? 1 : g.size[0], red = g.size[lead ? 0 : 1], inner = g.size[lead ? 1 : 2];
    constexpr int64_t kTile = 1024;
    const int64_t tiles = (inner + kTile - 1) / kTile;
    parallel_range(ctx, outer * tiles, std::max<int64_t>(1, kGrainCheap / (red * std::min(inner, kTile))),
                   [&](int64_t w0, int64_t w1) {
                     T best[kTile];
                     int32_t at[kTile];
                     for (int64_t w = w0; w < w1; w++) {
                       const int64_t o = w / tiles, j0 = (w % tiles) * kTile, m = std::min(kTile, inner - j0);
                       const T* base = x + o * red * inner + j0;
                       std::copy(base, base + m, best);
                       std::fill(at, at + m, 0);
                       for (int64_t r = 1; r < red; r++) {
                         const T* row = base + r * inner;
                         for (int64_t j = 0; j < m; j++) {
                           if (arg_better<kMin>(row[j], best[j])) {
                             best[j] = row[j];
                             at[j] = static_cast<int32_t>(r);
                           }
                         }
                       }
                       std::copy(at, at + m, y + o * inner + j0);
                     }
                   });
    return OK;
  }
  // any other pattern: one pass in row-major order with a running count per group, single-threaded
  std::unique_ptr<T[]> best(new (std::nothrow) T[out_size]);
  std::unique_ptr<int64_t[]> seen(new (std::nothrow) int64_t[out_size]());
  if (!best || !seen) return ERR_ALLOC;
  std::fill(y, y + out_size, 0);
  const bool last_reduced = g.reduced[g.n - 1];
  visit_runs(x, g, [&](int64_t o, const T* p, int64_t len) {
    for (int64_t j = 0; j < len; j++) {
      const int64_t q = last_reduced ? o : o + j;
      const int64_t k = seen[q]++;
      if (k == 0 || arg_better<kMin>(p[j], best[q])) {
        best[q] = p[j];
        y[q] = static_cast<int32_t>(k);
      }
    }
  });
  return OK;
}

template <bool kMin>
Status arg_dispatch(const KernelCtx& ctx, const Groups& g) {
  if (ctx.out->dtype != I32) return ERR_DTYPE;
  switch (ctx.in[0].dtype) {
    case F32: return arg_typed<kMin, float>(ctx, g);
    case F64: return arg_typed<kMin, double>(ctx, g);
    case I32: return arg_typed<kMin, int32_t>(ctx, g);
    case BOOL: return arg_typed<kMin, uint8_t>(ctx, g);
  }
  return ERR_DTYPE;
}

Status argmax_dispatch(const KernelCtx& ctx, const Groups& g) { return arg_dispatch<false>(ctx, g); }
Status argmin_dispatch(const KernelCtx& ctx, const Groups& g) { return arg_dispatch<true>(ctx, g); }

// ---- Logsumexp: m + log(sum(exp(x - m))) with m the group's max, in double; a group whose max is not finite gives
// that max (all -inf: -inf; holding +inf: +inf; holding NaN: NaN).

template <class T>
T lse_row(const T* x, int64_t n) {
  const double m = static_cast<double>(MaxR<T>::row(x, n));
  if (!std::isfinite(m)) return static_cast<T>(m);
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += std::exp(static_cast<double>(x[i]) - m);
  return static_cast<T>(m + std::log(s));
}

template <class T>
Status lse_typed(const KernelCtx& ctx, const Groups& g) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  T* y = static_cast<T*>(ctx.out->data);
  const int64_t out_size = ctx.out->size;
  if (out_size == 0) return OK;
  if (g.n == 0 || pattern(g, {true}) || pattern(g, {false, true}) || pattern(g, {false})) {  // one row per output
    const int64_t len = g.n == 0 || !g.reduced[g.n - 1] ? 1 : g.size[g.n - 1];
    parallel_range(ctx, out_size, std::max<int64_t>(1, kGrainHeavy / len), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) y[r] = lse_row(x + r * len, len);
    });
    return OK;
  }
  if (pattern(g, {true, false}) || pattern(g, {false, true, false})) {  // column tiles: a max pass, then a sum pass
    const bool lead = g.n == 2;
    const int64_t outer = lead ? 1 : g.size[0], red = g.size[lead ? 0 : 1], inner = g.size[lead ? 1 : 2];
    constexpr int64_t kTile = 512;
    const int64_t tiles = (inner + kTile - 1) / kTile;
    parallel_range(ctx, outer * tiles, std::max<int64_t>(1, kGrainHeavy / (red * std::min(inner, kTile))),
                   [&](int64_t w0, int64_t w1) {
                     double m[kTile], s[kTile];
                     for (int64_t w = w0; w < w1; w++) {
                       const int64_t o = w / tiles, j0 = (w % tiles) * kTile, n = std::min(kTile, inner - j0);
                       const T* base = x + o * red * inner + j0;
                       std::fill(m, m + n, -std::numeric_limits<double>::infinity());
                       std::fill(s, s + n, 0.0);
                       for (int64_t r = 0; r < red; r++) {
                         for (int64_t j = 0; j < n; j++) m[j] = max_nan(m[j], static_cast<double>(base[r * inner + j]));
                       }
                       for (int64_t r = 0; r < red; r++) {
                         for (int64_t j = 0; j < n; j++) s[j] += std::exp(static_cast<double>(base[r * inner + j]) - m[j]);
                       }
                       T* dst = y + o * inner + j0;
                       for (int64_t j = 0; j < n; j++) dst[j] = static_cast<T>(std::isfinite(m[j]) ? m[j] + std::log(s[j]) : m[j]);
                     }
                   });
    return OK;
  }
  // any other pattern: two row-major passes (max, then the shifted sum), single-threaded
  std::unique_ptr<double[]> m(new (std::nothrow) double[out_size]);
  std::unique_ptr<double[]> s(new (std::nothrow) double[out_size]());
  if (!m || !s) return ERR_ALLOC;
  std::fill(m.get(), m.get() + out_size, -std::numeric_limits<double>::infinity());
  const bool last_reduced = g.reduced[g.n - 1];
  visit_runs(x, g, [&](int64_t o, const T* p, int64_t len) {
    for (int64_t j = 0; j < len; j++) {
      double& q = m[last_reduced ? o : o + j];
      q = max_nan(q, static_cast<double>(p[j]));
    }
  });
  visit_runs(x, g, [&](int64_t o, const T* p, int64_t len) {
    for (int64_t j = 0; j < len; j++) {
      const int64_t q = last_reduced ? o : o + j;
      s[q] += std::exp(static_cast<double>(p[j]) - m[q]);
    }
  });
  for (int64_t o = 0; o < out_size; o++) y[o] = static_cast<T>(std::isfinite(m[o]) ? m[o] + std::log(s[o]) : m[o]);
  return OK;
}

Status lse_dispatch(const KernelCtx& ctx, const Groups& g) {
  if (ctx.in[0].dtype != ctx.out->dtype) return ERR_DTYPE;
  if (ctx.out->dtype == F32) return lse_typed<float>(ctx, g);
  if (ctx.out->dtype == F64) return lse_typed<double>(ctx, g);
  return ERR_DTYPE;
}

// ---- Softmax along one axis.

template <class T>
T max_row(const T* x, int64_t n) {
  return MaxR<T>::row(x, n);
}

// y = exp(x - max) / sum, or (x - max) - log(sum); the sum accumulates in double. Rows of all -inf (or with a NaN)
// give NaN, as in NumPy.
template <class T>
void softmax_row(const T* x, T* y, int64_t n, bool log) {
  const T m = max_row(x, n);
  ew_binary(EwOp::Sub, x, 1, &m, 0, y, n);
  ew_unary(EwOp::Exp, y, y, n);
  const double s = SumR<T, double>::row(y, n);
  if (log) {
    const T lse = static_cast<T>(std::log(s));
    ew_binary(EwOp::Sub, x, 1, &m, 0, y, n);
    ew_binary(EwOp::Sub, y, 1, &lse, 0, y, n);
  } else {
    const T inv = static_cast<T>(1.0 / s);
    ew_binary(EwOp::Mul, y, 1, &inv, 0, y, n);
  }
}

// A softmax along a middle axis: each line [outer, len, inner] is gathered into a buffer, computed as a row and
// scattered back.
template <class T>
Status softmax_strided(const KernelCtx& ctx, const T* x, T* y, int64_t outer, int64_t len, int64_t inner, bool log) {
  std::atomic<bool> failed{false};
  parallel_range(ctx, outer * inner, std::max<int64_t>(1, kGrainHeavy / len), [&](int64_t l0, int64_t l1) {
    std::unique_ptr<T[]> buf(new (std::nothrow) T[2 * len]);
    if (!buf) {
      failed = true;
      return;
    }
    for (int64_t l = l0; l < l1; l++) {
      const int64_t base = (l / inner) * len * inner + l % inner;
      for (int64_t j = 0; j < len; j++) buf[j] = x[base + j * inner];
      softmax_row(buf.get(), buf.get() + len, len, log);
      for (int64_t j = 0; j < len; j++) y[base + j * inner] = buf[len + j];
    }
  });
  return failed ? ERR_ALLOC : OK;
}

Status softmax_common(const KernelCtx& ctx, bool log) {
  if (ctx.n_in != 1 || ctx.n_out != 1 || ctx.attrs.n_ints < 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  const int axis = ctx.attrs.ints[0] == -1 ? x.ndim - 1 : ctx.attrs.ints[0];
  if (x.ndim > 0 && (axis < 0 || axis >= x.ndim)) return ERR_INVALID;
  if (x.dtype != y.dtype || (x.dtype != F32 && x.dtype != F64)) return ERR_DTYPE;
  if (x.ndim != y.ndim || !std::equal(x.shape, x.shape + x.ndim, y.shape)) return ERR_SHAPE;
  if (x.size == 0) return OK;
  const int64_t len = x.ndim ? x.shape[axis] : 1, rows = x.size / len;
  int64_t inner = 1;
  for (int d = axis + 1; d < x.ndim; d++) inner *= x.shape[d];
  if (inner > 1 && len > 1) {
    const int64_t outer = rows / inner;
    if (x.dtype == F32) {
      return softmax_strided(ctx, static_cast<const float*>(x.data), static_cast<float*>(y.data), outer, len, inner, log);
    }
    return softmax_strided(ctx, static_cast<const double*>(x.data), static_cast<double*>(y.data), outer, len, inner, log);
  }
  parallel_range(ctx, rows, std::max<int64_t>(1, kGrainHeavy / len), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      if (x.dtype == F32) {
        softmax_row(static_cast<const float*>(x.data) + r * len, static_cast<float*>(y.data) + r * len, len, log);
      } else {
        softmax_row(static_cast<const double*>(x.data) + r * len, static_cast<double*>(y.data) + r * len, len, log);
      }
    }
  });
  return OK;
}

}  // namespace

// Sum: out = sum of in0 over axes; ints [keepdims, ...axes] (ascending, non-negative); out shape already reduced.
// F32 -> F32 and F64 -> F64 (accumulated in double), I32 -> I32 and BOOL -> I32 (wrapping). Empty sums are 0.
Status sum_kernel(const KernelCtx& ctx) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  return st != OK ? st : sum_dispatch(ctx, g);
}

// Mean: as Sum, divided by the number of reduced elements (NaN for none); F32/F64 keep their dtype, I32/BOOL
// inputs give F32 or F64 (out.dtype).
Status mean_kernel(const KernelCtx& ctx) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  if (st != OK) return st;
  if (ctx.out->dtype == F32) return mean_out<float>(ctx, g);
  if (ctx.out->dtype == F64) return mean_out<double>(ctx, g);
  return ERR_DTYPE;
}

namespace {

// Prepared reductions: the grouped geometry is worked out once per plan. Below kGrainHeavy input elements no
// reduction pattern splits its work (each split threshold needs more), so such steps need no pool.
struct ReduceState : KernelState {
  Groups g;
  bool copy = false;  // SumTo of equal shapes
};

bool reduce_needs_pool(const KernelCtx& ctx) { return ctx.in[0].size >= kGrainHeavy || ctx.out->size >= kGrainHeavy; }

bool sum_dtypes_ok(DType in, DType out) {
  return (in == F32 && out == F32) || (in == F64 && out == F64) || (in == I32 && out == I32) || (in == BOOL && out == I32);
}

Status finish_prepare(const KernelCtx& ctx, const Groups& g, KernelFn run, PreparedStep* out) {
  std::unique_ptr<ReduceState> s(new ReduceState());
  s->g = g;
  out->state = std::move(s);
  out->run = run;
  out->needs_pool = reduce_needs_pool(ctx);
  return OK;
}

const Groups& groups_of(const KernelCtx& ctx) { return static_cast<const ReduceState*>(ctx.state)->g; }

Status sum_prepared(const KernelCtx& ctx) { return sum_dispatch(ctx, groups_of(ctx)); }

Status mean_prepared(const KernelCtx& ctx) {
  return ctx.out->dtype == F32 ? mean_out<float>(ctx, groups_of(ctx)) : mean_out<double>(ctx, groups_of(ctx));
}

Status sum_to_prepared(const KernelCtx& ctx) {
  const ReduceState& s = *static_cast<const ReduceState*>(ctx.state);
  if (s.copy) {
    if (ctx.out->size > 0) std::memcpy(ctx.out->data, ctx.in[0].data, ctx.out->size * dtype_size(ctx.out->dtype));
    return OK;
  }
  return sum_dispatch(ctx, s.g);
}

// SumTo's checks; *reduced_any is false when the shapes are equal (a copy).
Status sum_to_setup(const KernelCtx& ctx, Groups* g, bool* reduced_any) {
  if (ctx.n_in != 2 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor &x = ctx.in[0], &ref = ctx.in[1];
  const Tensor& y = *ctx.out;
  if (x.dtype != y.dtype || x.dtype == BOOL) return ERR_DTYPE;
  if (y.ndim != ref.ndim || !std::equal(ref.shape, ref.shape + ref.ndim, y.shape)) return ERR_SHAPE;
  const int lead = x.ndim - ref.ndim;
  if (lead < 0) return ERR_SHAPE;
  bool reduced[kMaxRank];
  for (int d = 0; d < x.ndim; d++) {
    const int64_t r = d < lead ? 1 : ref.shape[d - lead];
    if (r != 1 && r != x.shape[d]) return ERR_SHAPE;
    reduced[d] = d < lead || (r == 1 && x.shape[d] != 1);
  }
  *reduced_any = std::any_of(reduced, reduced + x.ndim, [](bool r) { return r; });
  if (*reduced_any) *g = group_dims(x.shape, x.ndim, reduced);
  return OK;
}

// The generic kernel, prepare and prepared run of a reduction given its dispatch (which checks the dtypes, so a
// prepared step reports a bad dtype exactly as the generic kernel does). kNonEmpty: reducing no elements (into a
// non-empty output) is ERR_SHAPE.
using Dispatch = Status (*)(const KernelCtx&, const Groups&);

template <Dispatch D, bool kNonEmpty>
Status reduce_generic_kernel(const KernelCtx& ctx) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  if (st != OK) return st;
  if (kNonEmpty && g.count == 0 && ctx.out->size > 0) return ERR_SHAPE;
  return D(ctx, g);
}

template <Dispatch D>
Status reduce_prepared_run(const KernelCtx& ctx) {
  return D(ctx, groups_of(ctx));
}

template <Dispatch D, bool kNonEmpty>
Status reduce_prepare(const KernelCtx& ctx, PreparedStep* out) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  if (st != OK) return st;
  if (kNonEmpty && g.count == 0 && ctx.out->size > 0) return ERR_SHAPE;
  return finish_prepare(ctx, g, reduce_prepared_run<D>, out);
}

}  // namespace

// Max, Min: out = max / min of in0 over axes (NaN propagates); ints [keepdims, ...axes]; F32, F64, I32, BOOL with
// out dtype = in dtype; reducing no elements is ERR_SHAPE.
Status max_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<max_dispatch, true>(ctx); }
Status max_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<max_dispatch, true>(ctx, out); }
Status min_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<min_dispatch, true>(ctx); }
Status min_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<min_dispatch, true>(ctx, out); }

// Prod: as Sum with a product (an empty product is 1); F32 -> F32, F64 -> F64 (multiplied in double, in element
// order within a row), I32 -> I32 and BOOL -> I32 (wrapping).
Status prod_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<prod_dispatch, false>(ctx); }
Status prod_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<prod_dispatch, false>(ctx, out); }

// All, Any: out (BOOL) = every / some element over axes is nonzero (NaN counts as nonzero); any input dtype; an empty
// group gives 1 for All and 0 for Any.
Status all_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<all_dispatch, false>(ctx); }
Status all_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<all_dispatch, false>(ctx, out); }
Status any_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<any_dispatch, false>(ctx); }
Status any_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<any_dispatch, false>(ctx, out); }

// Argmax, Argmin: out (I32) = the index of the largest / smallest element within its group, counted in row-major
// order over the reduced axes (the flat index when all are reduced); the first wins a tie and the first NaN wins over
// any number. Any input dtype; reducing no elements is ERR_SHAPE.
Status argmax_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<argmax_dispatch, true>(ctx); }
Status argmax_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<argmax_dispatch, true>(ctx, out); }
Status argmin_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<argmin_dispatch, true>(ctx); }
Status argmin_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<argmin_dispatch, true>(ctx, out); }

// Logsumexp: out = m + log(sum(exp(x - m))) over axes, m the group max, in double; a group whose max is -inf, +inf
// or NaN gives that max. F32 -> F32, F64 -> F64; reducing no elements is ERR_SHAPE.
Status logsumexp_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<lse_dispatch, true>(ctx); }
Status logsumexp_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<lse_dispatch, true>(ctx, out); }

Status sum_prepare(const KernelCtx& ctx, PreparedStep* out) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  if (st != OK) return st;
  if (!sum_dtypes_ok(ctx.in[0].dtype, ctx.out->dtype)) return ERR_DTYPE;
  return finish_prepare(ctx, g, sum_prepared, out);
}

Status mean_prepare(const KernelCtx& ctx, PreparedStep* out) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  if (st != OK) return st;
  const DType in = ctx.in[0].dtype, o = ctx.out->dtype;
  if (o != F32 && o != F64) return ERR_DTYPE;
  if ((in == F32 || in == F64) && in != o) return ERR_DTYPE;
  if (in != F32 && in != F64 && in != I32 && in != BOOL) return ERR_DTYPE;
  return finish_prepare(ctx, g, mean_prepared, out);
}

Status sum_to_prepare(const KernelCtx& ctx, PreparedStep* out) {
  Groups g;
  bool reduced_any = false;
  Status st = sum_to_setup(ctx, &g, &reduced_any);
  if (st != OK) return st;
  if (reduced_any && !sum_dtypes_ok(ctx.in[0].dtype, ctx.out->dtype)) return ERR_DTYPE;
  st = finish_prepare(ctx, g, sum_to_prepared, out);
  static_cast<ReduceState*>(out->state.get())->copy = !reduced_any;
  return st;
}

// SumTo: inputs x, ref; out (shape = ref.shape, dtype = x's: F32, F64, I32) = x summed over its leading extra dims
// and over the dims where ref has 1 and x does not; ref's data is not read; equal shapes copy.
Status sum_to_kernel(const KernelCtx& ctx) {
  Groups g;
  bool reduced_any = false;
  Status st = sum_to_setup(ctx, &g, &reduced_any);
  if (st != OK) return st;
  if (!reduced_any) {  // same shape: a copy
    if (ctx.out->size > 0) std::memcpy(ctx.out->data, ctx.in[0].data, ctx.out->size * dtype_size(ctx.out->dtype));
    return OK;
  }
  return sum_dispatch(ctx, g);
}

// AxisCount: out (rank 0, any dtype) = product of in0's dims over ints [...axes]; in0's data is not read.
Status axis_count_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  if (y.size != 1) return ERR_SHAPE;
  int64_t n = 1;
  for (int k = 0; k < ctx.attrs.n_ints; k++) {
    const int a = ctx.attrs.ints[k];
    if (a < 0 || a >= x.ndim) return ERR_INVALID;
    n *= x.shape[a];
  }
  switch (y.dtype) {
    case F32: *static_cast<float*>(y.data) = static_cast<float>(n); break;
    case F64: *static_cast<double*>(y.data) = static_cast<double>(n); break;
    case I32: *static_cast<int32_t*>(y.data) = static_cast<int32_t>(n); break;
    default: *static_cast<uint8_t*>(y.data) = n != 0; break;
  }
  return OK;
}

// Softmax: out = exp(x - max) / sum along one axis, numerically stable; ints [axis] (-1 for the last); F32/F64, same
// shape; out does not alias in0. Lines along the last axis (or any axis when the dims after it are 1) are computed in
// place; others through a per-thread buffer.
Status softmax_kernel(const KernelCtx& ctx) { return softmax_common(ctx, false); }

// LogSoftmax: out = (x - max) - log(sum exp(x - max)) along one axis; as Softmax otherwise.
Status log_softmax_kernel(const KernelCtx& ctx) { return softmax_common(ctx, true); }

}  // namespace nodeano
