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
};

constexpr Entry kKernels[] = {
    {"Abs", abs_kernel},
    {"Add", add_kernel},
    {"AxisCount", axis_count_kernel},
    {"BroadcastTo", broadcast_to_kernel},
    {"Cast", cast_kernel},
    {"Copy", copy_kernel},
    {"Div", div_kernel},
    {"Dot", dot_kernel},
    {"Exp", exp_kernel},
    {"ExpandDims", expand_dims_kernel},
    {"Fused", fused_kernel},
    {"Gemm", gemm_kernel},
    {"Log", log_kernel},
    {"LogSoftmax", log_softmax_kernel},
    {"Max", max_kernel},
    {"Mean", mean_kernel},
    {"Mul", mul_kernel},
    {"Neg", neg_kernel},
    {"Pow", pow_kernel},
    {"Sigmoid", sigmoid_kernel},
    {"Sign", sign_kernel},
    {"Softmax", softmax_kernel},
    {"Sqr", sqr_kernel},
    {"Sqrt", sqrt_kernel},
    {"Sub", sub_kernel},
    {"Sum", sum_kernel},
    {"SumTo", sum_to_kernel},
    {"Tanh", tanh_kernel},
    {"Transpose", transpose_kernel},
};

}  // namespace

KernelFn find_kernel(const char* name) {
  if (name == nullptr) return nullptr;
  for (const Entry& e : kKernels) {
    if (std::strcmp(e.name, name) == 0) return e.fn;
  }
  return nullptr;
}

// No kernel needs plan-owned scratch: Fused keeps its block registers on the stack (64 KiB per thread) and the rare
// reductions that need a buffer (full reductions over more than 2^16 elements, reduction patterns other than
// all / leading / trailing / middle axes) allocate it per call.
size_t kernel_scratch_bytes(const char* /*name*/, const KernelCtx& /*ctx*/) { return 0; }

}  // namespace nodeano
