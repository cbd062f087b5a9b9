// Helpers the C++ formulas of the elementwise op files may call (generated/elementwise_ops.h lists the ops): the JS
// Math and NumPy semantics that no single C++ expression gives. Formulas follow the TypeScript reference expression
// for expression, so results agree bit for bit except where libm and V8's Math differ in the last bit.
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
