// Shared by the reduction families (reduce.cc, arg_reduce.cc, softmax.cc), not a kernel family itself: the
// reduce-attribute parsing, input dims grouped into kept / reduced runs, the sum and max row policies, and the
// prepared-step plumbing every reduction uses.
#pragma once
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <new>

#include "kernel.h"
#include "parallel.h"

namespace nodeano {
namespace reduce_detail {

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

// ---- Geometry: input dims merged into alternating kept / reduced groups, size-1 dims dropped.

struct Groups {
  int n = 0;
  int64_t size[kMaxRank];
  bool reduced[kMaxRank];
  int64_t count = 1;  // input elements per output element
  bool empty = false;  // the input has no elements
};

inline Groups group_dims(const int64_t* shape, int rank, const bool* reduced) {
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

inline bool pattern(const Groups& g, std::initializer_list<bool> reduced) {
  if (g.n != static_cast<int>(reduced.size())) return false;
  int i = 0;
  for (bool r : reduced) {
    if (g.reduced[i++] != r) return false;
  }
  return true;
}

// ---- Attribute parsing and shape checks.

// ints [keepdims, ...axes] with axes ascending and in range; fills reduced[] for x's dims.
inline Status parse_reduce_attrs(const Attrs& at, int rank, bool* reduced, bool* keepdims) {
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

inline bool reduced_shape_ok(const Tensor& x, const bool* reduced, bool keepdims, const Tensor& y) {
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

inline Status check_reduce(const KernelCtx& ctx, Groups* g) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  bool reduced[kMaxRank], keepdims;
  Status st = parse_reduce_attrs(ctx.attrs, ctx.in[0].ndim, reduced, &keepdims);
  if (st != OK) return st;
  if (!reduced_shape_ok(ctx.in[0], reduced, keepdims, *ctx.out)) return ERR_SHAPE;
  *g = group_dims(ctx.in[0].shape, ctx.in[0].ndim, reduced);
  return OK;
}

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

// Prepared reductions: the grouped geometry is worked out once per plan. Below kGrainHeavy input elements no
// reduction pattern splits its work (each split threshold needs more), so such steps need no pool.
struct ReduceState : KernelState {
  Groups g;
  bool copy = false;  // SumTo of equal shapes
};

inline bool reduce_needs_pool(const KernelCtx& ctx) { return ctx.in[0].size >= kGrainHeavy || ctx.out->size >= kGrainHeavy; }

inline Status finish_prepare(const KernelCtx& ctx, const Groups& g, KernelFn run, PreparedStep* out) {
  std::unique_ptr<ReduceState> s(new ReduceState());
  s->g = g;
  out->state = std::move(s);
  out->run = run;
  out->needs_pool = reduce_needs_pool(ctx);
  return OK;
}

inline const Groups& groups_of(const KernelCtx& ctx) { return static_cast<const ReduceState*>(ctx.state)->g; }

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

}  // namespace reduce_detail
}  // namespace nodeano
