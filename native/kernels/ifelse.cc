// IfElse: ints [nThen, nElse]; in: [cond (a scalar of any dtype: true when nonzero), then's inputs..., else's
// inputs...]; out: one per value of the branches, the same in both. The branches come with the outer plan
// (PlanDesc::bodies, body 0 then, body 1 else); run reads cond and runs exactly one of them, its inputs bound straight
// to the step's input buffers and its outputs to the step's output buffers (outputs the branch does not compute in
// place are copied there after it ran). Outputs never alias inputs.
#include "ifelse.h"

#include <cstring>
#include <vector>

namespace nodeano {

namespace {

constexpr int64_t kMaxCount = int64_t(1) << 20;

struct Branch {
  std::unique_ptr<LoopBody> body;  // null: could not be planned for these shapes
  std::vector<std::pair<int32_t, int32_t>> ins;  // [body input, step input] for the inputs the body reads
  std::vector<char> direct;                      // per output: computed into the step's output
  std::vector<int64_t> bytes;                    // per output
};

struct IfElseState : KernelState {
  Branch branch[2];
  int taken = -1;     // the branch of the last run, for failure_detail
  bool absent = false;  // the last run took a branch that has no plan

  std::string failure_detail() const override {
    if (taken < 0) return std::string();
    const char* name = taken == 0 ? "then" : "else";
    if (absent) return std::string(" (its ") + name + " branch could not be planned for these shapes)";
    return std::string(" in its ") + name + " branch" + branch[taken].body->failure_detail();
  }
  size_t owned_bytes() const override {
    size_t bytes = 0;
    for (const Branch& b : branch)
      if (b.body) bytes += b.body->owned_bytes();
    return bytes;
  }
};

bool truthy(const Tensor& c) {
  switch (c.dtype) {
    case F32: return *static_cast<const float*>(c.data) != 0;
    case F64: return *static_cast<const double*>(c.data) != 0;
    case I32: return *static_cast<const int32_t*>(c.data) != 0;
    default: return *static_cast<const uint8_t*>(c.data) != 0;
  }
}

Status ifelse_run(const KernelCtx& ctx) {
  IfElseState& S = *static_cast<IfElseState*>(ctx.state);
  S.taken = truthy(ctx.in[0]) ? 0 : 1;
  Branch& b = S.branch[S.taken];
  S.absent = !b.body;
  if (!b.body) return ERR_SHAPE;
  LoopBody& body = *b.body;
  for (const auto& e : b.ins) body.bind_input(e.first, ctx.in[e.second].data);
  const size_t n_out = size_t(ctx.n_out);
  for (size_t o = 0; o < n_out; o++)
    if (b.direct[o]) body.bind_output(int64_t(o), ctx.out[o].data);
  const Status st = body.run(ctx.pool);
  if (st != OK) return st;
  for (size_t o = 0; o < n_out; o++)
    if (!b.direct[o] && b.bytes[o]) std::memmove(ctx.out[o].data, body.output_data(int64_t(o)), size_t(b.bytes[o]));
  S.taken = -1;
  return OK;
}

// An IfElse step without its prepared state (a plan always prepares it, or fails): nothing to run.
Status ifelse_unprepared(const KernelCtx&) { return ERR_INVALID; }

}  // namespace

Status ifelse_prepare(const KernelCtx& ctx, std::unique_ptr<LoopBody> then, std::unique_ptr<LoopBody> otherwise, PreparedStep* out, std::string* why) {
  auto bad = [&](const std::string& msg) {
    *why = msg;
    return ERR_INVALID;
  };
  const Attrs& a = ctx.attrs;
  if (a.n_ints != 2 || a.ints[0] < 0 || a.ints[0] > kMaxCount || a.ints[1] < 0 || a.ints[1] > kMaxCount)
    return bad("the IfElse attributes must be [nThen, nElse], each in [0, 2^20]");
  const int64_t n_then = a.ints[0], n_else = a.ints[1];
  if (int64_t(ctx.n_in) != 1 + n_then + n_else)
    return bad("the step has " + std::to_string(ctx.n_in) + " inputs, its layout " + std::to_string(1 + n_then + n_else));
  if (ctx.in[0].size != 1 || ctx.in[0].ndim != 0) return bad("cond must be a scalar");
  if (!then && !otherwise) return bad("neither branch has a plan");
  auto S = std::make_unique<IfElseState>();
  bool needs_pool = false;
  std::unique_ptr<LoopBody>* given[2] = {&then, &otherwise};
  for (int j = 0; j < 2; j++) {
    std::unique_ptr<LoopBody>& body = *given[j];
    if (!body) continue;
    const std::string name = j == 0 ? "the then branch" : "the else branch";
    const int64_t first = j == 0 ? 1 : 1 + n_then, count = j == 0 ? n_then : n_else;
    if (body->n_inputs() != count) return bad(name + " has " + std::to_string(body->n_inputs()) + " inputs, the step gives it " + std::to_string(count));
    if (body->n_outputs() != ctx.n_out) return bad(name + " has " + std::to_string(body->n_outputs()) + " outputs, the step " + std::to_string(ctx.n_out));
    Branch& b = S->branch[j];
    for (int64_t k = 0; k < count; k++) {
      const Tensor& x = ctx.in[first + k];
      DType d;
      int64_t bytes;
      if (!body->input_port(k, &d, &bytes)) continue;  // never read: not bound
      if (d != x.dtype || bytes != x.size * int64_t(dtype_size(x.dtype))) return bad(name + "'s input " + std::to_string(k) + " does not match the step's input " + std::to_string(first + k));
      b.ins.push_back({int32_t(k), int32_t(first + k)});
    }
    for (int64_t o = 0; o < ctx.n_out; o++) {
      const Tensor& y = ctx.out[o];
      DType d;
      int64_t bytes;
      bool direct;
      body->output_port(o, &d, &bytes, &direct);
      if (d != y.dtype || bytes != y.size * int64_t(dtype_size(y.dtype))) return bad(name + "'s output " + std::to_string(o) + " does not match the step's output " + std::to_string(o));
      b.direct.push_back(direct ? 1 : 0);
      b.bytes.push_back(bytes);
    }
    needs_pool = needs_pool || body->needs_pool();
    b.body = std::move(body);
  }
  out->needs_pool = needs_pool;
  out->run = ifelse_run;
  out->state = std::move(S);
  return OK;
}

NODEANO_KERNEL("IfElse", ifelse_unprepared, nullptr);

}  // namespace nodeano
