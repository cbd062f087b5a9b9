// The N-API surface of the native backend. Only the addon (this file and native/napi/) includes napi.h; it checks
// every JS value, hands raw memory to the executor (program.h, plan.h) and turns Status codes into JS errors.
//
// Unless a comment says otherwise, everything here runs on the JS main thread of the calling environment (the main
// thread or a worker_threads worker). Only the steps of a runAsync run on a libuv worker thread (napi/run.cc).
// lib/backend/native-loader.ts describes these exports as the `Addon` interface (ADDON_EXPORTS lists their names).
//
// Exports (dtype numbers: F32=0 F64=1 I32=2 BOOL=3, carried by Float32Array/Float64Array/Int32Array/Uint8Array):
//   info() -> { version: 5, avx2: boolean, fma: boolean, threads: number, blas: string }
//   kernels(names?: string[]) -> string[]   (the given names that have a native kernel, in order; without names,
//                                             every registered kernel name)
//   createProgram({ slots: Int32Array /* [kind, dtype, ref] per slot; kind 0 input, 1 shared, 2 constant, 3 temp;
//                                        ref -1 for temps */,
//                   steps: Int32Array /* per step: kernelNameIndex, nIn, nOut, nInts, nFloats, ins..., outs..., ints... */,
//                   floats: Float64Array /* every step's float attributes, in step order */,
//                   kernelNames: string[], constants: TypedArray[] /* copied */, updates: Int32Array /* [sharedRef, slot]... */,
//                   nInputs: number, nShared: number,
//                   outputs?: Int32Array /* the program's output slots */,
//                   subprograms?: desc[] /* loop bodies in this same format: no shared values, no updates */,
//                   bodies?: Int32Array /* [step, subprogram]...: the bodies a step runs, in order (Scan one,
//                                          IfElse two: then, else; at most 2) */ }) -> program handle
//   createPlan(program, { shapes: Int32Array /* per slot: ndim, dims... */,
//                         offsets: Float64Array /* byte offset per temp slot (multiple of 64), -1 for the others */,
//                         arenaBytes: number,
//                         skip?: Uint8Array /* per step: 1 = not run, its output is a view of its input */,
//                         inPlace?: Uint8Array /* per step: 1 = its output lies exactly over an input dying there */,
//                         sharedAlias?: Int32Array /* [temp slot, sharedRef]...: an update value written in place */,
//                         resized?: Int32Array /* update indices the caller lands itself (shape changes) */,
//                         outputs?: Int32Array /* direct outputs: temp slots (offset -1) computed into the caller's
//                                                 arrays, one per call each, in this order */,
//                         bodies?: { step, body?, iterations, plan: desc }[] /* per body of a step: its plan in this
//                                                 same format (body: which of the step's bodies, default 0), for
//                                                 `iterations` steps of a loop (0 for IfElse); an IfElse branch left
//                                                 out could not be planned, and taking it fails with _SHAPE */ })
//       -> { plan: plan handle, arena: ArrayBuffer /* zero copy: temps live here */,
//            run: (...inputs, ...shared, ...outputs) => number | undefined /* run(plan, ...) bound to this plan: no
//                 handle to check per call (the hot path of small steps); it holds the handle */ }
//       The memory decisions are the caller's (lib/compile/memory-plan.ts); createPlan only rejects an unsafe layout.
//   run(plan, ...inputs, ...shared, ...outputs) -> number | undefined   (the nInputs + nShared typed arrays, then one
//       array per direct output that its values are computed into, as separate arguments; runs every step, then copies
//       every update not listed in resized into its shared array. A shared value may be null: the alloc() array the
//       last run of this plan was given there, still bound (a runAsync since, or free() of it, makes null an error);
//       when every shared value would be null they may be left out: run(plan, ...inputs, ...outputs).
//       Returns the bit mask of shared values (bit r for shared[r], r < 32) the next run may pass as null, or
//       undefined when every shared value was null)
//   runAsync(plan, ...inputs, ...shared, ...outputs?) -> Promise<ArrayBuffer[] | undefined>   (the same off the main
//       thread; never throws; given no outputs, the direct outputs are allocated and computed on the worker thread and
//       resolve as alloc()-style buffers, else they are computed into the arrays given and it resolves undefined;
//       every array is read where it is, on the worker thread, as fs.write reads its buffer: nothing is copied on the
//       main thread, a change to an array before the promise settles may change the result, and an array detached
//       meanwhile rejects the promise)
//   alloc(bytes: number) -> ArrayBuffer (zeroed, 64-byte aligned native memory; a runAsync holds it, so free() during
//       the run releases it only after the run settled)
//   free(buffer: ArrayBuffer) -> undefined   (an alloc() buffer or a plan's arena: detached now, so every view of it
//       has length 0, and its memory released once no plan or run in flight uses it; a detached or empty buffer
//       is ignored)
//   setThreads(n: 1..1024) -> undefined, getThreads() -> number
//   dispose(programOrPlan) -> undefined   (later use of the handle throws NODEANO_NATIVE_INVALID)
//   rawSgemm(a, b, c: Float32Array, m, n, k, transA, transB) -> undefined   (benchmarks only: cblas_sgemm)
//
// Every error thrown (or rejected) carries `code`: NODEANO_NATIVE_SHAPE | _DTYPE | _UNSUPPORTED | _INVALID | _ALLOC |
// _BUSY; errors from the executor also carry `status` (the Status number) and `step` (the failing step, or -1);
// createProgram's UNSUPPORTED error also carries `kernels` (the missing kernel names). Wrong argument types throw
// TypeErrors (code NODEANO_NATIVE_INVALID, or _DTYPE for a typed array of the wrong dtype).
#include <napi.h>

#include <string>
#include <vector>

#include "napi/buffers.h"
#include "napi/errors.h"
#include "napi/handles.h"
#include "napi/run.h"
#include "napi/values.h"
#include "plan.h"
#include "program.h"
#include "runtime.h"

namespace nodeano {
namespace napi {
namespace {

// Bumped whenever the shape of this JS interface or of its descriptors changes.
constexpr int kInterfaceVersion = 5;

const int32_t kNoInts[1] = {0};
const double kNoFloats[1] = {0};

// The constants a program keeps alive, its bodies' included (accounted to the GC with the handle).
int64_t constant_bytes(const Program& p) {
  int64_t bytes = 0;
  for (const auto& c : p.constants) bytes += int64_t(c->bytes());
  for (const auto& sub : p.subprograms) bytes += constant_bytes(*sub);
  return bytes;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", Napi::Number::New(env, kInterfaceVersion));
  o.Set("avx2", Napi::Boolean::New(env, cpu_has_avx2()));
  o.Set("fma", Napi::Boolean::New(env, cpu_has_fma()));
  o.Set("threads", Napi::Number::New(env, runtime_threads()));
  o.Set("blas", Napi::String::New(env, runtime_blas_config()));
  return o;
}

// kernels(names?: string[]) -> string[]
Napi::Value Kernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  if (is_nullish(env, arg(info, 0))) {
    for (size_t i = 0; i < kernel_registry_size(); i++)
      if (const char* name = kernel_registry_name(i)) out.Set(n++, Napi::String::New(env, name));
    return out;
  }
  std::vector<napi_value> names;
  array_elements(env, arg(info, 0), "kernels: names", &names, 1u << 20);
  for (size_t i = 0; i < names.size(); i++) {
    napi_valuetype t;
    if (napi_typeof(env, names[i], &t) != napi_ok || t != napi_string)
      type_fail(env, "kernels: names[" + std::to_string(i) + "] must be a string, got " + describe(env, names[i]));
    if (resolve_kernel(Napi::String(env, names[i]).Utf8Value())) out.Set(n++, Napi::Value(env, names[i]));
  }
  return out;
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), runtime_threads()); }

// setThreads(n: integer in [1, 1024]) -> undefined
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  runtime_set_threads(int(integer_field(info.Env(), arg(info, 0), "setThreads: n", 1, kMaxThreads)));
  return info.Env().Undefined();
}

// alloc(bytes: integer in [0, 2^48]) -> ArrayBuffer over zeroed, 64-byte aligned native memory.
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double bytes = integer_field(env, arg(info, 0), "alloc: bytes", 0, double(kMaxBytes));
  auto buf = AlignedBuffer::make(size_t(bytes), true);
  if (!buf) fail(env, kAlloc, "alloc: cannot allocate " + std::to_string(int64_t(bytes)) + " bytes");
  return external_buffer(env, buf, size_t(bytes), Origin::Alloc);
}

// free(buffer: ArrayBuffer) -> undefined
Napi::Value Free(const Napi::CallbackInfo& info) {
  free_buffer(info.Env(), arg(info, 0));
  return info.Env().Undefined();
}

// dispose(handle) -> undefined. A plan with a runAsync in flight is freed when that run settles (the run still
// completes and lands its updates); plans made from a disposed program keep working. Disposing twice is fine.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  dispose_handle(info.Env(), arg(info, 0));
  return info.Env().Undefined();
}

// rawSgemm(a, b, c: Float32Array, m, n, k, transA, transB) -> undefined: c = op(a) op(b) on the caller's buffers,
// sizes checked against the arrays.
Napi::Value RawSgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TypedView t[3];
  for (int i = 0; i < 3; i++) {
    if (!typed_view(env, arg(info, size_t(i)), &t[i]) || t[i].type != napi_float32_array || !t[i].data)
      type_fail(env, std::string("rawSgemm: ") + "abc"[i] + " must be a non-detached Float32Array, got " + describe(env, arg(info, size_t(i))));
  }
  const int64_t m = int64_t(integer_field(env, arg(info, 3), "rawSgemm: m", 0, 1 << 30));
  const int64_t n = int64_t(integer_field(env, arg(info, 4), "rawSgemm: n", 0, 1 << 30));
  const int64_t k = int64_t(integer_field(env, arg(info, 5), "rawSgemm: k", 0, 1 << 30));
  const bool ta = Napi::Value(env, arg(info, 6)).ToBoolean(), tb = Napi::Value(env, arg(info, 7)).ToBoolean();
  if (int64_t(t[0].length) < m * k || int64_t(t[1].length) < k * n || int64_t(t[2].length) < m * n)
    fail(env, kInvalid, "rawSgemm: arrays are too small for m, n, k", Kind::RangeError);
  raw_sgemm(static_cast<const float*>(t[0].data), static_cast<const float*>(t[1].data), static_cast<float*>(t[2].data), int(m), int(n), int(k), ta, tb);
  return env.Undefined();
}

// A program descriptor's JS values, read (getters may run JS) before any raw pointer is taken.
struct ProgramValues {
  napi_value slots, steps, floats, updates, outputs, bodies;
  std::vector<napi_value> constants;
  std::vector<ProgramValues> subprograms;
};

void object_value(Napi::Env env, napi_value v, const std::string& what) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_object) type_fail(env, what + " must be an object, got " + describe(env, v));
}

// 1. every property and element, bodies included (`what` names the descriptor in errors) ...
void read_program_values(Napi::Env env, napi_value desc, const std::string& what, int depth, ProgramValues* pv, ProgramDesc* d) {
  const napi_value names = get_prop(env, desc, "kernelNames"), constants = get_prop(env, desc, "constants"), n_inputs = get_prop(env, desc, "nInputs"),
                   n_shared = get_prop(env, desc, "nShared"), subs = get_prop(env, desc, "subprograms");
  pv->slots = get_prop(env, desc, "slots");
  pv->steps = get_prop(env, desc, "steps");
  pv->floats = get_prop(env, desc, "floats");
  pv->updates = get_prop(env, desc, "updates");
  pv->outputs = get_prop(env, desc, "outputs");
  pv->bodies = get_prop(env, desc, "bodies");
  std::vector<napi_value> name_vals, sub_vals;
  array_elements(env, names, (what + ".kernelNames").c_str(), &name_vals, 1u << 20);
  array_elements(env, constants, (what + ".constants").c_str(), &pv->constants, 1u << 24);
  if (!is_nullish(env, subs)) array_elements(env, subs, (what + ".subprograms").c_str(), &sub_vals, 1u << 20);
  d->kernel_names.reserve(name_vals.size());
  for (size_t i = 0; i < name_vals.size(); i++) {
    napi_valuetype t;
    if (napi_typeof(env, name_vals[i], &t) != napi_ok || t != napi_string)
      type_fail(env, what + ".kernelNames[" + std::to_string(i) + "] must be a string, got " + describe(env, name_vals[i]));
    d->kernel_names.push_back(Napi::String(env, name_vals[i]).Utf8Value());
  }
  d->n_inputs = int64_t(integer_field(env, n_inputs, (what + ".nInputs").c_str(), 0, double(kMaxSlots)));
  d->n_shared = int64_t(integer_field(env, n_shared, (what + ".nShared").c_str(), 0, double(kMaxSlots)));
  if (!sub_vals.empty() && depth >= kMaxNesting) fail(env, kInvalid, what + ".subprograms nest deeper than " + std::to_string(kMaxNesting) + " levels");
  pv->subprograms.resize(sub_vals.size());
  d->subprograms.resize(sub_vals.size());
  for (size_t k = 0; k < sub_vals.size(); k++) {
    const std::string sub = what + ".subprograms[" + std::to_string(k) + "]";
    object_value(env, sub_vals[k], sub);
    read_program_values(env, sub_vals[k], sub, depth + 1, &pv->subprograms[k], &d->subprograms[k]);
  }
}

// 2. ... then the raw pointers: no JS runs from here until Program::create has copied what it keeps.
void take_program_pointers(Napi::Env env, const ProgramValues& pv, const std::string& what, ProgramDesc* d) {
  typed_field(env, pv.slots, napi_int32_array, (what + ".slots").c_str(), &d->slots, &d->slots_len);
  typed_field(env, pv.steps, napi_int32_array, (what + ".steps").c_str(), &d->steps, &d->steps_len);
  typed_field(env, pv.floats, napi_float64_array, (what + ".floats").c_str(), &d->floats, &d->floats_len);
  typed_field(env, pv.updates, napi_int32_array, (what + ".updates").c_str(), &d->updates, &d->updates_len);
  optional_typed_field(env, pv.outputs, napi_int32_array, (what + ".outputs").c_str(), &d->outputs, &d->outputs_len);
  optional_typed_field(env, pv.bodies, napi_int32_array, (what + ".bodies").c_str(), &d->bodies, &d->bodies_len);
  if (!d->slots) d->slots = kNoInts;
  if (!d->steps) d->steps = kNoInts;
  if (!d->updates) d->updates = kNoInts;
  if (!d->floats) d->floats = kNoFloats;
  for (size_t i = 0; i < pv.constants.size(); i++) {
    TypedView tv;
    const std::string c = what + ".constants[" + std::to_string(i) + "]";
    if (!typed_view(env, pv.constants[i], &tv) || dtype_of_array_type(tv.type) < 0)
      type_fail(env, c + " must be a Float32Array, Float64Array, Int32Array or Uint8Array, got " + describe(env, pv.constants[i]));
    if (!tv.data && (tv.length || is_detached_view(env, pv.constants[i]))) fail(env, kInvalid, c + " is detached");
    d->constants.push_back({dtype_of_array_type(tv.type), tv.data ? tv.data : kNoInts, tv.length * element_size(tv.type)});
  }
  for (size_t k = 0; k < pv.subprograms.size(); k++)
    take_program_pointers(env, pv.subprograms[k], what + ".subprograms[" + std::to_string(k) + "]", &d->subprograms[k]);
}

Napi::Value CreateProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_value desc = object_arg(info, 0, "createProgram: desc");
  ProgramDesc d;
  ProgramValues pv;
  read_program_values(env, desc, "createProgram: desc", 0, &pv, &d);
  take_program_pointers(env, pv, "createProgram: desc", &d);
  Failure f;
  std::shared_ptr<const Program> p = Program::create(d, &f);
  if (!p) throw failure_error(env, f);
  return make_program_handle(env, p, constant_bytes(*p));
}

// A plan descriptor's JS values, read before any raw pointer is taken (as for programs).
struct PlanValues {
  napi_value shapes, offsets, skip, in_place, alias, resized, outputs;
  std::vector<PlanValues> bodies;
};

void read_plan_values(Napi::Env env, napi_value desc, const std::string& what, int depth, PlanValues* pv, PlanDesc* d) {
  const napi_value arena = get_prop(env, desc, "arenaBytes"), bodies = get_prop(env, desc, "bodies");
  pv->shapes = get_prop(env, desc, "shapes");
  pv->offsets = get_prop(env, desc, "offsets");
  pv->skip = get_prop(env, desc, "skip");
  pv->in_place = get_prop(env, desc, "inPlace");
  pv->alias = get_prop(env, desc, "sharedAlias");
  pv->resized = get_prop(env, desc, "resized");
  pv->outputs = get_prop(env, desc, "outputs");
  if (napi_get_value_double(env, arena, &d->arena_bytes) != napi_ok) type_fail(env, what + ".arenaBytes must be a number, got " + describe(env, arena));
  std::vector<napi_value> body_vals;
  if (!is_nullish(env, bodies)) array_elements(env, bodies, (what + ".bodies").c_str(), &body_vals, 1u << 24);
  if (!body_vals.empty() && depth >= kMaxNesting) fail(env, kInvalid, what + ".bodies nest deeper than " + std::to_string(kMaxNesting) + " levels");
  pv->bodies.resize(body_vals.size());
  d->bodies.resize(body_vals.size());
  for (size_t k = 0; k < body_vals.size(); k++) {
    const std::string b = what + ".bodies[" + std::to_string(k) + "]";
    object_value(env, body_vals[k], b);
    const napi_value step = get_prop(env, body_vals[k], "step"), iterations = get_prop(env, body_vals[k], "iterations"), plan = get_prop(env, body_vals[k], "plan");
    d->bodies[k].step = int64_t(integer_field(env, step, (b + ".step").c_str(), 0, double(kMaxSlots)));
    d->bodies[k].iterations = int64_t(integer_field(env, iterations, (b + ".iterations").c_str(), 0, double(INT32_MAX)));
    const napi_value body = get_prop(env, body_vals[k], "body");
    d->bodies[k].body = is_nullish(env, body) ? 0 : int64_t(integer_field(env, body, (b + ".body").c_str(), 0, double(kMaxBodies - 1)));
    object_value(env, plan, b + ".plan");
    read_plan_values(env, plan, b + ".plan", depth + 1, &pv->bodies[k], &d->bodies[k].plan);
  }
}

void take_plan_pointers(Napi::Env env, const PlanValues& pv, const std::string& what, PlanDesc* d) {
  typed_field(env, pv.shapes, napi_int32_array, (what + ".shapes").c_str(), &d->shapes, &d->shapes_len);
  typed_field(env, pv.offsets, napi_float64_array, (what + ".offsets").c_str(), &d->offsets, &d->offsets_len);
  optional_typed_field(env, pv.skip, napi_uint8_array, (what + ".skip").c_str(), &d->skip, &d->skip_len);
  optional_typed_field(env, pv.in_place, napi_uint8_array, (what + ".inPlace").c_str(), &d->in_place, &d->in_place_len);
  optional_typed_field(env, pv.alias, napi_int32_array, (what + ".sharedAlias").c_str(), &d->shared_alias, &d->shared_alias_len);
  optional_typed_field(env, pv.resized, napi_int32_array, (what + ".resized").c_str(), &d->resized, &d->resized_len);
  optional_typed_field(env, pv.outputs, napi_int32_array, (what + ".outputs").c_str(), &d->outputs, &d->outputs_len);
  if (!d->shapes) d->shapes = kNoInts;
  if (!d->offsets) d->offsets = kNoFloats;
  for (size_t k = 0; k < pv.bodies.size(); k++)
    take_plan_pointers(env, pv.bodies[k], what + ".bodies[" + std::to_string(k) + "].plan", &d->bodies[k].plan);
}

Napi::Value CreatePlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<const Program> program = program_of(env, arg(info, 0));
  napi_value desc = object_arg(info, 1, "createPlan: desc");
  PlanDesc d;
  PlanValues pv;
  read_plan_values(env, desc, "createPlan: desc", 0, &pv, &d);
  take_plan_pointers(env, pv, "createPlan: desc", &d);
  Failure f;
  std::shared_ptr<Plan> plan = Plan::create(program, d, &f);
  if (!plan) throw failure_error(env, f);
  Napi::Object out = Napi::Object::New(env);
  out.Set("arena", external_buffer(env, plan->arena(), plan->arena_bytes(), Origin::Arena));
  const int64_t scratch = int64_t(plan->scratch_bytes() + plan->nested_bytes());
  Napi::Value handle = make_plan_handle(env, std::move(plan), scratch);
  out.Set("plan", handle);
  out.Set("run", Napi::Value(env, bound_run(env, handle, raw_guarded<run_bound>)));
  return out;
}

Napi::Value raw_function(Napi::Env env, const char* name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn) != napi_ok) throw Napi::Error::New(env);
  return Napi::Value(env, fn);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // a kernel name registered twice would silently run one of the two: refuse to load instead
  const std::string problems = kernel_registry_problems();
  if (!problems.empty()) throw make_error(env, kInvalid, problems);
  exports.Set("info", Napi::Function::New<guarded<Info>>(env, "info"));
  exports.Set("kernels", Napi::Function::New<guarded<Kernels>>(env, "kernels"));
  exports.Set("createProgram", Napi::Function::New<guarded<CreateProgram>>(env, "createProgram"));
  exports.Set("createPlan", Napi::Function::New<guarded<CreatePlan>>(env, "createPlan"));
  // the run entries are raw N-API callbacks: no node-addon-api argument copy on the hot path
  exports.Set("run", raw_function(env, "run", raw_guarded<run>));
  exports.Set("runAsync", raw_function(env, "runAsync", raw_guarded<run_async>));
  exports.Set("alloc", Napi::Function::New<guarded<Alloc>>(env, "alloc"));
  exports.Set("free", Napi::Function::New<guarded<Free>>(env, "free"));
  exports.Set("setThreads", Napi::Function::New<guarded<SetThreads>>(env, "setThreads"));
  exports.Set("getThreads", Napi::Function::New<guarded<GetThreads>>(env, "getThreads"));
  exports.Set("dispose", Napi::Function::New<guarded<Dispose>>(env, "dispose"));
  exports.Set("rawSgemm", Napi::Function::New<guarded<RawSgemm>>(env, "rawSgemm"));
  return exports;
}

}  // namespace
}  // namespace napi
}  // namespace nodeano

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nodeano::napi::Init(env, exports); }

NODE_API_MODULE(nodeano, InitModule)
