// find_kernel / kernel_scratch_bytes over every native kernel. Names are the TypeScript kernel ids. Kernels register
// themselves next to their definition with NODEANO_KERNEL (kernel.h); this file only keeps the map.
#include <cstring>
#include <iterator>
#include <map>
#include <string>

#include "kernel.h"

namespace nodeano {

namespace {

// Construct-on-first-use: registrations run during static initialization, in an order across files that C++ leaves
// open.
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

const char* kernel_registry_problems() { return duplicates().c_str(); }

size_t kernel_registry_size() { return registered().size(); }

const char* kernel_registry_name(size_t i) {
  if (i >= registered().size()) return nullptr;
  auto it = registered().begin();
  std::advance(it, long(i));
  return it->first.c_str();
}

KernelFn find_kernel(const char* name) {
  const Registered* r = find_registered(name);
  return r ? r->fn : nullptr;
}

PrepareFn find_prepare(const char* name) {
  const Registered* r = find_registered(name);
  return r ? r->prepare : nullptr;
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
