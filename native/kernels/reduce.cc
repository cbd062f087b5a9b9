#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>

#include "parallel.h"
#include "reduce_common.h"

namespace nodeano {

using namespace reduce_detail;

namespace {

// More reduction policies (SumR and MaxR are in reduce_common.h).

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

bool sum_dtypes_ok(DType in, DType out) {
  return (in == F32 && out == F32) || (in == F64 && out == F64) || (in == I32 && out == I32) || (in == BOOL && out == I32);
}

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

}  // namespace

// Sum: out = sum of in0 over axes; ints [keepdims, ...axes] (ascending, non-negative); out shape already reduced.
// F32 -> F32 and F64 -> F64 (accumulated in double), I32 -> I32 and BOOL -> I32 (wrapping). Empty sums are 0.
Status sum_kernel(const KernelCtx& ctx) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  return st != OK ? st : sum_dispatch(ctx, g);
}

Status sum_prepare(const KernelCtx& ctx, PreparedStep* out) {
  Groups g;
  Status st = check_reduce(ctx, &g);
  if (st != OK) return st;
  if (!sum_dtypes_ok(ctx.in[0].dtype, ctx.out->dtype)) return ERR_DTYPE;
  return finish_prepare(ctx, g, sum_prepared, out);
}
NODEANO_KERNEL("Sum", sum_kernel, sum_prepare);

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
NODEANO_KERNEL("Mean", mean_kernel, mean_prepare);

// Max, Min: out = max / min of in0 over axes (NaN propagates); ints [keepdims, ...axes]; F32, F64, I32, BOOL with
// out dtype = in dtype; reducing no elements is ERR_SHAPE.
Status max_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<max_dispatch, true>(ctx); }
Status max_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<max_dispatch, true>(ctx, out); }
Status min_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<min_dispatch, true>(ctx); }
Status min_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<min_dispatch, true>(ctx, out); }
NODEANO_KERNEL("Max", max_kernel, max_prepare);
NODEANO_KERNEL("Min", min_kernel, min_prepare);

// Prod: as Sum with a product (an empty product is 1); F32 -> F32, F64 -> F64 (multiplied in double, in element
// order within a row), I32 -> I32 and BOOL -> I32 (wrapping).
Status prod_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<prod_dispatch, false>(ctx); }
Status prod_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<prod_dispatch, false>(ctx, out); }
NODEANO_KERNEL("Prod", prod_kernel, prod_prepare);

// All, Any: out (BOOL) = every / some element over axes is nonzero (NaN counts as nonzero); any input dtype; an empty
// group gives 1 for All and 0 for Any.
Status all_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<all_dispatch, false>(ctx); }
Status all_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<all_dispatch, false>(ctx, out); }
Status any_kernel(const KernelCtx& ctx) { return reduce_generic_kernel<any_dispatch, false>(ctx); }
Status any_prepare(const KernelCtx& ctx, PreparedStep* out) { return reduce_prepare<any_dispatch, false>(ctx, out); }
NODEANO_KERNEL("All", all_kernel, all_prepare);
NODEANO_KERNEL("Any", any_kernel, any_prepare);

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

NODEANO_KERNEL("SumTo", sum_to_kernel, sum_to_prepare);
NODEANO_KERNEL("AxisCount", axis_count_kernel, nullptr);

}  // namespace nodeano
