// Lane types for writing one formula that runs both as portable scalar code and as AVX2 code.
// vec_math.inc is included once per lane type, so the portable and AVX2 paths execute the same operations in the
// same order and agree bit for bit. The AVX2 code is compiled with target("avx2") but deliberately NOT "fma": with
// FMA enabled GCC contracts a*b+c into one fused rounding (even across intrinsics), which the portable path cannot
// reproduce cheaply, and results would then depend on the CPU.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NODEANO_HAVE_AVX2 1
#include <immintrin.h>
#else
#define NODEANO_HAVE_AVX2 0
#endif

namespace nodeano::simd {

// Whether kernels take the AVX2 path: the CPU supports AVX2 and neither NODEANO_SIMD=portable (read once) nor
// set_avx2(false) turned it off.
bool avx2_enabled();
// Test hook: selects the path (true only takes effect on a CPU with AVX2); returns the previous setting.
bool set_avx2(bool on);

inline uint32_t bits_of(float x) { uint32_t u; std::memcpy(&u, &x, 4); return u; }
inline float float_of(uint32_t u) { float x; std::memcpy(&x, &u, 4); return x; }
inline uint64_t bits_of(double x) { uint64_t u; std::memcpy(&u, &x, 8); return u; }
inline double double_of(uint64_t u) { double x; std::memcpy(&x, &u, 8); return x; }

// One lane of float (F) and double (D); masks are bool. Integer lanes are unsigned so shifts and wrap-around are
// defined; sra_i32 is an arithmetic shift of the two's-complement value.
struct Scalar {
  using F = float;
  using I = uint32_t;
  using M = bool;
  using D = double;
  using I64 = uint64_t;
  using MD = bool;
  static constexpr int kWidth = 1;

  static F setf(float c) { return c; }

  static F loadf(const float* p) { return *p; }
  static void storef(float* p, F v) { *p = v; }
  // The first n < kWidth lanes (the others 0) / store only them: never used with one lane.
  static F load_partial(const float* p, int64_t n) { return n > 0 ? *p : 0.0f; }
  static void store_partial(float* p, F v, int64_t n) {
    if (n > 0) *p = v;
  }
  static F sqrt(F a) { return __builtin_sqrtf(a); }
  static F neg(F a) { return -a; }
  static M or_m(M a, M b) { return a || b; }
  static M ne(F a, F b) { return a != b; }  // true when unordered
  static D setd(double c) { return c; }
  static I seti(uint32_t c) { return c; }
  static I64 setl(uint64_t c) { return c; }

  static F add(F a, F b) { return a + b; }
  static F sub(F a, F b) { return a - b; }
  static F mul(F a, F b) { return a * b; }
  static F div(F a, F b) { return a / b; }
  static D add(D a, D b) { return a + b; }
  static D sub(D a, D b) { return a - b; }
  static D mul(D a, D b) { return a * b; }
  static D div(D a, D b) { return a / b; }

  static M lt(F a, F b) { return a < b; }
  static M gt(F a, F b) { return a > b; }
  static M eq(F a, F b) { return a == b; }
  static M nlt(F a, F b) { return !(a < b); }  // true when unordered
  static M isnan(F a) { return a != a; }
  static MD lt(D a, D b) { return a < b; }
  static F select(M m, F a, F b) { return m ? a : b; }
  static D select(MD m, D a, D b) { return m ? a : b; }
  // a > b ? a : b and a < b ? a : b: exactly maxps / minps, so a NaN b is returned (a NaN a is not).
  static F max_sel(F a, F b) { return a > b ? a : b; }
  static F min_sel(F a, F b) { return a < b ? a : b; }

  static I as_i(F a) { return bits_of(a); }
  static F as_f(I a) { return float_of(a); }
  static I64 as_l(D a) { return bits_of(a); }
  static D as_d(I64 a) { return double_of(a); }
  static F abs(F a) { return float_of(bits_of(a) & 0x7fffffffu); }
  static D abs(D a) { return double_of(bits_of(a) & 0x7fffffffffffffffull); }
  static F or_bits(F a, F b) { return float_of(bits_of(a) | bits_of(b)); }
  static F and_bits(F a, F b) { return float_of(bits_of(a) & bits_of(b)); }

  static I add_i32(I a, I b) { return a + b; }
  static I sub_i32(I a, I b) { return a - b; }
  static I and_i32(I a, I b) { return a & b; }
  static I or_i32(I a, I b) { return a | b; }
  template <int n> static I shl_i32(I a) { return a << n; }
  template <int n> static I shr_i32(I a) { return a >> n; }
  template <int n> static I sra_i32(I a) { return static_cast<I>(static_cast<int32_t>(a) >> n); }
  static I cvtt_i32(F a) { return static_cast<I>(static_cast<int32_t>(a)); }  // caller keeps |a| < 2^31
  static F cvt_f32(I a) { return static_cast<float>(static_cast<int32_t>(a)); }
  static I64 add_i64(I64 a, I64 b) { return a + b; }
  template <int n> static I64 shl_i64(I64 a) { return a << n; }

  // Runs fn(double lane) on the float lane, widened exactly and rounded back once.
  template <class Fn> static F via_f64(F a, Fn fn) { return static_cast<float>(fn(static_cast<double>(a))); }

  // t = a * c in double (a widened exactly, one rounding), then *k = floor(t) and *f = (float)(t - floor(t)), which
  // is in [0, 1] (t - floor(t) is exact; rounding it to float may give 1). Caller keeps |t| < 2^30.
  // NaN gives f = NaN and k = 0x80000000 (what cvttpd2dq returns).
  static void floor_split(F a, double c, F* f, I* k) {
    const double t = static_cast<double>(a) * c;
    // floor without a libm call (baseline x86-64 has no roundsd): adding and removing 1.5 * 2^52 rounds to the
    // nearest integer (exact for |t| < 2^51), one less if that went up. NaN stays NaN.
    const double r = (t + 0x1.8p52) - 0x1.8p52;
    const double kd = r > t ? r - 1.0 : r;
    *f = static_cast<float>(t - kd);
    *k = t == t ? static_cast<I>(static_cast<int32_t>(kd)) : I{0x80000000u};
  }
  static I min_i32(I a, I b) { return static_cast<int32_t>(a) < static_cast<int32_t>(b) ? a : b; }
  // Whether any lane of a (as int32) is greater than b.
  static bool any_gt_i32(I a, int32_t b) { return static_cast<int32_t>(a) > b; }
};

}  // namespace nodeano::simd

#if NODEANO_HAVE_AVX2
#pragma GCC push_options
#pragma GCC target("avx2")
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#endif
namespace nodeano::simd {

// Eight float lanes (or four double lanes) of AVX2; the same operations as Scalar.
struct Avx2 {
  using F = __m256;
  using I = __m256i;
  using M = __m256;
  using D = __m256d;
  using I64 = __m256i;
  using MD = __m256d;
  static constexpr int kWidth = 8;

  static F setf(float c) { return _mm256_set1_ps(c); }

  static F loadf(const float* p) { return _mm256_loadu_ps(p); }
  static void storef(float* p, F v) { _mm256_storeu_ps(p, v); }
  // Lanes [0, n) of p, the others 0 (masked lanes are not read, so this never touches memory past p + n) / store
  // only lanes [0, n). 0 <= n <= 8.
  static __m256i lane_mask(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static F load_partial(const float* p, int64_t n) { return _mm256_maskload_ps(p, lane_mask(n)); }
  static void store_partial(float* p, F v, int64_t n) { _mm256_maskstore_ps(p, lane_mask(n), v); }
  static F sqrt(F a) { return _mm256_sqrt_ps(a); }
  static F neg(F a) { return _mm256_xor_ps(a, setf(-0.0f)); }
  static M or_m(M a, M b) { return _mm256_or_ps(a, b); }
  static M ne(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_NEQ_UQ); }
  static D setd(double c) { return _mm256_set1_pd(c); }
  static I seti(uint32_t c) { return _mm256_set1_epi32(static_cast<int32_t>(c)); }
  static I64 setl(uint64_t c) { return _mm256_set1_epi64x(static_cast<int64_t>(c)); }

  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static D add(D a, D b) { return _mm256_add_pd(a, b); }
  static D sub(D a, D b) { return _mm256_sub_pd(a, b); }
  static D mul(D a, D b) { return _mm256_mul_pd(a, b); }
  static D div(D a, D b) { return _mm256_div_pd(a, b); }

  static M lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M eq(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static M nlt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_NLT_UQ); }
  static M isnan(F a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static MD lt(D a, D b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
  static F select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m); }
  static D select(MD m, D a, D b) { return _mm256_blendv_pd(b, a, m); }
  static F max_sel(F a, F b) { return _mm256_max_ps(a, b); }
  static F min_sel(F a, F b) { return _mm256_min_ps(a, b); }

  static I as_i(F a) { return _mm256_castps_si256(a); }
  static F as_f(I a) { return _mm256_castsi256_ps(a); }
  static I64 as_l(D a) { return _mm256_castpd_si256(a); }
  static D as_d(I64 a) { return _mm256_castsi256_pd(a); }
  static F abs(F a) { return _mm256_and_ps(a, as_f(seti(0x7fffffffu))); }
  static D abs(D a) { return _mm256_and_pd(a, as_d(setl(0x7fffffffffffffffull))); }
  static F or_bits(F a, F b) { return _mm256_or_ps(a, b); }
  static F and_bits(F a, F b) { return _mm256_and_ps(a, b); }

  static I add_i32(I a, I b) { return _mm256_add_epi32(a, b); }
  static I sub_i32(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I and_i32(I a, I b) { return _mm256_and_si256(a, b); }
  static I or_i32(I a, I b) { return _mm256_or_si256(a, b); }
  template <int n> static I shl_i32(I a) { return _mm256_slli_epi32(a, n); }
  template <int n> static I shr_i32(I a) { return _mm256_srli_epi32(a, n); }
  template <int n> static I sra_i32(I a) { return _mm256_srai_epi32(a, n); }
  static I cvtt_i32(F a) { return _mm256_cvttps_epi32(a); }
  static F cvt_f32(I a) { return _mm256_cvtepi32_ps(a); }
  static I64 add_i64(I64 a, I64 b) { return _mm256_add_epi64(a, b); }
  template <int n> static I64 shl_i64(I64 a) { return _mm256_slli_epi64(a, n); }

  template <class Fn> static F via_f64(F a, Fn fn) {
    __m128 lo = _mm256_cvtpd_ps(fn(_mm256_cvtps_pd(_mm256_castps256_ps128(a))));
    __m128 hi = _mm256_cvtpd_ps(fn(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1))));
    return _mm256_set_m128(hi, lo);
  }

  static void floor_split(F a, double c, F* f, I* k) {
    const __m256d cd = _mm256_set1_pd(c);
    const __m256d tlo = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)), cd);
    const __m256d thi = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)), cd);
    const __m256d klo = _mm256_floor_pd(tlo), khi = _mm256_floor_pd(thi);
    *f = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_sub_pd(thi, khi)), _mm256_cvtpd_ps(_mm256_sub_pd(tlo, klo)));
    *k = _mm256_set_m128i(_mm256_cvttpd_epi32(khi), _mm256_cvttpd_epi32(klo));
  }
  static I min_i32(I a, I b) { return _mm256_min_epi32(a, b); }
  static bool any_gt_i32(I a, int32_t b) {
    return !_mm256_testz_si256(_mm256_cmpgt_epi32(a, _mm256_set1_epi32(b)), _mm256_set1_epi32(-1));
  }
};

}  // namespace nodeano::simd
#ifdef __clang__
#pragma clang attribute pop
#endif
#pragma GCC pop_options
#endif
