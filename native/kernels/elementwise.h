// Elementwise kernels with NumPy broadcasting, and the span loops that the Fused kernel reuses.
#pragma once
#include <cstdint>

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

inline bool ew_is_unary(EwOp op) { return op >= EwOp::Neg; }
// Whether op has an implementation for dtype (F32 and F64: all; I32: Add Sub Mul Pow Max Min Gt Neg Sqr Abs Sign
// Copy).
bool ew_supports(EwOp op, DType dtype);
// Heavy ops (transcendentals, pow) are worth splitting across threads at smaller sizes.
bool ew_is_heavy(EwOp op);

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

// ---- The generic path (elementwise_generic.cc) over every op of elementwise_ops.h, keyed by opcode.
// Kernel / prepare of an opcode on any dtypes: the specialized loops above when all operands and the output share a
// dtype they implement, else one block loop in double (operands converted exactly, the result stored as a JS typed
// array would store it). ints [opcode] (optional; must match), floats [p] (optional; the op's parameter).
Status ew_generic_kernel(int32_t code, const KernelCtx& ctx);
Status ew_generic_prepare(int32_t code, const KernelCtx& ctx, PreparedStep* out);
// Arity of an opcode (0: unknown), whether it is heavy, and the opcode of a specialized op (-1 for Copy).
int ew_generic_arity(int32_t code);
bool ew_generic_heavy(int32_t code);
int32_t ew_opcode(EwOp op);
// A Fused span: y[i] = op(p[0][i * s[0]], ...) with strides 0 or 1 and the op's default parameter.
void ew_generic_span(int32_t code, const float* const* p, const int* s, float* y, int64_t n);
void ew_generic_span(int32_t code, const double* const* p, const int* s, double* y, int64_t n);
// The specialized kernel of op (all-bool steps go to the generic path).
Status ew_kernel(EwOp op, const KernelCtx& ctx);

}  // namespace nodeano
