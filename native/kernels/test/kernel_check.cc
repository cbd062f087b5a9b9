// kernel_check: every native kernel against a naive reference, and the float32 approximations against double libm.
// line-budget: a test driver of independent checks, one block per kernel family; run by test/native/kernel-check.test.ts.
//   kernel_check           approximations on every 15th float32 bit pattern, all kernel checks (~1.5 min)
//   kernel_check --quick   approximations on every 1023rd bit pattern, sigmoid monotonicity on 1/64 of the floats
//                          (a few seconds; what test/native/kernel-check.test.ts runs)
//   kernel_check --full    approximations on every float32 bit pattern, on both SIMD paths (~10 min on 2 cores)
//   kernel_check --no-sweep  everything but the float32 sweeps (for sanitizer builds)
//   kernel_check --bench   timings used for README.md (not a test)
// Build and run with test/build.sh. Prints "N passed, N failed" and exits non-zero on a failure.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../elementwise.h"
#include "../fused.h"
#include "../generated/elementwise_ops.h"
#include "../kernel.h"
#include "../simd.h"
#include "../thread_pool.h"

using namespace nodeano;

namespace {

// ---------------------------------------------------------------- reporting

int g_pass = 0, g_fail = 0;

void check(bool ok, const std::string& what) {
  if (ok) {
    g_pass++;
  } else {
    g_fail++;
    if (g_fail <= 60) std::printf("FAIL %s\n", what.c_str());
  }
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); i++) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

const char* dtype_name(DType d) { return d == F32 ? "f32" : d == F64 ? "f64" : d == I32 ? "i32" : "bool"; }

// ---------------------------------------------------------------- tensors and kernel calls

struct Buf {
  Tensor t;
  std::vector<int64_t> shape;
  std::shared_ptr<void> mem;

  Buf(DType d, std::vector<int64_t> s) : shape(std::move(s)) {
    t.dtype = d;
    t.ndim = static_cast<int32_t>(shape.size());
    t.size = 1;
    for (size_t i = 0; i < shape.size(); i++) {
      t.shape[i] = shape[i];
      t.size *= shape[i];
    }
    const size_t bytes = (std::max<int64_t>(t.size, 1) * dtype_size(d) + 63) / 64 * 64;
    mem.reset(std::aligned_alloc(64, bytes), std::free);
    std::memset(mem.get(), 0, bytes);
    t.data = mem.get();
  }
  template <class T>
  T* p() const {
    return static_cast<T*>(t.data);
  }
  double get(int64_t i) const {
    switch (t.dtype) {
      case F32: return p<float>()[i];
      case F64: return p<double>()[i];
      case I32: return p<int32_t>()[i];
      default: return p<uint8_t>()[i];
    }
  }
  void set(int64_t i, double v) const {
    switch (t.dtype) {
      case F32: p<float>()[i] = static_cast<float>(v); break;
      case F64: p<double>()[i] = v; break;
      case I32: p<int32_t>()[i] = static_cast<int32_t>(v); break;
      default: p<uint8_t>()[i] = static_cast<uint8_t>(v); break;
    }
  }
};

uint64_t g_prepare_calls = 0, g_prepared_mismatch = 0;
bool g_compare_prepared = true;  // off for --bench (plain kernel calls)

Status run(const char* name, const std::vector<const Buf*>& ins, Buf& out, std::vector<int32_t> ints = {},
           std::vector<double> floats = {}, ThreadPool* pool = nullptr) {
  std::vector<Tensor> in;
  for (const Buf* b : ins) in.push_back(b->t);
  KernelCtx ctx;
  ctx.in = in.data();
  ctx.n_in = static_cast<int32_t>(in.size());
  ctx.out = &out.t;
  ctx.n_out = 1;
  ctx.attrs.ints = ints.data();
  ctx.attrs.n_ints = static_cast<int32_t>(ints.size());
  ctx.attrs.floats = floats.data();
  ctx.attrs.n_floats = static_cast<int32_t>(floats.size());
  ctx.pool = pool;
  KernelFn fn = find_kernel(name);
  if (!fn) return ERR_UNSUPPORTED;
  PrepareFn prepare = find_prepare(name);
  if (!prepare || !g_compare_prepared) return fn(ctx);
  // Every call also runs the prepared form, as a plan would (prepared once with shapes only: every data pointer is
  // null then, so a prepare that reads data crashes here), with the plan-owned scratch; its output must equal the
  // generic kernel's bit for bit (including a NaN's payload: both run the same loops).
  const size_t out_bytes = static_cast<size_t>(std::max<int64_t>(out.t.size, 1)) * dtype_size(out.t.dtype);
  std::vector<unsigned char> before(out_bytes), generic(out_bytes);
  std::memcpy(before.data(), out.t.data, out_bytes);
  const Status st = fn(ctx);
  std::memcpy(generic.data(), out.t.data, out_bytes);
  std::vector<Tensor> shapes_only = in;
  for (Tensor& t : shapes_only) t.data = nullptr;
  Tensor out_shape = out.t;
  out_shape.data = nullptr;
  KernelCtx pctx = ctx;
  pctx.in = shapes_only.data();
  pctx.out = &out_shape;
  PreparedStep ps;
  const Status pst = prepare(pctx, &ps);
  g_prepare_calls++;
  if (pst != OK || !ps.run) {
    // declining is fine only for calls the generic kernel rejects too
    check(st != OK, std::string("prepare(") + name + ") declined a call the kernel accepts");
    return st;
  }
  // (a prepare may also accept a call its run then rejects: Copy and Cast prepare to their generic kernel)
  const size_t scratch_bytes = kernel_scratch_bytes(name, pctx);
  std::shared_ptr<void> scratch;
  if (scratch_bytes) scratch.reset(std::aligned_alloc(64, (scratch_bytes + 63) / 64 * 64), std::free);
  std::memcpy(out.t.data, before.data(), out_bytes);
  KernelCtx rctx = ctx;
  rctx.state = ps.state.get();
  rctx.scratch = scratch.get();
  rctx.scratch_bytes = scratch_bytes;
  if (!ps.needs_pool) rctx.pool = nullptr;  // the executor gives no pool to a plan of such steps
  const Status rst = ps.run(rctx);
  const bool same = rst == st && (st != OK || std::memcmp(out.t.data, generic.data(), out_bytes) == 0);
  if (!same) g_prepared_mismatch++;
  check(same, std::string("prepared ") + name + " equals the generic kernel (status " + std::to_string(rst) + " vs " +
                  std::to_string(st) + ")");
  return st;
}

std::mt19937_64 rng(12345);

int64_t rand_int(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }
double rand_unit() { return std::uniform_real_distribution<double>(0, 1)(rng); }

// Mostly moderate values, sometimes the special ones every kernel must get right.
double rand_value(DType d, bool positive = false) {
  if (d == I32) return static_cast<double>(rand_int(-1000, 1000));
  if (d == BOOL) return static_cast<double>(rand_int(0, 1));
  static const double specials[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, 1e-40, -1e-40, 1e30, -1e30, 0.5};
  if (rand_int(0, 15) == 0) {
    double v = specials[rand_int(0, 11)];
    return positive && !(v > 0) ? (rand_int(0, 1) ? 0.0 : 2.0) : v;
  }
  double v = (rand_unit() * 2 - 1) * 6;
  return positive ? std::fabs(v) + 1e-3 : v;
}

void fill(const Buf& b, bool positive = false) {
  for (int64_t i = 0; i < b.t.size; i++) b.set(i, rand_value(b.t.dtype, positive));
}

std::vector<int64_t> rand_shape(int rank, int64_t max_dim) {
  std::vector<int64_t> s(rank);
  for (auto& d : s) d = rand_int(1, max_dim);
  return s;
}

// A shape that broadcasts to `out`: some leading dims dropped, some dims set to 1.
std::vector<int64_t> broadcast_of(const std::vector<int64_t>& out) {
  std::vector<int64_t> s(out.begin() + rand_int(0, static_cast<int64_t>(out.size())), out.end());
  for (auto& d : s) {
    if (rand_int(0, 2) == 0) d = 1;
  }
  return s;
}

// Offset in an input of shape `in` (right-aligned broadcast) of flat output index `flat` of shape `out`.
int64_t bcast_offset(const std::vector<int64_t>& in, const std::vector<int64_t>& out, int64_t flat) {
  int64_t off = 0, stride = 1;
  for (int d = static_cast<int>(out.size()) - 1, k = static_cast<int>(in.size()) - 1; d >= 0; d--, k--) {
    const int64_t idx = flat % out[d];
    flat /= out[d];
    if (k >= 0) {
      if (in[k] != 1) off += idx * stride;
      stride *= in[k];
    }
  }
  return off;
}

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

// |y - ref| in units of the float32 spacing at ref (subnormal spacing below 2^-126; overflow counts 2^128 as the
// float after FLT_MAX, so returning FLT_MAX for a result that rounds to inf is 1 ulp).
double ulp_err_f32(float y, double ref) {
  if (std::isnan(ref) || std::isnan(y)) return std::isnan(ref) && std::isnan(y) ? 0 : 1e30;
  const double cap = 0x1p128;
  double r = std::fabs(ref) >= cap ? std::copysign(cap, ref) : ref;
  double v = std::isinf(y) ? std::copysign(cap, y) : y;
  int e;
  std::frexp(std::fabs(r), &e);
  const double ulp = std::ldexp(1.0, std::max(e - 24, -149));
  return std::fabs(v - r) / ulp;
}

// ---------------------------------------------------------------- float32 approximations

struct Approx {
  const char* name;
  EwOp op;
  double (*ref)(double);
  double bound;
};

double ref_exp(double x) { return std::exp(x); }
double ref_log(double x) { return std::log(x); }
double ref_tanh(double x) { return std::tanh(x); }
double ref_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

const Approx kApprox[] = {
    {"exp", EwOp::Exp, ref_exp, 2.0},
    {"log", EwOp::Log, ref_log, 2.0},
    {"tanh", EwOp::Tanh, ref_tanh, 2.0},
    {"sigmoid", EwOp::Sigmoid, ref_sigmoid, 3.0},
};

struct SweepResult {
  double max_ulp = 0;
  float worst = 0;
  uint64_t mismatches = 0, count = 0;
};

// Every `stride`-th bit pattern (stride odd, so every exponent and all low mantissa bits occur) plus the special
// values, through the portable loop and, when available, the AVX2 loop; errors of the portable results vs double libm
// (the paths are compared bit for bit).
SweepResult sweep(const Approx& f, uint64_t stride, bool avx2) {
  const int threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<SweepResult> part(threads);
  std::vector<std::thread> pool;
  constexpr int64_t kBatch = 4096;
  const uint64_t total = ((uint64_t{1} << 32) + stride - 1) / stride;
  for (int t = 0; t < threads; t++) {
    pool.emplace_back([&, t] {
      std::vector<float> x(kBatch), yp(kBatch), ya(kBatch);
      SweepResult& r = part[t];
      for (uint64_t b = t * kBatch; b < total; b += threads * kBatch) {
        const int64_t n = static_cast<int64_t>(std::min<uint64_t>(kBatch, total - b));
        for (int64_t i = 0; i < n; i++) x[i] = simd::float_of(static_cast<uint32_t>((b + i) * stride));
        ew_unary_f32_path(f.op, x.data(), yp.data(), n, false);
        if (avx2) ew_unary_f32_path(f.op, x.data(), ya.data(), n, true);
        for (int64_t i = 0; i < n; i++) {
          if (avx2 && simd::bits_of(yp[i]) != simd::bits_of(ya[i]) && !(std::isnan(yp[i]) && std::isnan(ya[i]))) {
            r.mismatches++;
          }
          const double e = ulp_err_f32(yp[i], f.ref(x[i]));
          if (e > r.max_ulp) {
            r.max_ulp = e;
            r.worst = x[i];
          }
        }
        r.count += n;
      }
    });
  }
  for (auto& th : pool) th.join();
  SweepResult all;
  for (auto& r : part) {
    if (r.max_ulp > all.max_ulp) {
      all.max_ulp = r.max_ulp;
      all.worst = r.worst;
    }
    all.mismatches += r.mismatches;
    all.count += r.count;
  }
  return all;
}

void check_specials() {
  const float inf = INFINITY, nan = NAN, tiny = 0x1p-149f;
  struct Case {
    EwOp op;
    float x, want;
  };
  const Case cases[] = {
      {EwOp::Exp, -inf, 0.0f}, {EwOp::Exp, inf, inf}, {EwOp::Exp, 0.0f, 1.0f}, {EwOp::Exp, -0.0f, 1.0f},
      {EwOp::Exp, 88.8f, inf}, {EwOp::Exp, -104.0f, 0.0f}, {EwOp::Exp, -103.0f, std::exp(-103.0f)},
      {EwOp::Log, 0.0f, -inf}, {EwOp::Log, -0.0f, -inf}, {EwOp::Log, -1.0f, nan}, {EwOp::Log, inf, inf},
      {EwOp::Log, -inf, nan}, {EwOp::Log, 1.0f, 0.0f}, {EwOp::Log, tiny, std::log(tiny)},
      {EwOp::Tanh, inf, 1.0f}, {EwOp::Tanh, -inf, -1.0f}, {EwOp::Tanh, -0.0f, -0.0f}, {EwOp::Tanh, tiny, tiny},
      {EwOp::Sigmoid, -inf, 0.0f}, {EwOp::Sigmoid, inf, 1.0f}, {EwOp::Sigmoid, 0.0f, 0.5f},
      {EwOp::Sigmoid, -0.0f, 0.5f},
  };
  for (const Case& c : cases) {
    for (int path = 0; path < (simd::avx2_enabled() ? 2 : 1); path++) {
      float y;
      ew_unary_f32_path(c.op, &c.x, &y, 1, path == 1);
      const bool ok = std::isnan(c.want) ? std::isnan(y) : simd::bits_of(y) == simd::bits_of(c.want);
      check(ok, "special value op " + std::to_string(static_cast<int>(c.op)) + " x=" + std::to_string(c.x) +
                    " got " + std::to_string(y) + (path ? " (avx2)" : " (portable)"));
    }
    for (EwOp op : {EwOp::Exp, EwOp::Log, EwOp::Tanh, EwOp::Sigmoid}) {  // NaN in, NaN out
      float y;
      ew_unary_f32_path(op, &nan, &y, 1, false);
      check(std::isnan(y), "NaN propagates");
    }
  }
}

// Sigmoid over every float in increasing order (every `block_step`-th block of 2^16 consecutive floats: 1 checks
// them all): within [0, 1], non-decreasing, 0 only below -103 and 1 only above 16; NaN patterns give NaN.
void check_sigmoid_monotone(bool avx2, uint64_t block_step) {
  constexpr int64_t kBatch = 1 << 16;
  std::vector<float> x(kBatch), y(kBatch);
  float prev = -1.0f, prev_x = -INFINITY;
  uint64_t bad_order = 0, bad_range = 0, bad_ends = 0, bad_nan = 0;
  // increasing x: 0xff800000 (-inf) down to 0x80000000 (-0), then 0x00000000 (+0) up to 0x7f800000 (+inf)
  auto pattern = [](uint64_t k) -> uint32_t {
    const uint64_t neg = 0x7f800001;  // count of -inf .. -0
    return k < neg ? static_cast<uint32_t>(0xff800000u - k) : static_cast<uint32_t>(k - neg);
  };
  const uint64_t count = 2 * uint64_t{0x7f800001};
  uint64_t checked = 0;
  for (uint64_t b = 0; b < count; b += kBatch * block_step) {
    const int64_t n = static_cast<int64_t>(std::min<uint64_t>(kBatch, count - b));
    checked += n;
    for (int64_t i = 0; i < n; i++) x[i] = simd::float_of(pattern(b + i));
    ew_unary_f32_path(EwOp::Sigmoid, x.data(), y.data(), n, avx2);
    for (int64_t i = 0; i < n; i++) {
      if (y[i] < prev) {
        if (bad_order++ < 3) std::printf("  sigmoid decreases: s(%a) = %a > s(%a) = %a\n", prev_x, prev, x[i], y[i]);
      }
      if (!(y[i] >= 0.0f && y[i] <= 1.0f)) bad_range++;
      if ((y[i] == 0.0f && x[i] > -103.0f) || (y[i] == 1.0f && x[i] < 16.0f)) bad_ends++;
      prev = y[i];
      prev_x = x[i];
    }
  }
  for (uint32_t u : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xffffffffu}) {
    const float xn = simd::float_of(u);
    float yn;
    ew_unary_f32_path(EwOp::Sigmoid, &xn, &yn, 1, avx2);
    if (!std::isnan(yn)) bad_nan++;
  }
  const std::string p = avx2 ? " (avx2)" : " (portable)";
  check(bad_order == 0, "sigmoid monotone over all floats" + p + ": " + std::to_string(bad_order) + " decreases");
  check(bad_range == 0, "sigmoid within [0, 1]" + p);
  check(bad_ends == 0, "sigmoid is 0 / 1 only far out" + p);
  check(bad_nan == 0, "sigmoid NaN in, NaN out" + p);
  std::printf("sigmoid monotonicity%s: %llu of %llu ordered floats checked\n", p.c_str(),
              static_cast<unsigned long long>(checked), static_cast<unsigned long long>(count));
}

void check_approximations(bool full, bool quick, bool sweeps) {
  const bool avx2 = simd::avx2_enabled();
  check_specials();
  if (!sweeps) return;
  const uint64_t stride = full ? 1 : quick ? 1023 : 15;
  std::printf("float32 approximations vs double libm, every %llu-th bit pattern (%s):\n",
              static_cast<unsigned long long>(stride), avx2 ? "portable and AVX2 paths" : "portable path only");
  for (const Approx& f : kApprox) {
    SweepResult r = sweep(f, stride, avx2);
    std::printf("  %-8s max %.3f ulp at %a; AVX2/portable bit mismatches: %llu of %llu\n", f.name, r.max_ulp,
                r.worst, static_cast<unsigned long long>(r.mismatches), static_cast<unsigned long long>(r.count));
    check(r.max_ulp <= f.bound, std::string(f.name) + " within " + std::to_string(f.bound) + " ulp");
    check(r.mismatches == 0, std::string(f.name) + " AVX2 and portable agree bit for bit");
  }
  check_sigmoid_monotone(avx2, quick ? 64 : 1);
  if (full && avx2) check_sigmoid_monotone(false, 1);
}

// ---------------------------------------------------------------- elementwise

double js_pow(double a, double b) {
  if (std::isnan(b) || (std::isinf(b) && std::fabs(a) == 1.0)) return NAN;
  return std::pow(a, b);
}

struct OpInfo {
  const char* name;
  EwOp op;
  bool ints;   // has an I32 version
  bool approx;  // float32 result is an approximation (compared in ulps)
  bool positive;  // test mostly on positive inputs
};

const OpInfo kBinary[] = {
    {"Add", EwOp::Add, true, false, false}, {"Sub", EwOp::Sub, true, false, false},
    {"Mul", EwOp::Mul, true, false, false}, {"Div", EwOp::Div, false, false, false},
    {"Pow", EwOp::Pow, true, false, true},
};
const OpInfo kUnary[] = {
    {"Neg", EwOp::Neg, true, false, false},   {"Sqr", EwOp::Sqr, true, false, false},
    {"Sqrt", EwOp::Sqrt, false, false, true}, {"Exp", EwOp::Exp, false, true, false},
    {"Log", EwOp::Log, false, true, true},    {"Abs", EwOp::Abs, true, false, false},
    {"Sign", EwOp::Sign, true, false, false}, {"Tanh", EwOp::Tanh, false, true, false},
    {"Sigmoid", EwOp::Sigmoid, false, true, false}, {"Copy", EwOp::Copy, true, false, false},
};

template <class T>
T sign_ref(T a) {
  return a > 0 ? T(1) : a < 0 ? T(-1) : a;
}

double to_int32_ref(double d) {
  if (!std::isfinite(d)) return 0;
  double t = std::trunc(d);
  double m = std::fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return (m >= 2147483648.0 ? m - 4294967296.0 : m) + 0.0;  // (+0.0 turns -0 into 0)
}

// The reference value of op in dtype d (exact ops) or in double (approximated float32 ops).
double ref_op(EwOp op, DType d, double a, double b) {
  if (d == I32) {
    const int64_t x = static_cast<int64_t>(a), y = static_cast<int64_t>(b);
    int64_t r = 0;
    switch (op) {
      case EwOp::Add: r = x + y; break;
      case EwOp::Sub: r = x - y; break;
      case EwOp::Mul: r = x * y; break;
      case EwOp::Neg: r = -x; break;
      case EwOp::Sqr: r = x * x; break;
      case EwOp::Abs: r = x < 0 ? -x : x; break;
      case EwOp::Sign: r = sign_ref(x); break;
      case EwOp::Pow: return to_int32_ref(std::pow(a, b));  // JS: ToInt32(Math.pow(a, b))
      default: r = x;
    }
    return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(r)));
  }
  if (d == F32) {
    const float x = static_cast<float>(a), y = static_cast<float>(b);
    switch (op) {
      case EwOp::Add: return x + y;
      case EwOp::Sub: return x - y;
      case EwOp::Mul: return x * y;
      case EwOp::Div: return x / y;
      case EwOp::Pow: return static_cast<float>(js_pow(x, y));
      case EwOp::Neg: return -x;
      case EwOp::Sqr: return x * x;
      case EwOp::Sqrt: return std::sqrt(x);
      case EwOp::Abs: return std::fabs(x);
      case EwOp::Sign: return sign_ref(x);
      case EwOp::Exp: return std::exp(a);
      case EwOp::Log: return std::log(a);
      case EwOp::Tanh: return std::tanh(a);
      case EwOp::Sigmoid: return ref_sigmoid(a);
      default: return x;
    }
  }
  switch (op) {
    case EwOp::Add: return a + b;
    case EwOp::Sub: return a - b;
    case EwOp::Mul: return a * b;
    case EwOp::Div: return a / b;
    case EwOp::Pow: return js_pow(a, b);
    case EwOp::Neg: return -a;
    case EwOp::Sqr: return a * a;
    case EwOp::Sqrt: return std::sqrt(a);
    case EwOp::Abs: return std::fabs(a);
    case EwOp::Sign: return sign_ref(a);
    case EwOp::Exp: return std::exp(a);
    case EwOp::Log: return std::log(a);
    case EwOp::Tanh: return std::tanh(a);
    case EwOp::Sigmoid: {
      const double e = std::exp(-std::fabs(a));
      return (a < 0 ? e : 1.0) / (1.0 + e);
    }
    default: return a;
  }
}

bool close_to(const OpInfo& info, DType d, double y, double ref) {
  if (d == F32 && info.approx) return ulp_err_f32(static_cast<float>(y), ref) <= (info.op == EwOp::Sigmoid ? 3 : 2);
  return same_bits(y, ref);
}

// One random case of an elementwise kernel: shapes of rank 0-4 (occasionally large enough to be split across
// threads), broadcast operands for binary ops.
void elementwise_case(const OpInfo& info, bool binary, DType d, ThreadPool* pool) {
  const bool big = rand_int(0, 12) == 0;
  std::vector<int64_t> out_shape = big ? std::vector<int64_t>{rand_int(200, 400), rand_int(300, 700)}
                                       : rand_shape(static_cast<int>(rand_int(0, 4)), 7);
  std::vector<int64_t> sa = out_shape, sb = out_shape;
  if (binary) {
    const int mode = static_cast<int>(rand_int(0, 3));  // same shape, scalar b, broadcast a, broadcast b
    if (mode == 1) sb = {};
    if (mode == 2) sa = broadcast_of(out_shape);
    if (mode == 3) sb = broadcast_of(out_shape);
  }
  Buf a(d, sa), b(d, sb), y(d, out_shape);
  fill(a, info.positive);
  fill(b, false);
  if (info.op == EwOp::Pow && d != I32) {  // exponents: the special-cased ones, small integers, fractions
    static const double exps[] = {2, 1, 0.5, -1, 0, 3, -2, 1.5, NAN, INFINITY};
    for (int64_t i = 0; i < b.t.size; i++) b.set(i, exps[rand_int(0, 9)]);
  } else if (info.op == EwOp::Pow) {  // int32: signed bases, exponents from negative to overflowing
    static const double exps[] = {0, 1, 2, 3, -1, -2, 5, 7, 19, 31, 40, 100};
    for (int64_t i = 0; i < a.t.size; i++) a.set(i, static_cast<double>(rand_int(-12, 12)));
    for (int64_t i = 0; i < b.t.size; i++) b.set(i, exps[rand_int(0, 11)]);
  }
  std::vector<const Buf*> ins = {&a};
  if (binary) ins.push_back(&b);
  const Status st = run(info.name, ins, y, {}, {}, pool);
  const std::string what = std::string(info.name) + " " + dtype_name(d) + " " + shape_str(sa) +
                           (binary ? " " + shape_str(sb) : "") + " -> " + shape_str(out_shape);
  if (st != OK) return check(false, what + ": status " + std::to_string(st));
  int64_t bad = 0;
  for (int64_t i = 0; i < y.t.size && bad < 3; i++) {
    const double va = a.get(bcast_offset(sa, out_shape, i)), vb = binary ? b.get(bcast_offset(sb, out_shape, i)) : 0;
    const double want = ref_op(info.op, d, va, vb);
    if (!close_to(info, d, y.get(i), want)) {
      if (bad++ == 0) {
        std::printf("  %s: element %lld of f(%g, %g) = %.9g, want %.9g\n", what.c_str(), static_cast<long long>(i), va,
                    vb, y.get(i), want);
      }
    }
  }
  check(bad == 0, what);
}

void check_elementwise(ThreadPool* pool) {
  for (bool binary : {true, false}) {
    for (const OpInfo& info : binary ? std::vector<OpInfo>(std::begin(kBinary), std::end(kBinary))
                                     : std::vector<OpInfo>(std::begin(kUnary), std::end(kUnary))) {
      for (DType d : {F32, F64, I32}) {
        if (d == I32 && !info.ints) {
          Buf a(d, {3}), y(d, {3});
          std::vector<const Buf*> ins = {&a};
          if (binary) ins.push_back(&a);
          // float-only ops run on int32 data through the generic path (in double, stored as int32): never an error
          check(run(info.name, ins, y) == OK, std::string(info.name) + " i32 runs through the generic path");
          continue;
        }
        for (int c = 0; c < 25; c++) elementwise_case(info, binary, d, c % 2 ? pool : nullptr);
      }
    }
  }
  // int32 ** int32: ToInt32 of the (correctly rounded) double Math.pow gives, at the edges
  struct PowCase {
    int32_t a, b, want;
  };
  const PowCase pow_cases[] = {
      {2, 3, 8}, {-3, 3, -27}, {10, 3, 1000}, {0, 0, 1}, {0, -1, 0}, {1, -5, 1}, {-1, -3, -1}, {-1, 4, 1}, {2, -1, 0},
      {2, 31, INT32_MIN}, {-2, 31, INT32_MIN}, {2, 32, 0}, {3, 20, -808182895}, {3, 40, 689956864}, {7, 19, 442181592},
      {-7, 19, -442181592}, {5, 30, 433324032}, {2147483647, 2, 0}, {INT32_MIN, 1, INT32_MIN}, {INT32_MIN, 2, 0},
      {3, 33, -1504003197}, {46341, 2, -2147479015}, {65536, 2, 0}, {6, 30, 1073741824}, {12345, 4, 1966068320},
      {0, 5, 0}, {-5, 0, 1}, {7, INT32_MAX, 0}, {-1, INT32_MIN, 1}, {3, INT32_MIN, 0},
  };
  int64_t pow_bad = 0;
  for (const PowCase& c : pow_cases) {
    const int32_t got = ew_pow_i32(c.a, c.b);
    if (got != c.want && pow_bad++ < 3) std::printf("  pow_i32(%d, %d) = %d, want %d\n", c.a, c.b, got, c.want);
  }
  check(pow_bad == 0, "int32 ** int32 at the edges");
  // bad input first-class: mismatched dtypes and shapes
  Buf a(F32, {3}), b(F64, {3}), c(F32, {4}), y(F32, {3});
  {
    // mixed dtypes go through the generic path: computed in double, rounded once into out's dtype
    for (int i = 0; i < 3; i++) {
      a.p<float>()[i] = 0.1f * float(i + 1);
      b.p<double>()[i] = 1e-9 * (i + 1);
    }
    const bool ok = run("Add", {&a, &b}, y) == OK;
    bool same = ok;
    for (int i = 0; i < 3 && ok; i++) same = same && y.p<float>()[i] == float(double(0.1f * float(i + 1)) + 1e-9 * (i + 1));
    check(same, "Add of f32 and f64 computes in double and rounds once to f32");
  }
  check(run("Add", {&a, &c}, y) == ERR_SHAPE, "Add of [3] and [4] is ERR_SHAPE");
  check(run("Neg", {&c}, y) == ERR_SHAPE, "Neg into a different shape is ERR_SHAPE");
  check(run("Add", {&a}, y) == ERR_INVALID, "Add with one input is ERR_INVALID");
  // the AVX2 and portable kernels agree on whole tensors, tails included
  if (simd::avx2_enabled()) {
    int64_t mismatched = 0;
    for (const OpInfo& info : kUnary) {
      Buf x(F32, {1237}), y1(F32, {1237}), y2(F32, {1237});
      fill(x, info.positive);
      simd::set_avx2(false);
      run(info.name, {&x}, y1);
      simd::set_avx2(true);
      run(info.name, {&x}, y2);
      mismatched += std::memcmp(y1.t.data, y2.t.data, 1237 * 4) != 0;
    }
    check(mismatched == 0, "unary f32 kernels agree across SIMD paths");
  }
}

// Cast between every pair of dtypes, with the values where the conversion rules matter.

void check_cast(ThreadPool* pool) {
  const std::vector<double> vals = {0, -0.0, 1.5, -1.5, 2.7, -2.7, 255, 256, 3e9, -3e9, 2147483647.0, 2147483648.0,
                                    -2147483648.0, -2147483649.0, 4294967301.0, 1e20, INFINITY, -INFINITY, NAN};
  for (DType from : {F32, F64, I32, BOOL}) {
    for (DType to : {F32, F64, I32, BOOL}) {
      const int64_t n = rand_int(0, 1) ? static_cast<int64_t>(vals.size()) : 200000;
      Buf x(from, {n}), y(to, {n});
      for (int64_t i = 0; i < n; i++) {
        const double v = vals[i % vals.size()];
        if (from == I32) {
          x.p<int32_t>()[i] = static_cast<int32_t>(to_int32_ref(v));
        } else if (from == BOOL) {
          x.p<uint8_t>()[i] = static_cast<uint8_t>(i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 7);
        } else {
          x.set(i, v);
        }
      }
      const Status st = run("Cast", {&x}, y, {static_cast<int32_t>(to)}, {}, pool);
      int64_t bad = 0;
      for (int64_t i = 0; i < n && st == OK; i++) {
        const double v = x.get(i);
        double want;
        if (to == BOOL) {
          want = v != 0 ? 1 : 0;
        } else if (to == I32) {
          want = to_int32_ref(v);
        } else if (to == F32) {
          want = static_cast<float>(v);
        } else {
          want = v;
        }
        if (!same_bits(y.get(i), want) && bad++ == 0) {
          std::printf("  Cast %s->%s of %g gave %g, want %g\n", dtype_name(from), dtype_name(to), v, y.get(i), want);
        }
      }
      check(st == OK && bad == 0, std::string("Cast ") + dtype_name(from) + " -> " + dtype_name(to));
    }
  }
  Buf x(F32, {2}), y(I32, {2});
  check(run("Cast", {&x}, y, {static_cast<int32_t>(F64)}) == ERR_INVALID,
        "Cast attr disagreeing with out is ERR_INVALID");
}

// ---------------------------------------------------------------- Fused

// The ops the random Fused programs use: each one's opcode (the generated table's EwCode), the span loop the
// reference runs it with, and its arity (0: a constant).
struct FusedKind {
  EwCode code;
  EwOp span;
  int arity;
};
constexpr FusedKind kFusedKinds[] = {
    {EwCode::Const, EwOp::Copy, 0}, {EwCode::Add, EwOp::Add, 2},         {EwCode::Sub, EwOp::Sub, 2},
    {EwCode::Mul, EwOp::Mul, 2},    {EwCode::Div, EwOp::Div, 2},         {EwCode::Pow, EwOp::Pow, 2},
    {EwCode::Neg, EwOp::Neg, 1},    {EwCode::Sqr, EwOp::Sqr, 1},         {EwCode::Sqrt, EwOp::Sqrt, 1},
    {EwCode::Exp, EwOp::Exp, 1},    {EwCode::Log, EwOp::Log, 1},         {EwCode::Abs, EwOp::Abs, 1},
    {EwCode::Sign, EwOp::Sign, 1},  {EwCode::Tanh, EwOp::Tanh, 1},       {EwCode::Sigmoid, EwOp::Sigmoid, 1},
    {EwCode::Maximum, EwOp::Max, 2}, {EwCode::Minimum, EwOp::Min, 2},    {EwCode::Gt, EwOp::Gt, 2},
    {EwCode::Where, EwOp::Copy, 3},
};
constexpr int kFusedKindCount = sizeof(kFusedKinds) / sizeof(kFusedKinds[0]);
constexpr int kSigmoidKind = 14;
static_assert(kFusedKinds[kSigmoidKind].code == EwCode::Sigmoid, "kSigmoidKind names Sigmoid");

struct FusedOp {
  int kind, a, b, c;
  int opcode() const { return static_cast<int>(kFusedKinds[kind].code); }
  int arity() const { return kFusedKinds[kind].arity; }
};

// Reference: every register is a whole tensor (inputs broadcast), or a scalar when all its operands are scalars,
// computed with the same span loops op by op (the unfused evaluation).
template <class T>
std::vector<T> fused_reference(const std::vector<Buf>& ins, const std::vector<FusedOp>& ops,
                               const std::vector<double>& consts, const std::vector<int64_t>& out_shape, int64_t n) {
  std::vector<std::vector<T>> reg;
  std::vector<bool> scalar;
  for (const Buf& b : ins) {
    const bool s = b.t.size == 1;
    std::vector<T> v(s ? 1 : n);
    for (int64_t i = 0; i < static_cast<int64_t>(v.size()); i++) {
      v[i] = b.p<T>()[s ? 0 : bcast_offset(b.shape, out_shape, i)];
    }
    reg.push_back(std::move(v));
    scalar.push_back(s);
  }
  for (const FusedOp& op : ops) {
    if (op.arity() == 0) {
      reg.push_back({static_cast<T>(consts[op.a])});
      scalar.push_back(true);
      continue;
    }
    std::vector<int> args = {op.a};
    if (op.arity() >= 2) args.push_back(op.b);
    if (op.arity() == 3) args.push_back(op.c);
    bool s = true;
    for (int r : args) s = s && scalar[r];
    const int64_t m = s ? 1 : n;
    std::vector<T> y(m);
    auto stride = [&](int r) { return scalar[r] ? 0 : 1; };
    if (op.arity() == 3) {
      ew_select(reg[op.a].data(), stride(op.a), reg[op.b].data(), stride(op.b), reg[op.c].data(), stride(op.c),
                y.data(), m);
    } else if (op.arity() == 1) {
      ew_unary(kFusedKinds[op.kind].span, reg[op.a].data(), y.data(), m);
    } else {
      ew_binary(kFusedKinds[op.kind].span, reg[op.a].data(), stride(op.a), reg[op.b].data(), stride(op.b), y.data(), m);
    }
    reg.push_back(std::move(y));
    scalar.push_back(s);
  }
  std::vector<T> out(n);
  for (int64_t i = 0; i < n; i++) out[i] = reg.back()[scalar.back() ? 0 : i];
  return out;
}

template <class T>
void fused_case(DType d, ThreadPool* pool) {
  const bool big = rand_int(0, 8) == 0;
  std::vector<int64_t> out_shape = big ? std::vector<int64_t>{rand_int(100, 300), rand_int(500, 900)}
                                       : rand_shape(static_cast<int>(rand_int(0, 4)), 9);
  int64_t n = 1;
  for (int64_t v : out_shape) n *= v;
  const int n_in = static_cast<int>(rand_int(1, 4));
  std::vector<Buf> ins;
  for (int i = 0; i < n_in; i++) {
    const int kind = static_cast<int>(rand_int(0, 3));
    ins.emplace_back(d, kind == 0 ? std::vector<int64_t>{} : kind == 1 ? broadcast_of(out_shape) : out_shape);
    fill(ins.back(), rand_int(0, 1) == 0);
  }
  const int n_ops = static_cast<int>(rand_int(1, 14));
  std::vector<FusedOp> ops;
  std::vector<double> consts = {0.5, -2.0, 3.0, 1e-3, 2.0};
  std::vector<int32_t> ints = {n_in, n_ops};
  for (int k = 0; k < n_ops; k++) {
    const int regs = n_in + k;
    FusedOp op{static_cast<int>(rand_int(0, kFusedKindCount - 1)), static_cast<int>(rand_int(0, regs - 1)),
               static_cast<int>(rand_int(0, regs - 1)), static_cast<int>(rand_int(0, regs - 1))};
    if (k == n_ops - 1 && rand_int(0, 1)) op.kind = kSigmoidKind;  // make the output depend on a heavy op often
    if (op.arity() == 0) op.a = static_cast<int>(rand_int(0, static_cast<int64_t>(consts.size()) - 1));
    ops.push_back(op);
    ints.insert(ints.end(), {op.opcode(), op.a, op.b});
    if (op.arity() == 3) ints.push_back(op.c);
  }
  Buf y(d, out_shape);
  std::vector<const Buf*> in_ptrs;
  for (const Buf& b : ins) in_ptrs.push_back(&b);
  const Status st = run("Fused", in_ptrs, y, ints, consts, pool);
  const std::vector<T> want = fused_reference<T>(ins, ops, consts, out_shape, n);
  int64_t bad = 0;
  for (int64_t i = 0; i < n && st == OK; i++) bad += !same_bits(y.p<T>()[i], want[i]);
  std::string prog;
  for (const FusedOp& op : ops) {
    prog += "(" + std::to_string(op.opcode()) + "," + std::to_string(op.a) + "," + std::to_string(op.b) + ")";
  }
  check(st == OK && bad == 0, std::string("Fused ") + dtype_name(d) + " " + shape_str(out_shape) + " " + prog +
                                  " status " + std::to_string(st) + ", " + std::to_string(bad) + " differ");
}

void check_fused(ThreadPool* pool) {
  for (int c = 0; c < 150; c++) {
    fused_case<float>(F32, c % 2 ? pool : nullptr);
    fused_case<double>(F64, c % 2 ? pool : nullptr);
  }
  Buf x(F32, {4}), y(F32, {4});
  check(run("Fused", {&x}, y, {1, 1, int(EwCode::Add), 0, 1}) == ERR_INVALID, "Fused reading a later register is ERR_INVALID");
  check(run("Fused", {&x}, y, {1, 1, int(EwCode::Const), 3, 0}, {1.0}) == ERR_INVALID,
        "Fused CONST out of range is ERR_INVALID");
  check(run("Fused", {&x}, y, {1, 1, kEwCodeCount + 40, 0, 0}) == ERR_INVALID, "Fused unknown opcode is ERR_INVALID");
  check(run("Fused", {&x}, y, {1, 1, int(EwCode::Where), 0, 0}) == ERR_INVALID, "Fused Select without c is ERR_INVALID");
  check(run("Fused", {&x}, y, {2, 1, int(EwCode::Neg), 0, 0}) == ERR_INVALID,
        "Fused nIn disagreeing with inputs is ERR_INVALID");
  Buf xi(I32, {4}), yi(I32, {4});
  check(run("Fused", {&xi}, yi, {1, 1, int(EwCode::Neg), 0, 0}) == ERR_DTYPE, "Fused on int32 is ERR_DTYPE");
}

// ---------------------------------------------------------------- thread pool

void check_thread_pool() {
  ThreadPool pool(3);
  bool covered = true;
  for (int64_t n : {1, 2, 3, 7, 100, 100000}) {
    for (int64_t grain : {1, 10, 1000}) {
      std::vector<int> hits(n, 0);
      pool.parallel_for(n, grain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) hits[i]++;
      });
      covered = covered && std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; });
    }
  }
  check(covered, "parallel_for visits every index exactly once");
  std::atomic<int64_t> total{0};
  for (int it = 0; it < 20000; it++) pool.parallel_for(64, 1, [&](int64_t b, int64_t e) { total += e - b; });
  check(total == 20000 * 64, "20000 back-to-back parallel_for calls");
  std::atomic<int64_t> nested{0};
  pool.parallel_for(4, 1, [&](int64_t, int64_t) {
    pool.parallel_for(10, 1, [&](int64_t b, int64_t e) { nested += e - b; });
  });
  check(nested > 0 && nested % 10 == 0, "a nested parallel_for runs inline instead of deadlocking");
  std::atomic<int64_t> both{0};
  std::thread other([&] {
    for (int it = 0; it < 2000; it++) pool.parallel_for(100, 1, [&](int64_t b, int64_t e) { both += e - b; });
  });
  for (int it = 0; it < 2000; it++) pool.parallel_for(100, 1, [&](int64_t b, int64_t e) { both += e - b; });
  other.join();
  check(both == 4000 * 100, "two threads sharing a pool both complete");
  pool.resize(1);
  total = 0;
  pool.parallel_for(1000, 1, [&](int64_t b, int64_t e) { total += e - b; });
  pool.resize(4);
  pool.parallel_for(1000, 1, [&](int64_t b, int64_t e) { total += e - b; });
  check(total == 2000 && pool.threads() == 4, "resize");
}

// ---------------------------------------------------------------- blas

double tol_for(DType d, double mag) { return d == F32 ? 1e-5 * mag + 1e-30 : d == F64 ? 1e-13 * mag + 1e-300 : 0; }

void fill_small(const Buf& b) {
  for (int64_t i = 0; i < b.t.size; i++) {
    b.set(i, b.t.dtype == I32 ? static_cast<double>(rand_int(-100, 100)) : rand_unit() * 2 - 1);
  }
}

void dot_case(DType d, int ra, int rb, ThreadPool* pool) {
  const bool big = rand_int(0, 10) == 0;
  const int64_t m = big ? rand_int(100, 300) : rand_int(0, 9), k = big ? rand_int(100, 300) : rand_int(0, 9),
                n = big ? rand_int(100, 300) : rand_int(0, 9);
  const bool ta = ra == 2 && rand_int(0, 1), tb = rb == 2 && rand_int(0, 1);
  Buf A(d, ra == 2 ? (ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k}) : std::vector<int64_t>{k});
  Buf B(d, rb == 2 ? (tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}) : std::vector<int64_t>{k});
  std::vector<int64_t> os;
  if (ra == 2) os.push_back(m);
  if (rb == 2) os.push_back(n);
  Buf C(d, os);
  fill_small(A);
  fill_small(B);
  C.set(0, NAN);  // must be overwritten
  const Status st = run("Dot", {&A, &B}, C, {ta, tb}, {}, pool);
  const int64_t M = ra == 2 ? m : 1, N = rb == 2 ? n : 1;
  int64_t bad = 0;
  for (int64_t i = 0; i < M && st == OK; i++) {
    for (int64_t j = 0; j < N; j++) {
      double s = 0, mag = 0;
      int64_t si = 0;
      for (int64_t p = 0; p < k; p++) {
        const double a = A.get(ra == 2 ? (ta ? p * m + i : i * k + p) : p);
        const double b = B.get(rb == 2 ? (tb ? j * k + p : p * n + j) : p);
        s += a * b;
        mag += std::fabs(a * b);
        si += static_cast<int64_t>(a) * static_cast<int64_t>(b);
      }
      const double y = C.get(i * N + j);
      const bool ok = d == I32 ? y == static_cast<int32_t>(static_cast<uint32_t>(si))
                               : std::fabs(y - s) <= tol_for(d, mag);
      bad += !ok;
    }
  }
  check(st == OK && bad == 0, std::string("Dot ") + dtype_name(d) + " " + shape_str(A.shape) + (ta ? "T" : "") + " x " +
                                  shape_str(B.shape) + (tb ? "T" : ""));
}

void gemm_case(DType d, ThreadPool* pool) {
  const int64_t m = rand_int(1, 40), k = rand_int(0, 40), n = rand_int(1, 40);
  const bool ta = rand_int(0, 1), tb = rand_int(0, 1);
  // the product is [pm, pn]; now and then it has one row or column and broadcasts to out [m, n] (C is larger)
  const int bc = static_cast<int>(rand_int(0, 5));
  const int64_t pm = bc == 1 || bc == 3 ? 1 : m, pn = bc == 2 || bc == 3 ? 1 : n;
  Buf A(d, ta ? std::vector<int64_t>{k, pm} : std::vector<int64_t>{pm, k});
  Buf B(d, tb ? std::vector<int64_t>{pn, k} : std::vector<int64_t>{k, pn});
  static const std::vector<std::vector<int64_t>> kinds = {{}, {1}, {0}, {1, 0}, {2, 1}, {2, 0}};
  std::vector<int64_t> cs;
  if (pm != m || pn != n) {  // C supplies the dims the product lacks
    cs = rand_int(0, 1) || pm != m ? std::vector<int64_t>{m, pn == n ? (rand_int(0, 1) ? n : 1) : n} : std::vector<int64_t>{n};
  } else {
    for (int64_t v : kinds[rand_int(0, 5)]) cs.push_back(v == 0 ? n : v == 2 ? m : 1);
  }
  Buf Cin(d, cs), Y(d, {m, n});
  fill_small(A);
  fill_small(B);
  fill_small(Cin);
  const double alpha = rand_int(0, 3) == 0 ? 0.0 : rand_unit() * 2 - 1;
  const double beta = std::vector<double>{0.0, 1.0, 0.5}[rand_int(0, 2)];
  if (beta == 0) {
    for (int64_t i = 0; i < Cin.t.size; i++) Cin.set(i, NAN);  // not read when beta == 0
  }
  const Status st = run("Gemm", {&A, &B, &Cin}, Y, {ta, tb}, {alpha, beta}, pool);
  int64_t bad = 0;
  for (int64_t i = 0; i < m && st == OK; i++) {
    for (int64_t j = 0; j < n; j++) {
      const int64_t pi = pm == 1 ? 0 : i, pj = pn == 1 ? 0 : j;
      double s = 0, mag = 0;
      for (int64_t p = 0; p < k; p++) {
        const double ab = A.get(ta ? p * pm + pi : pi * k + p) * B.get(tb ? pj * k + p : p * pn + pj);
        s += ab;
        mag += std::fabs(ab);
      }
      const double c = beta == 0 ? 0 : Cin.get(bcast_offset(cs, {m, n}, i * n + j));
      const double want = alpha * s + beta * c;
      bad += !(std::fabs(Y.get(i * n + j) - want) <= tol_for(d, std::fabs(alpha) * mag + std::fabs(beta * c)));
    }
  }
  check(st == OK && bad == 0, std::string("Gemm ") + dtype_name(d) + " m,k,n=" + std::to_string(m) + "," +
                                  std::to_string(k) + "," + std::to_string(n) + " product " + std::to_string(pm) + "x" +
                                  std::to_string(pn) + " C" + shape_str(cs) + " beta=" + std::to_string(beta));
}

void check_blas(ThreadPool* pool) {
  for (DType d : {F32, F64, I32}) {
    for (int ra : {1, 2}) {
      for (int rb : {1, 2}) {
        for (int c = 0; c < 12; c++) dot_case(d, ra, rb, pool);
      }
    }
  }
  for (int c = 0; c < 80; c++) {
    gemm_case(F32, c % 2 ? pool : nullptr);
    gemm_case(F64, c % 2 ? pool : nullptr);
  }
  {  // a product that broadcasts needs plan scratch (for the BLAS path), none otherwise
    Buf A(F32, {1, 60}), B(F32, {60, 50}), C(F32, {70, 50}), Y(F32, {70, 50});
    std::vector<Tensor> in = {A.t, B.t, C.t};
    const int32_t ints[2] = {0, 0};
    const double floats[2] = {1, 1};
    KernelCtx ctx;
    ctx.in = in.data();
    ctx.n_in = 3;
    ctx.out = &Y.t;
    ctx.n_out = 1;
    ctx.attrs = {ints, 2, floats, 2};
    check(kernel_scratch_bytes("Gemm", ctx) == 50 * 4, "Gemm scratch for a broadcast product");
    Buf Y2(F32, {1, 50});
    ctx.out = &Y2.t;
    in[2] = Buf(F32, {50}).t;
    check(kernel_scratch_bytes("Gemm", ctx) == 0, "no Gemm scratch otherwise");
    Buf Ybad(F32, {70, 49});
    check(run("Gemm", {&A, &B, &C}, Ybad, {0, 0}, {1, 1}) == ERR_SHAPE, "Gemm into a non-broadcast shape is ERR_SHAPE");
  }
  Buf a(F32, {2, 3}), b(F32, {2, 3}), y(F32, {2, 3});
  check(run("Dot", {&a, &b}, y) == ERR_SHAPE, "Dot [2,3] x [2,3] is ERR_SHAPE");
  Buf yt(F32, {2, 2});
  check(run("Dot", {&a, &b}, yt, {0, 1}) == OK, "Dot [2,3] x [2,3]^T is fine");
  Buf bb(BOOL, {3}), yb(BOOL, {});
  check(run("Dot", {&bb, &bb}, yb) == ERR_DTYPE, "Dot of bool is ERR_DTYPE");
  {  // batched Dot (matmul rules), Tensordot, Diag: contracts and one value each
    Buf a3(F64, {2, 3, 4}), b3(F64, {2, 4, 5}), bb3(F64, {3, 4, 5}), y3(F64, {2, 3, 5}), ybad(F64, {2, 3, 6});
    for (int64_t i = 0; i < a3.t.size; i++) a3.p<double>()[i] = 1;
    for (int64_t i = 0; i < b3.t.size; i++) b3.p<double>()[i] = static_cast<double>(i);
    check(run("Dot", {&a3, &b3}, y3) == OK && y3.get(0) == 0 + 5 + 10 + 15 && y3.get(15) == 20 + 25 + 30 + 35,
          "Dot [2,3,4] x [2,4,5] multiplies per batch");
    check(run("Dot", {&a3, &bb3}, y3) == ERR_SHAPE, "Dot with batch dims 2 and 3 is ERR_SHAPE");
    check(run("Dot", {&a3, &b3}, ybad) == ERR_SHAPE, "Dot [2,3,4] x [2,4,5] into [2,3,6] is ERR_SHAPE");
    Buf v4(F64, {4}), yv(F64, {2, 3});
    check(run("Dot", {&a3, &v4}, yv) == OK, "Dot [2,3,4] x [4] is [2,3]");
    Buf ab(F64, {2, 1, 3, 4}), yb4(F64, {2, 2, 3, 5});
    check(run("Dot", {&ab, &b3}, yb4) == OK, "Dot [2,1,3,4] x [2,4,5] broadcasts to [2,2,3,5]");
    Buf yt(F64, {3, 5});
    check(run("Tensordot", {&a3, &b3}, yt, {2, 0, 2, 0, 1}) == OK && yt.get(0) == (0 + 5 + 10 + 15) + (20 + 25 + 30 + 35),
          "Tensordot [2,3,4] x [2,4,5] over (0, 0), (2, 1) is [3,5]");
    check(run("Tensordot", {&a3, &b3}, yt, {2, 0, 0, 0, 1}) == ERR_INVALID, "Tensordot with a repeated axis is ERR_INVALID");
    check(run("Tensordot", {&a3, &b3}, yt, {1, 7, 0}) == ERR_INVALID, "Tensordot with an axis out of range is ERR_INVALID");
    check(run("Tensordot", {&a3, &b3}, yt, {2, 0, 2}) == ERR_INVALID, "Tensordot with too few axes is ERR_INVALID");
    check(run("Tensordot", {&a3, &b3}, yt, {2, 1, 2, 0, 1}) == ERR_SHAPE, "Tensordot pairing sizes 3 and 2 is ERR_SHAPE");
    Buf m(I32, {2, 3}), d3(I32, {3});
    for (int i = 0; i < 6; i++) m.p<int32_t>()[i] = i + 1;
    for (int i = 0; i < 3; i++) d3.p<int32_t>()[i] = 7 + i;
    check(run("Diag", {&m}, d3, {1}) == ERR_SHAPE, "Diag k=1 of [2,3] into [3] is ERR_SHAPE (its length is 2)");
    Buf d2(I32, {2}), e(I32, {4, 4});
    check(run("Diag", {&m}, d2, {1}) == OK && d2.get(0) == 2 && d2.get(1) == 6, "Diag k=1 of [2,3] is [2, 6]");
    Buf d2f(F64, {2});
    check(run("Diag", {&a3}, d2f, {0}) == ERR_SHAPE, "Diag of a rank-3 tensor is ERR_SHAPE");
    check(run("Diag", {&d3}, e, {-1}) == OK && e.get(0) == 0 && e.get(4) == 7 && e.get(9) == 8 && e.get(14) == 9,
          "Diag k=-1 of [7, 8, 9] is [4,4] with it below the main diagonal");
    Buf like(I32, {2, 3});
    check(run("DiagLike", {&d3, &m}, like, {0}) == ERR_SHAPE, "DiagLike of a [3] vector on a [2,3] matrix is ERR_SHAPE");
    check(run("DiagLike", {&d2, &m}, like, {1}) == OK && like.get(1) == 2 && like.get(5) == 6 && like.get(0) == 0,
          "DiagLike puts [2, 6] on diagonal 1 of a [2,3] zero matrix");
  }
}

// ---------------------------------------------------------------- reductions

struct ReduceSpec {
  const char* name;
  DType in, out;
};

void reduce_case(const ReduceSpec& spec, ThreadPool* pool) {
  const int kind = static_cast<int>(rand_int(0, 12));
  std::vector<int64_t> shape;
  if (kind == 0) {
    shape = {rand_int(100000, 300000)};
  } else if (kind == 1) {
    shape = {rand_int(500, 1500), rand_int(100, 300)};
  } else {
    shape = rand_shape(static_cast<int>(rand_int(0, 5)), 6);
    if (rand_int(0, 15) == 0 && !shape.empty()) shape[rand_int(0, static_cast<int64_t>(shape.size()) - 1)] = 0;
  }
  const int rank = static_cast<int>(shape.size());
  std::vector<int32_t> axes;
  for (int a = 0; a < rank; a++) {
    if (rand_int(0, 1)) axes.push_back(a);
  }
  const bool keep = rand_int(0, 1);
  std::vector<int64_t> os;
  for (int a = 0; a < rank; a++) {
    const bool red = std::find(axes.begin(), axes.end(), a) != axes.end();
    if (!red) os.push_back(shape[a]);
    else if (keep) os.push_back(1);
  }
  Buf x(spec.in, shape), y(spec.out, os);
  fill(x);
  std::vector<int32_t> ints = {keep};
  ints.insert(ints.end(), axes.begin(), axes.end());
  const Status st = run(spec.name, {&x}, y, ints, {}, pool);
  // reference: accumulate every input element into its output
  int64_t count = 1;
  for (int32_t a : axes) count *= shape[a];
  const bool is_max = std::strcmp(spec.name, "Max") == 0, is_mean = std::strcmp(spec.name, "Mean") == 0;
  const std::string what = std::string(spec.name) + " " + dtype_name(spec.in) + "->" + dtype_name(spec.out) + " " +
                           shape_str(shape) + " axes " + std::to_string(axes.size()) + (keep ? " keepdims" : "");
  if (is_max && count == 0 && y.t.size > 0) return check(st == ERR_SHAPE, what + " of nothing is ERR_SHAPE");
  std::vector<double> acc(y.t.size, is_max ? -INFINITY : 0.0), mag(y.t.size, 0.0);
  std::vector<int64_t> iacc(y.t.size, 0);
  for (int64_t i = 0; i < x.t.size; i++) {
    int64_t rem = i, o = 0, ostride = 1;
    for (int a = rank - 1; a >= 0; a--) {
      const int64_t idx = rem % shape[a];
      rem /= shape[a];
      if (std::find(axes.begin(), axes.end(), a) == axes.end()) {
        o += idx * ostride;
        ostride *= shape[a];
      }
    }
    const double v = x.get(i);
    if (is_max) {
      acc[o] = (v > acc[o] || std::isnan(v)) && !std::isnan(acc[o]) ? v : acc[o];
    } else {
      acc[o] += v;
      mag[o] += std::fabs(v);
      if (spec.in == I32 || spec.in == BOOL) iacc[o] += static_cast<int64_t>(v);
    }
  }
  int64_t bad = 0;
  for (int64_t o = 0; o < y.t.size && st == OK; o++) {
    double want = acc[o];
    if (is_mean) want /= static_cast<double>(count);
    if (spec.out == I32 && !is_max) want = static_cast<int32_t>(static_cast<uint32_t>(iacc[o]));
    if (spec.out == F32) want = static_cast<float>(want);
    const double got = y.get(o);
    bool ok;
    if (is_max || spec.out == I32 || std::isnan(want) || std::isinf(want)) {
      ok = std::isnan(want) ? std::isnan(got) : got == want;
    } else {
      const double scale = is_mean && count ? mag[o] / count : mag[o];
      ok = std::fabs(got - want) <= (spec.out == F32 ? 1e-6 : 1e-13) * scale + 1e-300;
    }
    if (!ok && bad++ == 0) {
      std::printf("  %s: out %lld = %.17g, want %.17g\n", what.c_str(), static_cast<long long>(o), got, want);
    }
  }
  check(st == OK && bad == 0, what + " status " + std::to_string(st));
}

void check_reductions_deterministic(ThreadPool* pool) {
  Buf x(F32, {1 << 20}), a(F32, {}), b(F32, {});
  fill(x);
  for (int64_t i = 0; i < x.t.size; i++) x.p<float>()[i] = static_cast<float>(rand_unit());
  run("Sum", {&x}, a, {0, 0}, {}, nullptr);
  run("Sum", {&x}, b, {0, 0}, {}, pool);
  check(a.p<float>()[0] == b.p<float>()[0], "a full sum does not depend on the thread pool");
}

void sum_to_case(ThreadPool* pool) {
  std::vector<int64_t> xs = rand_shape(static_cast<int>(rand_int(0, 4)), 6);
  if (rand_int(0, 10) == 0) xs = {rand_int(300, 600), rand_int(200, 400)};
  std::vector<int64_t> rs = broadcast_of(xs);
  DType d = std::vector<DType>{F32, F64, I32}[rand_int(0, 2)];
  Buf x(d, xs), ref(F32, rs), y(d, rs);
  fill(x);
  const Status st = run("SumTo", {&x, &ref}, y, {}, {}, pool);
  std::vector<double> acc(y.t.size, 0.0), mag(y.t.size, 0.0);
  std::vector<int64_t> iacc(y.t.size, 0);
  for (int64_t i = 0; i < x.t.size; i++) {
    const int64_t o = bcast_offset(rs, xs, i);
    acc[o] += x.get(i);
    mag[o] += std::fabs(x.get(i));
    if (d == I32) iacc[o] += static_cast<int64_t>(x.get(i));
  }
  int64_t bad = 0;
  for (int64_t o = 0; o < y.t.size && st == OK; o++) {
    double want = d == F32 ? static_cast<float>(acc[o]) : acc[o];
    if (d == I32) want = static_cast<int32_t>(static_cast<uint32_t>(iacc[o]));
    const double got = y.get(o);
    const bool exact = std::isnan(want) || std::isinf(want) || d == I32;
    const bool ok = exact ? same_bits(got, want) || got == want
                          : std::fabs(got - want) <= (d == F32 ? 1e-6 : 1e-13) * mag[o] + 1e-300;
    bad += !ok;
  }
  check(st == OK && bad == 0, std::string("SumTo ") + dtype_name(d) + " " + shape_str(xs) + " -> " + shape_str(rs));
}

template <class T>
void softmax_case(bool log, ThreadPool* pool) {
  const DType d = std::is_same_v<T, float> ? F32 : F64;
  std::vector<int64_t> s;
  switch (rand_int(0, 3)) {
    case 0: s = {rand_int(1, 50)}; break;
    case 1: s = {rand_int(1, 20), rand_int(1, 30)}; break;
    case 2: s = {rand_int(1, 4), rand_int(1, 5), rand_int(1, 40)}; break;
    default: s = {rand_int(100, 300), rand_int(200, 500)}; break;
  }
  Buf x(d, s), y(d, s);
  const double scale = std::vector<double>{1, 10, 1e4}[rand_int(0, 2)];
  for (int64_t i = 0; i < x.t.size; i++) x.set(i, rand_int(0, 30) == 0 ? -INFINITY : (rand_unit() * 2 - 1) * scale);
  // any axis (the last one half the time, given as -1 now and then); lines of length len, inner elements apart
  const int rank = static_cast<int>(s.size());
  const int axis = rand_int(0, 1) ? rank - 1 : static_cast<int>(rand_int(0, rank - 1));
  const int32_t axis_attr = axis == rank - 1 && rand_int(0, 1) ? -1 : axis;
  const Status st = run(log ? "LogSoftmax" : "Softmax", {&x}, y, {axis_attr}, {}, pool);
  int64_t inner = 1;
  for (int a = axis + 1; a < rank; a++) inner *= s[a];
  const int64_t len = s[axis], lines = x.t.size / len;
  int64_t bad = 0;
  for (int64_t l = 0; l < lines && st == OK; l++) {
    const int64_t base = (l / inner) * len * inner + l % inner;
    auto at = [&](int64_t j) { return base + j * inner; };
    double m = -INFINITY, sum = 0;
    for (int64_t j = 0; j < len; j++) m = std::max(m, x.get(at(j)));
    for (int64_t j = 0; j < len; j++) sum += std::exp(x.get(at(j)) - m);
    for (int64_t j = 0; j < len; j++) {
      const double xv = x.get(at(j)), got = y.get(at(j));
      const double want = log ? (xv - m) - std::log(sum) : std::exp(xv - m) / sum;
      const double eps = d == F32 ? 1e-6 : 1e-14;
      bool ok;
      if (std::isnan(want) || std::isinf(want)) {
        ok = same_bits(got, want) || (std::isnan(want) && std::isnan(got));
      } else {
        const double tol = log ? 4 * eps * (std::fabs(xv - m) + std::fabs(std::log(sum)) + 1) : 4 * eps * want + 1e-37;
        ok = std::fabs(got - want) <= tol;
      }
      bad += !ok;
    }
  }
  check(st == OK && bad == 0, std::string(log ? "LogSoftmax " : "Softmax ") + dtype_name(d) + " " + shape_str(s) +
                                  " axis " + std::to_string(axis_attr) + " scale " + std::to_string(scale));
}

void check_reduce(ThreadPool* pool) {
  const ReduceSpec specs[] = {{"Sum", F32, F32},   {"Sum", F64, F64},   {"Sum", I32, I32},  {"Sum", BOOL, I32},
                              {"Mean", F32, F32},  {"Mean", F64, F64},  {"Mean", I32, F64}, {"Mean", BOOL, F32},
                              {"Max", F32, F32},   {"Max", F64, F64},   {"Max", I32, I32}};
  for (const ReduceSpec& spec : specs) {
    for (int c = 0; c < 40; c++) reduce_case(spec, c % 2 ? pool : nullptr);
  }
  check_reductions_deterministic(pool);
  for (int c = 0; c < 60; c++) sum_to_case(c % 2 ? pool : nullptr);
  for (int c = 0; c < 30; c++) {
    softmax_case<float>(false, pool);
    softmax_case<float>(true, pool);
    softmax_case<double>(false, pool);
    softmax_case<double>(true, pool);
  }
  Buf x(F32, {3, 4, 5}), cnt(I32, {}), cntf(F64, {});
  check(run("AxisCount", {&x}, cnt, {0, 2}) == OK && cnt.p<int32_t>()[0] == 15, "AxisCount over axes 0, 2");
  check(run("AxisCount", {&x}, cntf, {}) == OK && cntf.p<double>()[0] == 1, "AxisCount over no axes is 1");
  Buf y(F32, {3, 4, 5});
  for (int64_t i = 0; i < x.t.size; i++) x.set(i, static_cast<double>(i % 7) - 3);
  bool columns_normalized = run("Softmax", {&x}, y, {0}) == OK;
  for (int64_t c = 0; c < 20; c++) {
    double sum = 0;
    for (int64_t r = 0; r < 3; r++) sum += y.get(r * 20 + c);
    columns_normalized = columns_normalized && std::fabs(sum - 1) <= 1e-6;
  }
  check(columns_normalized, "Softmax over a leading axis normalizes each column");
  check(run("Softmax", {&x}, y, {3}) == ERR_INVALID, "Softmax over axis 3 of a rank-3 tensor is ERR_INVALID");
  Buf s(F32, {3});
  check(run("Sum", {&x}, s, {0, 0, 1}) == ERR_SHAPE, "Sum into a wrongly shaped out is ERR_SHAPE");
  check(run("Sum", {&x}, s, {0, 2, 1}) == ERR_INVALID, "Sum with unsorted axes is ERR_INVALID");
  Buf e(F32, {0}), m(F32, {});
  check(run("Mean", {&e}, m, {0, 0}) == OK && std::isnan(m.p<float>()[0]), "Mean of nothing is NaN");
  check(run("Max", {&e}, m, {0, 0}) == ERR_SHAPE, "Max of nothing is ERR_SHAPE");
}

// ---------------------------------------------------------------- shape

void transpose_case(ThreadPool* pool) {
  std::vector<int64_t> s = rand_int(0, 10) == 0 ? std::vector<int64_t>{rand_int(300, 700), rand_int(300, 700)}
                                                : rand_shape(static_cast<int>(rand_int(1, 5)), 6);
  const int r = static_cast<int>(s.size());
  std::vector<int32_t> perm(r);
  for (int i = 0; i < r; i++) perm[i] = i;
  std::shuffle(perm.begin(), perm.end(), rng);
  std::vector<int64_t> os(r);
  for (int i = 0; i < r; i++) os[i] = s[perm[i]];
  const DType d = std::vector<DType>{F32, F64, I32, BOOL}[rand_int(0, 3)];
  Buf x(d, s), y(d, os);
  for (int64_t i = 0; i < x.t.size; i++) x.set(i, static_cast<double>(i % 251));
  const Status st = run("Transpose", {&x}, y, perm, {}, pool);
  std::vector<int64_t> istr(r);
  for (int a = r - 1, st2 = 1; a >= 0; a--) {
    istr[a] = st2;
    st2 *= static_cast<int>(s[a]);
  }
  int64_t bad = 0;
  for (int64_t o = 0; o < y.t.size && st == OK; o++) {
    int64_t rem = o, off = 0;
    for (int i = r - 1; i >= 0; i--) {
      off += (rem % os[i]) * istr[perm[i]];
      rem /= os[i];
    }
    bad += y.get(o) != x.get(off);
  }
  std::string p;
  for (int v : perm) p += std::to_string(v);
  check(st == OK && bad == 0, std::string("Transpose ") + dtype_name(d) + " " + shape_str(s) + " perm " + p);
}

void broadcast_to_case(ThreadPool* pool) {
  std::vector<int64_t> xs = rand_shape(static_cast<int>(rand_int(0, 3)), 5);
  std::vector<int32_t> axes;
  std::vector<int64_t> ex = xs;
  const int n_axes = static_cast<int>(rand_int(0, 2));
  for (int k = 0; k < n_axes; k++) {
    const int at = static_cast<int>(rand_int(0, static_cast<int64_t>(ex.size())));
    if (!axes.empty() && at <= axes.back()) continue;
    axes.push_back(at);
    ex.insert(ex.begin() + at, 1);
  }
  std::vector<int64_t> os = ex;
  for (auto& d : os) {
    if (d == 1 && rand_int(0, 1)) d = rand_int(2, 5);
  }
  if (rand_int(0, 1)) os.insert(os.begin(), rand_int(1, 4));
  if (rand_int(0, 12) == 0) os.insert(os.begin(), 5000);
  const DType d = std::vector<DType>{F32, F64, I32, BOOL}[rand_int(0, 3)];
  Buf x(d, xs), ref(F32, os), y(d, os);
  for (int64_t i = 0; i < x.t.size; i++) x.set(i, static_cast<double>(i % 200 + 1));
  const Status st = run("BroadcastTo", {&x, &ref}, y, axes, {}, pool);
  int64_t bad = 0;
  for (int64_t o = 0; o < y.t.size && st == OK; o++) bad += y.get(o) != x.get(bcast_offset(ex, os, o));
  check(st == OK && bad == 0, std::string("BroadcastTo ") + dtype_name(d) + " " + shape_str(xs) + " axes " +
                                  std::to_string(axes.size()) + " -> " + shape_str(os));
}

void check_shape(ThreadPool* pool) {
  for (int c = 0; c < 120; c++) transpose_case(c % 2 ? pool : nullptr);
  for (int c = 0; c < 120; c++) broadcast_to_case(c % 2 ? pool : nullptr);
  Buf x(F32, {2, 3}), y(F32, {3, 2});
  check(run("Transpose", {&x}, y, {0, 0}) == ERR_INVALID, "Transpose with a repeated axis is ERR_INVALID");
  check(run("Transpose", {&x}, y, {0, 1}) == ERR_SHAPE, "Transpose into the wrong shape is ERR_SHAPE");
  Buf z(F32, {4, 3});
  check(run("BroadcastTo", {&x, &z}, z) == ERR_SHAPE, "BroadcastTo [2,3] -> [4,3] is ERR_SHAPE");
  check(find_kernel("NoSuchKernel") == nullptr, "unknown kernel names give nullptr");
}

// ---------------------------------------------------------------- bench

double time_ms(const std::function<void()>& fn, int reps) {
  fn();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; i++) fn();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
}

void run_bench() {
  ThreadPool pool(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const int64_t n = 1 << 20;
  Buf x(F32, {n}), y(F32, {n}), w(F32, {n});
  for (int64_t i = 0; i < n; i++) x.p<float>()[i] = static_cast<float>(rand_unit() * 20 - 10) + 10.5f * (i % 2);
  std::printf("float32, %lld elements, one thread: ns per element\n", static_cast<long long>(n));
  for (const char* op : {"Add", "Exp", "Log", "Tanh", "Sigmoid"}) {
    double t[2];
    for (int p = 0; p < 2; p++) {
      simd::set_avx2(p == 1);
      t[p] = time_ms([&] { std::strcmp(op, "Add") ? run(op, {&x}, y) : run(op, {&x, &w}, y); }, 20);
    }
    simd::set_avx2(true);
    std::printf("  %-8s portable %.3f  avx2 %.3f\n", op, t[0] * 1e6 / n, t[1] * 1e6 / n);
  }
  std::printf("threads (pool of %d) vs inline, ms:\n", pool.threads());
  for (int64_t m : {int64_t{1} << 12, int64_t{1} << 14, int64_t{1} << 16, int64_t{1} << 18, int64_t{1} << 20}) {
    Buf a(F32, {m}), b(F32, {m});
    for (int64_t i = 0; i < m; i++) a.p<float>()[i] = static_cast<float>(rand_unit());
    for (const char* op : {"Neg", "Exp"}) {
      KernelCtx ctx;
      ctx.in = &a.t;
      ctx.n_in = 1;
      ctx.out = &b.t;
      ctx.n_out = 1;
      KernelFn fn = find_kernel(op);
      const double t1 = time_ms([&] { fn(ctx); }, 200);
      // force the split regardless of the threshold
      const double t2 = time_ms([&] {
        pool.parallel_for(m, 1, [&](int64_t b0, int64_t b1) {
          ew_unary(std::strcmp(op, "Neg") ? EwOp::Exp : EwOp::Neg, a.p<float>() + b0, b.p<float>() + b0, b1 - b0);
        });
      }, 200);
      std::printf("  %-4s n=2^%d  inline %.4f  split %.4f\n", op, static_cast<int>(std::log2(m)), t1, t2);
    }
  }
  // fused chain out = sigmoid(x * 0.5 + w) * 2 - 1 vs the five kernels
  const int64_t big = 1 << 22;
  Buf X(F32, {big}), W(F32, {big}), T1(F32, {big}), T2(F32, {big}), Y(F32, {big}), c(F32, {});
  for (int64_t i = 0; i < big; i++) X.p<float>()[i] = W.p<float>()[i] = static_cast<float>(rand_unit());
  const std::vector<int32_t> prog = {2, 8, int(EwCode::Const), 0, 0, int(EwCode::Mul), 0, 2, int(EwCode::Add), 3, 1, int(EwCode::Sigmoid), 4, 0,
                                     int(EwCode::Const), 1, 0, int(EwCode::Mul), 5, 6, int(EwCode::Const), 2, 0, int(EwCode::Sub), 7, 8};
  for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
    const double tf = time_ms([&] { run("Fused", {&X, &W}, Y, prog, {0.5, 2.0, 1.0}, p); }, 10);
    const double tu = time_ms([&] {
      c.p<float>()[0] = 0.5f;
      run("Mul", {&X, &c}, T1, {}, {}, p);
      run("Add", {&T1, &W}, T2, {}, {}, p);
      run("Sigmoid", {&T2}, T1, {}, {}, p);
      c.p<float>()[0] = 2.0f;
      run("Mul", {&T1, &c}, T2, {}, {}, p);
      c.p<float>()[0] = 1.0f;
      run("Sub", {&T2, &c}, Y, {}, {}, p);
    }, 10);
    std::printf("sigmoid(x*0.5 + w)*2 - 1 on 2^22 floats (%s): fused %.2f ms, unfused %.2f ms\n",
                p ? "pool" : "inline", tf, tu);
  }
  Buf M(F32, {4096, 1024}), colsum(F32, {1024}), rowsum(F32, {4096}), MT(F32, {1024, 4096});
  for (int64_t i = 0; i < M.t.size; i++) M.p<float>()[i] = static_cast<float>(rand_unit());
  std::printf("Sum [4096,1024] over axis 0: %.2f ms, over axis 1: %.2f ms; Transpose: %.2f ms (inline)\n",
              time_ms([&] { run("Sum", {&M}, colsum, {0, 0}); }, 10),
              time_ms([&] { run("Sum", {&M}, rowsum, {0, 1}); }, 10),
              time_ms([&] { run("Transpose", {&M}, MT, {1, 0}); }, 10));
}

}  // namespace

// A prepared step keeps only shape-derived state: running it again on new data (a new scalar input for Fused, whose
// folded constants depend on it) gives the new result.
void check_prepared_reuse() {
  Buf x(F32, {5}), c(F32, {}), y(F32, {5});
  // y = (x + c) * (c * 2): register 2 = x + c, 3 = CONST 2, 4 = c * 2 (folded, depends on c), 5 = r2 * r4
  const std::vector<int32_t> ints = {2, 4, int(EwCode::Add), 0, 1, int(EwCode::Const), 0, 0, int(EwCode::Mul), 1, 3, int(EwCode::Mul), 2, 4};
  const std::vector<double> floats = {2.0};
  std::vector<Tensor> in = {x.t, c.t}, shapes = in;
  for (Tensor& t : shapes) t.data = nullptr;
  Tensor out = y.t;
  out.data = nullptr;
  KernelCtx ctx;
  ctx.in = shapes.data();
  ctx.n_in = 2;
  ctx.out = &out;
  ctx.n_out = 1;
  ctx.attrs = {ints.data(), static_cast<int32_t>(ints.size()), floats.data(), 1};
  PreparedStep ps;
  check(find_prepare("Fused")(ctx, &ps) == OK && ps.run && !ps.needs_pool, "Fused prepares");
  ctx.in = in.data();
  ctx.out = &y.t;
  ctx.state = ps.state.get();
  bool ok = true;
  for (float cv : {1.0f, -3.0f, 0.5f}) {
    for (int i = 0; i < 5; i++) x.p<float>()[i] = static_cast<float>(i);
    c.p<float>()[0] = cv;
    ok = ok && ps.run(ctx) == OK;
    for (int i = 0; i < 5; i++) ok = ok && y.p<float>()[i] == (static_cast<float>(i) + cv) * (cv * 2.0f);
  }
  check(ok, "a prepared Fused step rereads its scalar inputs on every run");
}

int main(int argc, char** argv) {
  bool full = false, quick = false, bench = false, sweeps = true;
  for (int i = 1; i < argc; i++) {
    full = full || std::strcmp(argv[i], "--full") == 0;
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    bench = bench || std::strcmp(argv[i], "--bench") == 0;
    sweeps = sweeps && std::strcmp(argv[i], "--no-sweep") != 0;
  }
  if (bench) {
    g_compare_prepared = false;
    run_bench();
    return 0;
  }
  ThreadPool pool(4);
  std::printf("SIMD path: %s\n", simd::avx2_enabled() ? "AVX2" : "portable");
  check_thread_pool();
  check_elementwise(&pool);
  check_cast(&pool);
  check_fused(&pool);
  check_blas(&pool);
  check_reduce(&pool);
  check_shape(&pool);
  check_prepared_reuse();
  check_approximations(full, quick, sweeps);
  std::printf("prepared kernels: %llu calls compared with the generic kernels, %llu mismatches\n",
              static_cast<unsigned long long>(g_prepare_calls), static_cast<unsigned long long>(g_prepared_mismatch));
  std::printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail == 0 ? 0 : 1;
}
