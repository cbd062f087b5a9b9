// The contract between the program executor and the kernels: plain C++, no N-API.
// Every kernel reads `in` and writes `out`; buffers are C-contiguous, at least 16-byte aligned (arena temps are
// 64-byte aligned), and an output never aliases an input unless the kernel's comment says it may.
#pragma once
#include <cstddef>
#include <cstdint>

namespace nodeano {

enum DType : int32_t { F32 = 0, F64 = 1, I32 = 2, BOOL = 3 };

// Status codes returned by kernels and the executor; only addon.cc turns them into JS errors.
enum Status : int32_t {
  OK = 0,
  ERR_SHAPE = 1,        // shapes that do not fit the kernel (a plan built for other shapes)
  ERR_DTYPE = 2,        // a dtype the kernel does not implement
  ERR_UNSUPPORTED = 3,  // a kernel id or attribute combination with no native implementation
  ERR_INVALID = 4,      // a malformed program, plan or argument
  ERR_ALLOC = 5,        // out of memory
};

constexpr int kMaxRank = 8;

inline size_t dtype_size(DType d) { return d == F32 ? 4 : d == F64 ? 8 : d == I32 ? 4 : 1; }

struct Tensor {
  void* data = nullptr;
  DType dtype = F32;
  int32_t ndim = 0;
  int64_t shape[kMaxRank] = {0};
  int64_t size = 1;  // product of shape (1 for rank 0)
};

// Kernel attributes, serialized by lib/backend/native.ts in the order each kernel's comment gives.
struct Attrs {
  const int32_t* ints = nullptr;
  int32_t n_ints = 0;
  const double* floats = nullptr;
  int32_t n_floats = 0;
};

class ThreadPool;

struct KernelCtx {
  const Tensor* in = nullptr;
  int32_t n_in = 0;
  Tensor* out = nullptr;
  int32_t n_out = 0;
  Attrs attrs;
  ThreadPool* pool = nullptr;  // may be null: run single-threaded
  // Scratch space owned by the plan, valid during the call (for kernels that need temporaries).
  void* scratch = nullptr;
  size_t scratch_bytes = 0;
};

using KernelFn = Status (*)(const KernelCtx&);

// Kernel functions by kernel name (the TypeScript kernel id, e.g. "Sigmoid"); nullptr if not implemented natively.
KernelFn find_kernel(const char* name);
// Scratch bytes a kernel needs for the given context (called once per plan); 0 for most kernels.
size_t kernel_scratch_bytes(const char* name, const KernelCtx& ctx);

}  // namespace nodeano
