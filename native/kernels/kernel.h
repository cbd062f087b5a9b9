// The contract between the program executor and the kernels: plain C++, no N-API.
// Every kernel reads `in` and writes `out`; buffers are C-contiguous, at least 16-byte aligned (arena temps are
// 64-byte aligned), and an output never aliases an input unless the kernel's comment says it may.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace nodeano {

enum DType : int32_t { F32 = 0, F64 = 1, I32 = 2, BOOL = 3 };

// Status codes returned by kernels and the executor; only the N-API layer (native/napi/) turns them into JS errors.
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

// Per-plan state of a prepared step (see PrepareFn); each kernel derives its own.
struct KernelState {
  virtual ~KernelState() = default;
  // After the step failed: where inside it (a loop's body step), appended to the error message; empty by default.
  virtual std::string failure_detail() const { return std::string(); }
  // Native memory the state keeps (a loop's body plan), reported to the GC with the plan's handle; 0 by default.
  virtual size_t owned_bytes() const { return 0; }
};

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
  // The step's prepared state when the executor runs a PreparedStep::run function; nullptr for a generic call.
  // Only one thread runs a plan at a time, so a prepared run may update its state (before it splits any work).
  KernelState* state = nullptr;
};

using KernelFn = Status (*)(const KernelCtx&);

// A step specialized for one plan: everything that depends only on shapes, dtypes and attributes (validation,
// broadcast geometry, decoded programs, the span functions to call) was worked out once, so `run` only touches data.
struct PreparedStep {
  KernelFn run = nullptr;              // called instead of the generic kernel, with ctx.state = state.get()
  std::unique_ptr<KernelState> state;  // may be null
  // false when `run` never uses ctx.pool and never calls BLAS (small steps): a plan made only of such steps does not
  // take the process-wide thread pool at all.
  bool needs_pool = true;
};

// Optional per-plan preparation, called once when a plan is made, with the step's shapes, dtypes and attributes.
// Data pointers are NOT valid at that time (inputs and shared values are bound on every call): prepare must not read
// them. On OK with out->run set, the executor calls out->run for this step from then on; its result must equal the
// generic kernel's bit for bit. Any other outcome (an error status, or run left null) keeps the generic kernel, which
// reports the error itself when the step runs.
using PrepareFn = Status (*)(const KernelCtx& ctx, PreparedStep* out);

// A prepare function for kernels that never use the pool (plain memcpy loops, single-threaded): the generic kernel
// runs, and a plan made only of such steps does not take the thread pool.
template <KernelFn F>
Status serial_prepare(const KernelCtx& /*ctx*/, PreparedStep* out) {
  out->run = F;
  out->needs_pool = false;
  return OK;
}

// Scratch bytes a kernel needs for a context (shapes only; data pointers are not valid); see kernel_scratch_bytes.
using ScratchFn = size_t (*)(const KernelCtx& ctx);

// Registers a native kernel under its TypeScript kernel id, in the kernel family file that implements it, so adding a
// kernel touches only that file:
//   NODEANO_KERNEL("Dot", dot_kernel, dot_prepare);             // prepare may be nullptr
//   NODEANO_KERNEL("Gemm", gemm_kernel, gemm_prepare, gemm_scratch_bytes);
// Registrations run while the library loads (static initialization, before any kernel is looked up). Registering a
// name twice is not silent: kernel_registry_problems() reports it and the addon refuses to load.
struct KernelRegistration {
  KernelRegistration(const char* name, KernelFn fn, PrepareFn prepare, ScratchFn scratch = nullptr);
};
#define NODEANO_KERNEL_CAT2(a, b) a##b
#define NODEANO_KERNEL_CAT(a, b) NODEANO_KERNEL_CAT2(a, b)
#define NODEANO_KERNEL(name, ...) \
  static const ::nodeano::KernelRegistration NODEANO_KERNEL_CAT(kernel_registration_, __LINE__) { name, __VA_ARGS__ }

// Empty when every kernel name was registered once; otherwise a message naming the duplicates.
const char* kernel_registry_problems();
// Every registered kernel name, sorted (for tests and `addon.kernels`).
size_t kernel_registry_size();
const char* kernel_registry_name(size_t i);

// Kernel functions by kernel name (the TypeScript kernel id, e.g. "Sigmoid"); nullptr if not implemented natively.
KernelFn find_kernel(const char* name);
// The kernel's prepare function; nullptr when it has none (the generic kernel then always runs).
PrepareFn find_prepare(const char* name);
// Scratch bytes a kernel needs for the given context (called once per plan with shapes only: data pointers are not
// valid); 0 for most kernels. The executor points ctx.scratch at that many bytes (64-byte aligned) for every run of
// the step; a generic call without scratch (ctx.scratch_bytes too small) allocates what it needs itself.
size_t kernel_scratch_bytes(const char* name, const KernelCtx& ctx);

}  // namespace nodeano
