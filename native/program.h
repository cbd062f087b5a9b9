// A validated, immutable program: slots, steps with resolved kernels, constants, updates. Plain C++ (no N-API): the
// addon copies JS values into a ProgramDesc and turns a Failure into a JS error.
//
// Threads: Program::create runs on the JS main thread of the environment that owns the handle; a Program is
// immutable afterwards and shared (std::shared_ptr) by every plan made from it, so disposing the JS handle of a
// program never invalidates its plans.
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
constexpr int64_t kMaxStepArgs = 1 << 20;        // inputs, outputs, ints or floats of one step
constexpr int64_t kMaxBytes = int64_t(1) << 48;  // any single buffer or the arena
constexpr int kMaxNesting = 32;                  // programs inside programs (loop bodies), plans likewise
constexpr int kMaxBodies = 2;                    // bodies of one step (IfElse has two, Scan one)

struct SlotDesc {
  int32_t kind;
  int32_t dtype;
  int32_t ref;  // index into inputs / shared / constants; -1 for temps
};

// One constant as handed over by the addon (pointer valid only during Program::create).
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
  const int32_t* outputs = nullptr;  // the program's output slots (may be null)
  size_t outputs_len = 0;
  // Nested programs (loop bodies): no shared values, no updates. `bodies` holds [step, subprogram] pairs;
  // a step's pairs in order give its body 0, 1, ...
  std::vector<ProgramDesc> subprograms;
  const int32_t* bodies = nullptr;
  size_t bodies_len = 0;
};

// Where an error happened and why; the addon turns it into a JS Error.
struct Failure {
  Status status = OK;
  int32_t step = -1;                         // failing step index, or -1
  std::string message;                       // without a "nodeano native:" prefix
  std::vector<std::string> missing_kernels;  // for ERR_UNSUPPORTED at program creation
};

struct StepInfo {
  std::string kernel;  // kernel name (the TypeScript kernel id)
  KernelFn fn = nullptr;
  int32_t in_begin = 0, n_in = 0;    // into Program::io
  int32_t out_begin = 0, n_out = 0;  // into Program::io
  int32_t int_begin = 0, n_ints = 0;
  int32_t float_begin = 0, n_floats = 0;
  std::vector<int32_t> bodies;  // indices into Program::subprograms of the bodies this step runs (at most kMaxBodies)
};

struct UpdateDesc {
  int32_t shared;  // shared ref
  int32_t slot;    // temp slot holding the new value
};

class Program {
 public:
  // Main thread. Validates everything; on failure returns nullptr and fills `fail` (ERR_UNSUPPORTED lists every
  // kernel the registry lacks, ERR_INVALID names the first malformed field, ERR_ALLOC a constant that cannot be had).
  // Subprograms are validated the same way (`depth` counts the nesting, at most kMaxNesting).
  static std::shared_ptr<const Program> create(const ProgramDesc& d, Failure* fail, int depth = 0);

  std::vector<SlotDesc> slots;
  std::vector<StepInfo> steps;
  std::vector<int32_t> io;  // all steps' input and output slots (a step's inputs, then its outputs)
  std::vector<int32_t> ints;
  std::vector<double> floats;
  std::vector<int32_t> constant_dtypes;
  std::vector<std::shared_ptr<AlignedBuffer>> constants;
  std::vector<UpdateDesc> updates;
  std::vector<int32_t> input_slot;   // per input ref: its first slot, or -1 when the program never reads it
  std::vector<int32_t> shared_slot;  // per shared ref: likewise
  std::vector<int32_t> outputs;      // output slots: each a non-temp or a temp some step writes
  std::vector<std::shared_ptr<const Program>> subprograms;
  int64_t n_inputs = 0;
  int64_t n_shared = 0;
};

// The registry's kernel for a name; nullptr for an unknown name (or one holding a NUL character).
KernelFn resolve_kernel(const std::string& name);

}  // namespace nodeano
