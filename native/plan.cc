// Plan building and running (see plan.h). Plain C++: no N-API, no JS values.
#include "plan.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <new>

#include "plan_body.h"
#include "runtime.h"

namespace nodeano {

namespace {

// Where zero-size tensors point, so that no kernel ever sees a null or one-past-the-end pointer.
alignas(64) unsigned char g_empty[64];

std::string str(int64_t v) { return std::to_string(v); }

bool same_shape(const Tensor& a, const Tensor& b) {
  if (a.ndim != b.ndim) return false;
  for (int i = 0; i < a.ndim; i++)
    if (a.shape[i] != b.shape[i]) return false;
  return true;
}

std::string shape_str(const Tensor& t) {
  std::string s = "[";
  for (int i = 0; i < t.ndim; i++) s += (i ? "," : "") + str(t.shape[i]);
  return s + "]";
}

// An optional per-step flag array: absent (all zero) or one entry per step.
bool per_step(const uint8_t* flags, size_t len, size_t n_steps) { return flags == nullptr || len == 0 || len == n_steps; }

}  // namespace

// Builds a Plan from a PlanDesc, one checked part at a time; each part returns false after filling `fail`.
class PlanBuilder {
 public:
  PlanBuilder(std::shared_ptr<const Program> program, const PlanDesc& d, Failure* fail, int depth)
      : prog_(*program), d_(d), fail_(fail), depth_(depth), plan_(new Plan()), n_slots_(prog_.slots.size()) {
    plan_->program_ = std::move(program);
  }

  std::shared_ptr<Plan> build() {
    if (!shapes() || !value_shapes() || !resized() || !aliases() || !direct_outputs() || !offsets() || !skips() || !overlaps() || !updates() ||
        !allocate_arena() || !contexts() || !scratch() || !bodies())
      return nullptr;
    bindings();
    prepare_steps();
    return std::move(plan_);
  }

 private:
  bool invalid(std::string msg) {
    fail_->status = ERR_INVALID;
    fail_->message = std::move(msg);
    return false;
  }

  bool alloc_fail(const std::string& what, int64_t n) {
    fail_->status = ERR_ALLOC;
    fail_->message = "cannot allocate " + str(n) + " bytes for the " + what;
    return false;
  }

  bool is_temp(int32_t s) const { return prog_.slots[size_t(s)].kind == SLOT_TEMP; }
  std::string step_name(size_t k) const { return "step " + str(int64_t(k)) + " (" + prog_.steps[k].kernel + ")"; }

  // Every slot's shape (per slot: ndim, dims...) and byte size.
  bool shapes() {
    plan_->slot_tensors_.resize(n_slots_);
    bytes_.assign(n_slots_, 0);
    size_t pos = 0;
    for (size_t s = 0; s < n_slots_; s++) {
      const std::string where = "slot " + str(int64_t(s));
      if (pos >= d_.shapes_len) return invalid("shapes is truncated at " + where);
      const int32_t ndim = d_.shapes[pos++];
      if (ndim < 0 || ndim > kMaxRank) return invalid(where + ": rank " + str(ndim) + " is not in [0, " + str(kMaxRank) + "]");
      if (d_.shapes_len - pos < size_t(ndim)) return invalid("shapes is truncated at " + where);
      Tensor& t = plan_->slot_tensors_[s];
      t.dtype = DType(prog_.slots[s].dtype);
      t.ndim = ndim;
      bool empty = false;
      for (int32_t i = 0; i < ndim; i++) {
        const int32_t dim = d_.shapes[pos + size_t(i)];
        if (dim < 0) return invalid(where + ": negative dimension " + str(dim));
        t.shape[i] = dim;
        empty = empty || dim == 0;
      }
      pos += size_t(ndim);
      // a zero dim anywhere makes the tensor empty, whatever the other dims ([2^30, 2^30, 0] holds nothing)
      t.size = empty ? 0 : 1;
      for (int32_t i = 0; i < ndim && !empty; i++) {
        // keep size * 8 below kMaxBytes: checked before multiplying (dim < 2^31, size < 2^45)
        if (t.size > kMaxBytes / 8 / t.shape[i]) return invalid(where + ": too many elements");
        t.size *= t.shape[i];
      }
      bytes_[s] = t.size * int64_t(dtype_size(t.dtype));
    }
    if (pos != d_.shapes_len) return invalid("shapes has " + str(int64_t(d_.shapes_len - pos)) + " extra int(s)");
    return true;
  }

  // Constants have the shape of their data; slots bound to the same input or shared value have one shape.
  bool value_shapes() {
    for (size_t s = 0; s < n_slots_; s++) {
      const SlotDesc& sd = prog_.slots[s];
      const std::string where = "slot " + str(int64_t(s));
      if (sd.kind == SLOT_CONSTANT) {
        const size_t have = prog_.constants[size_t(sd.ref)]->bytes();
        if (size_t(bytes_[s]) != have)
          return invalid(where + ": shape " + shape_str(plan_->slot_tensors_[s]) + " does not match the " + str(int64_t(have)) + " bytes of constants[" +
                         str(sd.ref) + "]");
      } else if (sd.kind == SLOT_INPUT || sd.kind == SLOT_SHARED) {
        const int32_t first = (sd.kind == SLOT_INPUT ? prog_.input_slot : prog_.shared_slot)[size_t(sd.ref)];
        if (!same_shape(plan_->slot_tensors_[s], plan_->slot_tensors_[size_t(first)]))
          return invalid(where + ": shape differs from another slot bound to the same value");
      }
    }
    return true;
  }

  bool resized() {
    resized_.assign(prog_.updates.size(), 0);
    for (size_t i = 0; i < d_.resized_len; i++) {
      const int32_t u = d_.resized[i];
      if (u < 0 || size_t(u) >= prog_.updates.size()) return invalid("resized: update index " + str(u) + " is out of range");
      if (resized_[size_t(u)]) return invalid("resized: update " + str(u) + " is listed twice");
      resized_[size_t(u)] = 1;
    }
    return true;
  }

  // Each [temp slot, shared ref] pair is a non-resized update of that shared value, of its dtype and shape.
  bool aliases() {
    if (d_.shared_alias_len % 2) return invalid("sharedAlias must hold [slot, sharedRef] pairs");
    alias_ref_.assign(n_slots_, -1);
    for (size_t i = 0; i < d_.shared_alias_len; i += 2) {
      const int32_t s = d_.shared_alias[i], r = d_.shared_alias[i + 1];
      const std::string what = "sharedAlias: slot " + str(s);
      if (s < 0 || size_t(s) >= n_slots_ || !is_temp(s)) return invalid(what + " is not a temp");
      if (r < 0 || r >= prog_.n_shared) return invalid("sharedAlias: shared ref " + str(r) + " is out of range");
      if (alias_ref_[size_t(s)] >= 0) return invalid(what + " is listed twice");
      const int32_t sh = prog_.shared_slot[size_t(r)];
      if (sh < 0) return invalid("sharedAlias: shared ref " + str(r) + " has no slot in this program");
      auto u = std::find_if(prog_.updates.begin(), prog_.updates.end(), [&](const UpdateDesc& x) { return x.shared == r && x.slot == s; });
      if (u == prog_.updates.end()) return invalid(what + " is not the value of an update of shared " + str(r));
      if (resized_[size_t(u - prog_.updates.begin())]) return invalid(what + " is the value of a resized update");
      const Tensor& a = plan_->slot_tensors_[size_t(s)];
      const Tensor& b = plan_->slot_tensors_[size_t(sh)];
      if (a.dtype != b.dtype || !same_shape(a, b)) return invalid(what + " differs in dtype or shape from its shared value");
      alias_ref_[size_t(s)] = r;
      plan_->aliases_.push_back({s, sh});
    }
    return true;
  }

  // Direct outputs: distinct temps, not in a shared buffer, never in the arena.
  bool direct_outputs() {
    direct_.assign(n_slots_, 0);
    for (size_t k = 0; k < d_.outputs_len; k++) {
      const int32_t s = d_.outputs[k];
      const std::string what = "outputs: slot " + str(s);
      if (s < 0 || size_t(s) >= n_slots_ || !is_temp(s)) return invalid(what + " is not a temp");
      if (alias_ref_[size_t(s)] >= 0) return invalid(what + " lives in a shared buffer (sharedAlias)");
      if (direct_[size_t(s)]) return invalid(what + " is listed twice");
      direct_[size_t(s)] = 1;
      plan_->outputs_.push_back({s, SLOT_TEMP, int32_t(k), prog_.slots[size_t(s)].dtype, size_t(bytes_[size_t(s)])});
    }
    plan_->out_staging_.resize(plan_->outputs_.size());
    plan_->out_dest_.assign(plan_->outputs_.size(), nullptr);
    return true;
  }

  // Arena offsets: every temp not aliased to a shared buffer lies, 64-byte aligned, inside the arena.
  bool offsets() {
    if (d_.offsets_len != n_slots_) return invalid("offsets has length " + str(int64_t(d_.offsets_len)) + ", expected " + str(int64_t(n_slots_)));
    const double ab = d_.arena_bytes;
    if (!(ab >= 0) || ab > double(kMaxBytes) || std::floor(ab) != ab) return invalid("arenaBytes must be an integer in [0, 2^48]");
    arena_bytes_ = int64_t(ab);
    off_.assign(n_slots_, -1);
    for (size_t s = 0; s < n_slots_; s++) {
      const std::string where = "slot " + str(int64_t(s));
      const double o = d_.offsets[s];
      if (prog_.slots[s].kind != SLOT_TEMP || alias_ref_[s] >= 0 || direct_[s]) {
        if (o != -1) return invalid(where + ": offset must be -1 for a non-temp, a shared-aliased temp or a direct output");
        continue;
      }
      if (!(o >= 0) || o > double(kMaxBytes) || std::floor(o) != o) return invalid(where + ": offset must be a non-negative integer");
      off_[s] = int64_t(o);
      if (off_[s] % int64_t(kAlign)) return invalid(where + ": offset " + str(off_[s]) + " is not 64-byte aligned");
      if (off_[s] + bytes_[s] > arena_bytes_)
        return invalid(where + ": [" + str(off_[s]) + ", " + str(off_[s] + bytes_[s]) + ") does not fit in the arena of " + str(arena_bytes_) + " bytes");
    }
    return true;
  }

  // A skipped step's output is a view of its first input: both arena temps, same offset, same byte size.
  bool skips() {
    const size_t n = prog_.steps.size();
    if (!per_step(d_.skip, d_.skip_len, n)) return invalid("skip must have one entry per step");
    if (!per_step(d_.in_place, d_.in_place_len, n)) return invalid("inPlace must have one entry per step");
    skip_.assign(n, 0);
    in_place_.assign(n, 0);
    for (size_t k = 0; k < n; k++) {
      in_place_[k] = d_.in_place_len && d_.in_place[k];
      if (!d_.skip_len || !d_.skip[k]) continue;
      const StepInfo& st = prog_.steps[k];
      if (st.n_in < 1 || st.n_out != 1) return invalid(step_name(k) + " cannot be skipped");
      const int32_t i0 = prog_.io[size_t(st.in_begin)], o = prog_.io[size_t(st.out_begin)];
      if (!is_temp(i0) || !is_temp(o) || off_[size_t(i0)] < 0 || off_[size_t(o)] < 0 || off_[size_t(i0)] != off_[size_t(o)] ||
          bytes_[size_t(i0)] != bytes_[size_t(o)])
        return invalid(step_name(k) + " is skipped but its output is not a view of its input");
      skip_[k] = 1;
    }
    return true;
  }

  // No output of a step that runs overlaps another buffer of that step in the arena, except an output of a step
  // flagged inPlace lying exactly over one of its inputs (same offset, byte size and dtype).
  bool overlaps() {
    for (size_t k = 0; k < prog_.steps.size(); k++) {
      if (skip_[k]) continue;
      const StepInfo& st = prog_.steps[k];
      for (int32_t a = 0; a < st.n_out; a++) {
        const int32_t o = prog_.io[size_t(st.out_begin + a)];
        if (bytes_[size_t(o)] == 0 || off_[size_t(o)] < 0) continue;
        for (int32_t b = 0; b < st.n_in + st.n_out; b++) {
          const int32_t x = prog_.io[size_t(st.in_begin + b)];  // inputs then outputs are contiguous in io
          if ((b >= st.n_in && x == o) || !is_temp(x) || bytes_[size_t(x)] == 0 || off_[size_t(x)] < 0) continue;
          const bool exact = off_[size_t(o)] == off_[size_t(x)] && bytes_[size_t(o)] == bytes_[size_t(x)] &&
                             prog_.slots[size_t(o)].dtype == prog_.slots[size_t(x)].dtype;
          if (b < st.n_in && in_place_[k] && exact) continue;
          if (off_[size_t(o)] < off_[size_t(x)] + bytes_[size_t(x)] && off_[size_t(x)] < off_[size_t(o)] + bytes_[size_t(o)])
            return invalid(step_name(k) + ": output slot " + str(o) + " overlaps slot " + str(x) + " in the arena" +
                           (b < st.n_in && exact ? " (an exact overlap is allowed only on a step flagged inPlace)" : ""));
        }
      }
    }
    return true;
  }

  // The updates landed natively: every one not listed as resized, whose value has its shared value's byte size.
  bool updates() {
    for (size_t u = 0; u < prog_.updates.size(); u++) {
      if (resized_[u]) continue;
      const UpdateDesc& up = prog_.updates[u];
      const std::string where = "update " + str(int64_t(u));
      const int32_t sh = prog_.shared_slot[size_t(up.shared)];
      if (sh < 0) return invalid(where + ": shared ref " + str(up.shared) + " has no slot in this program, so it must be listed in resized");
      if (bytes_[size_t(up.slot)] != bytes_[size_t(sh)])
        return invalid(where + ": its value has " + str(bytes_[size_t(up.slot)]) + " bytes, shared " + str(up.shared) + " has " + str(bytes_[size_t(sh)]) +
                       ", so it must be listed in resized");
      plan_->native_updates_.push_back({int32_t(u), up.shared, -1, prog_.slots[size_t(up.slot)].dtype, up.slot, size_t(bytes_[size_t(up.slot)])});
    }
    return true;
  }

  // The arena, and every slot's data pointer that does not change between calls.
  bool allocate_arena() {
    plan_->arena_ = AlignedBuffer::make(size_t(arena_bytes_), true);
    if (!plan_->arena_) return alloc_fail("arena", arena_bytes_);
    plan_->arena_bytes_ = size_t(arena_bytes_);
    char* base = static_cast<char*>(plan_->arena_->data());
    for (size_t s = 0; s < n_slots_; s++) {
      Tensor& t = plan_->slot_tensors_[s];
      const SlotDesc& sd = prog_.slots[s];
      if (bytes_[s] == 0) t.data = g_empty;
      else if (sd.kind == SLOT_TEMP && off_[s] >= 0) t.data = base + off_[s];
      else if (sd.kind == SLOT_CONSTANT) t.data = prog_.constants[size_t(sd.ref)]->data();
      else t.data = nullptr;  // an input, shared value, shared-aliased temp or direct output: bound by each call
    }
    return true;
  }

  // Per-step contexts (step_tensors_ is sized once so the pointers into it stay valid) and their scratch needs.
  bool contexts() {
    size_t n_tensors = 0;
    for (const StepInfo& st : prog_.steps) n_tensors += size_t(st.n_in) + size_t(st.n_out);
    plan_->step_tensors_.resize(n_tensors);
    plan_->ctx_.resize(prog_.steps.size());
    scratch_.assign(prog_.steps.size(), 0);
    size_t ti = 0;
    for (size_t k = 0; k < prog_.steps.size(); k++) {
      const StepInfo& st = prog_.steps[k];
      KernelCtx& c = plan_->ctx_[k];
      c.in = plan_->step_tensors_.data() + ti;
      c.n_in = st.n_in;
      for (int32_t a = 0; a < st.n_in; a++) add_step_tensor(prog_.io[size_t(st.in_begin + a)], ti++);
      c.out = plan_->step_tensors_.data() + ti;
      c.n_out = st.n_out;
      for (int32_t a = 0; a < st.n_out; a++) add_step_tensor(prog_.io[size_t(st.out_begin + a)], ti++);
      c.attrs.ints = st.n_ints ? prog_.ints.data() + st.int_begin : nullptr;
      c.attrs.n_ints = st.n_ints;
      c.attrs.floats = st.n_floats ? prog_.floats.data() + st.float_begin : nullptr;
      c.attrs.n_floats = st.n_floats;
      c.pool = nullptr;
      // input/shared data pointers are still null here: kernel_scratch_bytes may look at shapes only
      size_t need = 0;
      try {
        need = kernel_scratch_bytes(st.kernel.c_str(), c);
      } catch (...) {
        fail_->step = int32_t(k);
        return invalid("kernel_scratch_bytes failed for " + step_name(k));
      }
      if (need > size_t(kMaxBytes)) {
        fail_->step = int32_t(k);
        return alloc_fail("scratch of " + step_name(k), int64_t(std::min<size_t>(need, size_t(INT64_MAX))));
      }
      scratch_[k] = need;
    }
    return true;
  }

  // A step tensor mirrors its slot; one whose data is bound per call (input, shared, aliased temp) is patched by run().
  void add_step_tensor(int32_t s, size_t ti) {
    plan_->step_tensors_[ti] = plan_->slot_tensors_[size_t(s)];
    const int32_t kind = prog_.slots[size_t(s)].kind;
    const bool per_call = kind == SLOT_INPUT || kind == SLOT_SHARED || alias_ref_[size_t(s)] >= 0 || direct_[size_t(s)];
    if (per_call && bytes_[size_t(s)] != 0) plan_->patches_.push_back({&plan_->step_tensors_[ti], s});
  }

  // One scratch buffer, as large as the largest need, shared by every step (steps run one at a time).
  bool scratch() {
    const size_t most = scratch_.empty() ? 0 : *std::max_element(scratch_.begin(), scratch_.end());
    if (!most) return true;
    plan_->scratch_ = AlignedBuffer::make(most, false);
    if (!plan_->scratch_) return alloc_fail("kernel scratch", int64_t(most));
    for (size_t k = 0; k < prog_.steps.size(); k++) {
      if (!scratch_[k]) continue;
      plan_->ctx_[k].scratch = plan_->scratch_->data();
      plan_->ctx_[k].scratch_bytes = scratch_[k];
    }
    return true;
  }

  void bindings() {
    std::vector<int32_t> binding_of(n_slots_, -1);
    for (size_t s = 0; s < n_slots_; s++) {
      const SlotDesc& sd = prog_.slots[s];
      if (sd.kind != SLOT_INPUT && sd.kind != SLOT_SHARED) continue;
      binding_of[s] = int32_t(plan_->bindings_.size());
      plan_->bindings_.push_back({int32_t(s), sd.kind, sd.ref, sd.dtype, size_t(bytes_[s])});
    }
    plan_->staging_.resize(plan_->bindings_.size());
    plan_->kept.resize(plan_->bindings_.size());
    plan_->dest_.assign(plan_->bindings_.size(), nullptr);
    for (NativeUpdate& u : plan_->native_updates_) u.binding = binding_of[size_t(prog_.shared_slot[size_t(u.shared)])];
  }

  // Steps with bodies (Scan, IfElse): each body's plan, built from its nested PlanDesc, and the step prepared over them
  // (a step that cannot be prepared over its bodies fails the plan: there is no generic way to run it).
  bool bodies() {
    const size_t n = prog_.steps.size();
    plan_->states_.resize(n);
    body_run_.assign(n, nullptr);
    body_pool_.assign(n, 0);
    std::vector<std::vector<const BodyPlanDesc*>> of(n);
    for (size_t i = 0; i < d_.bodies.size(); i++) {
      const BodyPlanDesc& b = d_.bodies[i];
      const std::string what = "bodies[" + str(int64_t(i)) + "]";
      if (b.step < 0 || size_t(b.step) >= n) return invalid(what + ": step " + str(b.step) + " out of range");
      const StepInfo& st = prog_.steps[size_t(b.step)];
      if (st.bodies.empty()) return invalid(what + ": " + step_name(size_t(b.step)) + " has no body");
      if (b.body < 0 || size_t(b.body) >= st.bodies.size())
        return invalid(what + ": body " + str(b.body) + " out of range for " + step_name(size_t(b.step)) + ", which has " + str(int64_t(st.bodies.size())));
      auto& per = of[size_t(b.step)];
      per.resize(st.bodies.size(), nullptr);
      if (per[size_t(b.body)]) return invalid(what + ": body " + str(b.body) + " of " + step_name(size_t(b.step)) + " is listed twice");
      per[size_t(b.body)] = &b;
    }
    for (size_t k = 0; k < n; k++) {
      const StepInfo& st = prog_.steps[k];
      if (st.bodies.empty() || skip_[k]) continue;
      fail_->step = int32_t(k);
      const auto& per = of[k];  // sized by the first body listed for the step, if any
      if (per.empty()) return invalid(step_name(k) + " runs a body, but bodies has no plan for it");
      if (depth_ >= kMaxNesting) return invalid(step_name(k) + ": bodies nest deeper than " + str(kMaxNesting) + " levels");
      PreparedStep ps;
      std::string why;
      Status pst = ERR_UNSUPPORTED;
      try {
        std::vector<std::unique_ptr<LoopBody>> loops(per.size());
        Status made = OK;
        for (size_t j = 0; j < per.size(); j++) {
          if (!per[j]) continue;
          Failure sub;
          std::shared_ptr<Plan> inner = Plan::create(prog_.subprograms[size_t(st.bodies[j])], per[j]->plan, &sub, depth_ + 1);
          if (!inner) {
            fail_->status = sub.status;
            fail_->message = step_name(k) + ": its body" + (per.size() > 1 ? " " + str(int64_t(j)) : "") + "'s plan: " + sub.message;
            return false;
          }
          if ((made = make_loop_body(std::move(inner), &loops[j], &why)) != OK) break;
        }
        pst = made != OK ? made : prepare_body_step(st.kernel, plan_->ctx_[k], std::move(loops), per[0] ? per[0]->iterations : 0, &ps, &why);
      } catch (const std::bad_alloc&) {
        pst = ERR_ALLOC;
        why = "out of memory";
      }
      if (pst != OK || !ps.run) {
        fail_->status = pst == OK ? ERR_INVALID : pst;
        fail_->message = step_name(k) + ": " + why;
        return false;
      }
      body_run_[k] = ps.run;
      body_pool_[k] = ps.needs_pool;
      plan_->states_[k] = std::move(ps.state);
      plan_->ctx_[k].state = plan_->states_[k].get();
    }
    fail_->step = -1;
    return true;
  }

  // Each kernel may specialize itself for these shapes (shapes only: input/shared data pointers are still null). A
  // kernel that declines, fails or throws keeps its generic function, which reports any error when the step runs,
  // exactly as without preparation.
  void prepare_steps() {
    for (size_t k = 0; k < prog_.steps.size(); k++) {
      if (skip_[k]) continue;
      const StepInfo& st = prog_.steps[k];
      KernelFn fn = st.fn;
      bool needs_pool = true;
      if (body_run_[k]) {
        fn = body_run_[k];
        needs_pool = body_pool_[k];
      } else if (PrepareFn prepare = find_prepare(st.kernel.c_str())) {
        PreparedStep ps;
        Status pst = ERR_INVALID;
        try {
          pst = prepare(plan_->ctx_[k], &ps);
        } catch (...) {
          pst = ERR_ALLOC;
        }
        if (pst == OK && ps.run) {
          fn = ps.run;
          needs_pool = ps.needs_pool;
          plan_->states_[k] = std::move(ps.state);
          plan_->ctx_[k].state = plan_->states_[k].get();
        }
      }
      plan_->needs_pool_ = plan_->needs_pool_ || needs_pool;
      plan_->exec_.push_back({fn, &plan_->ctx_[k], int32_t(k)});
    }
  }

  const Program& prog_;
  const PlanDesc& d_;
  Failure* fail_;
  const int depth_;
  std::shared_ptr<Plan> plan_;
  const size_t n_slots_;
  int64_t arena_bytes_ = 0;
  std::vector<int64_t> bytes_;      // per slot
  std::vector<int64_t> off_;        // per slot: arena offset, -1 outside the arena
  std::vector<int32_t> alias_ref_;  // per slot: the shared ref a temp lives in, or -1
  std::vector<char> direct_;        // per slot: 1 for a direct output
  std::vector<char> resized_;       // per update
  std::vector<char> skip_, in_place_;
  std::vector<size_t> scratch_;     // per step
  std::vector<KernelFn> body_run_;  // per step with a body: its prepared run function
  std::vector<char> body_pool_;     // per step with a body: whether that run uses the pool
};

// Main thread.
std::shared_ptr<Plan> Plan::create(std::shared_ptr<const Program> program, const PlanDesc& d, Failure* fail, int depth) {
  return PlanBuilder(std::move(program), d, fail, depth).build();
}

// Main thread.
Status Plan::bind(size_t b, void* data) {
  const Binding& bd = bindings_[b];
  dest_[b] = data;
  void* p = data;
  if (bd.bytes == 0) {
    p = g_empty;
  } else if ((reinterpret_cast<uintptr_t>(data) & 15) != 0) {
    if (!staging_[b]) {
      staging_[b] = AlignedBuffer::make(bd.bytes, false);
      if (!staging_[b]) return ERR_ALLOC;
    }
    to_stage_.push_back(b);
    p = staging_[b]->data();
  }
  slot_tensors_[size_t(bd.slot)].data = p;
  return OK;
}

// Main thread.
Status Plan::bind_output(size_t k, void* data) {
  const Binding& bd = outputs_[k];
  void* p = data;
  out_dest_[k] = nullptr;
  if (bd.bytes == 0) {
    p = g_empty;
  } else if ((reinterpret_cast<uintptr_t>(data) & 15) != 0) {
    if (!out_staging_[k]) {
      out_staging_[k] = AlignedBuffer::make(bd.bytes, false);
      if (!out_staging_[k]) return ERR_ALLOC;
    }
    p = out_staging_[k]->data();
    out_dest_[k] = data;
  }
  slot_tensors_[size_t(bd.slot)].data = p;
  return OK;
}

// Any thread, exclusive per plan.
Status Plan::alloc_outputs(std::vector<std::shared_ptr<AlignedBuffer>>* out) {
  for (const Binding& bd : outputs_) {
    out_dest_[size_t(bd.ref)] = nullptr;
    std::shared_ptr<AlignedBuffer> b = AlignedBuffer::make(bd.bytes, true);
    if (!b) return ERR_ALLOC;
    slot_tensors_[size_t(bd.slot)].data = bd.bytes ? b->data() : g_empty;
    out->push_back(std::move(b));
  }
  return OK;
}

// Main thread or a libuv worker thread; never concurrently for one plan.
Status Plan::run(int32_t* failed_step) {
  *failed_step = -1;
  if (!needs_pool_ || exec_.empty()) return run_nested(nullptr, failed_step);  // small steps only: no pool, no BLAS
  PoolLease lease;
  return run_nested(lease.pool(), failed_step);
}

// The thread running the plan (or the outer plan whose loop runs this one as its body).
Status Plan::run_nested(ThreadPool* pool, int32_t* failed_step) {
  for (const auto& a : aliases_) slot_tensors_[size_t(a.first)].data = slot_tensors_[size_t(a.second)].data;
  for (const Patch& p : patches_) p.t->data = slot_tensors_[size_t(p.slot)].data;
  // unaligned bindings: their staging is filled here, on the thread that runs (a loop body binds every iteration)
  for (size_t b : to_stage_) std::memcpy(staging_[b]->data(), dest_[b], bindings_[b].bytes);
  to_stage_.clear();
  const Status st = exec_.empty() ? OK : run_steps(pool, failed_step);
  if (st == OK)
    for (size_t k = 0; k < outputs_.size(); k++)
      if (out_dest_[k]) std::memcpy(out_dest_[k], out_staging_[k]->data(), outputs_[k].bytes);
  return st;
}

Status Plan::reserve_staging() {
  to_stage_.reserve(bindings_.size());
  for (size_t b = 0; b < bindings_.size(); b++)
    if (bindings_[b].bytes && !staging_[b] && !(staging_[b] = AlignedBuffer::make(bindings_[b].bytes, false))) return ERR_ALLOC;
  for (size_t k = 0; k < outputs_.size(); k++)
    if (outputs_[k].bytes && !out_staging_[k] && !(out_staging_[k] = AlignedBuffer::make(outputs_[k].bytes, false))) return ERR_ALLOC;
  return OK;
}

size_t Plan::nested_bytes() const {
  size_t bytes = 0;
  for (const auto& s : states_)
    if (s) bytes += s->owned_bytes();
  return bytes;
}

std::string Plan::failure_detail(int32_t step) const {
  if (step < 0 || size_t(step) >= states_.size() || !states_[size_t(step)]) return std::string();
  return states_[size_t(step)]->failure_detail();
}

Status Plan::run_steps(ThreadPool* pool, int32_t* failed_step) {
  size_t i = 0;
  try {
    for (; i < exec_.size(); i++) {
      const Exec& e = exec_[i];
      e.ctx->pool = pool;
      const Status st = e.fn(*e.ctx);
      if (st != OK) {
        *failed_step = e.step;
        return st;
      }
    }
  } catch (const std::bad_alloc&) {
    *failed_step = exec_[i].step;
    return ERR_ALLOC;
  } catch (...) {
    *failed_step = exec_[i].step;
    return ERR_INVALID;
  }
  return OK;
}

// Main thread. A shared-aliased value bound without staging already is its destination; a staged one is copied.
void Plan::apply_updates() const {
  for (const NativeUpdate& u : native_updates_) {
    const void* src = slot_tensors_[size_t(u.src_slot)].data;
    void* dst = dest_[size_t(u.binding)];
    if (u.bytes && src != dst) std::memcpy(dst, src, u.bytes);
  }
}

}  // namespace nodeano
