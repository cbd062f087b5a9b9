// find_kernel / kernel_scratch_bytes over every native kernel. Names are the TypeScript kernel ids.
#include <cstring>
#include <iterator>
#include <map>
#include <string>

#include "kernel.h"
#include "reduce.h"
#include "scan.h"
#include "softmax_xent.h"

namespace nodeano {

namespace {

struct Entry {
  const char* name;
  KernelFn fn;
  PrepareFn prepare;
};

constexpr Entry kKernels[] = {
    {"All", all_kernel, all_prepare},
    {"Any", any_kernel, any_prepare},
    {"Argmax", argmax_kernel, argmax_prepare},
    {"Argmin", argmin_kernel, argmin_prepare},
    {"AxisCount", axis_count_kernel, nullptr},
    {"Cumprod", cumprod_kernel, nullptr},
    {"Cumsum", cumsum_kernel, nullptr},
    {"LogSoftmax", log_softmax_kernel, nullptr},
    {"Logsumexp", logsumexp_kernel, logsumexp_prepare},
    {"Max", max_kernel, max_prepare},
    {"Mean", mean_kernel, mean_prepare},
    {"Min", min_kernel, min_prepare},
    {"Prod", prod_kernel, prod_prepare},
    {"Softmax", softmax_kernel, nullptr},
    {"SoftmaxCrossentropy", softmax_xent_kernel, nullptr},
    {"SoftmaxCrossentropyGrad", softmax_xent_grad_kernel, nullptr},
    {"Sum", sum_kernel, sum_prepare},
    {"SumTo", sum_to_kernel, sum_to_prepare},
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

// Registered kernels first, then the table above (the reduce family, until it registers itself).
KernelFn find_kernel(const char* name) {
  if (const Registered* r = find_registered(name)) return r->fn;
  const Entry* e = find_entry(name);
  return e ? e->fn : nullptr;
}

PrepareFn find_prepare(const char* name) {
  if (const Registered* r = find_registered(name)) return r->prepare;
  const Entry* e = find_entry(name);
  return e ? e->prepare : nullptr;
}

// Only kernels registered with a scratch function need plan-owned scratch (Gemm, for a product that broadcasts to a
// larger output). Fused keeps its block registers on the stack (64 KiB per thread) and the rare reductions that need
// a buffer (full reductions over more than 2^16 elements, reduction patterns other than all / leading / trailing /
// middle axes) allocate it per call.
size_t kernel_scratch_bytes(const char* name, const KernelCtx& ctx) {
  const Registered* r = find_registered(name);
  return r && r->scratch ? r->scratch(ctx) : 0;
}

}  // namespace nodeano
