// Random draws from Philox4x32-10 streams (Salmon et al., SC 2011). The element -> word mapping, the uniform
// conversions, and our own log and sin/cos (arithmetic only, no libm) match lib/random/philox.ts and lib/ops/random.ts
// operation for operation, so both backends give the same bits. Nothing here may be contracted into fused
// multiply-adds: the build has no -march flag, and fp-contract is off for this file where the compiler supports it.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include "kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "parallel.h"

namespace nodeano {
namespace {

constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

void philox_block(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t out[4]) {
  for (int r = 0; r < 10; r++) {
    const uint64_t p0 = uint64_t(kM0) * c0;
    const uint64_t p1 = uint64_t(kM1) * c2;
    const uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    const uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// Word w of a draw: lane w % 4 of block w / 4, the block's counter (w/4 low, w/4 high, counterLo, counterHi).
class WordStream {
 public:
  explicit WordStream(const int32_t* s) : k0_(uint32_t(s[0])), k1_(uint32_t(s[1])), c2_(uint32_t(s[2])), c3_(uint32_t(s[3])) {}
  uint32_t word(uint64_t w) {
    const uint64_t b = w >> 2;
    if (b != block_) {
      philox_block(k0_, k1_, uint32_t(b), uint32_t(b >> 32), c2_, c3_, buf_);
      block_ = b;
    }
    return buf_[w & 3];
  }

 private:
  uint32_t k0_, k1_, c2_, c3_;
  uint32_t buf_[4] = {0, 0, 0, 0};
  uint64_t block_ = ~uint64_t(0);
};

constexpr double kTwoM24 = 1.0 / 16777216.0;
constexpr double kTwoM32 = 1.0 / 4294967296.0;
constexpr double kTwoM53 = 1.0 / 9007199254740992.0;

inline double u24(uint32_t w) { return double(w >> 8) * kTwoM24; }
inline double u32(uint32_t w) { return double(w) * kTwoM32; }
inline double u53(uint32_t a, uint32_t b) { return (double(a >> 5) * 67108864.0 + double(b >> 6)) * kTwoM53; }

// log x = e ln2 + 2 atanh(s), x = m 2^e, m in [sqrt(1/2), sqrt(2)), s = (m - 1) / (m + 1); as plog in philox.ts.
double plog(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  int e = int((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x800FFFFFFFFFFFFFull) | (uint64_t(1023) << 52);
  double m;
  std::memcpy(&m, &bits, 8);
  if (m >= 1.4142135623730951) {
    m = m * 0.5;
    e = e + 1;
  }
  if (m < 0.7071067811865476) {
    m = m * 2;
    e = e - 1;
  }
  const double s = (m - 1) / (m + 1);
  const double z = s * s;
  double p = 1.0 / 23;
  for (int k = 21; k >= 1; k -= 2) p = p * z + 1.0 / k;
  const double ed = double(e);
  return ed * 6.93147180369123816490e-1 + (2 * s * p + ed * 1.90821492927058770002e-10);
}

// sin and cos of 2 pi u, u in [0, 1), as sincos2pi in philox.ts.
void sincos2pi(double u, double* sn, double* cs) {
  const double t = u * 4;
  const double qf = std::floor(t + 0.5);
  const double r = (t - qf) * 1.5707963267948966;
  const double z = r * r;
  double s = -1.0 / 1307674368000.0;
  double c = 1.0 / 87178291200.0;
  s = s * z + 1.0 / 6227020800.0;
  s = s * z - 1.0 / 39916800.0;
  s = s * z + 1.0 / 362880.0;
  s = s * z - 1.0 / 5040.0;
  s = s * z + 1.0 / 120.0;
  s = s * z - 1.0 / 6.0;
  s = r + r * z * s;
  c = c * z - 1.0 / 479001600.0;
  c = c * z + 1.0 / 3628800.0;
  c = c * z - 1.0 / 40320.0;
  c = c * z + 1.0 / 720.0;
  c = c * z - 1.0 / 24.0;
  c = c * z + 1.0 / 2.0;
  c = 1 - z * c;
  const int q = int(qf) & 3;
  *sn = q == 0 ? s : q == 1 ? c : q == 2 ? -s : -c;
  *cs = q == 0 ? c : q == 1 ? -s : q == 2 ? -c : s;
}

template <typename T>
void store(void* data, int64_t i, double v) {
  static_cast<T*>(data)[i] = static_cast<T>(v);
}

// Shared checks: in0 state I32 [4], optional in1 (shape reference, not read), out0 the sample (F32/F64, or I32 when
// `int_ok`), out1 the new state I32 [4] (may be in0's buffer: the state is read first).
Status check(const KernelCtx& ctx, bool int_ok, int n_floats) {
  if ((ctx.n_in != 1 && ctx.n_in != 2) || ctx.n_out != 2 || ctx.attrs.n_ints != 1 || ctx.attrs.n_floats != n_floats) return ERR_INVALID;
  const Tensor& st = ctx.in[0];
  const Tensor& ns = ctx.out[1];
  if (st.dtype != I32 || st.ndim != 1 || st.shape[0] != 4 || ns.dtype != I32 || ns.size != 4) return ERR_SHAPE;
  const DType d = ctx.out[0].dtype;
  if (d != F32 && d != F64 && !(int_ok && d == I32)) return ERR_DTYPE;
  if (ctx.n_in == 2) {
    const Tensor& ref = ctx.in[1];
    if (ref.ndim != ctx.out[0].ndim) return ERR_SHAPE;
    for (int k = 0; k < ref.ndim; k++)
      if (ref.shape[k] != ctx.out[0].shape[k]) return ERR_SHAPE;
  }
  return OK;
}

void advance(const int32_t* s, int32_t* out) {
  const uint32_t lo = uint32_t(s[2]) + 1u;
  const uint32_t hi = uint32_t(s[3]) + (lo == 0 ? 1u : 0u);
  out[0] = s[0];
  out[1] = s[1];
  out[2] = int32_t(lo);
  out[3] = int32_t(hi);
}

}  // namespace

// RandomUniform: out0 = low + (high - low) u; floats [low, high], ints [n] (ignored). F32: u = top 24 bits of word i;
// F64: u from words 2i, 2i+1 (53 bits). out1 = in0 with its 64-bit counter (words 2, 3) plus one. All three
// random kernels split their elements across ctx.pool (each chunk regenerates its blocks: the result never depends on
// the split).
Status random_uniform_kernel(const KernelCtx& ctx) {
  Status st = check(ctx, false, 2);
  if (st != OK) return st;
  int32_t s[4];
  std::memcpy(s, ctx.in[0].data, sizeof s);
  const double lo = ctx.attrs.floats[0], span = ctx.attrs.floats[1] - lo;
  Tensor& y = ctx.out[0];
  const bool f32 = y.dtype == F32;
  parallel_range(ctx, y.size, kGrainHeavy, [&](int64_t begin, int64_t end) {
    WordStream ws(s);
    if (f32)
      for (int64_t i = begin; i < end; i++) store<float>(y.data, i, lo + span * u24(ws.word(uint64_t(i))));
    else
      for (int64_t i = begin; i < end; i++) store<double>(y.data, i, lo + span * u53(ws.word(2 * uint64_t(i)), ws.word(2 * uint64_t(i) + 1)));
  });
  advance(s, static_cast<int32_t*>(ctx.out[1].data));
  return OK;
}
NODEANO_KERNEL("RandomUniform", random_uniform_kernel, nullptr);

// RandomNormal: floats [avg, std], ints [n] (ignored). Block j gives elements 2j, 2j+1 by Box-Muller:
// u1 = 1 - u53(w0, w1) in (0, 1], u2 = u53(w2, w3), r = sqrt(-2 log u1), (avg + std r cos 2pi u2, avg + std r sin 2pi u2).
Status random_normal_kernel(const KernelCtx& ctx) {
  Status st = check(ctx, false, 2);
  if (st != OK) return st;
  int32_t s[4];
  std::memcpy(s, ctx.in[0].data, sizeof s);
  const double avg = ctx.attrs.floats[0], sd = ctx.attrs.floats[1];
  Tensor& y = ctx.out[0];
  const int64_t n = y.size;
  const bool f32 = y.dtype == F32;
  parallel_range(ctx, (n + 1) / 2, kGrainHeavy / 2, [&](int64_t begin, int64_t end) {
    WordStream ws(s);
    for (int64_t j = begin; j < end; j++) {
      const uint64_t w = 4 * uint64_t(j);
      const double u1 = 1 - u53(ws.word(w), ws.word(w + 1));
      const double u2 = u53(ws.word(w + 2), ws.word(w + 3));
      const double r = std::sqrt(-2 * plog(u1));
      double sn, cs;
      sincos2pi(u2, &sn, &cs);
      const double z0 = avg + sd * (r * cs), z1 = avg + sd * (r * sn);
      if (f32) {
        store<float>(y.data, 2 * j, z0);
        if (2 * j + 1 < n) store<float>(y.data, 2 * j + 1, z1);
      } else {
        store<double>(y.data, 2 * j, z0);
        if (2 * j + 1 < n) store<double>(y.data, 2 * j + 1, z1);
      }
    }
  });
  advance(s, static_cast<int32_t*>(ctx.out[1].data));
  return OK;
}
NODEANO_KERNEL("RandomNormal", random_normal_kernel, nullptr);

// RandomBinomial: floats [0, p], ints [n trials]; element i counts the words i*n .. i*n+n-1 with u32(word) < p.
// Out F32, F64 or I32.
Status random_binomial_kernel(const KernelCtx& ctx) {
  Status st = check(ctx, true, 2);
  if (st != OK) return st;
  const int32_t trials = ctx.attrs.ints[0];
  if (trials < 0) return ERR_INVALID;
  int32_t s[4];
  std::memcpy(s, ctx.in[0].data, sizeof s);
  const double p = ctx.attrs.floats[1];
  Tensor& y = ctx.out[0];
  parallel_range(ctx, y.size, kGrainHeavy / std::max<int64_t>(1, std::min<int64_t>(trials, 8)), [&](int64_t begin, int64_t end) {
    WordStream ws(s);
    for (int64_t i = begin; i < end; i++) {
      int32_t c = 0;
      const uint64_t base = uint64_t(i) * uint64_t(trials);
      for (int32_t k = 0; k < trials; k++) c += u32(ws.word(base + uint64_t(k))) < p ? 1 : 0;
      if (y.dtype == F32) store<float>(y.data, i, c);
      else if (y.dtype == F64) store<double>(y.data, i, c);
      else static_cast<int32_t*>(y.data)[i] = c;
    }
  });
  advance(s, static_cast<int32_t*>(ctx.out[1].data));
  return OK;
}
NODEANO_KERNEL("RandomBinomial", random_binomial_kernel, nullptr);

}  // namespace nodeano
