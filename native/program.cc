// Program validation (see program.h). Plain C++: no N-API, no JS values.
#include "program.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace nodeano {

namespace {

bool valid_dtype(int32_t d) { return d >= F32 && d <= BOOL; }

std::string str(int64_t v) { return std::to_string(v); }

// Reads a ProgramDesc into a Program, one part at a time; each part returns false after filling `fail`.
class ProgramReader {
 public:
  ProgramReader(const ProgramDesc& d, Failure* fail, int depth) : d_(d), fail_(fail), depth_(depth), p_(std::make_shared<Program>()) {}

  std::shared_ptr<const Program> read() {
    if (!counts() || !constants() || !slots() || !steps() || !updates() || !outputs() || !subprograms() || !kernels()) return nullptr;
    return p_;
  }

 private:
  bool invalid(std::string msg) {
    fail_->status = ERR_INVALID;
    fail_->message = std::move(msg);
    return false;
  }

  bool counts() {
    if (d_.steps_len > size_t(INT32_MAX) || d_.floats_len > size_t(INT32_MAX)) return invalid("steps or floats is too long");
    if (d_.n_inputs < 0 || d_.n_inputs > kMaxSlots) return invalid("nInputs out of range: " + str(d_.n_inputs));
    if (d_.n_shared < 0 || d_.n_shared > kMaxSlots) return invalid("nShared out of range: " + str(d_.n_shared));
    p_->n_inputs = d_.n_inputs;
    p_->n_shared = d_.n_shared;
    return true;
  }

  // Copies every constant into aligned memory the program owns.
  bool constants() {
    for (size_t i = 0; i < d_.constants.size(); i++) {
      const ConstantDesc& c = d_.constants[i];
      const std::string what = "constants[" + str(int64_t(i)) + "]";
      if (!valid_dtype(c.dtype)) return invalid(what + " has an unknown dtype");
      if (c.bytes > size_t(kMaxBytes)) return invalid(what + " is too large");
      if (c.bytes % dtype_size(DType(c.dtype))) return invalid(what + " byte length is not a multiple of its element size");
      auto buf = AlignedBuffer::make(c.bytes, false);
      if (!buf) {
        fail_->status = ERR_ALLOC;
        fail_->message = "cannot allocate " + str(int64_t(c.bytes)) + " bytes for " + what;
        return false;
      }
      if (c.bytes) std::memcpy(buf->data(), c.data, c.bytes);
      p_->constants.push_back(std::move(buf));
      p_->constant_dtypes.push_back(c.dtype);
    }
    return true;
  }

  bool slots() {
    if (d_.slots_len % 3) return invalid("slots length " + str(int64_t(d_.slots_len)) + " is not a multiple of 3");
    const int64_t n_slots = int64_t(d_.slots_len / 3);
    if (n_slots > kMaxSlots) return invalid("too many slots");
    p_->input_slot.assign(size_t(d_.n_inputs), -1);
    p_->shared_slot.assign(size_t(d_.n_shared), -1);
    p_->slots.resize(size_t(n_slots));
    for (int64_t s = 0; s < n_slots; s++) {
      SlotDesc sd{d_.slots[3 * s], d_.slots[3 * s + 1], d_.slots[3 * s + 2]};
      const std::string where = "slot " + str(s);
      if (sd.kind < SLOT_INPUT || sd.kind > SLOT_TEMP) return invalid(where + " has unknown kind " + str(sd.kind));
      if (!valid_dtype(sd.dtype)) return invalid(where + " has unknown dtype " + str(sd.dtype));
      if (sd.kind == SLOT_INPUT || sd.kind == SLOT_SHARED) {
        const bool input = sd.kind == SLOT_INPUT;
        const int64_t n = input ? d_.n_inputs : d_.n_shared;
        const char* what = input ? "input" : "shared";
        if (sd.ref < 0 || sd.ref >= n) return invalid(where + ": " + what + " ref " + str(sd.ref) + " out of range [0, " + str(n) + ")");
        int32_t& first = (input ? p_->input_slot : p_->shared_slot)[size_t(sd.ref)];
        if (first >= 0 && p_->slots[size_t(first)].dtype != sd.dtype) return invalid(where + ": " + what + " " + str(sd.ref) + " used with two dtypes");
        if (first < 0) first = int32_t(s);
      } else if (sd.kind == SLOT_CONSTANT) {
        if (sd.ref < 0 || size_t(sd.ref) >= p_->constants.size()) return invalid(where + ": constant ref " + str(sd.ref) + " out of range");
        if (p_->constant_dtypes[size_t(sd.ref)] != sd.dtype) return invalid(where + ": dtype differs from constants[" + str(sd.ref) + "]");
      } else if (sd.ref != -1) {
        return invalid(where + ": a temp must have ref -1");
      }
      p_->slots[size_t(s)] = sd;
    }
    written_.assign(size_t(n_slots), 0);
    return true;
  }

  // One step: header [kernelNameIndex, nIn, nOut, nInts, nFloats], then its input, output and int arguments.
  bool steps() {
    referenced_.assign(d_.kernel_names.size(), 0);
    size_t pos = 0, fpos = 0;
    while (pos < d_.steps_len) {
      const std::string where = "step " + str(int64_t(p_->steps.size()));
      if (p_->steps.size() >= size_t(kMaxSlots)) return invalid("too many steps");
      if (d_.steps_len - pos < 5) return invalid(where + ": truncated header");
      const int32_t* h = d_.steps + pos;
      const int32_t name = h[0], n_in = h[1], n_out = h[2], n_ints = h[3], n_floats = h[4];
      if (name < 0 || size_t(name) >= d_.kernel_names.size()) return invalid(where + ": kernel name index " + str(name) + " out of range");
      for (int32_t n : {n_in, n_out, n_ints, n_floats})
        if (n < 0 || n > kMaxStepArgs) return invalid(where + ": negative or huge argument counts");
      pos += 5;
      const size_t need = size_t(n_in) + size_t(n_out) + size_t(n_ints);
      if (d_.steps_len - pos < need) return invalid(where + ": truncated (needs " + str(int64_t(need)) + " more ints)");
      if (d_.floats_len - fpos < size_t(n_floats)) return invalid(where + ": not enough floats");
      StepInfo st;
      st.kernel = d_.kernel_names[size_t(name)];
      referenced_[size_t(name)] = 1;
      step_names_.push_back(name);
      st.in_begin = int32_t(p_->io.size());
      st.n_in = n_in;
      for (int32_t k = 0; k < n_in; k++)
        if (!step_input(where, d_.steps[pos + size_t(k)])) return false;
      pos += size_t(n_in);
      st.out_begin = int32_t(p_->io.size());
      st.n_out = n_out;
      for (int32_t k = 0; k < n_out; k++)
        if (!step_output(where, d_.steps[pos + size_t(k)])) return false;
      pos += size_t(n_out);
      st.int_begin = int32_t(p_->ints.size());
      st.n_ints = n_ints;
      p_->ints.insert(p_->ints.end(), d_.steps + pos, d_.steps + pos + n_ints);
      pos += size_t(n_ints);
      st.float_begin = int32_t(p_->floats.size());
      st.n_floats = n_floats;
      p_->floats.insert(p_->floats.end(), d_.floats + fpos, d_.floats + fpos + n_floats);
      fpos += size_t(n_floats);
      p_->steps.push_back(std::move(st));
    }
    if (fpos != d_.floats_len) return invalid(str(int64_t(d_.floats_len - fpos)) + " float attribute(s) left over after the last step");
    return true;
  }

  bool step_input(const std::string& where, int32_t s) {
    if (s < 0 || size_t(s) >= p_->slots.size()) return invalid(where + ": input slot " + str(s) + " out of range");
    if (p_->slots[size_t(s)].kind == SLOT_TEMP && !written_[size_t(s)]) return invalid(where + ": reads temp slot " + str(s) + " before any step writes it");
    p_->io.push_back(s);
    return true;
  }

  bool step_output(const std::string& where, int32_t s) {
    if (s < 0 || size_t(s) >= p_->slots.size()) return invalid(where + ": output slot " + str(s) + " out of range");
    if (p_->slots[size_t(s)].kind != SLOT_TEMP) return invalid(where + ": output slot " + str(s) + " is not a temp");
    if (written_[size_t(s)]) return invalid(where + ": temp slot " + str(s) + " is written twice");
    written_[size_t(s)] = 1;
    p_->io.push_back(s);
    return true;
  }

  bool updates() {
    if (d_.updates_len % 2) return invalid("updates length is not a multiple of 2");
    std::vector<char> updated(size_t(d_.n_shared), 0);
    for (size_t u = 0; u < d_.updates_len / 2; u++) {
      const int32_t sh = d_.updates[2 * u], s = d_.updates[2 * u + 1];
      const std::string where = "update " + str(int64_t(u));
      if (sh < 0 || sh >= d_.n_shared) return invalid(where + ": shared ref " + str(sh) + " out of range");
      if (s < 0 || size_t(s) >= p_->slots.size()) return invalid(where + ": slot " + str(s) + " out of range");
      if (p_->slots[size_t(s)].kind != SLOT_TEMP || !written_[size_t(s)]) return invalid(where + ": slot " + str(s) + " is not a temp written by a step");
      if (updated[size_t(sh)]) return invalid(where + ": shared " + str(sh) + " is updated twice");
      const int32_t ss = p_->shared_slot[size_t(sh)];
      if (ss >= 0 && p_->slots[size_t(ss)].dtype != p_->slots[size_t(s)].dtype) return invalid(where + ": dtype differs from the shared variable's");
      updated[size_t(sh)] = 1;
      p_->updates.push_back({sh, s});
    }
    return true;
  }

  bool outputs() {
    for (size_t k = 0; k < d_.outputs_len; k++) {
      const int32_t s = d_.outputs[k];
      const std::string where = "outputs[" + str(int64_t(k)) + "]";
      if (s < 0 || size_t(s) >= p_->slots.size()) return invalid(where + ": slot " + str(s) + " out of range");
      if (p_->slots[size_t(s)].kind == SLOT_TEMP && !written_[size_t(s)]) return invalid(where + ": temp slot " + str(s) + " is written by no step");
      p_->outputs.push_back(s);
    }
    return true;
  }

  // Bodies: programs of their own (no shared values, no updates), each run by the steps listed with it.
  bool subprograms() {
    if (!d_.subprograms.empty() && depth_ >= kMaxNesting) return invalid("subprograms nest deeper than " + str(kMaxNesting) + " levels");
    for (size_t k = 0; k < d_.subprograms.size(); k++) {
      const std::string where = "subprograms[" + str(int64_t(k)) + "]";
      const ProgramDesc& sd = d_.subprograms[k];
      if (sd.n_shared != 0 || sd.updates_len != 0) return invalid(where + ": a body must have no shared values and no updates");
      std::shared_ptr<const Program> sub = Program::create(sd, fail_, depth_ + 1);
      if (sub) {
        p_->subprograms.push_back(std::move(sub));
      } else if (fail_->status != ERR_UNSUPPORTED) {
        fail_->message = where + ": " + fail_->message;
        return false;
      }
      // a body missing kernels: its names are collected, kernels() below reports every missing one at once
    }
    if (d_.bodies_len % 2) return invalid("bodies must hold [step, subprogram] pairs");
    for (size_t i = 0; i < d_.bodies_len; i += 2) {
      const int32_t st = d_.bodies[i], sub = d_.bodies[i + 1];
      const std::string where = "bodies[" + str(int64_t(i / 2)) + "]";
      if (st < 0 || size_t(st) >= p_->steps.size()) return invalid(where + ": step " + str(st) + " out of range");
      if (sub < 0 || size_t(sub) >= d_.subprograms.size()) return invalid(where + ": subprogram " + str(sub) + " out of range");
      auto& bodies = p_->steps[size_t(st)].bodies;
      if (bodies.size() >= size_t(kMaxBodies)) return invalid(where + ": step " + str(st) + " has more than " + str(kMaxBodies) + " bodies");
      bodies.push_back(sub);
    }
    return true;
  }

  // Resolves every referenced kernel name once and reports every missing one.
  bool kernels() {
    std::vector<KernelFn> fns(d_.kernel_names.size(), nullptr);
    for (size_t k = 0; k < d_.kernel_names.size(); k++) {
      if (!referenced_[k]) continue;
      const std::string& name = d_.kernel_names[k];
      if (name.find('\0') != std::string::npos) return invalid("kernelNames[" + str(int64_t(k)) + "] contains a NUL character");
      fns[k] = resolve_kernel(name);
      auto& missing = fail_->missing_kernels;
      if (!fns[k] && std::find(missing.begin(), missing.end(), name) == missing.end()) missing.push_back(name);
    }
    if (!fail_->missing_kernels.empty()) {
      fail_->status = ERR_UNSUPPORTED;
      std::string list;
      for (const auto& n : fail_->missing_kernels) list += (list.empty() ? "" : ", ") + n;
      fail_->message = "no native implementation of kernel" + std::string(fail_->missing_kernels.size() > 1 ? "s " : " ") + list;
      return false;
    }
    for (size_t k = 0; k < p_->steps.size(); k++) p_->steps[k].fn = fns[size_t(step_names_[k])];
    return true;
  }

  const ProgramDesc& d_;
  Failure* fail_;
  const int depth_;
  std::shared_ptr<Program> p_;
  std::vector<char> written_;     // per slot: a temp some step (so far) writes
  std::vector<char> referenced_;  // per kernel name: a step uses it
  std::vector<int32_t> step_names_;
};

}  // namespace

KernelFn resolve_kernel(const std::string& name) {
  if (name.empty() || name.find('\0') != std::string::npos) return nullptr;
  return find_kernel(name.c_str());
}

// Main thread.
std::shared_ptr<const Program> Program::create(const ProgramDesc& d, Failure* fail, int depth) { return ProgramReader(d, fail, depth).read(); }

}  // namespace nodeano
