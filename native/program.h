// The program executor: plain C++ (no N-API). addon.cc validates JS values, copies them into the descriptors below
// and turns Status codes into JS errors; everything here works on raw memory only.
//
// Threads: Program::create, Plan::create, Plan::bind*, Plan::apply_updates and the busy flag run on the JS main
// thread of the environment that owns the handles. Plan::run runs on the main thread (sync `run`) or on a libuv
// worker thread (`runAsync`), never on two threads at once for the same plan (the busy flag guarantees it).
// Runtime (the process-wide ThreadPool and OpenBLAS thread count) is safe from any thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aligned.h"
#include "kernels/kernel.h"

namespace nodeano {

enum SlotKind : int32_t { SLOT_INPUT = 0, SLOT_SHARED = 1, SLOT_CONSTANT = 2, SLOT_TEMP = 3 };

// Upper bounds that keep every size computation far away from overflow.
constexpr int64_t kMaxSlots = 1 << 24;
constexpr int64_t kMaxStepArgs = 1 << 20;           // inputs, outputs, ints or floats of one step
constexpr int64_t kMaxBytes = int64_t(1) << 48;     // any single buffer or the arena
constexpr int kMaxThreads = 1024;

struct SlotDesc {
  int32_t kind;
  int32_t dtype;
  int32_t ref;  // index into inputs / shared / constants; -1 for temps
};

// One constant as handed over by addon.cc (pointer valid only during Program::create).
struct ConstantDesc {
  int32_t dtype;
  const void* data;
  size_t bytes;
};

// The raw program description (pointers into JS typed arrays, valid only during Program::create).
struct ProgramDesc {
  const int32_t* slots = nullptr;  // [kind, dtype, ref] per slot
  size_t slots_len = 0;
  const int32_t* steps = nullptr;  // per step: kernelNameIndex, nIn, nOut, nInts, nFloats, ins..., outs..., ints...
  size_t steps_len = 0;
  const double* floats = nullptr;  // all steps' float attributes, in step order
  size_t floats_len = 0;
  std::vector<std::string> kernel_names;
  std::vector<ConstantDesc> constants;
  const int32_t* updates = nullptr;  // [sharedRef, slot] pairs
  size_t updates_len = 0;
  int64_t n_inputs = 0;
  int64_t n_shared = 0;
};

// Where an error happened and why; addon.cc turns it into a JS Error.
struct Failure {
  Status status = OK;
  int32_t step = -1;        // failing step index, or -1
  std::string message;      // without a "nodeano native:" prefix
  std::vector<std::string> missing_kernels;  // for ERR_UNSUPPORTED at program creation
};

struct StepInfo {
  std::string kernel;  // kernel name
  KernelFn fn = nullptr;
  bool builtin = false;  // a kernel the executor implements itself (Copy) because the registry lacks it
  int32_t in_begin = 0, n_in = 0;    // into Program::io
  int32_t out_begin = 0, n_out = 0;  // into Program::io
  int32_t int_begin = 0, n_ints = 0;
  int32_t float_begin = 0, n_floats = 0;
};

struct UpdateDesc {
  int32_t shared;  // shared ref
  int32_t slot;    // temp slot holding the new value
};

// An immutable, validated program. Shared by every plan made from it (std::shared_ptr), so disposing the JS handle
// of a program never invalidates its plans.
class Program {
 public:
  // Main thread. Validates everything; on failure returns nullptr and fills `fail`.
  static std::shared_ptr<const Program> create(const ProgramDesc& d, Failure* fail);

  std::vector<SlotDesc> slots;
  std::vector<StepInfo> steps;
  std::vector<int32_t> io;  // all steps' input and output slots
  std::vector<int32_t> ints;
  std::vector<double> floats;
  std::vector<int32_t> constant_dtypes;
  std::vector<std::shared_ptr<AlignedBuffer>> constants;
  std::vector<UpdateDesc> updates;
  int64_t n_inputs = 0;
  int64_t n_shared = 0;
};

// The raw plan description (pointers valid only during Plan::create).
struct PlanDesc {
  const int32_t* shapes = nullptr;  // per slot: ndim, dims...
  size_t shapes_len = 0;
  const double* offsets = nullptr;  // byte offset of each temp in the arena, -1 for non-temps
  size_t offsets_len = 0;
  double arena_bytes = 0;
  // Optional: 1 per step that does not run because its output is a view of its input (same arena offset).
  const uint8_t* skip = nullptr;
  size_t skip_len = 0;
  // Optional: [temp slot, shared ref] pairs; the temp has no arena offset (-1) and lives in the shared buffer
  // itself, so the step producing the update writes it in place and no copy follows.
  const int32_t* shared_alias = nullptr;
  size_t shared_alias_len = 0;
};

// An input or shared slot that each call binds to a JS buffer.
struct Binding {
  int32_t slot;
  int32_t kind;  // SLOT_INPUT or SLOT_SHARED
  int32_t ref;
  int32_t dtype;
  size_t bytes;  // exact byte length the bound buffer must have
};

// A native update: memcpy the temp slot `src_slot` (bytes) into shared[shared] after all steps ran, unless the temp
// already is that buffer (a shared-aliased temp bound to it directly).
struct NativeUpdate {
  int32_t index;  // index into Program::updates
  int32_t shared;
  int32_t dtype;
  int32_t src_slot;
  size_t bytes;
};

// A program bound to one set of shapes: arena, per-step kernel contexts, scratch. `run` does not allocate.
class Plan {
 public:
  // Main thread. On failure returns nullptr and fills `fail`.
  static std::shared_ptr<Plan> create(std::shared_ptr<const Program> program, const PlanDesc& d, Failure* fail);

  const Program& program() const { return *program_; }
  const std::shared_ptr<AlignedBuffer>& arena() const { return arena_; }
  size_t arena_bytes() const { return arena_bytes_; }
  size_t scratch_bytes() const { return scratch_ ? scratch_->bytes() : 0; }
  const std::vector<Binding>& bindings() const { return bindings_; }
  // Updates applied natively after a run (the source's shape equals the shared slot's shape) ...
  const std::vector<NativeUpdate>& native_updates() const { return native_updates_; }
  // ... and the indices of the others (a shape-changing update, or one whose shared ref has no slot): the caller
  // applies them itself from the arena.
  const std::vector<int32_t>& deferred_updates() const { return deferred_; }
  // Shape of a slot in this plan.
  const Tensor& slot_tensor(int32_t slot) const { return slot_tensors_[size_t(slot)]; }

  // Main thread, before run: points binding `b` at `data` (which must hold bindings()[b].bytes bytes and stay
  // valid until run returns). Unaligned data (not 16-byte aligned, as kernel.h promises) or data that may be
  // freed while an async run reads it (`must_copy`) is copied into a plan-owned aligned staging buffer.
  // Returns ERR_ALLOC when the staging buffer cannot be allocated.
  Status bind(size_t b, const void* data, bool must_copy);

  // Any thread (exclusive per plan). Runs every step in order; on failure returns the status and sets *failed_step.
  // Takes the process-wide pool only when some step may use it (or call BLAS).
  Status run(int32_t* failed_step);

  // Steps run through a prepared (plan-specialized) function, and whether run() takes the pool; for tests and
  // benchmarks.
  size_t prepared_steps() const { return n_prepared_; }
  bool needs_pool() const { return needs_pool_; }

  // Main thread, while no JS runs: copies each native update's temp into shared_dst[update.shared] (an array
  // indexed by shared ref; entries for refs without native updates are ignored).
  void apply_updates(void* const* shared_dst) const;

  // Set while a run uses the plan: a sync run (including while its arguments are read) or a runAsync in flight.
  // Main thread only.
  bool busy = false;

 private:
  Plan() = default;
  std::shared_ptr<const Program> program_;
  std::shared_ptr<AlignedBuffer> arena_;
  size_t arena_bytes_ = 0;
  std::shared_ptr<AlignedBuffer> scratch_;
  std::vector<Tensor> slot_tensors_;  // shapes and data pointers per slot
  std::vector<Tensor> step_tensors_;  // the contiguous in/out arrays of every step's context
  std::vector<KernelCtx> ctx_;
  // The steps that run, in order (skipped ones left out): the function to call (prepared or generic) and its context.
  struct Exec {
    KernelFn fn;
    KernelCtx* ctx;
    int32_t step;
  };
  std::vector<Exec> exec_;
  std::vector<std::unique_ptr<KernelState>> states_;  // prepared state per step (may be null)
  size_t n_prepared_ = 0;
  bool needs_pool_ = false;
  Status run_steps(ThreadPool* pool, int32_t* failed_step);
  struct Patch {
    Tensor* t;
    int32_t slot;
  };
  std::vector<Patch> patches_;  // step tensors read from input/shared slots, rebound on every call
  std::vector<Binding> bindings_;
  std::vector<std::shared_ptr<AlignedBuffer>> staging_;  // per binding, allocated on first need
  std::vector<NativeUpdate> native_updates_;
  std::vector<int32_t> deferred_;
  std::vector<uint8_t> skip_;                         // per step
  std::vector<std::pair<int32_t, int32_t>> aliases_;  // [temp slot, shared slot] rebound on every call
};

// The process-wide runtime: one ThreadPool shared by every plan and environment (worker_threads included).
// A run takes the pool if it is free and otherwise runs its kernels single-threaded (pool = nullptr), because
// ThreadPool::parallel_for is not reentrant. All functions are safe from any thread.
int runtime_threads();
// Sets the ThreadPool size and OpenBLAS's thread count; applied at once when no run is in progress, otherwise by
// the last run to finish. n is clamped to [1, kMaxThreads].
void runtime_set_threads(int n);
const char* runtime_blas_config();
bool cpu_has_avx2();
bool cpu_has_fma();

// The kernel for a name: the registry's, else the executor's builtin (Copy); nullptr if neither exists.
KernelFn resolve_kernel(const std::string& name, bool* builtin);

const char* status_name(int32_t status);

// c = op(a) op(b) through cblas_sgemm, row-major (benchmarks compare compiled dots against it).
void raw_sgemm(const float* a, const float* b, float* c, int m, int n, int k, bool trans_a, bool trans_b);

}  // namespace nodeano
