// Elementwise kernels with NumPy broadcasting, and the span loops that the Fused kernel reuses.
#pragma once
#include <cstdint>

#include "generated/elementwise_ops.h"
#include "kernel.h"

namespace nodeano {

// The operations of the span loops. Max/Min propagate NaN; Gt gives 1 or 0; Sign keeps ±0 and NaN.
// Binary ops come first: ew_is_unary(op) is op >= Neg.
enum class EwOp : uint8_t {
  Add, Sub, Mul, Div, Pow, Max, Min, Gt,
  Neg, Sqr, Sqrt, Exp, Log, Abs, Sign, Tanh, Sigmoid, Copy,
};

// The prepare function (kernel.h) of a step the span loops run (see ew_generic_prepare).
Status elementwise_prepare(EwOp op, const KernelCtx& ctx, PreparedStep* out);

constexpr bool ew_is_unary(EwOp op) { return op >= EwOp::Neg; }
// Whether op has an implementation for dtype (F32 and F64: all; I32: Add Sub Mul Pow Max Min Gt Neg Sqr Abs Sign
// Copy).
bool ew_supports(EwOp op, DType dtype);

// The ops of the generated table (an op file's declaration) that have hand-written span loops here, by name. Every
// other fact about them (arity, heaviness, formula) comes from the table; elementwise_generic.cc checks at compile
// time that each exists there with the arity its loop assumes.
struct EwFastPath {
  EwCode code;
  EwOp op;
};
inline constexpr EwFastPath kEwFastPaths[] = {
    {EwCode::Add, EwOp::Add},   {EwCode::Sub, EwOp::Sub},         {EwCode::Mul, EwOp::Mul},
    {EwCode::Div, EwOp::Div},   {EwCode::Pow, EwOp::Pow},         {EwCode::Maximum, EwOp::Max},
    {EwCode::Minimum, EwOp::Min}, {EwCode::Gt, EwOp::Gt},         {EwCode::Neg, EwOp::Neg},
    {EwCode::Sqr, EwOp::Sqr},   {EwCode::Sqrt, EwOp::Sqrt},       {EwCode::Exp, EwOp::Exp},
    {EwCode::Log, EwOp::Log},   {EwCode::Abs, EwOp::Abs},         {EwCode::Sign, EwOp::Sign},
    {EwCode::Tanh, EwOp::Tanh}, {EwCode::Sigmoid, EwOp::Sigmoid},
};
// The span-loop op of an opcode; false when it has none (the generic path runs it).
constexpr bool ew_fast_path(EwCode code, EwOp* op) {
  for (const EwFastPath& f : kEwFastPaths) {
    if (f.code == code) {
      *op = f.op;
      return true;
    }
  }
  return false;
}
// Heavy ops (transcendentals, pow: the op file says) are worth splitting across threads at smaller sizes.
constexpr bool ew_is_heavy(EwOp op) {
  for (const EwFastPath& f : kEwFastPaths) {
    if (f.op == op) return kEwOps[static_cast<int32_t>(f.code)].heavy;
  }
  return false;
}

// y[i] = op(a[i]) for i in [0, n). y may equal a.
void ew_unary(EwOp op, const float* a, float* y, int64_t n);
void ew_unary(EwOp op, const double* a, double* y, int64_t n);
void ew_unary(EwOp op, const int32_t* a, int32_t* y, int64_t n);

// y[i] = op(a[i * sa], b[i * sb]) with sa, sb in {0, 1} (0: a scalar operand). y may equal an operand of stride 1.
void ew_binary(EwOp op, const float* a, int sa, const float* b, int sb, float* y, int64_t n);
void ew_binary(EwOp op, const double* a, int sa, const double* b, int sb, double* y, int64_t n);
void ew_binary(EwOp op, const int32_t* a, int sa, const int32_t* b, int sb, int32_t* y, int64_t n);

// y[i] = c[i * sc] != 0 ? t[i * st] : f[i * sf] (NaN counts as non-zero, as in a cast to bool).
void ew_select(const float* c, int sc, const float* t, int st, const float* f, int sf, float* y, int64_t n);
void ew_select(const double* c, int sc, const double* t, int st, const double* f, int sf, double* y, int64_t n);

// The float32 span loops of one op as plain function pointers, on the path (AVX2 or portable) selected now; a prepared
// plan step resolves them once. y[i] = op(a[i]) / op(a[i * sa], b[i * sb]) with the strides baked in; the binary
// one is nullptr for Pow (use ew_binary).
using EwSpanF32 = void (*)(const float* a, float* y, int64_t n);
using EwSpan2F32 = void (*)(const float* a, const float* b, float* y, int64_t n);
EwSpanF32 ew_unary_f32_fn(EwOp op);
EwSpan2F32 ew_binary_f32_fn(EwOp op, int sa, int sb);

// int32 a ** b as JS stores Math.pow(a, b) into an Int32Array (ToInt32 of the double result; see elementwise.cc).
int32_t ew_pow_i32(int32_t a, int32_t b);

// Test hook: the float32 unary loop of one path (avx2 = true needs a CPU with AVX2), whatever simd::avx2_enabled()
// says, so both paths can be compared on the same inputs from several threads.
void ew_unary_f32_path(EwOp op, const float* a, float* y, int64_t n, bool avx2);

// Scalar float32 functions of the elementwise kernels (the portable formulas; the AVX2 path is bit-identical).
float ew_exp_f32(float x);
float ew_log_f32(float x);
float ew_tanh_f32(float x);
float ew_sigmoid_f32(float x);

// ---- The generic path (elementwise_generic.cc) over every op of generated/elementwise_ops.h, keyed by opcode.
// Kernel / prepare of an opcode on any dtypes: the span loops above when the op has one and all operands and the
// output share a dtype they implement, else one block loop in double (operands converted exactly, the result stored
// as a JS typed array would store it). ints [opcode] (optional; must match), floats: the op's parameters (optional,
// in the op file's order; missing ones take their defaults).
Status ew_generic_kernel(EwCode code, const KernelCtx& ctx);
Status ew_generic_prepare(EwCode code, const KernelCtx& ctx, PreparedStep* out);
// A Fused span: y[i] = op(p[0][i * s[0]], ...) with strides 0 or 1 and the op's default parameters.
void ew_generic_span(EwCode code, const float* const* p, const int* s, float* y, int64_t n);
void ew_generic_span(EwCode code, const double* const* p, const int* s, double* y, int64_t n);
// The span-loop kernel of op on operands and output of one dtype that ew_supports.
Status ew_kernel(EwOp op, const KernelCtx& ctx);

}  // namespace nodeano
