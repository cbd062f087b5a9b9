// find_kernel / kernel_scratch_bytes over every native kernel. Names are the TypeScript kernel ids.
#include <cstring>
#include <iterator>
#include <map>
#include <string>

#include "blas.h"
#include "blas_level2.h"
#include "elementwise.h"
#include "fused.h"
#include "index.h"
#include "kernel.h"
#include "linalg.h"
#include "nnet.h"
#include "random.h"
#include "reduce.h"
#include "scan.h"
#include "shape.h"
#include "softmax_xent.h"

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
    {"Arange", arange_kernel, serial_prepare<arange_kernel>},
    {"AxisCount", axis_count_kernel, nullptr},
    {"BinaryCrossentropy", binary_crossentropy_kernel, nullptr},
    {"BinaryCrossentropyWithLogits", binary_crossentropy_with_logits_kernel, nullptr},
    {"BooleanMask", boolean_mask_kernel, nullptr},
    {"BooleanMaskGrad", boolean_mask_grad_kernel, nullptr},
    {"BroadcastTo", broadcast_to_kernel, nullptr},
    {"CategoricalCrossentropy", categorical_crossentropy_kernel, nullptr},
    {"CategoricalCrossentropyGrad", categorical_crossentropy_grad_kernel, nullptr},
    {"Cast", cast_kernel, cast_prepare},
    {"Concatenate", concatenate_kernel, serial_prepare<concatenate_kernel>},
    {"Copy", copy_kernel, copy_prepare},
    {"Cumprod", cumprod_kernel, nullptr},
    {"Cumsum", cumsum_kernel, nullptr},
    {"Diag", diag_kernel, nullptr},
    {"DiagLike", diag_like_kernel, nullptr},
    {"Div", div_kernel, ew_prepare<EwOp::Div>},
    {"Dot", dot_kernel, dot_prepare},
    {"Exp", exp_kernel, ew_prepare<EwOp::Exp>},
    {"ExpandDims", expand_dims_kernel, copy_prepare},
    {"Eye", eye_kernel, serial_prepare<eye_kernel>},
    {"Fused", fused_kernel, fused_prepare},
    {"Gemm", gemm_kernel, gemm_prepare},
    {"Gemv", gemv_kernel, nullptr},
    {"Ger", ger_kernel, nullptr},
    {"IncSubtensor", inc_subtensor_kernel, nullptr},
    {"IncTake", inc_take_kernel, nullptr},
    {"Log", log_kernel, ew_prepare<EwOp::Log>},
    {"Mul", mul_kernel, ew_prepare<EwOp::Mul>},
    {"Neg", neg_kernel, ew_prepare<EwOp::Neg>},
    {"OneHot", one_hot_kernel, nullptr},
    {"Pow", pow_kernel, ew_prepare<EwOp::Pow>},
    {"RandomBinomial", random_binomial_kernel, nullptr},
    {"RandomNormal", random_normal_kernel, nullptr},
    {"RandomUniform", random_uniform_kernel, nullptr},
    {"Repeat", repeat_kernel, serial_prepare<repeat_kernel>},
    {"Reshape", reshape_kernel, serial_prepare<reshape_kernel>},
    {"Shape", shape_kernel, serial_prepare<shape_kernel>},
    {"ShapeI", shape_i_kernel, serial_prepare<shape_i_kernel>},
    {"Sigmoid", sigmoid_kernel, ew_prepare<EwOp::Sigmoid>},
    {"Sign", sign_kernel, ew_prepare<EwOp::Sign>},
    {"SoftmaxCrossentropy", softmax_xent_kernel, nullptr},
    {"SoftmaxCrossentropyGrad", softmax_xent_grad_kernel, nullptr},
    {"Split", split_kernel, serial_prepare<split_kernel>},
    {"Sqr", sqr_kernel, ew_prepare<EwOp::Sqr>},
    {"Sqrt", sqrt_kernel, ew_prepare<EwOp::Sqrt>},
    {"Squeeze", squeeze_kernel, serial_prepare<squeeze_kernel>},
    {"Stack", stack_kernel, serial_prepare<stack_kernel>},
    {"Sub", sub_kernel, ew_prepare<EwOp::Sub>},
    {"Subtensor", subtensor_kernel, nullptr},
    {"SumTo", sum_to_kernel, sum_to_prepare},
    {"Take", take_kernel, nullptr},
    {"Tanh", tanh_kernel, ew_prepare<EwOp::Tanh>},
    {"Tensordot", tensordot_kernel, tensordot_prepare},
    {"Tile", tile_kernel, serial_prepare<tile_kernel>},
    {"Transpose", transpose_kernel, nullptr},
};

// Kernels that registered themselves with NODEANO_KERNEL (kernel.h). Construct-on-first-use: registrations run
// during static initialization, in an order across files that C++ leaves open.
struct Registered {
  KernelFn fn;
  PrepareFn prepare;
  ScratchFn scratch;
};
std::map<std::string, Registered>& registered() {
  static auto* m = new std::map<std::string, Registered>();  // never destroyed: lookups may follow static destruction
  return *m;
}
std::string& duplicates() {
  static auto* s = new std::string();
  return *s;
}

const Entry* find_entry(const char* name) {
  if (name == nullptr) return nullptr;
  for (const Entry& e : kKernels) {
    if (std::strcmp(e.name, name) == 0) return &e;
  }
  return nullptr;
}

const Registered* find_registered(const char* name) {
  if (name == nullptr) return nullptr;
  auto it = registered().find(name);
  return it == registered().end() ? nullptr : &it->second;
}

}  // namespace

KernelRegistration::KernelRegistration(const char* name, KernelFn fn, PrepareFn prepare, ScratchFn scratch) {
  if (!registered().emplace(name, Registered{fn, prepare, scratch}).second) {
    duplicates() += duplicates().empty() ? "kernels registered twice: " : ", ";
    duplicates() += name;
  }
}

const char* kernel_registry_problems() {
  // a name both registered and still listed in the table above is a duplicate too
  static std::string all = [] {
    std::string s = duplicates();
    for (const Entry& e : kKernels) {
      if (registered().count(e.name)) s += (s.empty() ? "kernels registered twice: " : ", ") + std::string(e.name);
    }
    return s;
  }();
  return all.c_str();
}

size_t kernel_registry_size() { return registered().size() + sizeof(kKernels) / sizeof(kKernels[0]); }

const char* kernel_registry_name(size_t i) {
  if (i < registered().size()) {
    auto it = registered().begin();
    std::advance(it, long(i));
    return it->first.c_str();
  }
  i -= registered().size();
  return i < sizeof(kKernels) / sizeof(kKernels[0]) ? kKernels[i].name : nullptr;
}

// Registered kernels first, then the table above; names in neither may be elementwise ops of elementwise_ops.h (one
// generic path keyed by opcode).
KernelFn find_kernel(const char* name) {
  if (const Registered* r = find_registered(name)) return r->fn;
  const Entry* e = find_entry(name);
  return e ? e->fn : ew_find_kernel(name);
}

PrepareFn find_prepare(const char* name) {
  if (const Registered* r = find_registered(name)) return r->prepare;
  const Entry* e = find_entry(name);
  return e ? e->prepare : ew_find_prepare(name);
}

// Only a Gemm whose product broadcasts to a larger output needs plan-owned scratch (for the product). Fused keeps its
// block registers on the stack (64 KiB per thread) and the rare reductions that need a buffer (full reductions over
// more than 2^16 elements, reduction patterns other than all / leading / trailing / middle axes) allocate it per call.
size_t kernel_scratch_bytes(const char* name, const KernelCtx& ctx) {
  if (const Registered* r = find_registered(name)) return r->scratch ? r->scratch(ctx) : 0;
  if (name != nullptr && std::strcmp(name, "Gemm") == 0) return gemm_scratch_bytes(ctx);
  return 0;
}

}  // namespace nodeano
