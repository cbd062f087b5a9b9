// A Plan as a LoopBody, and steps with bodies (Scan, IfElse) prepared over them (see plan_body.h).
#include "plan_body.h"

#include <vector>

#include "kernels/ifelse.h"

namespace nodeano {

namespace {

// Runs on the thread running the outer plan; one iteration at a time (the outer plan's exclusivity covers it).
class PlanBody final : public LoopBody {
 public:
  explicit PlanBody(std::shared_ptr<Plan> plan) : plan_(std::move(plan)) {}

  // Input ref -> binding, output -> direct output (the first output with a direct slot takes it) or the slot to copy.
  Status init(std::string* why) {
    const Program& p = plan_->program();
    if (p.n_shared != 0 || !plan_->native_updates().empty()) return *why = "a body must have no shared values and no updates", ERR_INVALID;
    binding_of_.assign(size_t(p.n_inputs), -1);
    const auto& bindings = plan_->bindings();
    for (size_t b = 0; b < bindings.size(); b++)
      if (bindings[b].kind == SLOT_INPUT) binding_of_[size_t(bindings[b].ref)] = int32_t(b);
    const auto& direct = plan_->outputs();
    std::vector<char> claimed(direct.size(), 0);
    for (int32_t slot : p.outputs) {
      int32_t d = -1;
      for (size_t j = 0; j < direct.size() && d < 0; j++)
        if (direct[j].slot == slot && !claimed[j]) claimed[j] = 1, d = int32_t(j);
      direct_of_.push_back(d);
    }
    for (char c : claimed)
      if (!c) return *why = "the body's plan has a direct output that is no output of the body", ERR_INVALID;
    if (plan_->reserve_staging() != OK) return *why = "cannot allocate the body's staging buffers", ERR_ALLOC;
    return OK;
  }

  int64_t n_inputs() const override { return int64_t(binding_of_.size()); }
  int64_t n_outputs() const override { return int64_t(direct_of_.size()); }

  bool input_port(int64_t k, DType* dtype, int64_t* bytes) const override {
    const int32_t b = binding_of_[size_t(k)];
    if (b < 0) return false;
    const Binding& bd = plan_->bindings()[size_t(b)];
    *dtype = DType(bd.dtype);
    *bytes = int64_t(bd.bytes);
    return true;
  }

  void output_port(int64_t k, DType* dtype, int64_t* bytes, bool* direct) const override {
    const Tensor& t = plan_->slot_tensor(plan_->program().outputs[size_t(k)]);
    *dtype = t.dtype;
    *bytes = t.size * int64_t(dtype_size(t.dtype));
    *direct = direct_of_[size_t(k)] >= 0;
  }

  bool needs_pool() const override { return plan_->needs_pool(); }

  // Plan::bind only allocates staging on first need, and init reserved it all: these cannot fail.
  void bind_input(int64_t k, const void* data) override {
    const int32_t b = binding_of_[size_t(k)];
    if (b >= 0) plan_->bind(size_t(b), const_cast<void*>(data));  // the body only reads its inputs
  }
  void bind_output(int64_t k, void* data) override {
    const int32_t d = direct_of_[size_t(k)];
    if (d >= 0) plan_->bind_output(size_t(d), data);
  }

  Status run(ThreadPool* pool) override { return plan_->run_nested(pool, &failed_); }

  const void* output_data(int64_t k) const override { return plan_->slot_tensor(plan_->program().outputs[size_t(k)]).data; }

  std::string failure_detail() const override {
    if (failed_ < 0) return std::string();
    return " in body step " + std::to_string(failed_) + " (" + plan_->program().steps[size_t(failed_)].kernel + ")" + plan_->failure_detail(failed_);
  }

  size_t owned_bytes() const override {
    size_t staging = 0;
    for (const Binding& b : plan_->bindings()) staging += b.bytes;
    for (const Binding& b : plan_->outputs()) staging += b.bytes;
    return plan_->arena_bytes() + plan_->scratch_bytes() + plan_->nested_bytes() + staging;
  }

 private:
  std::shared_ptr<Plan> plan_;
  std::vector<int32_t> binding_of_;  // per body input: its binding, or -1 when the body never reads it
  std::vector<int32_t> direct_of_;   // per body output: its direct output, or -1 (copied from its slot)
  int32_t failed_ = -1;
};

}  // namespace

Status make_loop_body(std::shared_ptr<Plan> plan, std::unique_ptr<LoopBody>* out, std::string* why) {
  auto body = std::make_unique<PlanBody>(std::move(plan));
  const Status st = body->init(why);
  if (st == OK) *out = std::move(body);
  return st;
}

Status prepare_body_step(const std::string& kernel, const KernelCtx& ctx, std::vector<std::unique_ptr<LoopBody>> bodies, int64_t iterations, PreparedStep* out,
                         std::string* why) {
  const std::string count = std::to_string(bodies.size());
  if (kernel == "Scan") {
    if (bodies.size() != 1 || !bodies[0]) return *why = "a Scan step must have exactly one body, got " + count, ERR_INVALID;
    return scan_loop_prepare(ctx, std::move(bodies[0]), iterations, out, why);
  }
  if (kernel == "IfElse") {
    if (bodies.size() != 2) return *why = "an IfElse step must have exactly two bodies, got " + count, ERR_INVALID;
    return ifelse_prepare(ctx, std::move(bodies[0]), std::move(bodies[1]), out, why);
  }
  return *why = "kernel " + kernel + " does not run a body", ERR_INVALID;
}

}  // namespace nodeano
