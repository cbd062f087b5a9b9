// A program bound to one set of shapes: the arena, per-step kernel contexts, prepared steps, scratch. Plain C++ (no
// N-API). Every decision about memory (where temps live, which steps run in place or not at all, which updates land
// natively) is made by lib/compile/memory-plan.ts and handed down in a PlanDesc; Plan::create only checks that the
// layout is safe to run (every byte a kernel touches is inside a buffer, and no output overlaps another buffer of its
// step except an in-place output exactly over an input) and fails with ERR_INVALID otherwise.
//
// Threads: Plan::create, bind, set_destination, apply_updates and the busy flag run on the JS main thread of the
// environment that owns the handle. Plan::run runs on that thread (sync `run`) or on a libuv worker thread
// (`runAsync`), never on two threads at once for the same plan (the busy flag guarantees it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aligned.h"
#include "kernels/kernel.h"
#include "program.h"

namespace nodeano {

class ThreadPool;

struct BodyPlanDesc;

// The raw plan description (pointers valid only during Plan::create). The optional arrays may be null.
struct PlanDesc {
  const int32_t* shapes = nullptr;  // per slot: ndim, dims...
  size_t shapes_len = 0;
  const double* offsets = nullptr;  // byte offset of each temp in the arena, -1 for non-temps
  size_t offsets_len = 0;
  double arena_bytes = 0;
  // 1 per step that does not run because its output is a view of its input (same arena offset).
  const uint8_t* skip = nullptr;
  size_t skip_len = 0;
  // 1 per step whose output takes the arena bytes of an input that dies there (same offset, size and dtype).
  const uint8_t* in_place = nullptr;
  size_t in_place_len = 0;
  // [temp slot, shared ref] pairs: the temp is an update's value and has no arena offset (-1); it lives in the
  // shared buffer itself, so the step producing it writes there and no copy follows.
  const int32_t* shared_alias = nullptr;
  size_t shared_alias_len = 0;
  // Indices of the updates whose value changes the shared variable's shape: the caller lands them from the arena.
  const int32_t* resized = nullptr;
  size_t resized_len = 0;
  // Direct outputs: temp slots with no arena offset (-1) that each call computes straight into the array the caller
  // gets (bind_output for a synchronous run, alloc_outputs for an asynchronous one), in the caller's order.
  const int32_t* outputs = nullptr;
  size_t outputs_len = 0;
  // One per body of a step that runs bodies (Program StepInfo::bodies), unless the step is skipped. Scan needs its
  // one body's plan; IfElse takes a plan per branch, and a branch left out could not be planned for these shapes.
  std::vector<BodyPlanDesc> bodies;
};

// A step's body planned for the input shapes the step gives it, run up to `iterations` times per run of the step.
struct BodyPlanDesc {
  int64_t step = -1;
  int64_t body = 0;  // which of the step's bodies (StepInfo::bodies index)
  int64_t iterations = 0;
  PlanDesc plan;
};

// An input, shared or direct output slot that each call binds to a buffer.
struct Binding {
  int32_t slot;
  int32_t kind;  // SLOT_INPUT, SLOT_SHARED or (a direct output) SLOT_TEMP
  int32_t ref;   // the input, shared or direct output index
  int32_t dtype;
  size_t bytes;  // exact byte length the bound buffer must have
};

// An update run() lands: after all steps, the temp `src_slot` is copied into the buffer bound to shared[shared]
// (binding `binding`), unless it already is that buffer (a shared-aliased temp bound to it directly).
struct NativeUpdate {
  int32_t index;  // index into Program::updates
  int32_t shared;
  int32_t binding;
  int32_t dtype;
  int32_t src_slot;
  size_t bytes;
};

class Plan {
 public:
  // Main thread. On failure returns nullptr and fills `fail`.
  // A step with a body gets the body's own plan (from d.bodies), owned by the step's state; `depth` counts the nesting.
  static std::shared_ptr<Plan> create(std::shared_ptr<const Program> program, const PlanDesc& d, Failure* fail, int depth = 0);

  const Program& program() const { return *program_; }
  const std::shared_ptr<AlignedBuffer>& arena() const { return arena_; }
  size_t arena_bytes() const { return arena_bytes_; }
  size_t scratch_bytes() const { return scratch_ ? scratch_->bytes() : 0; }
  // What the steps' states keep beyond the arena and scratch (the plans of loop bodies, with their own arenas).
  size_t nested_bytes() const;
  const std::vector<Binding>& bindings() const { return bindings_; }
  // The updates this plan lands natively: every update not listed as resized.
  const std::vector<NativeUpdate>& native_updates() const { return native_updates_; }

  // Main thread, before run: points binding `b` at `data` (which must hold bindings()[b].bytes bytes and stay
  // valid until run returns; an async run reads it on the worker thread). Unaligned data (not 16-byte aligned, as
  // kernel.h promises) gets a plan-owned aligned staging buffer that run fills first, on the thread it runs on, so
  // no copy happens on the main thread for an async run. `data` itself stays the destination of the binding's
  // updates. Returns ERR_ALLOC when staging cannot be allocated.
  Status bind(size_t b, void* data);
  // Main thread, after an async run: the binding's buffer as it is now (the destination apply_updates writes to).
  void set_destination(size_t b, void* data) { dest_[b] = data; }

  // The direct outputs (kind SLOT_TEMP, ref = their index), one buffer each per call.
  const std::vector<Binding>& outputs() const { return outputs_; }
  // Main thread, before a synchronous run: direct output k is computed into `data` (outputs()[k].bytes bytes, valid
  // until run returns). Unaligned data gets a plan-owned staging buffer, copied into `data` after the steps.
  Status bind_output(size_t k, void* data);
  // Any thread, before run (exclusive per plan): every direct output gets a fresh zeroed block, appended to `out`.
  // Blocks of 1 MiB or more come from mmap, so their pages are first touched by the kernel that writes them.
  Status alloc_outputs(std::vector<std::shared_ptr<AlignedBuffer>>* out);

  // Any thread (exclusive per plan). Runs every step in order; on failure returns the status and sets *failed_step.
  // Takes the process-wide pool only when some step may use it (or call BLAS).
  Status run(int32_t* failed_step);

  // Main thread, while no JS runs: copies each native update's value into its shared buffer.
  void apply_updates() const;

  // Main thread, before the bindings of a call: forgets the previous call's staging.
  void begin_bind() { to_stage_.clear(); }

  // After run failed at `step`: where inside the step (a loop's body step), or "".
  std::string failure_detail(int32_t step) const;

  // For a plan that runs as a loop body (native/kernels/scan_loop.cc), on the thread that runs the outer plan:
  // bind and bind_output as above (must_copy false), then run_nested once per iteration.
  // Allocates every staging buffer now, so that no bind or bind_output allocates afterwards.
  Status reserve_staging();
  // Runs every step like run, on the outer run's pool (may be null): never takes the process-wide pool itself.
  Status run_nested(ThreadPool* pool, int32_t* failed_step);
  bool needs_pool() const { return needs_pool_; }
  // A slot's shape and data as of the last bind / run (a body output that is not computed in place is copied from it).
  const Tensor& slot_tensor(int32_t slot) const { return slot_tensors_[size_t(slot)]; }

  // Set while a runAsync on the plan is in flight. Main thread only.
  bool busy = false;

  // Per binding (main thread): the alloc() buffer a synchronous run left a shared binding bound to, held weakly (free()
  // still releases it), so that the next synchronous run may keep the binding instead of being passed the array
  // again; and the last data pointer found not to be an alloc() buffer (not looked up again). An async run clears it.
  struct Kept {
    std::weak_ptr<AlignedBuffer> buf;
    const void* miss = nullptr;
  };
  std::vector<Kept> kept;

 private:
  friend class PlanBuilder;
  Plan() = default;
  Status run_steps(ThreadPool* pool, int32_t* failed_step);

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
  bool needs_pool_ = false;
  struct Patch {
    Tensor* t;
    int32_t slot;
  };
  std::vector<Patch> patches_;  // step tensors read from input/shared slots, rebound on every call
  std::vector<Binding> bindings_;
  std::vector<void*> dest_;                              // per binding: the caller's buffer
  std::vector<std::shared_ptr<AlignedBuffer>> staging_;  // per binding, allocated on first need
  std::vector<size_t> to_stage_;                         // bindings whose staging run fills from dest_ this call
  std::vector<NativeUpdate> native_updates_;
  std::vector<std::pair<int32_t, int32_t>> aliases_;  // [temp slot, shared slot] rebound on every call
  std::vector<Binding> outputs_;
  std::vector<std::shared_ptr<AlignedBuffer>> out_staging_;  // per direct output, allocated on first need
  std::vector<void*> out_dest_;  // per direct output: the unaligned caller buffer its staging is copied to, or null
};

}  // namespace nodeano
