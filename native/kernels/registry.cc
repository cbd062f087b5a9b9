// find_kernel / kernel_scratch_bytes over every native kernel. Names are the TypeScript kernel ids.
#include <cstring>

#include "blas.h"
#include "elementwise.h"
#include "fused.h"
#include "kernel.h"
#include "reduce.h"
#include "shape.h"

namespace nodeano {

namespace {

struct Entry {
  const char* name;
  KernelFn fn;
  PrepareFn prepare;
};

template <EwOp op>
Status ew_prepare(const KernelCtx& ctx, PreparedStep* out) {
  return elementwise_prepare(op, ctx, out);
}

constexpr Entry kKernels[] = {
    {"Abs", abs_kernel, ew_prepare<EwOp::Abs>},
    {"Add", add_kernel, ew_prepare<EwOp::Add>},
    {"AxisCount", axis_count_kernel, nullptr},
    {"BroadcastTo", broadcast_to_kernel, nullptr},
    {"Cast", cast_kernel, cast_prepare},
    {"Copy", copy_kernel, copy_prepare},
    {"Div", div_kernel, ew_prepare<EwOp::Div>},
    {"Dot", dot_kernel, dot_prepare},
    {"Exp", exp_kernel, ew_prepare<EwOp::Exp>},
    {"ExpandDims", expand_dims_kernel, copy_prepare},
    {"Fused", fused_kernel, fused_prepare},
    {"Gemm", gemm_kernel, gemm_prepare},
    {"Log", log_kernel, ew_prepare<EwOp::Log>},
    {"LogSoftmax", log_softmax_kernel, nullptr},
    {"Max", max_kernel, max_prepare},
    {"Mean", mean_kernel, mean_prepare},
    {"Mul", mul_kernel, ew_prepare<EwOp::Mul>},
    {"Neg", neg_kernel, ew_prepare<EwOp::Neg>},
    {"Pow", pow_kernel, ew_prepare<EwOp::Pow>},
    {"Sigmoid", sigmoid_kernel, ew_prepare<EwOp::Sigmoid>},
    {"Sign", sign_kernel, ew_prepare<EwOp::Sign>},
    {"Softmax", softmax_kernel, nullptr},
    {"Sqr", sqr_kernel, ew_prepare<EwOp::Sqr>},
    {"Sqrt", sqrt_kernel, ew_prepare<EwOp::Sqrt>},
    {"Sub", sub_kernel, ew_prepare<EwOp::Sub>},
    {"Sum", sum_kernel, sum_prepare},
    {"SumTo", sum_to_kernel, sum_to_prepare},
    {"Tanh", tanh_kernel, ew_prepare<EwOp::Tanh>},
    {"Transpose", transpose_kernel, nullptr},
};

const Entry* find_entry(const char* name) {
  if (name == nullptr) return nullptr;
  for (const Entry& e : kKernels) {
    if (std::strcmp(e.name, name) == 0) return &e;
  }
  return nullptr;
}

}  // namespace

KernelFn find_kernel(const char* name) {
  const Entry* e = find_entry(name);
  return e ? e->fn : nullptr;
}

PrepareFn find_prepare(const char* name) {
  const Entry* e = find_entry(name);
  return e ? e->prepare : nullptr;
}

// Only a Gemm whose product broadcasts to a larger output needs plan-owned scratch (for the product). Fused keeps its
// block registers on the stack (64 KiB per thread) and the rare reductions that need a buffer (full reductions over
// more than 2^16 elements, reduction patterns other than all / leading / trailing / middle axes) allocate it per call.
size_t kernel_scratch_bytes(const char* name, const KernelCtx& ctx) {
  if (name != nullptr && std::strcmp(name, "Gemm") == 0) return gemm_scratch_bytes(ctx);
  return 0;
}

}  // namespace nodeano
