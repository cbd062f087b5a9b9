// The Scan loop: one step of a plan whose body is a plan of its own (scan_loop.cc gives the layout). The kernel sees
// the body only through LoopBody, which native/plan_body.cc implements over a Plan: kernels stay plain C++ that
// knows nothing of programs and plans.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "kernel.h"

namespace nodeano {

// A loop body bound to fixed shapes: inputs and outputs are numbered as the body program has them. Run by the
// thread that runs the outer plan, one iteration at a time.
class LoopBody {
 public:
  virtual ~LoopBody() = default;
  virtual int64_t n_inputs() const = 0;
  virtual int64_t n_outputs() const = 0;
  // Input k's dtype and byte size; false when the body never reads it (then it need not be bound).
  virtual bool input_port(int64_t k, DType* dtype, int64_t* bytes) const = 0;
  // Output k's dtype and byte size, and whether the body computes it straight into the buffer bound with
  // bind_output (otherwise the loop copies it from output_data after run).
  virtual void output_port(int64_t k, DType* dtype, int64_t* bytes, bool* direct) const = 0;
  // Whether run may use the pool (or call BLAS).
  virtual bool needs_pool() const = 0;
  // Binds input k (read only) / direct output k for the next run; any alignment (unaligned data is staged in
  // buffers reserved in advance: no allocation here).
  virtual void bind_input(int64_t k, const void* data) = 0;
  virtual void bind_output(int64_t k, void* data) = 0;
  // Runs every step on `pool` (may be null), which the caller holds: never takes the process-wide pool itself.
  virtual Status run(ThreadPool* pool) = 0;
  // After run: where output k's value is (for the outputs the body does not compute in place).
  virtual const void* output_data(int64_t k) const = 0;
  // After run failed: which body step, for the error message (" in body step 2 (Tanh)").
  virtual std::string failure_detail() const = 0;
  // Native memory the body keeps (its arena, scratch, staging, nested bodies).
  virtual size_t owned_bytes() const = 0;
};

// Main thread, when the outer plan is made: prepares the Scan step of `ctx` (shapes only) over `body`, planned for
// the row shapes this step feeds it, for `n` iterations. On any mismatch between the layout, the step's shapes and
// the body returns ERR_INVALID and says why in `why`; the step then cannot run.
Status scan_loop_prepare(const KernelCtx& ctx, std::unique_ptr<LoopBody> body, int64_t n, PreparedStep* out, std::string* why);

}  // namespace nodeano
