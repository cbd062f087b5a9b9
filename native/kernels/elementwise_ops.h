// Every elementwise op in one list: its opcode (the `fuseCode` of its TypeScript op, also its Fused opcode), its
// kernel id, arity, whether it is heavy (transcendental: worth splitting across threads at smaller sizes), its default
// parameter p (floats[0] when the op has one: Relu's and Elu's alpha) and its formula in double over operands a, b, c.
// A new elementwise op is one line here; elementwise_generic.cc turns the list into kernels, and the Fused kernel
// accepts every opcode of it. Formulas follow the TypeScript reference expression for expression, so results agree
// bit for bit except where libm and V8's Math differ in the last bit.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

namespace nodeano::ewf {

// Math.pow semantics: unlike C pow, pow(1, NaN) and pow(±1, ±inf) are NaN.
inline double js_pow(double a, double b) {
  if (std::isnan(b) || (std::isinf(b) && std::fabs(a) == 1.0)) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(a, b);
}
// Math.max / Math.min: NaN if either is NaN; +0 is larger than -0.
inline double js_max(double a, double b) {
  if (a != a || b != b) return std::numeric_limits<double>::quiet_NaN();
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
inline double js_min(double a, double b) {
  if (a != a || b != b) return std::numeric_limits<double>::quiet_NaN();
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
inline double sign_of(double a) { return a > 0 ? 1.0 : a < 0 ? -1.0 : a; }
// NumPy's divmod (npy_divmod): fmod, then the quotient of the exact multiple (a - mod), moved down by one where the
// remainder's sign differs from b's and snapped to the nearest integer. b = 0 gives a / b (±inf, NaN).
inline double floor_div(double a, double b) {
  if (b == 0) return a / b;
  const double m = std::fmod(a, b);
  double d = (a - m) / b;
  if (m != 0 && (b < 0) != (m < 0)) d -= 1.0;
  if (d == 0) return std::signbit(a / b) ? -0.0 : 0.0;
  const double f = std::floor(d);
  return d - f > 0.5 ? f + 1.0 : f;
}
// NumPy's mod: the remainder with the sign of the divisor; zero takes b's sign; b = 0 gives NaN (0 once stored as int32).
inline double py_mod(double a, double b) {
  const double m = std::fmod(a, b);
  if (m != 0) return (b < 0) != (m < 0) ? m + b : m;  // (NaN too)
  return b < 0 ? -0.0 : 0.0;
}
// Halves to even (the default rounding mode), as NumPy.
inline double round_even(double a) { return std::nearbyint(a); }
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

}  // namespace nodeano::ewf

// X(opcode, KernelId, arity, heavy, default p, formula)
#define NODEANO_EW_OPS(X)                                                                                  \
  X(1, Add, 2, 0, 0.0, a + b)                                                                              \
  X(2, Sub, 2, 0, 0.0, a - b)                                                                              \
  X(3, Mul, 2, 0, 0.0, a * b)                                                                              \
  X(4, Div, 2, 0, 0.0, a / b)                                                                              \
  X(5, Pow, 2, 1, 0.0, ewf::js_pow(a, b))                                                                  \
  X(6, Neg, 1, 0, 0.0, -a)                                                                                 \
  X(7, Sqr, 1, 0, 0.0, a * a)                                                                              \
  X(8, Sqrt, 1, 0, 0.0, std::sqrt(a))                                                                      \
  X(9, Exp, 1, 1, 0.0, std::exp(a))                                                                        \
  X(10, Log, 1, 1, 0.0, std::log(a))                                                                       \
  X(11, Abs, 1, 0, 0.0, std::fabs(a))                                                                      \
  X(12, Sign, 1, 0, 0.0, ewf::sign_of(a))                                                                  \
  X(13, Tanh, 1, 1, 0.0, std::tanh(a))                                                                     \
  X(14, Sigmoid, 1, 1, 0.0, 1.0 / (1.0 + std::exp(-a)))                                                    \
  X(15, Maximum, 2, 0, 0.0, (a > b || a != a ? a : b))                                                     \
  X(16, Minimum, 2, 0, 0.0, (a < b || a != a ? a : b))                                                     \
  X(17, Gt, 2, 0, 0.0, (a > b ? 1.0 : 0.0))                                                                \
  X(18, Where, 3, 0, 0.0, (a != 0 ? b : c))                                                                \
  X(19, Exp2, 1, 1, 0.0, std::exp2(a))                                                                     \
  X(20, Expm1, 1, 1, 0.0, std::expm1(a))                                                                   \
  X(21, Log2, 1, 1, 0.0, std::log2(a))                                                                     \
  X(22, Log10, 1, 1, 0.0, std::log10(a))                                                                   \
  X(23, Log1p, 1, 1, 0.0, std::log1p(a))                                                                   \
  X(24, Sin, 1, 1, 0.0, std::sin(a))                                                                       \
  X(25, Cos, 1, 1, 0.0, std::cos(a))                                                                       \
  X(26, Tan, 1, 1, 0.0, std::tan(a))                                                                       \
  X(27, Arcsin, 1, 1, 0.0, std::asin(a))                                                                   \
  X(28, Arccos, 1, 1, 0.0, std::acos(a))                                                                   \
  X(29, Arctan, 1, 1, 0.0, std::atan(a))                                                                   \
  X(30, Sinh, 1, 1, 0.0, std::sinh(a))                                                                     \
  X(31, Cosh, 1, 1, 0.0, std::cosh(a))                                                                     \
  X(32, Erf, 1, 1, 0.0, std::erf(a))                                                                       \
  X(33, Softplus, 1, 1, 0.0, ewf::js_max(a, 0.0) + std::log1p(std::exp(-std::fabs(a))))                    \
  X(34, Floor, 1, 0, 0.0, std::floor(a))                                                                   \
  X(35, Ceil, 1, 0, 0.0, std::ceil(a))                                                                     \
  X(36, Round, 1, 0, 0.0, ewf::round_even(a))                                                              \
  X(37, Arctan2, 2, 1, 0.0, std::atan2(a, b))                                                              \
  X(38, IntDiv, 2, 0, 0.0, ewf::floor_div(a, b))                                                           \
  X(39, Mod, 2, 0, 0.0, ewf::py_mod(a, b))                                                                 \
  X(40, Relu, 1, 0, 0.0, (a > 0 || a != a ? a : p == 0 ? 0.0 : p * a))                                     \
  X(41, Elu, 1, 1, 1.0, (a > 0 ? a : p * std::expm1(a)))                                                   \
  X(42, Selu, 1, 1, 0.0, ewf::kSeluScale * (a > 0 ? a : ewf::kSeluAlpha * std::expm1(a)))                  \
  X(43, Gelu, 1, 1, 0.0, (a < -40 ? -0.0 : 0.5 * a * std::erfc(-a * 0.7071067811865476)))                  \
  X(44, HardSigmoid, 1, 0, 0.0, ewf::js_min(ewf::js_max(a * 0.2 + 0.5, 0.0), 1.0))                         \
  X(45, Clip, 3, 0, 0.0, ewf::js_min(ewf::js_max(a, b), c))                                                \
  X(46, Eq, 2, 0, 0.0, (a == b ? 1.0 : 0.0))                                                               \
  X(47, Neq, 2, 0, 0.0, (a != b ? 1.0 : 0.0))                                                              \
  X(48, Lt, 2, 0, 0.0, (a < b ? 1.0 : 0.0))                                                                \
  X(49, Le, 2, 0, 0.0, (a <= b ? 1.0 : 0.0))                                                               \
  X(50, Ge, 2, 0, 0.0, (a >= b ? 1.0 : 0.0))                                                               \
  X(51, And, 2, 0, 0.0, (a != 0 && b != 0 ? 1.0 : 0.0))                                                   \
  X(52, Or, 2, 0, 0.0, (a != 0 || b != 0 ? 1.0 : 0.0))                                                    \
  X(53, Xor, 2, 0, 0.0, ((a != 0) != (b != 0) ? 1.0 : 0.0))                                               \
  X(54, Not, 1, 0, 0.0, (a == 0 ? 1.0 : 0.0))                                                              \
  X(55, IsNan, 1, 0, 0.0, (a != a ? 1.0 : 0.0))                                                            \
  X(56, IsInf, 1, 0, 0.0, (std::isinf(a) ? 1.0 : 0.0))
