// The program executor (see program.h). Plain C++: no N-API, no JS values.
#include "program.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>

#include "kernels/elementwise.h"
#include "kernels/thread_pool.h"

extern "C" {
// From OpenBLAS (declared here so the executor does not depend on which cblas.h the include path finds).
void openblas_set_num_threads(int num_threads);
char* openblas_get_config(void);
}

namespace nodeano {

namespace {

// Where zero-size tensors point, so that no kernel ever sees a null or one-past-the-end pointer.
alignas(64) unsigned char g_empty[64];

bool valid_dtype(int32_t d) { return d >= F32 && d <= BOOL; }

std::string str(int64_t v) { return std::to_string(v); }

// Builtin kernels, used only when the registry has none of that name.
// Copy: out[0] <- in[0] (same dtype and element count). Runs on the thread that runs the plan.
Status builtin_copy(const KernelCtx& c) {
  if (c.n_in != 1 || c.n_out != 1) return ERR_INVALID;
  const Tensor& a = c.in[0];
  Tensor& o = c.out[0];
  if (a.dtype != o.dtype) return ERR_DTYPE;
  if (a.size != o.size) return ERR_SHAPE;
  size_t bytes = size_t(a.size) * dtype_size(a.dtype);
  if (bytes) std::memmove(o.data, a.data, bytes);
  return OK;
}

// ---- Runtime ------------------------------------------------------------------------------------------------

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  return int(std::min<unsigned>(n, kMaxThreads));
}

class Runtime {
 public:
  // Any thread. Takes the pool when it is free (creating it on first use); otherwise returns nullptr and the
  // caller's kernels run single-threaded. Pending thread-count changes are applied when no run is in progress.
  ThreadPool* acquire() {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_ == 0 && pending_) apply_locked();
    active_++;
    if (pool_taken_) return nullptr;
    if (!pool_) {
      try {
        pool_ = new ThreadPool(threads_);  // never deleted: joining workers during process exit is not safe
      } catch (...) {
        pool_ = nullptr;
        return nullptr;
      }
    }
    pool_taken_ = true;
    return pool_;
  }

  // Any thread: the thread that called acquire.
  void release(ThreadPool* p) {
    std::lock_guard<std::mutex> lock(mu_);
    active_--;
    if (p) pool_taken_ = false;
    if (active_ == 0 && pending_) apply_locked();
  }

  // Any thread (called from the main thread by setThreads).
  void set_threads(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    threads_ = std::max(1, std::min(n, kMaxThreads));
    pending_ = true;
    if (active_ == 0) apply_locked();
  }

  int threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }

 private:
  void apply_locked() {
    pending_ = false;
    openblas_set_num_threads(threads_);
    if (pool_ && pool_->threads() != threads_) {
      try {
        pool_->resize(threads_);
      } catch (...) {
        // keep the old size
      }
    }
  }

  std::mutex mu_;
  ThreadPool* pool_ = nullptr;
  bool pool_taken_ = false;
  int active_ = 0;
  int threads_ = default_threads();
  bool pending_ = false;
};

Runtime& runtime() {
  static Runtime* r = new Runtime();  // never destroyed (see acquire)
  return *r;
}

struct PoolLease {
  ThreadPool* pool;
  PoolLease() : pool(runtime().acquire()) {}
  ~PoolLease() { runtime().release(pool); }
  PoolLease(const PoolLease&) = delete;
  PoolLease& operator=(const PoolLease&) = delete;
};

// Kernels whose output may be the very buffer of input `pos` (elementwise: each element is read before it is written;
// Gemm: C is BLAS's in/out operand; Copy: nothing to do; IncSubtensor / IncTake: x is the base the region is added
// into, and y, which may be that same buffer, is copied first when it overlaps the output). Mirrors IN_PLACE_INPUTS / ELEMENTWISE_IN_PLACE in
// lib/compile/memory-plan.ts.
bool in_place_ok(const std::string& kernel, int32_t pos) {
  static const char* const elementwise[] = {"Add", "Sub", "Mul", "Div", "Pow", "Neg", "Sqr", "Sqrt", "Exp", "Log", "Abs", "Sign", "Tanh", "Sigmoid", "Fused", "Copy"};
  if (kernel == "Gemm") return pos == 2;
  if (kernel == "IncSubtensor") return pos == 0 || pos == 1;  // inputs x, y, bounds
  if (kernel == "IncTake") return pos == 0 || pos == 2;       // inputs x, indices, y
  for (const char* k : elementwise)
    if (kernel == k) return true;
  return ew_find_kernel(kernel.c_str()) != nullptr;  // the generic elementwise ops (elementwise_ops.h)
}

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

}  // namespace

// ---- public helpers ---------------------------------------------------------------------------------------------

int runtime_threads() { return runtime().threads(); }
void runtime_set_threads(int n) { runtime().set_threads(n); }

const char* runtime_blas_config() {
  const char* c = openblas_get_config();
  return c ? c : "";
}

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

bool cpu_has_fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

KernelFn resolve_kernel(const std::string& name, bool* builtin) {
  *builtin = false;
  if (name.empty() || name.find('\0') != std::string::npos) return nullptr;
  KernelFn fn = find_kernel(name.c_str());
  if (fn) return fn;
  if (name == "Copy") {
    *builtin = true;
    return builtin_copy;
  }
  return nullptr;
}

const char* status_name(int32_t status) {
  switch (status) {
    case OK: return "OK";
    case ERR_SHAPE: return "ERR_SHAPE";
    case ERR_DTYPE: return "ERR_DTYPE";
    case ERR_UNSUPPORTED: return "ERR_UNSUPPORTED";
    case ERR_INVALID: return "ERR_INVALID";
    case ERR_ALLOC: return "ERR_ALLOC";
    default: return "ERR_UNKNOWN";
  }
}

// ---- Program ----------------------------------------------------------------------------------------------------

// Main thread.
std::shared_ptr<const Program> Program::create(const ProgramDesc& d, Failure* fail) {
  auto invalid = [&](std::string msg) -> std::shared_ptr<const Program> {
    fail->status = ERR_INVALID;
    fail->message = std::move(msg);
    return nullptr;
  };
  auto p = std::make_shared<Program>();

  if (d.steps_len > size_t(INT32_MAX) || d.floats_len > size_t(INT32_MAX)) return invalid("steps or floats is too long");
  if (d.n_inputs < 0 || d.n_inputs > kMaxSlots) return invalid("nInputs out of range: " + str(d.n_inputs));
  if (d.n_shared < 0 || d.n_shared > kMaxSlots) return invalid("nShared out of range: " + str(d.n_shared));
  p->n_inputs = d.n_inputs;
  p->n_shared = d.n_shared;

  // constants
  for (size_t i = 0; i < d.constants.size(); i++) {
    const ConstantDesc& c = d.constants[i];
    if (!valid_dtype(c.dtype)) return invalid("constants[" + str(i) + "] has an unknown dtype");
    if (c.bytes > size_t(kMaxBytes)) return invalid("constants[" + str(i) + "] is too large");
    if (c.bytes % dtype_size(DType(c.dtype))) return invalid("constants[" + str(i) + "] byte length is not a multiple of its element size");
    auto buf = AlignedBuffer::make(c.bytes, false);
    if (!buf) {
      fail->status = ERR_ALLOC;
      fail->message = "cannot allocate " + str(int64_t(c.bytes)) + " bytes for constants[" + str(i) + "]";
      return nullptr;
    }
    if (c.bytes) std::memcpy(buf->data(), c.data, c.bytes);
    p->constants.push_back(std::move(buf));
    p->constant_dtypes.push_back(c.dtype);
  }

  // slots
  if (d.slots_len % 3) return invalid("slots length " + str(d.slots_len) + " is not a multiple of 3");
  const int64_t n_slots = int64_t(d.slots_len / 3);
  if (n_slots > kMaxSlots) return invalid("too many slots");
  std::vector<int32_t> input_dtype(size_t(d.n_inputs), -1), shared_dtype(size_t(d.n_shared), -1);
  p->slots.resize(size_t(n_slots));
  for (int64_t s = 0; s < n_slots; s++) {
    SlotDesc sd{d.slots[3 * s], d.slots[3 * s + 1], d.slots[3 * s + 2]};
    const std::string where = "slot " + str(s);
    if (sd.kind < SLOT_INPUT || sd.kind > SLOT_TEMP) return invalid(where + " has unknown kind " + str(sd.kind));
    if (!valid_dtype(sd.dtype)) return invalid(where + " has unknown dtype " + str(sd.dtype));
    switch (sd.kind) {
      case SLOT_INPUT:
        if (sd.ref < 0 || sd.ref >= d.n_inputs) return invalid(where + ": input ref " + str(sd.ref) + " out of range [0, " + str(d.n_inputs) + ")");
        if (input_dtype[sd.ref] >= 0 && input_dtype[sd.ref] != sd.dtype) return invalid(where + ": input " + str(sd.ref) + " used with two dtypes");
        input_dtype[sd.ref] = sd.dtype;
        break;
      case SLOT_SHARED:
        if (sd.ref < 0 || sd.ref >= d.n_shared) return invalid(where + ": shared ref " + str(sd.ref) + " out of range [0, " + str(d.n_shared) + ")");
        if (shared_dtype[sd.ref] >= 0 && shared_dtype[sd.ref] != sd.dtype) return invalid(where + ": shared " + str(sd.ref) + " used with two dtypes");
        shared_dtype[sd.ref] = sd.dtype;
        break;
      case SLOT_CONSTANT:
        if (sd.ref < 0 || size_t(sd.ref) >= p->constants.size()) return invalid(where + ": constant ref " + str(sd.ref) + " out of range");
        if (p->constant_dtypes[sd.ref] != sd.dtype) return invalid(where + ": dtype differs from constants[" + str(sd.ref) + "]");
        break;
      case SLOT_TEMP:
        if (sd.ref != -1) return invalid(where + ": a temp must have ref -1");
        break;
    }
    p->slots[size_t(s)] = sd;
  }

  // steps
  std::vector<char> written(size_t(n_slots), 0);
  std::vector<char> referenced(d.kernel_names.size(), 0);
  std::vector<int32_t> step_names;
  size_t pos = 0, fpos = 0;
  while (pos < d.steps_len) {
    const std::string where = "step " + str(int64_t(p->steps.size()));
    if (p->steps.size() >= size_t(kMaxSlots)) return invalid("too many steps");
    if (d.steps_len - pos < 5) return invalid(where + ": truncated header");
    const int32_t* h = d.steps + pos;
    int32_t name = h[0], n_in = h[1], n_out = h[2], n_ints = h[3], n_floats = h[4];
    if (name < 0 || size_t(name) >= d.kernel_names.size()) return invalid(where + ": kernel name index " + str(name) + " out of range");
    if (n_in < 0 || n_in > kMaxStepArgs || n_out < 0 || n_out > kMaxStepArgs || n_ints < 0 || n_ints > kMaxStepArgs ||
        n_floats < 0 || n_floats > kMaxStepArgs)
      return invalid(where + ": negative or huge argument counts");
    pos += 5;
    size_t need = size_t(n_in) + size_t(n_out) + size_t(n_ints);
    if (d.steps_len - pos < need) return invalid(where + ": truncated (needs " + str(int64_t(need)) + " more ints)");
    if (d.floats_len - fpos < size_t(n_floats)) return invalid(where + ": not enough floats");
    StepInfo st;
    st.kernel = d.kernel_names[size_t(name)];
    referenced[size_t(name)] = 1;
    step_names.push_back(name);
    st.in_begin = int32_t(p->io.size());
    st.n_in = n_in;
    for (int32_t k = 0; k < n_in; k++) {
      int32_t s = d.steps[pos + size_t(k)];
      if (s < 0 || s >= n_slots) return invalid(where + ": input slot " + str(s) + " out of range");
      if (p->slots[size_t(s)].kind == SLOT_TEMP && !written[size_t(s)])
        return invalid(where + ": reads temp slot " + str(s) + " before any step writes it");
      p->io.push_back(s);
    }
    pos += size_t(n_in);
    st.out_begin = int32_t(p->io.size());
    st.n_out = n_out;
    for (int32_t k = 0; k < n_out; k++) {
      int32_t s = d.steps[pos + size_t(k)];
      if (s < 0 || s >= n_slots) return invalid(where + ": output slot " + str(s) + " out of range");
      if (p->slots[size_t(s)].kind != SLOT_TEMP) return invalid(where + ": output slot " + str(s) + " is not a temp");
      if (written[size_t(s)]) return invalid(where + ": temp slot " + str(s) + " is written twice");
      written[size_t(s)] = 1;
      p->io.push_back(s);
    }
    pos += size_t(n_out);
    st.int_begin = int32_t(p->ints.size());
    st.n_ints = n_ints;
    p->ints.insert(p->ints.end(), d.steps + pos, d.steps + pos + n_ints);
    pos += size_t(n_ints);
    st.float_begin = int32_t(p->floats.size());
    st.n_floats = n_floats;
    p->floats.insert(p->floats.end(), d.floats + fpos, d.floats + fpos + n_floats);
    fpos += size_t(n_floats);
    p->steps.push_back(std::move(st));
  }
  if (fpos != d.floats_len) return invalid(str(int64_t(d.floats_len - fpos)) + " float attribute(s) left over after the last step");

  // updates
  if (d.updates_len % 2) return invalid("updates length is not a multiple of 2");
  std::vector<char> updated(size_t(d.n_shared), 0);
  for (size_t u = 0; u < d.updates_len / 2; u++) {
    int32_t sh = d.updates[2 * u], s = d.updates[2 * u + 1];
    const std::string where = "update " + str(int64_t(u));
    if (sh < 0 || sh >= d.n_shared) return invalid(where + ": shared ref " + str(sh) + " out of range");
    if (s < 0 || s >= n_slots) return invalid(where + ": slot " + str(s) + " out of range");
    if (p->slots[size_t(s)].kind != SLOT_TEMP || !written[size_t(s)]) return invalid(where + ": slot " + str(s) + " is not a temp written by a step");
    if (updated[size_t(sh)]) return invalid(where + ": shared " + str(sh) + " is updated twice");
    if (shared_dtype[size_t(sh)] >= 0 && shared_dtype[size_t(sh)] != p->slots[size_t(s)].dtype)
      return invalid(where + ": dtype differs from the shared variable's");
    updated[size_t(sh)] = 1;
    p->updates.push_back({sh, s});
  }

  // kernels: resolve every referenced name once; report every missing one
  std::vector<KernelFn> fns(d.kernel_names.size(), nullptr);
  std::vector<char> builtins(d.kernel_names.size(), 0);
  for (size_t k = 0; k < d.kernel_names.size(); k++) {
    if (!referenced[k]) continue;
    if (d.kernel_names[k].find('\0') != std::string::npos) return invalid("kernelNames[" + str(int64_t(k)) + "] contains a NUL character");
    bool b = false;
    fns[k] = resolve_kernel(d.kernel_names[k], &b);
    builtins[k] = b;
    if (!fns[k] && std::find(fail->missing_kernels.begin(), fail->missing_kernels.end(), d.kernel_names[k]) == fail->missing_kernels.end())
      fail->missing_kernels.push_back(d.kernel_names[k]);
  }
  if (!fail->missing_kernels.empty()) {
    fail->status = ERR_UNSUPPORTED;
    std::string list;
    for (auto& n : fail->missing_kernels) list += (list.empty() ? "" : ", ") + n;
    fail->message = "no native implementation of kernel" + std::string(fail->missing_kernels.size() > 1 ? "s " : " ") + list;
    return nullptr;
  }
  for (size_t k = 0; k < p->steps.size(); k++) {
    p->steps[k].fn = fns[size_t(step_names[k])];
    p->steps[k].builtin = builtins[size_t(step_names[k])];
  }
  return p;
}

// ---- Plan -------------------------------------------------------------------------------------------------------

// Main thread.
std::shared_ptr<Plan> Plan::create(std::shared_ptr<const Program> program, const PlanDesc& d, Failure* fail) {
  auto invalid = [&](std::string msg) -> std::shared_ptr<Plan> {
    fail->status = ERR_INVALID;
    fail->message = std::move(msg);
    return nullptr;
  };
  const Program& prog = *program;
  const size_t n_slots = prog.slots.size();
  std::shared_ptr<Plan> plan(new Plan());
  plan->program_ = program;

  // shapes
  plan->slot_tensors_.resize(n_slots);
  std::vector<int64_t> bytes(n_slots, 0);
  size_t pos = 0;
  for (size_t s = 0; s < n_slots; s++) {
    const std::string where = "slot " + str(int64_t(s));
    if (pos >= d.shapes_len) return invalid("shapes is truncated at " + where);
    int32_t ndim = d.shapes[pos++];
    if (ndim < 0 || ndim > kMaxRank) return invalid(where + ": rank " + str(ndim) + " is not in [0, " + str(kMaxRank) + "]");
    if (d.shapes_len - pos < size_t(ndim)) return invalid("shapes is truncated at " + where);
    Tensor& t = plan->slot_tensors_[s];
    t.dtype = DType(prog.slots[s].dtype);
    t.ndim = ndim;
    t.size = 1;
    for (int32_t i = 0; i < ndim; i++) {
      int32_t dim = d.shapes[pos++];
      if (dim < 0) return invalid(where + ": negative dimension " + str(dim));
      t.shape[i] = dim;
      // keep size * 8 below kMaxBytes: checked before multiplying (dim < 2^31, size < 2^45)
      if (dim != 0 && t.size > kMaxBytes / 8 / dim) return invalid(where + ": too many elements");
      t.size *= dim;
    }
    bytes[s] = t.size * int64_t(dtype_size(t.dtype));
  }
  if (pos != d.shapes_len) return invalid("shapes has " + str(int64_t(d.shapes_len - pos)) + " extra int(s)");

  // arena layout
  if (d.offsets_len != n_slots) return invalid("offsets has length " + str(int64_t(d.offsets_len)) + ", expected " + str(int64_t(n_slots)));
  const double ab = d.arena_bytes;
  if (!(ab >= 0) || ab > double(kMaxBytes) || std::floor(ab) != ab) return invalid("arenaBytes must be an integer in [0, 2^48]");
  const int64_t arena_bytes = int64_t(ab);
  if (d.shared_alias_len % 2) return invalid("sharedAlias must hold [slot, sharedRef] pairs");
  std::vector<int32_t> alias_ref(n_slots, -1);
  for (size_t i = 0; i < d.shared_alias_len; i += 2) {
    int32_t s = d.shared_alias[i], r = d.shared_alias[i + 1];
    if (s < 0 || size_t(s) >= n_slots || prog.slots[size_t(s)].kind != SLOT_TEMP) return invalid("sharedAlias: slot " + str(s) + " is not a temp");
    if (r < 0 || r >= prog.n_shared) return invalid("sharedAlias: shared ref " + str(r) + " is out of range");
    if (alias_ref[size_t(s)] >= 0) return invalid("sharedAlias: slot " + str(s) + " is listed twice");
    alias_ref[size_t(s)] = r;
  }
  std::vector<int64_t> off(n_slots, -1);
  for (size_t s = 0; s < n_slots; s++) {
    const std::string where = "slot " + str(int64_t(s));
    double o = d.offsets[s];
    if (prog.slots[s].kind != SLOT_TEMP || alias_ref[s] >= 0) {
      if (o != -1) return invalid(where + ": offset must be -1 for a non-temp or a shared-aliased temp");
      continue;
    }
    if (!(o >= 0) || o > double(kMaxBytes) || std::floor(o) != o) return invalid(where + ": offset must be a non-negative integer");
    off[s] = int64_t(o);
    if (off[s] % int64_t(kAlign)) return invalid(where + ": offset " + str(off[s]) + " is not 64-byte aligned");
    if (off[s] + bytes[s] > arena_bytes)
      return invalid(where + ": [" + str(off[s]) + ", " + str(off[s] + bytes[s]) + ") does not fit in the arena of " + str(arena_bytes) + " bytes");
  }

  // non-temp shapes must agree with their data / with other slots of the same ref
  std::vector<int32_t> first_input(size_t(prog.n_inputs), -1), first_shared(size_t(prog.n_shared), -1);
  for (size_t s = 0; s < n_slots; s++) {
    const SlotDesc& sd = prog.slots[s];
    const std::string where = "slot " + str(int64_t(s));
    if (sd.kind == SLOT_CONSTANT) {
      if (size_t(bytes[s]) != prog.constants[size_t(sd.ref)]->bytes())
        return invalid(where + ": shape " + shape_str(plan->slot_tensors_[s]) + " does not match the " +
                       str(int64_t(prog.constants[size_t(sd.ref)]->bytes())) + " bytes of constants[" + str(sd.ref) + "]");
    } else if (sd.kind == SLOT_INPUT || sd.kind == SLOT_SHARED) {
      auto& first = sd.kind == SLOT_INPUT ? first_input : first_shared;
      if (first[size_t(sd.ref)] < 0) first[size_t(sd.ref)] = int32_t(s);
      else if (!same_shape(plan->slot_tensors_[s], plan->slot_tensors_[size_t(first[size_t(sd.ref)])]))
        return invalid(where + ": shape differs from another slot bound to the same value");
    }
  }

  for (size_t s = 0; s < n_slots; s++) {
    if (alias_ref[s] < 0) continue;
    int32_t sh = first_shared[size_t(alias_ref[s])];
    if (sh < 0) return invalid("sharedAlias: shared ref " + str(alias_ref[s]) + " has no slot in this program");
    const Tensor& a = plan->slot_tensors_[s];
    const Tensor& b = plan->slot_tensors_[size_t(sh)];
    if (a.dtype != b.dtype || !same_shape(a, b)) return invalid("sharedAlias: slot " + str(int64_t(s)) + " differs in dtype or shape from its shared value");
    plan->aliases_.push_back({int32_t(s), sh});
  }

  // skipped steps: one input and one output temp of the same size at the same arena offset (a view)
  if (d.skip_len != 0 && d.skip_len != prog.steps.size()) return invalid("skip must have one entry per step");
  plan->skip_.assign(prog.steps.size(), 0);
  for (size_t k = 0; k < d.skip_len; k++) {
    if (!d.skip[k]) continue;
    const StepInfo& st = prog.steps[k];
    if (st.n_in < 1 || st.n_out != 1) return invalid("step " + str(int64_t(k)) + " (" + st.kernel + ") cannot be skipped");
    int32_t i0 = prog.io[size_t(st.in_begin)], o = prog.io[size_t(st.out_begin)];
    if (prog.slots[size_t(i0)].kind != SLOT_TEMP || prog.slots[size_t(o)].kind != SLOT_TEMP || alias_ref[size_t(i0)] >= 0 ||
        alias_ref[size_t(o)] >= 0 || off[size_t(i0)] != off[size_t(o)] || bytes[size_t(i0)] != bytes[size_t(o)])
      return invalid("step " + str(int64_t(k)) + " (" + st.kernel + ") is skipped but its output is not a view of its input");
    plan->skip_[k] = 1;
  }

  // a step's outputs must not overlap its inputs or each other
  for (size_t k = 0; k < prog.steps.size(); k++) {
    const StepInfo& st = prog.steps[k];
    if (plan->skip_[k]) continue;
    for (int32_t a = 0; a < st.n_out; a++) {
      int32_t o = prog.io[size_t(st.out_begin + a)];
      if (bytes[size_t(o)] == 0) continue;
      for (int32_t b = 0; b < st.n_in + st.n_out; b++) {
        int32_t x = prog.io[size_t(st.in_begin + b)];  // inputs then outputs are contiguous in io
        if (x == o || prog.slots[size_t(x)].kind != SLOT_TEMP || bytes[size_t(x)] == 0 || off[size_t(x)] < 0 || off[size_t(o)] < 0) continue;
        // exactly the same buffer is fine for kernels that read each element before writing it (the planner puts an
        // output over an input that dies at that step)
        if (b < st.n_in && off[size_t(o)] == off[size_t(x)] && bytes[size_t(o)] == bytes[size_t(x)] && in_place_ok(st.kernel, b)) continue;
        if (off[size_t(o)] < off[size_t(x)] + bytes[size_t(x)] && off[size_t(x)] < off[size_t(o)] + bytes[size_t(o)])
          return invalid("step " + str(int64_t(k)) + " (" + st.kernel + "): output slot " + str(o) + " overlaps slot " + str(x) + " in the arena");
      }
    }
  }

  auto alloc_fail = [&](const std::string& what, int64_t n) -> std::shared_ptr<Plan> {
    fail->status = ERR_ALLOC;
    fail->message = "cannot allocate " + str(n) + " bytes for the " + what;
    return nullptr;
  };
  plan->arena_ = AlignedBuffer::make(size_t(arena_bytes), true);
  if (!plan->arena_) return alloc_fail("arena", arena_bytes);
  plan->arena_bytes_ = size_t(arena_bytes);
  char* base = static_cast<char*>(plan->arena_->data());
  for (size_t s = 0; s < n_slots; s++) {
    Tensor& t = plan->slot_tensors_[s];
    const SlotDesc& sd = prog.slots[s];
    if (bytes[s] == 0) t.data = g_empty;
    else if (sd.kind == SLOT_TEMP && alias_ref[s] >= 0) t.data = nullptr;  // the shared buffer, bound by each call
    else if (sd.kind == SLOT_TEMP) t.data = base + off[s];
    else if (sd.kind == SLOT_CONSTANT) t.data = prog.constants[size_t(sd.ref)]->data();
    else t.data = nullptr;  // bound by each call
  }

  // bindings
  for (size_t s = 0; s < n_slots; s++) {
    const SlotDesc& sd = prog.slots[s];
    if (sd.kind == SLOT_INPUT || sd.kind == SLOT_SHARED)
      plan->bindings_.push_back({int32_t(s), sd.kind, sd.ref, sd.dtype, size_t(bytes[s])});
  }
  plan->staging_.resize(plan->bindings_.size());

  // per-step contexts (step_tensors_ is sized once so the pointers into it stay valid)
  size_t n_tensors = 0;
  for (const StepInfo& st : prog.steps) n_tensors += size_t(st.n_in) + size_t(st.n_out);
  plan->step_tensors_.resize(n_tensors);
  plan->ctx_.resize(prog.steps.size());
  size_t ti = 0;
  size_t max_scratch = 0;
  std::vector<size_t> scratch(prog.steps.size(), 0);
  for (size_t k = 0; k < prog.steps.size(); k++) {
    const StepInfo& st = prog.steps[k];
    KernelCtx& c = plan->ctx_[k];
    c.in = plan->step_tensors_.data() + ti;
    c.n_in = st.n_in;
    for (int32_t a = 0; a < st.n_in; a++) {
      int32_t s = prog.io[size_t(st.in_begin + a)];
      plan->step_tensors_[ti] = plan->slot_tensors_[size_t(s)];
      int32_t kind = prog.slots[size_t(s)].kind;
      if ((kind == SLOT_INPUT || kind == SLOT_SHARED || alias_ref[size_t(s)] >= 0) && bytes[size_t(s)] != 0) plan->patches_.push_back({&plan->step_tensors_[ti], s});
      ti++;
    }
    c.out = plan->step_tensors_.data() + ti;
    c.n_out = st.n_out;
    for (int32_t a = 0; a < st.n_out; a++) {
      int32_t s = prog.io[size_t(st.out_begin + a)];
      plan->step_tensors_[ti] = plan->slot_tensors_[size_t(s)];
      if (alias_ref[size_t(s)] >= 0 && bytes[size_t(s)] != 0) plan->patches_.push_back({&plan->step_tensors_[ti], s});
      ti++;
    }
    c.attrs.ints = st.n_ints ? prog.ints.data() + st.int_begin : nullptr;
    c.attrs.n_ints = st.n_ints;
    c.attrs.floats = st.n_floats ? prog.floats.data() + st.float_begin : nullptr;
    c.attrs.n_floats = st.n_floats;
    c.pool = nullptr;
    if (!st.builtin) {
      // input/shared data pointers are still null here: kernel_scratch_bytes may look at shapes only
      size_t need = 0;
      try {
        need = kernel_scratch_bytes(st.kernel.c_str(), c);
      } catch (...) {
        fail->step = int32_t(k);
        return invalid("kernel_scratch_bytes failed for step " + str(int64_t(k)) + " (" + st.kernel + ")");
      }
      if (need > size_t(kMaxBytes)) {
        fail->step = int32_t(k);
        return alloc_fail("scratch of step " + str(int64_t(k)) + " (" + st.kernel + ")", int64_t(std::min<size_t>(need, size_t(INT64_MAX))));
      }
      scratch[k] = need;
      max_scratch = std::max(max_scratch, need);
    }
  }
  if (max_scratch) {
    plan->scratch_ = AlignedBuffer::make(max_scratch, false);
    if (!plan->scratch_) return alloc_fail("kernel scratch", int64_t(max_scratch));
    for (size_t k = 0; k < prog.steps.size(); k++) {
      if (!scratch[k]) continue;
      plan->ctx_[k].scratch = plan->scratch_->data();
      plan->ctx_[k].scratch_bytes = scratch[k];
    }
  }

  // prepared steps: each kernel may specialize itself for these shapes (shapes only: input/shared data pointers
  // are still null). A kernel that declines, fails or throws keeps its generic function, which reports any error
  // when the step runs, exactly as without preparation.
  plan->states_.resize(prog.steps.size());
  for (size_t k = 0; k < prog.steps.size(); k++) {
    if (plan->skip_[k]) continue;
    const StepInfo& st = prog.steps[k];
    KernelFn fn = st.fn;
    bool needs_pool = !st.builtin;  // the builtin Copy is one memmove
    PrepareFn prepare = st.builtin ? nullptr : find_prepare(st.kernel.c_str());
    if (prepare) {
      PreparedStep ps;
      Status pst = ERR_INVALID;
      try {
        pst = prepare(plan->ctx_[k], &ps);
      } catch (...) {
        pst = ERR_ALLOC;
      }
      if (pst == OK && ps.run) {
        fn = ps.run;
        needs_pool = ps.needs_pool;
        plan->states_[k] = std::move(ps.state);
        plan->ctx_[k].state = plan->states_[k].get();
        plan->n_prepared_++;
      }
    }
    plan->needs_pool_ = plan->needs_pool_ || needs_pool;
    plan->exec_.push_back({fn, &plan->ctx_[k], int32_t(k)});
  }

  // updates: native when the new value has the shared slot's shape, deferred to the caller otherwise
  for (size_t u = 0; u < prog.updates.size(); u++) {
    const UpdateDesc& up = prog.updates[u];
    int32_t sh_slot = first_shared[size_t(up.shared)];
    const Tensor& src = plan->slot_tensors_[size_t(up.slot)];
    if (sh_slot >= 0 && same_shape(src, plan->slot_tensors_[size_t(sh_slot)])) {
      plan->native_updates_.push_back({int32_t(u), up.shared, prog.slots[size_t(up.slot)].dtype, up.slot, size_t(bytes[size_t(up.slot)])});
    } else {
      plan->deferred_.push_back(int32_t(u));
    }
  }
  return plan;
}

// Main thread.
Status Plan::bind(size_t b, const void* data, bool must_copy) {
  const Binding& bd = bindings_[b];
  void* p = const_cast<void*>(data);
  if (bd.bytes == 0) {
    p = g_empty;
  } else if (must_copy || (reinterpret_cast<uintptr_t>(data) & 15) != 0) {
    if (!staging_[b]) {
      staging_[b] = AlignedBuffer::make(bd.bytes, false);
      if (!staging_[b]) return ERR_ALLOC;
    }
    std::memcpy(staging_[b]->data(), data, bd.bytes);
    p = staging_[b]->data();
  }
  slot_tensors_[size_t(bd.slot)].data = p;
  return OK;
}

// Main thread or a libuv worker thread; never concurrently for one plan.
Status Plan::run(int32_t* failed_step) {
  *failed_step = -1;
  for (const auto& a : aliases_) slot_tensors_[size_t(a.first)].data = slot_tensors_[size_t(a.second)].data;
  for (const Patch& p : patches_) p.t->data = slot_tensors_[size_t(p.slot)].data;
  if (exec_.empty()) return OK;
  if (!needs_pool_) return run_steps(nullptr, failed_step);  // small steps only: no pool, no BLAS
  PoolLease lease;
  return run_steps(lease.pool, failed_step);
}

Status Plan::run_steps(ThreadPool* pool, int32_t* failed_step) {
  size_t i = 0;
  try {
    for (; i < exec_.size(); i++) {
      const Exec& e = exec_[i];
      e.ctx->pool = pool;
      Status st = e.fn(*e.ctx);
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

// Main thread.
void Plan::apply_updates(void* const* shared_dst) const {
  for (const NativeUpdate& u : native_updates_) {
    const void* src = slot_tensors_[size_t(u.src_slot)].data;
    if (u.bytes && src != shared_dst[u.shared]) std::memcpy(shared_dst[u.shared], src, u.bytes);
  }
}

void raw_sgemm(const float* a, const float* b, float* c, int m, int n, int k, bool trans_a, bool trans_b) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              trans_a ? m : k, b, trans_b ? k : n, 0.0f, c, n);
}

}  // namespace nodeano
