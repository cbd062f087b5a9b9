#include "run.h"

#include <memory>
#include <string>
#include <vector>

#include "buffers.h"
#include "errors.h"
#include "handles.h"
#include "values.h"

namespace nodeano {
namespace napi {

namespace {

// The arguments of a call: on the stack when they fit, else on the heap. No JS runs while they are read. `with_plan`:
// the first argument is the plan handle (run, runAsync); a plan's bound run takes only the arrays and gets its plan
// handle as the callback's data (`data`).
class Args {
 public:
  Args(napi_env env, napi_callback_info info, bool with_plan = true, void** data = nullptr) : first_(with_plan ? 1 : 0) {
    size_t argc = kStack;
    if (napi_get_cb_info(env, info, &argc, stack_, nullptr, data) != napi_ok) throw Napi::Error::New(env);
    argc_ = argc;
    argv_ = stack_;
    if (argc > kStack) {
      heap_.resize(argc);
      if (napi_get_cb_info(env, info, &argc, heap_.data(), nullptr, nullptr) != napi_ok || argc != argc_) throw Napi::Error::New(env);
      argv_ = heap_.data();
    }
    if (argc_ == 0) {
      napi_get_undefined(env, &stack_[0]);
      argv_ = stack_;
    }
  }
  napi_value plan() const { return argv_[0]; }
  // The arrays after the plan.
  const napi_value* values() const { return argv_ + first_; }
  size_t count() const { return argc_ > first_ ? argc_ - first_ : 0; }

 private:
  static constexpr size_t kStack = 16;
  napi_value stack_[kStack];
  std::vector<napi_value> heap_;
  const napi_value* argv_;
  size_t argc_;
  size_t first_;
};

// `outputs`: the direct outputs a synchronous run takes after the shared values (none for runAsync).
// `optional`: the direct outputs may also be left out (runAsync).
void check_count(Napi::Env env, const Program& prog, size_t count, size_t outputs, const char* fn, bool optional = false) {
  const int64_t n = prog.n_inputs + prog.n_shared;
  if (int64_t(count) != n + int64_t(outputs) && !(optional && int64_t(count) == n))
    fail(env, kInvalid, std::string(fn) + ": got " + std::to_string(count) + " array(s) after the plan, the plan takes " + std::to_string(prog.n_inputs) +
                            " input(s), then " + std::to_string(prog.n_shared) + " shared value(s)" +
                            (outputs ? std::string(", then ") + (optional ? "optionally " : "") + std::to_string(outputs) + " direct output(s)" : std::string()));
}

// Checks one value against its binding and returns its data pointer (and its ArrayBuffer when asked). No JS runs.
void* check_bound(Napi::Env env, napi_value v, const Binding& b, const char* fn, napi_value* arraybuffer) {
  auto what = [&] { return std::string(fn) + ": " + (b.kind == SLOT_INPUT ? "inputs" : b.kind == SLOT_SHARED ? "shared" : "outputs") + "[" + std::to_string(b.ref) + "]"; };
  napi_typedarray_type type;
  size_t length;
  void* data = nullptr;
  // napi_get_typedarray_info fails (without a pending exception) for anything but a typed array
  if (napi_get_typedarray_info(env, v, &type, &length, &data, arraybuffer, nullptr) != napi_ok)
    type_fail(env, what() + " must be a " + typed_array_name(array_type_of(b.dtype)) + ", got " + describe(env, v));
  if (type != array_type_of(b.dtype))
    fail(env, kDType, what() + " must be a " + typed_array_name(array_type_of(b.dtype)) + " (" + dtype_name(b.dtype) + "), got a " + typed_array_name(type),
         Kind::TypeError);
  const size_t bytes = length * element_size(type);
  if (bytes != b.bytes || (!data && b.bytes)) {
    if (is_detached_view(env, v)) fail(env, kInvalid, what() + " is detached");
    fail(env, kShape, what() + " has " + std::to_string(bytes) + " bytes, the plan expects " + std::to_string(b.bytes) + " (" +
                          std::to_string(b.bytes / dtype_size(DType(b.dtype))) + " elements)");
  }
  return data;
}

// An async run's hold on the ArrayBuffer `ab` of argument `index`: the alloc() buffer itself, or else the index in
// `plain` (the caller references that value and checks it for detachment when the run settles).
void hold(napi_env env, napi_value ab, size_t index, std::vector<std::shared_ptr<AlignedBuffer>>* held, std::vector<size_t>* plain) {
  void* base = nullptr;
  size_t ab_len = 0;
  std::shared_ptr<AlignedBuffer> owned;
  if (ab && napi_get_arraybuffer_info(env, ab, &base, &ab_len) == napi_ok && base) owned = find_alloc(base);
  if (owned) held->push_back(std::move(owned));
  else plain->push_back(index);
}

// The binding core: checks vals[0, nInputs) (inputs) and vals[nInputs, nInputs + nShared) (shared) against every
// binding of the plan and binds them where they are (staging only unaligned data, which the run copies itself). A
// synchronous call (`held` null) reads the caller's memory before it returns. An asynchronous one reads it on the
// worker thread, as fs.write reads its buffer: it holds alloc()'d buffers (free() may release them meanwhile) and
// appends to `plain` the index of every other value, which the caller keeps referenced (so that no collection frees
// it) and checks for detachment when the run settles. No JS runs in here, and nothing is copied on the main thread.
void bind_values(Napi::Env env, Plan& plan, const napi_value* vals, const char* fn, std::vector<std::shared_ptr<AlignedBuffer>>* held,
                 std::vector<size_t>* plain) {
  const int64_t n_inputs = plan.program().n_inputs;
  const auto& bindings = plan.bindings();
  plan.begin_bind();
  for (auto& k : plan.kept) k.buf.reset();  // the binding is no longer what the last synchronous run left
  for (size_t b = 0; b < bindings.size(); b++) {
    const Binding& bd = bindings[b];
    const size_t index = bd.kind == SLOT_INPUT ? size_t(bd.ref) : size_t(n_inputs + bd.ref);
    napi_value ab = nullptr;
    void* data = check_bound(env, vals[index], bd, fn, held ? &ab : nullptr);
    if (held && bd.bytes) hold(env, ab, index, held, plain);
    if (plan.bind(b, data) != OK) fail(env, kAlloc, std::string(fn) + ": cannot allocate a staging buffer");
  }
}

// Whether every shared binding is kept from the last synchronous run (else a call leaving them out has a wrong count).
bool all_shared_kept(const Plan& plan) {
  const auto& bindings = plan.bindings();
  for (size_t b = 0; b < bindings.size(); b++)
    if (bindings[b].kind == SLOT_SHARED && plan.kept[b].buf.expired()) return false;
  return true;
}

// bind_values for a synchronous run, where a shared value may be null: "the alloc() array the last synchronous run
// of this plan was given there", still bound (its memory held weakly: a freed one is an error). Returns the bit mask
// (bit r for shared[r], r < 32) of the shared bindings the next run may pass as null, or -1 when every shared value
// was null (nothing changed). `all_kept`: the call left the shared values out, which means null for each.
int64_t bind_sync(Napi::Env env, Plan& plan, const napi_value* vals, bool all_kept) {
  const int64_t n_inputs = plan.program().n_inputs;
  const auto& bindings = plan.bindings();
  plan.begin_bind();
  uint32_t mask = 0;
  bool passed = false;
  napi_value null_value;
  if (napi_get_null(env, &null_value) != napi_ok) throw Napi::Error::New(env);
  for (size_t b = 0; b < bindings.size(); b++) {
    const Binding& bd = bindings[b];
    const bool shared = bd.kind == SLOT_SHARED;
    napi_value v = shared && all_kept ? null_value : vals[shared ? size_t(n_inputs + bd.ref) : size_t(bd.ref)];
    Plan::Kept& k = plan.kept[b];
    bool is_null = shared && all_kept;  // else a strict comparison: napi_typeof would test ten other types first
    if (shared && (is_null || (napi_strict_equals(env, v, null_value, &is_null) == napi_ok && is_null))) {
      if (k.buf.expired())
        fail(env, kInvalid, "run: shared[" + std::to_string(bd.ref) + "] is null, but no earlier run of this plan left an alloc() array bound there (or it was freed since)");
      if (bd.ref < 32) mask |= 1u << bd.ref;
      continue;  // still bound as that run left it: data and destination
    }
    napi_value ab = nullptr;
    void* data = check_bound(env, v, bd, "run", shared ? &ab : nullptr);
    if (plan.bind(b, data) != OK) fail(env, kAlloc, "run: cannot allocate a staging buffer");
    if (!shared) continue;
    passed = true;
    k.buf.reset();
    // only a 16-byte aligned one (never staged) is kept; a pointer known not to be alloc()'d is not looked up again
    if (bd.bytes && (reinterpret_cast<uintptr_t>(data) & 15) == 0 && data != k.miss && bd.ref < 32) {
      void* base = nullptr;
      size_t ab_len = 0;
      std::shared_ptr<AlignedBuffer> owned;
      if (ab && napi_get_arraybuffer_info(env, ab, &base, &ab_len) == napi_ok && base) owned = find_alloc(base);
      if (owned) {
        k.buf = owned;
        mask |= 1u << bd.ref;
      } else {
        k.miss = data;
      }
    }
  }
  return passed ? int64_t(mask) : -1;
}

// One runAsync call. Created and destroyed on the main thread; `execute` alone runs on a libuv worker thread.
// Raw napi_async_work (not Napi::AsyncWorker) so that nothing can throw out of the completion callback, which also
// runs while a worker_threads environment is being torn down (then settling the promise simply fails).
class AsyncRun {
 public:
  AsyncRun(napi_env env, std::shared_ptr<Plan> plan) : env_(env), plan_(std::move(plan)) {}

  ~AsyncRun() {  // main thread
    if (owns_busy_) plan_->busy = false;
    for (napi_ref r : refs_) napi_delete_reference(env_, r);
    if (work_) napi_delete_async_work(env_, work_);
  }

  // Main thread: marks the plan busy until this run settles, binds every value (and the direct outputs when the
  // caller gives them, else they are allocated on the worker thread) and keeps references to the shared arrays that
  // receive updates and to every plain array the run reads or writes.
  void bind(Napi::Env env, const napi_value* vals, bool with_outputs) {
    plan_->busy = true;
    owns_busy_ = true;
    bind_values(env, *plan_, vals, "runAsync", &held_, &plain_);
    const int64_t n_inputs = plan_->program().n_inputs;
    if (with_outputs) {
      const auto& outs = plan_->outputs();
      const size_t first = size_t(n_inputs + plan_->program().n_shared);
      for (size_t k = 0; k < outs.size(); k++) {
        napi_value ab = nullptr;
        void* data = check_bound(env, vals[first + k], outs[k], "runAsync", &ab);
        advise_huge(data, outs[k].bytes);  // first touched on the worker thread: in huge pages where the OS has them
        if (outs[k].bytes) hold(env, ab, first + k, &held_, &plain_);
        if (plan_->bind_output(k, data) != OK) fail(env, kAlloc, "runAsync: cannot allocate a staging buffer");
      }
      outputs_given_ = true;
    }
    refs_.reserve(plan_->native_updates().size() + plain_.size());
    auto reference = [&](size_t index) {
      napi_ref ref;
      if (napi_create_reference(env, vals[index], 1, &ref) != napi_ok) throw Napi::Error::New(env);
      refs_.push_back(ref);
    };
    for (const NativeUpdate& u : plan_->native_updates()) reference(size_t(n_inputs + u.shared));
    for (size_t index : plain_) {
      reference(index);
      napi_typedarray_type type;
      size_t length;
      void* data = nullptr;
      napi_get_typedarray_info(env, vals[index], &type, &length, &data, nullptr, nullptr);
      plain_data_.push_back(data);
    }
  }

  // Main thread: creates the promise and queues the work. On success the AsyncRun owns itself (deleted in complete).
  napi_value queue(Napi::Env env) {
    napi_value promise, name;
    if (napi_create_promise(env, &deferred_, &promise) != napi_ok) throw Napi::Error::New(env);
    if (napi_create_string_utf8(env, "nodeano.runAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_async_work(env, nullptr, name, execute, complete, this, &work_) != napi_ok || napi_queue_async_work(env, work_) != napi_ok) {
      Napi::Error e = Napi::Error::New(env);
      napi_reject_deferred(env, deferred_, e.Value());  // the promise is returned to nobody, but is not left pending
      throw e;
    }
    return promise;
  }

 private:
  // libuv worker thread: no JS, no N-API.
  static void execute(napi_env, void* data) {
    auto* r = static_cast<AsyncRun*>(data);
    if (!r->outputs_given_) r->status_ = r->plan_->alloc_outputs(&r->outputs_);
    if (r->status_ == OK) r->status_ = r->plan_->run(&r->step_);
  }

  // Main thread (also during environment teardown, with status napi_cancelled or with JS no longer callable).
  static void complete(napi_env env, napi_status work_status, void* data) {
    std::unique_ptr<AsyncRun> r(static_cast<AsyncRun*>(data));
    r->plan_->busy = false;
    r->owns_busy_ = false;
    napi_value result = nullptr;
    bool ok = false;
    try {
      Napi::Env e(env);
      if (work_status != napi_ok) result = make_error(e, kInvalid, "runAsync: the run was cancelled").Value();
      else if (r->status_ != OK) result = run_error(e, *r->plan_, r->status_, r->step_).Value();
      else result = r->finish(e, &ok);
    } catch (const Napi::Error& e) {
      result = nullptr;
      try {
        result = e.Value();
      } catch (...) {
      }
    } catch (...) {
      result = nullptr;
    }
    if (!result) napi_get_undefined(env, &result);
    if (ok) napi_resolve_deferred(env, r->deferred_, result);  // failures (environment teardown) are ignored
    else napi_reject_deferred(env, r->deferred_, result);
    r->deferred_ = nullptr;
  }

  // Main thread: wraps the direct outputs allocated on the worker as alloc()-style buffers (none when the caller
  // gave them), lands the native updates (all or none) in the shared arrays as they are now, and returns the
  // resolution value or an error.
  napi_value finish(Napi::Env env, bool* ok) {
    napi_value outs;
    if (outputs_given_) {
      napi_get_undefined(env, &outs);
    } else {
      if (napi_create_array_with_length(env, outputs_.size(), &outs) != napi_ok) throw Napi::Error::New(env);
      const auto& bds = plan_->outputs();
      for (size_t k = 0; k < outputs_.size(); k++)
        if (napi_set_element(env, outs, uint32_t(k), external_buffer(env, outputs_[k], bds[k].bytes, Origin::Alloc)) != napi_ok) throw Napi::Error::New(env);
    }
    const auto& ups = plan_->native_updates();
    const int64_t n_inputs = plan_->program().n_inputs;
    for (size_t i = 0; i < plain_.size(); i++) {
      napi_value v = nullptr;
      TypedView tv;
      if (napi_get_reference_value(env, refs_[ups.size() + i], &v) != napi_ok || !v || !typed_view(env, v, &tv) || tv.data != plain_data_[i]) {
        const int64_t index = int64_t(plain_[i]), n_shared = plan_->program().n_shared;
        const std::string what = index < n_inputs              ? "inputs[" + std::to_string(index) + "]"
                                 : index < n_inputs + n_shared ? "shared[" + std::to_string(index - n_inputs) + "]"
                                                               : "outputs[" + std::to_string(index - n_inputs - n_shared) + "]";
        return make_error(env, kInvalid, "runAsync: " + what + " was detached or resized while the run was in flight; no update was applied and the results were discarded")
            .Value();
      }
    }
    std::vector<void*> dst(ups.size(), nullptr);
    for (size_t i = 0; i < ups.size(); i++) {
      const NativeUpdate& u = ups[i];
      napi_value v = nullptr;
      TypedView tv;
      if (napi_get_reference_value(env, refs_[i], &v) != napi_ok || !v || !typed_view(env, v, &tv) || tv.type != array_type_of(u.dtype) ||
          tv.length * element_size(tv.type) != u.bytes || (u.bytes && !tv.data)) {
        return make_error(env, kInvalid, "runAsync: shared[" + std::to_string(u.shared) + "] was detached or resized while the run was in flight; no update was applied")
            .Value();
      }
      dst[i] = tv.data;
    }
    for (size_t i = 0; i < ups.size(); i++) plan_->set_destination(size_t(ups[i].binding), dst[i]);
    plan_->apply_updates();
    *ok = true;
    return outs;
  }

  napi_env env_;
  std::shared_ptr<Plan> plan_;
  napi_async_work work_ = nullptr;
  napi_deferred deferred_ = nullptr;
  std::vector<std::shared_ptr<AlignedBuffer>> held_;     // alloc()'d buffers read without copying
  std::vector<std::shared_ptr<AlignedBuffer>> outputs_;  // the direct outputs, allocated on the worker thread
  std::vector<napi_ref> refs_;  // shared arrays receiving native updates (same order), then the plain_ values
  std::vector<size_t> plain_;   // argument index of every value read in place that is not an alloc() buffer
  std::vector<void*> plain_data_;  // its data pointer at the call: a different one when the run settles means detached
  Status status_ = OK;
  int32_t step_ = -1;
  bool owns_busy_ = false;
  bool outputs_given_ = false;  // the caller passed the direct outputs (bound in place) instead of having them allocated
};

napi_value rejected_promise(Napi::Env env, napi_value error) {
  Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
  d.Reject(error);
  return d.Promise();
}

// One synchronous run of `plan` on the arrays of `args` (run and a plan's bound run).
napi_value run_plan(Napi::Env env, Plan& plan, const Args& args) {
  const auto& outs = plan.outputs();
  const Program& prog = plan.program();
  // the shared values left out altogether: all of them kept from the last run (as if each were passed as null)
  const bool all_kept = prog.n_shared > 0 && int64_t(args.count()) == prog.n_inputs + int64_t(outs.size()) && all_shared_kept(plan);
  if (!all_kept) check_count(env, prog, args.count(), outs.size(), "run");
  if (plan.busy) fail(env, kBusy, "run: the plan is busy (a runAsync on it has not settled yet)");
  const int64_t kept = bind_sync(env, plan, args.values(), all_kept);
  const napi_value* out_vals = args.values() + (prog.n_inputs + (all_kept ? 0 : prog.n_shared));
  for (size_t k = 0; k < outs.size(); k++) {
    void* data = check_bound(env, out_vals[k], outs[k], "run", nullptr);
    advise_huge(data, outs[k].bytes);  // a fresh output's pages are first touched by its kernel: let them be huge
    if (plan.bind_output(k, data) != OK) fail(env, kAlloc, "run: cannot allocate a staging buffer");
  }
  int32_t step = -1;
  const Status st = plan.run(&step);
  if (st != OK) throw run_error(env, plan, st, step);
  plan.apply_updates();
  if (kept < 0) return nullptr;
  napi_value mask;
  if (napi_create_uint32(env, uint32_t(kept), &mask) != napi_ok) throw Napi::Error::New(env);
  return mask;
}

}  // namespace

napi_value run(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  Args args(raw_env, info);
  // no JS runs until this returns, so nothing can dispose the handle meanwhile: the plan is used without a reference
  return run_plan(env, *plan_handle_of(env, args.plan(), "run")->plan, args);
}

napi_value run_bound(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  void* data = nullptr;
  Args args(raw_env, info, false, &data);
  // the callback's data is the PlanHandle this function was made for (bound_run), never a value from JS
  PlanHandle* h = static_cast<PlanHandle*>(data);
  if (!h || !h->plan) fail(env, kInvalid, "run: the plan was disposed");
  return run_plan(env, *h->plan, args);
}

napi_value bound_run(napi_env env, napi_value plan_handle, napi_callback cb) {
  PlanHandle* h = plan_handle_of(Napi::Env(env), plan_handle, "createPlan");
  napi_value fn;
  if (napi_create_function(env, "run", NAPI_AUTO_LENGTH, cb, h, &fn) != napi_ok) throw Napi::Error::New(env);
  // the function keeps the handle (whose finalizer frees h) alive for as long as it can be called
  if (napi_set_named_property(env, fn, "plan", plan_handle) != napi_ok) throw Napi::Error::New(env);
  return fn;
}

napi_value run_async(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  std::unique_ptr<AsyncRun> run;
  napi_value error;
  try {
    Args args(raw_env, info);
    std::shared_ptr<Plan> plan = plan_handle_of(env, args.plan(), "runAsync")->plan;
    const size_t n_outputs = plan->outputs().size();
    const bool with_outputs = n_outputs > 0 && int64_t(args.count()) == plan->program().n_inputs + plan->program().n_shared + int64_t(n_outputs);
    check_count(env, plan->program(), args.count(), n_outputs, "runAsync", true);
    if (plan->busy) fail(env, kBusy, "runAsync: the plan is busy (another runAsync on it has not settled yet)");
    run.reset(new AsyncRun(env, plan));
    run->bind(env, args.values(), with_outputs);  // busy until the run completes, or until `run` is destroyed on an error below
    napi_value promise = run->queue(env);
    run.release();  // owned by the queued work now
    return promise;
  } catch (const Napi::Error& e) {
    error = e.Value();
  } catch (const std::bad_alloc&) {
    error = make_error(env, kAlloc, "runAsync: out of memory").Value();
  } catch (...) {
    error = make_error(env, kInvalid, "runAsync: internal error").Value();
  }
  run.reset();
  return rejected_promise(env, error);
}

}  // namespace napi
}  // namespace nodeano
