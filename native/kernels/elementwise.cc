#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "broadcast_geom.h"
#include "parallel.h"
#include "vec_math.h"

namespace nodeano {

// The two float32 instantiations, with internal linkage (see vec_math.h).
namespace {
namespace ew::portable {
namespace vm = vmath::portable;
using V = simd::Scalar;
#include "elementwise_f32.inc"
}  // namespace ew::portable
}  // namespace

#if NODEANO_HAVE_AVX2
#pragma GCC push_options
#pragma GCC target("avx2")
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#endif
namespace {
namespace ew::avx2 {
namespace vm = vmath::avx2;
using V = simd::Avx2;
#include "elementwise_f32.inc"
}  // namespace ew::avx2
}  // namespace
#ifdef __clang__
#pragma clang attribute pop
#endif
#pragma GCC pop_options
#endif

namespace {

// ---- float64 and int32 loops: plain code the compiler vectorizes; transcendentals call libm (correctly rounded or
// within an ulp, exactness first).

template <class T, class Fn>
void map1(const T* a, T* y, int64_t n, Fn fn) {
  for (int64_t i = 0; i < n; i++) y[i] = fn(a[i]);
}

template <class T, class Fn>
void map2(const T* a, int sa, const T* b, int sb, T* y, int64_t n, Fn fn) {
  if (sa && sb) {
    for (int64_t i = 0; i < n; i++) y[i] = fn(a[i], b[i]);
  } else if (sa) {
    const T bv = b[0];
    for (int64_t i = 0; i < n; i++) y[i] = fn(a[i], bv);
  } else if (sb) {
    const T av = a[0];
    for (int64_t i = 0; i < n; i++) y[i] = fn(av, b[i]);
  } else {
    const T v = fn(a[0], b[0]);
    for (int64_t i = 0; i < n; i++) y[i] = v;
  }
}

// sigmoid in double: e/(1+e) with e = exp(-|x|) never overflows, so tiny results keep their relative accuracy.
double sigmoid_f64(double x) {
  const double e = std::exp(-std::fabs(x));
  return (x < 0 ? e : 1.0) / (1.0 + e);
}

template <class T>
T sign_of(T a) {
  return a > 0 ? T(1) : a < 0 ? T(-1) : a;
}

// Math.pow semantics (the reference): unlike C pow, pow(1, NaN) and pow(±1, ±inf) are NaN.
double js_pow(double a, double b) {
  if (std::isnan(b) || (std::isinf(b) && std::fabs(a) == 1.0)) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(a, b);
}

void unary_f64(EwOp op, const double* a, double* y, int64_t n) {
  switch (op) {
    case EwOp::Neg: return map1(a, y, n, [](double x) { return -x; });
    case EwOp::Sqr: return map1(a, y, n, [](double x) { return x * x; });
    case EwOp::Sqrt: return map1(a, y, n, [](double x) { return std::sqrt(x); });
    case EwOp::Exp: return map1(a, y, n, [](double x) { return std::exp(x); });
    case EwOp::Log: return map1(a, y, n, [](double x) { return std::log(x); });
    case EwOp::Abs: return map1(a, y, n, [](double x) { return std::fabs(x); });
    case EwOp::Sign: return map1(a, y, n, [](double x) { return sign_of(x); });
    case EwOp::Tanh: return map1(a, y, n, [](double x) { return std::tanh(x); });
    case EwOp::Sigmoid: return map1(a, y, n, sigmoid_f64);
    default: std::memmove(y, a, n * sizeof(double));
  }
}

void binary_f64(EwOp op, const double* a, int sa, const double* b, int sb, double* y, int64_t n) {
  switch (op) {
    case EwOp::Add: return map2(a, sa, b, sb, y, n, [](double u, double v) { return u + v; });
    case EwOp::Sub: return map2(a, sa, b, sb, y, n, [](double u, double v) { return u - v; });
    case EwOp::Mul: return map2(a, sa, b, sb, y, n, [](double u, double v) { return u * v; });
    case EwOp::Div: return map2(a, sa, b, sb, y, n, [](double u, double v) { return u / v; });
    case EwOp::Pow: return map2(a, sa, b, sb, y, n, js_pow);
    case EwOp::Max: return map2(a, sa, b, sb, y, n, [](double u, double v) { return u > v || u != u ? u : v; });
    case EwOp::Min: return map2(a, sa, b, sb, y, n, [](double u, double v) { return u < v || u != u ? u : v; });
    default: return map2(a, sa, b, sb, y, n, [](double u, double v) { return u > v ? 1.0 : 0.0; });
  }
}

// JS ToInt32 of a number: truncate toward zero, wrap modulo 2^32; NaN and ±inf give 0.
int32_t to_int32(double d) {
  if (std::fabs(d) < 2147483648.0) return static_cast<int32_t>(d);
  if (!std::isfinite(d)) return 0;
  double m = std::fmod(std::trunc(d), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

// int32 arithmetic wraps (two's complement), computed in uint32 where signed overflow would be undefined.
int32_t wrap(uint32_t v) { return static_cast<int32_t>(v); }
uint32_t u32(int32_t v) { return static_cast<uint32_t>(v); }

void unary_i32(EwOp op, const int32_t* a, int32_t* y, int64_t n) {
  switch (op) {
    case EwOp::Neg: return map1(a, y, n, [](int32_t x) { return wrap(0u - u32(x)); });
    case EwOp::Sqr: return map1(a, y, n, [](int32_t x) { return wrap(u32(x) * u32(x)); });
    case EwOp::Abs: return map1(a, y, n, [](int32_t x) { return x < 0 ? wrap(0u - u32(x)) : x; });
    case EwOp::Sign: return map1(a, y, n, [](int32_t x) { return sign_of(x); });
    default: std::memmove(y, a, n * sizeof(int32_t));
  }
}

void binary_i32(EwOp op, const int32_t* a, int sa, const int32_t* b, int sb, int32_t* y, int64_t n) {
  switch (op) {
    case EwOp::Add: return map2(a, sa, b, sb, y, n, [](int32_t u, int32_t v) { return wrap(u32(u) + u32(v)); });
    case EwOp::Sub: return map2(a, sa, b, sb, y, n, [](int32_t u, int32_t v) { return wrap(u32(u) - u32(v)); });
    case EwOp::Mul: return map2(a, sa, b, sb, y, n, [](int32_t u, int32_t v) { return wrap(u32(u) * u32(v)); });
    case EwOp::Pow: return map2(a, sa, b, sb, y, n, ew_pow_i32);
    case EwOp::Max: return map2(a, sa, b, sb, y, n, [](int32_t u, int32_t v) { return u > v ? u : v; });
    case EwOp::Min: return map2(a, sa, b, sb, y, n, [](int32_t u, int32_t v) { return u < v ? u : v; });
    default: return map2(a, sa, b, sb, y, n, [](int32_t u, int32_t v) { return u > v ? 1 : 0; });
  }
}

void unary_f32(EwOp op, const float* a, float* y, int64_t n) {
#if NODEANO_HAVE_AVX2
  if (simd::avx2_enabled()) return ew::avx2::unary(op, a, y, n);
#endif
  ew::portable::unary(op, a, y, n);
}

void binary_f32(EwOp op, const float* a, int sa, const float* b, int sb, float* y, int64_t n) {
#if NODEANO_HAVE_AVX2
  if (simd::avx2_enabled()) return ew::avx2::binary(op, a, sa, b, sb, y, n);
#endif
  ew::portable::binary(op, a, sa, b, sb, y, n);
}

// pow(x, 0.5) is sqrt(x) except at -0 (+0) and -inf (+inf). One pass, so y may equal a.
template <class T>
void pow_half(const T* a, T* y, int64_t n) {
  const T inf = std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < n; i++) y[i] = a[i] == -inf ? inf : std::sqrt(a[i]) + T(0);
}

// Exponents that have an exact cheap form take a vectorized path (same values as pow, which is correctly rounded
// there); everything else goes through double pow one element at a time.
template <class T>
void pow_span(const T* a, int sa, const T* b, int sb, T* y, int64_t n) {
  if (sa && !sb) {
    const T e = b[0];
    const T one = 1;
    if (e == 2) return ew_unary(EwOp::Sqr, a, y, n);
    if (e == 1) return ew_unary(EwOp::Copy, a, y, n);
    if (e == -1) return ew_binary(EwOp::Div, &one, 0, a, 1, y, n);
    if (e == T(0.5)) return pow_half(a, y, n);
  }
  if constexpr (std::is_same_v<T, float>) {
    map2(a, sa, b, sb, y, n, [](float u, float v) { return static_cast<float>(js_pow(u, v)); });
  } else {
    binary_f64(EwOp::Pow, a, sa, b, sb, y, n);
  }
}

}  // namespace

// int32 ** int32 with the reference's semantics: JS computes Math.pow(a, b) in double and the Int32Array store applies
// ToInt32. b = 0 gives 1 (also 0 ** 0); b < 0 gives 1/|a|^|b| truncated: 0 for |a| >= 2, ±1 for a = ±1 and 0 for
// a = 0 (Infinity). For b > 0 the exact power is computed by repeated squaring: while |a^b| <= 2^53 the double is
// exact and the result is a^b wrapped modulo 2^32; up to 2^84 it is the correctly rounded double of the exact power
// (what a correctly rounded Math.pow returns) through ToInt32; from 2^84 on every double is a multiple of 2^32, so
// the result is 0 (as it is for an infinite Math.pow).
int32_t ew_pow_i32(int32_t a, int32_t b) {
  if (b == 0 || a == 1) return 1;
  if (a == -1) return (b & 1) ? -1 : 1;
  if (b < 0 || a == 0) return 0;
  using u128 = unsigned __int128;
  const u128 lim = u128(1) << 84;
  // min(p * q, lim) for p, q <= lim
  auto mul = [lim](u128 p, u128 q) -> u128 { return p != 0 && q > lim / p ? lim : std::min(p * q, lim); };
  u128 r = 1, x = a < 0 ? u128(0) - u128(int64_t(a)) : u128(a);  // |a| in [2, 2^31]
  for (uint32_t e = static_cast<uint32_t>(b);;) {
    if (e & 1) r = mul(r, x);
    e >>= 1;
    if (e == 0 || r >= lim) break;
    x = mul(x, x);
  }
  if (r >= lim) return 0;
  const bool neg = a < 0 && (b & 1);
  if (r <= (u128(1) << 53)) {
    const uint32_t w = static_cast<uint32_t>(r);
    return wrap(neg ? 0u - w : w);
  }
  const double d = static_cast<double>(r);  // correctly rounded (round to nearest even)
  return to_int32(neg ? -d : d);
}

bool ew_supports(EwOp op, DType dtype) {
  if (dtype == F32 || dtype == F64) return true;
  if (dtype != I32) return false;
  switch (op) {
    case EwOp::Add: case EwOp::Sub: case EwOp::Mul: case EwOp::Pow: case EwOp::Max: case EwOp::Min: case EwOp::Gt:
    case EwOp::Neg: case EwOp::Sqr: case EwOp::Abs: case EwOp::Sign: case EwOp::Copy:
      return true;
    default:
      return false;
  }
}

void ew_unary(EwOp op, const float* a, float* y, int64_t n) { unary_f32(op, a, y, n); }
void ew_unary(EwOp op, const double* a, double* y, int64_t n) { unary_f64(op, a, y, n); }
void ew_unary(EwOp op, const int32_t* a, int32_t* y, int64_t n) { unary_i32(op, a, y, n); }

void ew_binary(EwOp op, const float* a, int sa, const float* b, int sb, float* y, int64_t n) {
  if (op == EwOp::Pow) return pow_span(a, sa, b, sb, y, n);
  binary_f32(op, a, sa, b, sb, y, n);
}
void ew_binary(EwOp op, const double* a, int sa, const double* b, int sb, double* y, int64_t n) {
  if (op == EwOp::Pow) return pow_span(a, sa, b, sb, y, n);
  binary_f64(op, a, sa, b, sb, y, n);
}
void ew_binary(EwOp op, const int32_t* a, int sa, const int32_t* b, int sb, int32_t* y, int64_t n) {
  binary_i32(op, a, sa, b, sb, y, n);
}

void ew_select(const float* c, int sc, const float* t, int st, const float* f, int sf, float* y, int64_t n) {
#if NODEANO_HAVE_AVX2
  if (simd::avx2_enabled()) return ew::avx2::select(c, sc, t, st, f, sf, y, n);
#endif
  ew::portable::select(c, sc, t, st, f, sf, y, n);
}

void ew_select(const double* c, int sc, const double* t, int st, const double* f, int sf, double* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = c[i * sc] != 0 ? t[i * st] : f[i * sf];
}

void ew_unary_f32_path(EwOp op, const float* a, float* y, int64_t n, bool avx2) {
#if NODEANO_HAVE_AVX2
  if (avx2) return ew::avx2::unary(op, a, y, n);
#endif
  (void)avx2;
  ew::portable::unary(op, a, y, n);
}

EwSpanF32 ew_unary_f32_fn(EwOp op) {
#if NODEANO_HAVE_AVX2
  if (simd::avx2_enabled()) return ew::avx2::unary_fn(op);
#endif
  return ew::portable::unary_fn(op);
}

EwSpan2F32 ew_binary_f32_fn(EwOp op, int sa, int sb) {
#if NODEANO_HAVE_AVX2
  if (simd::avx2_enabled()) return ew::avx2::binary_fn(op, sa, sb);
#endif
  return ew::portable::binary_fn(op, sa, sb);
}

float ew_exp_f32(float x) { return vmath::portable::exp_f32(x); }
float ew_log_f32(float x) { return vmath::portable::log_f32(x); }
float ew_tanh_f32(float x) { return vmath::portable::tanh_f32(x); }
float ew_sigmoid_f32(float x) { return vmath::portable::sigmoid_f32(x); }

namespace {

// Everything about an elementwise step that depends only on shapes, dtypes and the op: made per call by the generic
// kernels and once per plan by elementwise_prepare.
struct EwState : KernelState {
  EwOp op = EwOp::Copy;
  DType dtype = F32;
  bool unary = true;
  int sa = 0, sb = 0;  // innermost strides (0 or 1)
  int64_t size = 0, inner = 0, rows = 0, grain = 0;
  BroadcastGeom g;
  EwSpanF32 fu = nullptr;   // F32 span loops with the strides baked in (fb is null for Pow)
  EwSpan2F32 fb = nullptr;
};

Status ew_setup(const KernelCtx& ctx, EwOp op, EwState* s) {
  const int arity = ew_is_unary(op) ? 1 : 2;
  if (ctx.n_in != arity || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& y = *ctx.out;
  for (int i = 0; i < arity; i++) {
    if (ctx.in[i].dtype != y.dtype) return ERR_DTYPE;
  }
  if (!ew_supports(op, y.dtype)) return ERR_DTYPE;
  const Tensor* operands[2] = {&ctx.in[0], arity == 2 ? &ctx.in[1] : nullptr};
  if (!broadcast_geom(operands, arity, y.shape, y.ndim, &s->g)) return ERR_SHAPE;
  if (arity == 1 && ctx.in[0].size != y.size) return ERR_SHAPE;  // unary ops keep the shape
  s->op = op;
  s->dtype = y.dtype;
  s->unary = arity == 1;
  s->sa = s->g.inner_stride(0);
  s->sb = s->unary ? 0 : s->g.inner_stride(1);
  s->size = y.size;
  s->inner = s->g.inner();
  s->rows = s->g.rows();
  s->grain = ew_is_heavy(op) ? kGrainHeavy : kGrainCheap;
  return OK;
}

// Runs the op over out = op(in...) row by row: one contiguous span when the operands merge to rank 1 (same shape or a
// scalar operand), else one span per innermost row with each operand contiguous or scalar within the row.
template <class T>
void run_elementwise(const KernelCtx& ctx, const EwState& s) {
  const EwOp op = s.op;
  const bool unary = s.unary;
  const BroadcastGeom& g = s.g;
  const T* a = static_cast<const T*>(ctx.in[0].data);
  const T* b = unary ? a : static_cast<const T*>(ctx.in[1].data);
  T* y = static_cast<T*>(ctx.out->data);
  const int sa = s.sa, sb = s.sb;
  const int64_t inner = s.inner, rows = s.rows, grain = s.grain;
  auto span = [&](int64_t oa, int64_t ob, int64_t oy, int64_t n) {
    if (unary) {
      ew_unary(op, a + oa, y + oy, n);
    } else {
      ew_binary(op, a + oa, sa, b + ob, sb, y + oy, n);
    }
  };
  if (rows == 1) {
    parallel_range(ctx, inner, grain, [&](int64_t i0, int64_t i1) { span(i0 * sa, i0 * sb, i0, i1 - i0); });
    return;
  }
  parallel_range(ctx, rows, std::max<int64_t>(1, grain / inner), [&](int64_t r0, int64_t r1) {
    RowCursor c(g, r0);
    for (int64_t r = r0; r < r1; r++, c.next()) span(c.off[0], unary ? 0 : c.off[1], r * inner, inner);
  });
}

Status ew_execute(const KernelCtx& ctx, const EwState& s) {
  if (s.size == 0) return OK;
  switch (s.dtype) {
    case F32: run_elementwise<float>(ctx, s); break;
    case F64: run_elementwise<double>(ctx, s); break;
    default: run_elementwise<int32_t>(ctx, s); break;
  }
  return OK;
}

// Only the generic path calls these, for steps the span loops implement (ew_supports; one dtype throughout).
Status elementwise(const KernelCtx& ctx, EwOp op) {
  EwState s;
  Status st = ew_setup(ctx, op, &s);
  return st != OK ? st : ew_execute(ctx, s);
}

// Prepared runs (ctx.state is the step's EwState).
Status ew_run_prepared(const KernelCtx& ctx) { return ew_execute(ctx, *static_cast<const EwState*>(ctx.state)); }

// A float32 step that is one contiguous span too small to split: just the span loop.
Status ew_run_flat_unary_f32(const KernelCtx& ctx) {
  const EwState& s = *static_cast<const EwState*>(ctx.state);
  s.fu(static_cast<const float*>(ctx.in[0].data), static_cast<float*>(ctx.out->data), s.size);
  return OK;
}

Status ew_run_flat_binary_f32(const KernelCtx& ctx) {
  const EwState& s = *static_cast<const EwState*>(ctx.state);
  s.fb(static_cast<const float*>(ctx.in[0].data), static_cast<const float*>(ctx.in[1].data),
       static_cast<float*>(ctx.out->data), s.size);
  return OK;
}

// Whether run_elementwise may split the step across the pool.
bool ew_may_split(const EwState& s) {
  if (s.rows == 1) return s.inner >= 2 * s.grain;
  return s.rows >= 2 * std::max<int64_t>(1, s.grain / s.inner);
}

template <class From, class To>
void convert(const From* x, To* y, int64_t n) {
  if constexpr (std::is_same_v<To, uint8_t>) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] != 0 ? 1 : 0;
  } else if constexpr (std::is_same_v<To, int32_t> && std::is_floating_point_v<From>) {
    for (int64_t i = 0; i < n; i++) y[i] = to_int32(x[i]);
  } else {
    for (int64_t i = 0; i < n; i++) y[i] = static_cast<To>(x[i]);
  }
}

template <class From>
void convert_to(const void* x, DType to, void* y, int64_t n) {
  const From* in = static_cast<const From*>(x);
  switch (to) {
    case F32: return convert(in, static_cast<float*>(y), n);
    case F64: return convert(in, static_cast<double*>(y), n);
    case I32: return convert(in, static_cast<int32_t*>(y), n);
    default: return convert(in, static_cast<uint8_t*>(y), n);
  }
}

void convert_any(const void* x, DType from, DType to, void* y, int64_t n) {
  switch (from) {
    case F32: return convert_to<float>(x, to, y, n);
    case F64: return convert_to<double>(x, to, y, n);
    case I32: return convert_to<int32_t>(x, to, y, n);
    default: return convert_to<uint8_t>(x, to, y, n);
  }
}

bool valid_dtype(int32_t d) { return d >= F32 && d <= BOOL; }

}  // namespace

Status elementwise_prepare(EwOp op, const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<EwState> s(new EwState());
  Status st = ew_setup(ctx, op, s.get());
  if (st != OK) return st;
  out->needs_pool = s->size > 0 && ew_may_split(*s);
  out->run = ew_run_prepared;
  if (s->dtype == F32 && s->size > 0 && s->rows == 1 && !out->needs_pool) {
    if (s->unary) {
      s->fu = ew_unary_f32_fn(op);
      out->run = ew_run_flat_unary_f32;
    } else if ((s->fb = ew_binary_f32_fn(op, s->sa, s->sb)) != nullptr) {
      out->run = ew_run_flat_binary_f32;
    }
  }
  out->state = std::move(s);
  return OK;
}

Status copy_kernel(const KernelCtx& ctx);
Status cast_kernel(const KernelCtx& ctx);

// Copy, ExpandDims and Cast keep their generic kernel; preparing only tells the executor when they need no pool.
Status copy_prepare(const KernelCtx& /*ctx*/, PreparedStep* out) {
  out->run = copy_kernel;
  out->needs_pool = false;
  return OK;
}

Status cast_prepare(const KernelCtx& ctx, PreparedStep* out) {
  out->run = cast_kernel;
  out->needs_pool = ctx.n_out != 1 || ctx.out->size >= 2 * kGrainCheap;
  return OK;
}

Status ew_kernel(EwOp op, const KernelCtx& ctx) { return elementwise(ctx, op); }

// Copy: out = in0 byte for byte (same dtype and element count, any dtype); no attrs.
Status copy_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  if (ctx.in[0].dtype != ctx.out->dtype) return ERR_DTYPE;
  if (ctx.in[0].size != ctx.out->size) return ERR_SHAPE;
  // a plan may give the output the input's own buffer (in place): then there is nothing to move
  if (ctx.out->size > 0 && ctx.out->data != ctx.in[0].data) std::memmove(ctx.out->data, ctx.in[0].data, ctx.out->size * dtype_size(ctx.out->dtype));
  return OK;
}
NODEANO_KERNEL("Copy", copy_kernel, copy_prepare);

// ExpandDims: out = in0 with size-1 dims inserted (same bytes); ints [...axes] are not needed and ignored.
Status expand_dims_kernel(const KernelCtx& ctx) { return copy_kernel(ctx); }
NODEANO_KERNEL("ExpandDims", expand_dims_kernel, copy_prepare);

// Cast: out = in0 converted to out.dtype, same shape, any dtype to any dtype; ints [outDtype] (optional, must equal
// out.dtype). Float -> I32 truncates toward zero and wraps modulo 2^32 (JS ToInt32: NaN, ±inf -> 0); -> BOOL is
// x != 0 (NaN -> 1); BOOL reads its byte value.
Status cast_kernel(const KernelCtx& ctx) {
  if (ctx.n_in != 1 || ctx.n_out != 1) return ERR_INVALID;
  const Tensor& x = ctx.in[0];
  Tensor& y = *ctx.out;
  if (ctx.attrs.n_ints > 0 && ctx.attrs.ints[0] != y.dtype) return ERR_INVALID;
  if (!valid_dtype(x.dtype) || !valid_dtype(y.dtype)) return ERR_DTYPE;
  if (x.size != y.size) return ERR_SHAPE;
  const size_t xs = dtype_size(x.dtype), ys = dtype_size(y.dtype);
  parallel_range(ctx, y.size, kGrainCheap, [&](int64_t i0, int64_t i1) {
    convert_any(static_cast<const char*>(x.data) + i0 * xs, x.dtype, y.dtype, static_cast<char*>(y.data) + i0 * ys,
                i1 - i0);
  });
  return OK;
}
NODEANO_KERNEL("Cast", cast_kernel, cast_prepare);

}  // namespace nodeano
