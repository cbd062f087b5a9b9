// The N-API surface of the native backend: the only file that includes napi.h. Thin: it validates every JS value,
// hands raw memory to the executor (program.h) and turns Status codes into JS errors.
//
// Unless a comment says otherwise, everything here runs on the JS main thread of the calling environment (the main
// thread or a worker_threads worker). Only AsyncRun::execute runs on a libuv worker thread.
//
// Exports (dtype numbers: F32=0 F64=1 I32=2 BOOL=3, carried by Float32Array/Float64Array/Int32Array/Uint8Array):
//   info() -> { version: 1, avx2: boolean, fma: boolean, threads: number, blas: string }
//   hasKernel(name: string) -> boolean              (registry kernels plus the builtin Copy)
//   kernels(names: string[]) -> string[]            (the given names that hasKernel accepts, in order)
//   createProgram({ slots: Int32Array /* [kind, dtype, ref] per slot; kind 0 input, 1 shared, 2 constant, 3 temp;
//                                        ref -1 for temps */,
//                   steps: Int32Array /* per step: kernelNameIndex, nIn, nOut, nInts, nFloats, ins..., outs..., ints... */,
//                   floats: Float64Array /* every step's float attributes, in step order */,
//                   kernelNames: string[], constants: TypedArray[] /* copied */, updates: Int32Array /* [sharedRef, slot]... */,
//                   nInputs: number, nShared: number }) -> External (program handle)
//   createPlan(program, { shapes: Int32Array /* per slot: ndim, dims... */,
//                         offsets: Float64Array /* byte offset per temp slot (multiple of 64), -1 for the others */,
//                         arenaBytes: number })
//       -> { plan: External, arena: ArrayBuffer /* zero copy: temps live here */,
//            deferredUpdates: Int32Array /* update indices run() does not apply (shape-changing updates) */ }
//   run(plan, inputs: TypedArray[nInputs], shared: TypedArray[nShared]) -> undefined
//   runArgs(plan, ...inputs, ...shared) -> undefined   (the same as run, with the nInputs + nShared typed arrays
//       passed as separate arguments: no JS array to read element by element, the cheapest synchronous call)
//   runAsync(plan, inputs, shared) -> Promise<undefined>   (never throws: every error rejects)
//   alloc(bytes: number) -> ArrayBuffer (zeroed, 64-byte aligned native memory; zero copy in runAsync)
//   setThreads(n: 1..1024) -> undefined, getThreads() -> number
//   dispose(programOrPlan) -> undefined
//
// Every error thrown (or rejected) carries `code`: NODEANO_NATIVE_SHAPE | _DTYPE | _UNSUPPORTED | _INVALID | _ALLOC |
// _BUSY; errors from the executor also carry `status` (the Status number) and `step` (the failing step, or -1);
// createProgram's UNSUPPORTED error also carries `kernels` (the missing kernel names). Wrong argument types throw
// TypeErrors (code NODEANO_NATIVE_INVALID, or _DTYPE for a typed array of the wrong dtype).
#include <napi.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "program.h"

namespace nodeano {
namespace {

// Bumped whenever the shape of this JS interface or of its descriptors changes.
constexpr int kInterfaceVersion = 1;

constexpr const char* kShape = "NODEANO_NATIVE_SHAPE";
constexpr const char* kDType = "NODEANO_NATIVE_DTYPE";
constexpr const char* kUnsupported = "NODEANO_NATIVE_UNSUPPORTED";
constexpr const char* kInvalid = "NODEANO_NATIVE_INVALID";
constexpr const char* kAlloc = "NODEANO_NATIVE_ALLOC";
constexpr const char* kBusy = "NODEANO_NATIVE_BUSY";

const char* code_of(int32_t status) {
  switch (status) {
    case ERR_SHAPE: return kShape;
    case ERR_DTYPE: return kDType;
    case ERR_UNSUPPORTED: return kUnsupported;
    case ERR_ALLOC: return kAlloc;
    default: return kInvalid;
  }
}

// Random tags: only externals made by this addon carry them, so a foreign External or a program passed where a plan
// is expected is recognized before its pointer is touched.
const napi_type_tag kProgramTag = {0x6e6f6465616e6f50ULL, 0x9b1c0e5a2f4d3c71ULL};
const napi_type_tag kPlanTag = {0x6e6f6465616e6f4cULL, 0x3e8a5d17c0b24f96ULL};

// ---- errors -----------------------------------------------------------------------------------------------------

enum class Kind { Error, TypeError, RangeError };

Napi::Error make_error(Napi::Env env, const char* code, const std::string& msg, Kind kind = Kind::Error, int32_t status = -1,
                       int32_t step = -2) {
  std::string text = "nodeano native: " + msg;
  Napi::Error e = kind == Kind::TypeError    ? Napi::Error(Napi::TypeError::New(env, text))
                  : kind == Kind::RangeError ? Napi::Error(Napi::RangeError::New(env, text))
                                             : Napi::Error::New(env, text);
  Napi::Object o = e.Value();
  o.Set("code", Napi::String::New(env, code));
  if (status >= 0) o.Set("status", Napi::Number::New(env, status));
  if (step >= -1) o.Set("step", Napi::Number::New(env, step));
  return e;
}

[[noreturn]] void fail(Napi::Env env, const char* code, const std::string& msg, Kind kind = Kind::Error) {
  throw make_error(env, code, msg, kind);
}

[[noreturn]] void type_fail(Napi::Env env, const std::string& msg) { fail(env, kInvalid, msg, Kind::TypeError); }

Napi::Error failure_error(Napi::Env env, const Failure& f) {
  Napi::Error e = make_error(env, code_of(f.status), f.message, Kind::Error, f.status, f.step);
  if (!f.missing_kernels.empty()) {
    Napi::Array a = Napi::Array::New(env, f.missing_kernels.size());
    for (size_t i = 0; i < f.missing_kernels.size(); i++) a.Set(uint32_t(i), Napi::String::New(env, f.missing_kernels[i]));
    e.Value().Set("kernels", a);
  }
  return e;
}

Napi::Error run_error(Napi::Env env, const Plan& plan, Status st, int32_t step) {
  std::string kernel = step >= 0 && size_t(step) < plan.program().steps.size() ? plan.program().steps[size_t(step)].kernel : "?";
  return make_error(env, code_of(st),
                    "kernel " + kernel + " (step " + std::to_string(step) + ") failed with " + status_name(st) + " (status " +
                        std::to_string(int(st)) + ")",
                    Kind::Error, st, step);
}

// Turns C++ exceptions that are not Napi::Error (std::bad_alloc from a vector, ...) into coded JS errors.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw make_error(info.Env(), kAlloc, "out of memory");
  } catch (const std::exception& e) {
    throw make_error(info.Env(), kInvalid, std::string("internal error: ") + e.what());
  } catch (...) {
    throw make_error(info.Env(), kInvalid, "internal error");
  }
}

// The same for a raw N-API callback: the error is thrown into JS and the callback returns nothing.
template <napi_value (*F)(napi_env, napi_callback_info)>
napi_value raw_guarded(napi_env env, napi_callback_info info) {
  try {
    try {
      return F(env, info);
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw make_error(Napi::Env(env), kAlloc, "out of memory");
    } catch (const std::exception& e) {
      throw make_error(Napi::Env(env), kInvalid, std::string("internal error: ") + e.what());
    } catch (...) {
      throw make_error(Napi::Env(env), kInvalid, "internal error");
    }
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (...) {
    // making the error failed (the environment is going away): nothing more can be reported
  }
  return nullptr;
}

// ---- value helpers ----------------------------------------------------------------------------------------------

const char* typed_array_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "a typed array";
  }
}

// The TypedArray type that carries a dtype (bool is Uint8Array), and back.
napi_typedarray_type array_type_of(int32_t dtype) {
  switch (dtype) {
    case F32: return napi_float32_array;
    case F64: return napi_float64_array;
    case I32: return napi_int32_array;
    default: return napi_uint8_array;
  }
}

int32_t dtype_of_array_type(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return F32;
    case napi_float64_array: return F64;
    case napi_int32_array: return I32;
    case napi_uint8_array: return BOOL;
    default: return -1;
  }
}

const char* dtype_name(int32_t d) {
  switch (d) {
    case F32: return "float32";
    case F64: return "float64";
    case I32: return "int32";
    case BOOL: return "bool";
    default: return "?";
  }
}

std::string describe(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return "an unknown value";
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_bigint: return "a bigint";
    case napi_function: return "a function";
    case napi_external: return "an External";
    default: break;
  }
  bool b = false;
  if (napi_is_typedarray(env, v, &b) == napi_ok && b) {
    napi_typedarray_type tt;
    size_t len;
    if (napi_get_typedarray_info(env, v, &tt, &len, nullptr, nullptr, nullptr) == napi_ok) return std::string("a ") + typed_array_name(tt);
  }
  if (napi_is_array(env, v, &b) == napi_ok && b) return "an array";
  if (napi_is_arraybuffer(env, v, &b) == napi_ok && b) return "an ArrayBuffer";
  return "an object";
}

struct TypedView {
  napi_typedarray_type type;
  size_t length;  // elements
  void* data;     // nullptr when detached (then length is 0)
};

bool typed_view(napi_env env, napi_value v, TypedView* out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  return napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, nullptr, nullptr) == napi_ok;
}

bool is_detached_view(napi_env env, napi_value v) {
  napi_typedarray_type t;
  size_t len;
  napi_value ab = nullptr;
  bool detached = false;
  if (napi_get_typedarray_info(env, v, &t, &len, nullptr, &ab, nullptr) != napi_ok || !ab) return false;
  if (napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok) return false;
  return detached;
}

size_t element_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

const int32_t kNoInts[1] = {0};
const double kNoFloats[1] = {0};

// A descriptor field that must be a typed array of one type. The info is read only after every getter of the
// descriptor has run (see callers), so no JS can detach the buffer while native code reads it.
template <class T>
void typed_field(Napi::Env env, napi_value v, napi_typedarray_type want, const char* what, const T** data, size_t* len) {
  TypedView tv;
  if (!typed_view(env, v, &tv) || tv.type != want)
    type_fail(env, std::string(what) + " must be a " + typed_array_name(want) + ", got " + describe(env, v));
  if (!tv.data) {
    if (tv.length || is_detached_view(env, v)) fail(env, kInvalid, std::string(what) + " is detached");
    *data = nullptr;
    *len = 0;
    return;
  }
  *data = static_cast<const T*>(tv.data);
  *len = tv.length;
}

double integer_field(Napi::Env env, napi_value v, const char* what, double lo, double hi) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) type_fail(env, std::string(what) + " must be a number, got " + describe(env, v));
  if (!(d >= lo && d <= hi) || std::floor(d) != d)
    fail(env, kInvalid, std::string(what) + " must be an integer in [" + std::to_string(int64_t(lo)) + ", " + std::to_string(int64_t(hi)) + "]",
         Kind::RangeError);
  return d;
}

napi_value object_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  napi_value v = i < info.Length() ? napi_value(info[i]) : napi_value(info.Env().Undefined());
  napi_valuetype t;
  if (napi_typeof(info.Env(), v, &t) != napi_ok || t != napi_object) type_fail(info.Env(), std::string(what) + " must be an object, got " + describe(info.Env(), v));
  return v;
}

napi_value get_prop(Napi::Env env, napi_value obj, const char* key) {
  napi_value v;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) throw Napi::Error::New(env);  // a getter threw: rethrow it
  return v;
}

bool is_nullish(Napi::Env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) throw Napi::Error::New(env);
  return t == napi_undefined || t == napi_null;
}

// Reads the elements of a JS array (running any getters) into `out`; `what` names it in errors.
void array_elements(Napi::Env env, napi_value v, const char* what, std::vector<napi_value>* out, uint32_t max_len) {
  bool is = false;
  if (napi_is_array(env, v, &is) != napi_ok || !is) type_fail(env, std::string(what) + " must be an array, got " + describe(env, v));
  uint32_t n = 0;
  if (napi_get_array_length(env, v, &n) != napi_ok) type_fail(env, std::string(what) + " must be an array");
  if (n > max_len) fail(env, kInvalid, std::string(what) + " has too many elements", Kind::RangeError);
  out->resize(n);
  for (uint32_t i = 0; i < n; i++)
    if (napi_get_element(env, v, i, &(*out)[i]) != napi_ok) throw Napi::Error::New(env);
}

// ---- registry of alloc()'d memory --------------------------------------------------------------------------------
// An async run must not read memory that JS can free meanwhile (a plain ArrayBuffer can be transferred away and
// collected). Buffers made by alloc() are owned here, so a run can hold them; anything else is copied first.

std::mutex g_alloc_mu;
std::unordered_map<const void*, std::weak_ptr<AlignedBuffer>>* g_allocs = new std::unordered_map<const void*, std::weak_ptr<AlignedBuffer>>();

std::shared_ptr<AlignedBuffer> find_alloc(const void* base) {
  std::lock_guard<std::mutex> lock(g_alloc_mu);
  auto it = g_allocs->find(base);
  return it == g_allocs->end() ? nullptr : it->second.lock();
}

// Finalizer of alloc()'d and arena ArrayBuffers (main thread of the owning environment, at GC or teardown).
void release_buffer(napi_env, void*, void* hint) {
  auto* holder = static_cast<std::shared_ptr<AlignedBuffer>*>(hint);
  {
    std::lock_guard<std::mutex> lock(g_alloc_mu);
    auto it = g_allocs->find((*holder)->data());
    if (it != g_allocs->end() && !it->second.owner_before(*holder) && !holder->owner_before(it->second)) g_allocs->erase(it);
  }
  delete holder;  // frees the memory unless a plan or an async run still holds it
}

// An external ArrayBuffer over `buf` (zero copy) that keeps it alive until collected.
Napi::Value external_buffer(Napi::Env env, const std::shared_ptr<AlignedBuffer>& buf, size_t bytes, bool registered) {
  auto* holder = new std::shared_ptr<AlignedBuffer>(buf);
  if (registered) {
    std::lock_guard<std::mutex> lock(g_alloc_mu);
    (*g_allocs)[buf->data()] = buf;
  }
  napi_value ab;
  napi_status s = napi_create_external_arraybuffer(env, buf->data(), bytes, release_buffer, holder, &ab);
  if (s != napi_ok) {
    release_buffer(env, nullptr, holder);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) throw Napi::Error::New(env);
    fail(env, kUnsupported, "this runtime does not allow external ArrayBuffers");
  }
  return Napi::Value(env, ab);
}

// ---- handles ----------------------------------------------------------------------------------------------------

// Native memory a handle keeps alive beyond what V8 sees (constants, kernel scratch), reported with
// napi_adjust_external_memory so that the GC collects unused handles soon enough. Arena and alloc() memory is
// already accounted for by V8 through their ArrayBuffers.
struct Accounted {
  int64_t external_bytes = 0;
  void account(napi_env env, int64_t bytes) {
    int64_t ignored;
    if (bytes && napi_adjust_external_memory(env, bytes, &ignored) == napi_ok) external_bytes += bytes;
  }
  void unaccount(napi_env env) {
    int64_t ignored;
    if (external_bytes) napi_adjust_external_memory(env, -external_bytes, &ignored);
    external_bytes = 0;
  }
};

struct ProgramHandle : Accounted {
  std::shared_ptr<const Program> program;  // null once disposed
};

struct PlanHandle : Accounted {
  std::shared_ptr<Plan> plan;  // null once disposed
  // Per-call scratch, reused so that run() does not allocate (main thread; guarded by plan->busy).
  std::vector<napi_value> in_vals, sh_vals;
  std::vector<void*> sh_dst;
  std::vector<napi_value> argv;  // runArgs's arguments when there are more than fit on its stack
};

template <class H>
H* unwrap(Napi::Env env, napi_value v, const napi_type_tag& tag, const char* what) {
  bool ok = false;
  if (napi_check_object_type_tag(env, v, &tag, &ok) != napi_ok || !ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    type_fail(env, std::string(what) + " must be a " + (&tag == &kPlanTag ? "plan" : "program") + " handle from this addon, got " + describe(env, v));
  }
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) type_fail(env, std::string(what) + " is not a handle");
  return static_cast<H*>(p);
}

napi_value arg(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? napi_value(info[i]) : napi_value(info.Env().Undefined()); }

std::shared_ptr<const Program> program_of(Napi::Env env, napi_value v) {
  ProgramHandle* h = unwrap<ProgramHandle>(env, v, kProgramTag, "program");
  if (!h->program) fail(env, kInvalid, "the program was disposed");
  return h->program;
}

PlanHandle* plan_handle_of(Napi::Env env, napi_value v) {
  PlanHandle* h = unwrap<PlanHandle>(env, v, kPlanTag, "plan");
  if (!h->plan) fail(env, kInvalid, "the plan was disposed");
  return h;
}

template <class H>
Napi::Value make_handle(Napi::Env env, H* h, const napi_type_tag& tag) {
  napi_value ext;
  // runs on the main thread when the External is collected (or at environment teardown)
  auto finalize = [](napi_env env, void* data, void*) {
    H* handle = static_cast<H*>(data);
    handle->unaccount(env);
    delete handle;
  };
  if (napi_create_external(env, h, finalize, nullptr, &ext) != napi_ok) {
    delete h;
    throw Napi::Error::New(env);
  }
  if (napi_type_tag_object(env, ext, &tag) != napi_ok) throw Napi::Error::New(env);
  return Napi::Value(env, ext);
}

// ---- info / kernels / threads / alloc ---------------------------------------------------------------------------

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

// hasKernel(name: string) -> boolean
Napi::Value HasKernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_value v = arg(info, 0);
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) type_fail(env, "hasKernel: name must be a string, got " + describe(env, v));
  bool builtin = false;
  return Napi::Boolean::New(env, resolve_kernel(Napi::String(env, v).Utf8Value(), &builtin) != nullptr);
}

// kernels(names: string[]) -> string[]: the names that have a native implementation, in the given order.
Napi::Value Kernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<napi_value> names;
  array_elements(env, arg(info, 0), "kernels: names", &names, 1u << 20);
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (size_t i = 0; i < names.size(); i++) {
    napi_valuetype t;
    if (napi_typeof(env, names[i], &t) != napi_ok || t != napi_string) type_fail(env, "kernels: names[" + std::to_string(i) + "] must be a string");
    bool builtin = false;
    if (resolve_kernel(Napi::String(env, names[i]).Utf8Value(), &builtin)) out.Set(n++, Napi::Value(env, names[i]));
  }
  return out;
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), runtime_threads()); }

// setThreads(n: integer in [1, 1024]) -> undefined
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  double n = integer_field(info.Env(), arg(info, 0), "setThreads: n", 1, kMaxThreads);
  runtime_set_threads(int(n));
  return info.Env().Undefined();
}

// alloc(bytes: integer in [0, 2^48]) -> ArrayBuffer over zeroed, 64-byte aligned native memory.
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double bytes = integer_field(env, arg(info, 0), "alloc: bytes", 0, double(kMaxBytes));
  auto buf = AlignedBuffer::make(size_t(bytes), true);
  if (!buf) fail(env, kAlloc, "cannot allocate " + std::to_string(int64_t(bytes)) + " bytes");
  return external_buffer(env, buf, size_t(bytes), true);
}

// rawSgemm(a, b, c: Float32Array, m, n, k, transA, transB) -> undefined: c = op(a) op(b) by cblas_sgemm on the caller's
// buffers. For benchmarks only (the bound a compiled dot is measured against); sizes are checked against the arrays.
Napi::Value RawSgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TypedView a, b, c;
  for (int i = 0; i < 3; i++) {
    TypedView* t = i == 0 ? &a : i == 1 ? &b : &c;
    if (!typed_view(env, arg(info, i), t) || t->type != napi_float32_array || !t->data)
      type_fail(env, std::string("rawSgemm: ") + "abc"[i] + " must be a non-detached Float32Array, got " + describe(env, arg(info, i)));
  }
  const int64_t m = int64_t(integer_field(env, arg(info, 3), "rawSgemm: m", 0, 1 << 30));
  const int64_t n = int64_t(integer_field(env, arg(info, 4), "rawSgemm: n", 0, 1 << 30));
  const int64_t k = int64_t(integer_field(env, arg(info, 5), "rawSgemm: k", 0, 1 << 30));
  const bool ta = Napi::Value(env, arg(info, 6)).ToBoolean(), tb = Napi::Value(env, arg(info, 7)).ToBoolean();
  if (int64_t(a.length) < m * k || int64_t(b.length) < k * n || int64_t(c.length) < m * n)
    fail(env, kInvalid, "rawSgemm: arrays are too small for m, n, k", Kind::RangeError);
  raw_sgemm(static_cast<const float*>(a.data), static_cast<const float*>(b.data), static_cast<float*>(c.data), int(m), int(n), int(k), ta, tb);
  return env.Undefined();
}

// dispose(handle) -> undefined. Frees a program or plan now; later use of the handle throws NODEANO_NATIVE_INVALID.
// A plan with a runAsync in flight is freed when that run settles (the run still completes and applies its updates);
// plans made from a disposed program keep working.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_value v = arg(info, 0);
  bool ok = false;
  if (napi_check_object_type_tag(env, v, &kProgramTag, &ok) == napi_ok && ok) {
    ProgramHandle* h = unwrap<ProgramHandle>(env, v, kProgramTag, "handle");
    h->program.reset();
    h->unaccount(env);
    return env.Undefined();
  }
  if (napi_check_object_type_tag(env, v, &kPlanTag, &ok) == napi_ok && ok) {
    // the per-call arrays stay: a getter of run's arguments may call dispose while run fills them
    PlanHandle* h = unwrap<PlanHandle>(env, v, kPlanTag, "handle");
    h->plan.reset();
    h->unaccount(env);
    return env.Undefined();
  }
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  type_fail(env, "dispose: handle must be a program or plan handle from this addon, got " + describe(env, v));
}

// ---- createProgram ----------------------------------------------------------------------------------------------

Napi::Value CreateProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_value desc = object_arg(info, 0, "createProgram: desc");
  // 1. read every property and element (getters may run JS) ...
  napi_value slots = get_prop(env, desc, "slots"), steps = get_prop(env, desc, "steps"), floats = get_prop(env, desc, "floats"),
             names = get_prop(env, desc, "kernelNames"), constants = get_prop(env, desc, "constants"),
             updates = get_prop(env, desc, "updates"), n_inputs = get_prop(env, desc, "nInputs"), n_shared = get_prop(env, desc, "nShared");
  std::vector<napi_value> name_vals, const_vals;
  array_elements(env, names, "createProgram: desc.kernelNames", &name_vals, 1u << 20);
  array_elements(env, constants, "createProgram: desc.constants", &const_vals, 1u << 24);
  ProgramDesc d;
  d.kernel_names.reserve(name_vals.size());
  for (size_t i = 0; i < name_vals.size(); i++) {
    napi_valuetype t;
    if (napi_typeof(env, name_vals[i], &t) != napi_ok || t != napi_string)
      type_fail(env, "createProgram: desc.kernelNames[" + std::to_string(i) + "] must be a string, got " + describe(env, name_vals[i]));
    d.kernel_names.push_back(Napi::String(env, name_vals[i]).Utf8Value());
  }
  d.n_inputs = int64_t(integer_field(env, n_inputs, "createProgram: desc.nInputs", 0, double(kMaxSlots)));
  d.n_shared = int64_t(integer_field(env, n_shared, "createProgram: desc.nShared", 0, double(kMaxSlots)));
  // 2. ... then take raw pointers: no JS runs from here until Program::create has copied what it keeps.
  typed_field(env, slots, napi_int32_array, "createProgram: desc.slots", &d.slots, &d.slots_len);
  typed_field(env, steps, napi_int32_array, "createProgram: desc.steps", &d.steps, &d.steps_len);
  typed_field(env, floats, napi_float64_array, "createProgram: desc.floats", &d.floats, &d.floats_len);
  typed_field(env, updates, napi_int32_array, "createProgram: desc.updates", &d.updates, &d.updates_len);
  if (!d.slots) d.slots = kNoInts;
  if (!d.steps) d.steps = kNoInts;
  if (!d.updates) d.updates = kNoInts;
  if (!d.floats) d.floats = kNoFloats;
  for (size_t i = 0; i < const_vals.size(); i++) {
    TypedView tv;
    std::string what = "createProgram: desc.constants[" + std::to_string(i) + "]";
    if (!typed_view(env, const_vals[i], &tv) || dtype_of_array_type(tv.type) < 0)
      type_fail(env, what + " must be a Float32Array, Float64Array, Int32Array or Uint8Array, got " + describe(env, const_vals[i]));
    if (!tv.data && (tv.length || is_detached_view(env, const_vals[i]))) fail(env, kInvalid, what + " is detached");
    d.constants.push_back({dtype_of_array_type(tv.type), tv.data ? tv.data : kNoInts, tv.length * element_size(tv.type)});
  }
  Failure f;
  std::shared_ptr<const Program> p = Program::create(d, &f);
  if (!p) throw failure_error(env, f);
  int64_t bytes = 0;
  for (const auto& c : p->constants) bytes += int64_t(c->bytes());
  auto* h = new ProgramHandle();
  h->program = std::move(p);
  Napi::Value handle = make_handle(env, h, kProgramTag);
  h->account(env, bytes);
  return handle;
}

// ---- createPlan -------------------------------------------------------------------------------------------------

Napi::Value CreatePlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<const Program> program = program_of(env, arg(info, 0));
  napi_value desc = object_arg(info, 1, "createPlan: desc");
  napi_value shapes = get_prop(env, desc, "shapes"), offsets = get_prop(env, desc, "offsets"), arena = get_prop(env, desc, "arenaBytes");
  PlanDesc d;
  double ab;
  if (napi_get_value_double(env, arena, &ab) != napi_ok) type_fail(env, "createPlan: desc.arenaBytes must be a number, got " + describe(env, arena));
  d.arena_bytes = ab;
  typed_field(env, shapes, napi_int32_array, "createPlan: desc.shapes", &d.shapes, &d.shapes_len);
  typed_field(env, offsets, napi_float64_array, "createPlan: desc.offsets", &d.offsets, &d.offsets_len);
  napi_value skip = get_prop(env, desc, "skip"), alias = get_prop(env, desc, "sharedAlias");
  if (!is_nullish(env, skip)) typed_field(env, skip, napi_uint8_array, "createPlan: desc.skip", &d.skip, &d.skip_len);
  if (!is_nullish(env, alias)) typed_field(env, alias, napi_int32_array, "createPlan: desc.sharedAlias", &d.shared_alias, &d.shared_alias_len);
  if (!d.shapes) d.shapes = kNoInts;
  if (!d.offsets) d.offsets = kNoFloats;
  Failure f;
  std::shared_ptr<Plan> plan = Plan::create(program, d, &f);
  if (!plan) throw failure_error(env, f);

  auto* h = new PlanHandle();
  h->plan = plan;
  h->in_vals.resize(size_t(program->n_inputs));
  h->sh_vals.resize(size_t(program->n_shared));
  h->sh_dst.resize(size_t(program->n_shared));
  Napi::Value handle = make_handle(env, h, kPlanTag);
  h->account(env, int64_t(plan->scratch_bytes()));
  Napi::Object out = Napi::Object::New(env);
  out.Set("plan", handle);
  out.Set("arena", external_buffer(env, plan->arena(), plan->arena_bytes(), false));
  const auto& deferred = plan->deferred_updates();
  Napi::Int32Array du = Napi::Int32Array::New(env, deferred.size());
  for (size_t i = 0; i < deferred.size(); i++) du[i] = deferred[i];
  out.Set("deferredUpdates", du);
  return out;
}

// ---- binding inputs and shared values ---------------------------------------------------------------------------

// Reads the elements of inputs/shared into the handle's per-call arrays (getters may run JS here: the caller has
// already marked the plan busy, so a reentrant run/runAsync/dispose of this plan fails with BUSY).
void fetch_args(Napi::Env env, const Program& prog, PlanHandle* h, napi_value inputs, napi_value shared, const char* fn) {
  bool is = false;
  uint32_t n = 0;
  if (napi_is_array(env, inputs, &is) != napi_ok || !is) type_fail(env, std::string(fn) + ": inputs must be an array, got " + describe(env, inputs));
  napi_get_array_length(env, inputs, &n);
  if (n != prog.n_inputs) fail(env, kInvalid, std::string(fn) + ": inputs has " + std::to_string(n) + " element(s), the program takes " + std::to_string(prog.n_inputs));
  for (uint32_t i = 0; i < n; i++)
    if (napi_get_element(env, inputs, i, &h->in_vals[i]) != napi_ok) throw Napi::Error::New(env);
  if (napi_is_array(env, shared, &is) != napi_ok || !is) type_fail(env, std::string(fn) + ": shared must be an array, got " + describe(env, shared));
  napi_get_array_length(env, shared, &n);
  if (n != prog.n_shared) fail(env, kInvalid, std::string(fn) + ": shared has " + std::to_string(n) + " element(s), the program takes " + std::to_string(prog.n_shared));
  for (uint32_t i = 0; i < n; i++)
    if (napi_get_element(env, shared, i, &h->sh_vals[i]) != napi_ok) throw Napi::Error::New(env);
}

// Validates one bound value against a binding and returns its data pointer. No JS runs.
void* check_bound(Napi::Env env, napi_value v, const Binding& b, const char* fn, napi_value* arraybuffer) {
  auto what = [&] { return std::string(fn) + ": " + (b.kind == SLOT_INPUT ? "inputs" : "shared") + "[" + std::to_string(b.ref) + "]"; };
  napi_typedarray_type type;
  size_t length;
  void* data = nullptr;
  // napi_get_typedarray_info fails (without a pending exception) for anything but a typed array
  if (napi_get_typedarray_info(env, v, &type, &length, &data, arraybuffer, nullptr) != napi_ok)
    type_fail(env, what() + " must be a " + typed_array_name(array_type_of(b.dtype)) + ", got " + describe(env, v));
  if (type != array_type_of(b.dtype))
    fail(env, kDType, what() + " must be a " + typed_array_name(array_type_of(b.dtype)) + " (" + dtype_name(b.dtype) + "), got a " + typed_array_name(type),
         Kind::TypeError);
  size_t bytes = length * element_size(type);
  if (bytes != b.bytes || (!data && b.bytes)) {
    if (is_detached_view(env, v)) fail(env, kInvalid, what() + " is detached");
    fail(env, kShape, what() + " has " + std::to_string(bytes) + " bytes, the plan expects " + std::to_string(b.bytes) + " (" +
                          std::to_string(b.bytes / dtype_size(DType(b.dtype))) + " elements)");
  }
  return data;
}

// ---- run --------------------------------------------------------------------------------------------------------

struct BusyScope {
  Plan* plan;
  explicit BusyScope(Plan* p) : plan(p) { plan->busy = true; }
  ~BusyScope() { plan->busy = false; }
};

// run(plan, inputs: TypedArray[], shared: TypedArray[]) -> undefined
Napi::Value Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PlanHandle* h = plan_handle_of(env, arg(info, 0));
  std::shared_ptr<Plan> keep = h->plan;  // a getter may dispose the handle meanwhile
  Plan& plan = *keep;
  if (plan.busy) fail(env, kBusy, "run: the plan is busy (a runAsync on it has not settled yet)");
  BusyScope busy(&plan);
  fetch_args(env, plan.program(), h, arg(info, 1), arg(info, 2), "run");
  const auto& bindings = plan.bindings();
  for (size_t b = 0; b < bindings.size(); b++) {
    const Binding& bd = bindings[b];
    napi_value v = bd.kind == SLOT_INPUT ? h->in_vals[size_t(bd.ref)] : h->sh_vals[size_t(bd.ref)];
    void* data = check_bound(env, v, bd, "run", nullptr);
    if (bd.kind == SLOT_SHARED) h->sh_dst[size_t(bd.ref)] = data;
    if (plan.bind(b, data, false) != OK) fail(env, kAlloc, "run: cannot allocate a staging buffer for an unaligned argument");
  }
  int32_t step = -1;
  Status st = plan.run(&step);
  if (st != OK) throw run_error(env, plan, st, step);
  plan.apply_updates(h->sh_dst.data());
  return env.Undefined();
}

// Binds every input/shared slot of `plan` to the typed arrays vals[0..nInputs) (inputs) and
// vals[nInputs..nInputs+nShared) (shared), then runs it and applies the native updates. No JS runs in here.
void bind_and_run(Napi::Env env, Plan& plan, PlanHandle* h, const napi_value* vals, const char* fn) {
  const int64_t n_inputs = plan.program().n_inputs;
  const auto& bindings = plan.bindings();
  for (size_t b = 0; b < bindings.size(); b++) {
    const Binding& bd = bindings[b];
    napi_value v = vals[bd.kind == SLOT_INPUT ? size_t(bd.ref) : size_t(n_inputs + bd.ref)];
    void* data = check_bound(env, v, bd, fn, nullptr);
    if (bd.kind == SLOT_SHARED) h->sh_dst[size_t(bd.ref)] = data;
    if (plan.bind(b, data, false) != OK) fail(env, kAlloc, std::string(fn) + ": cannot allocate a staging buffer for an unaligned argument");
  }
  int32_t step = -1;
  Status st = plan.run(&step);
  if (st != OK) throw run_error(env, plan, st, step);
  plan.apply_updates(h->sh_dst.data());
}

// runArgs(plan, ...inputs, ...shared) -> undefined. A raw N-API callback (no node-addon-api argument copy).
napi_value RunArgs(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  constexpr size_t kStackArgs = 16;
  napi_value stack_argv[kStackArgs];
  size_t argc = kStackArgs;
  if (napi_get_cb_info(raw_env, info, &argc, stack_argv, nullptr, nullptr) != napi_ok) throw Napi::Error::New(env);
  napi_value first = argc > 0 ? stack_argv[0] : napi_value(env.Undefined());
  PlanHandle* h = plan_handle_of(env, first);
  std::shared_ptr<Plan> keep = h->plan;
  Plan& plan = *keep;
  const Program& prog = plan.program();
  const int64_t want = prog.n_inputs + prog.n_shared;
  if (int64_t(argc) - 1 != want)
    fail(env, kInvalid, "runArgs: got " + std::to_string(argc - 1) + " array(s) after the plan, the program takes " + std::to_string(prog.n_inputs) +
                            " input(s) then " + std::to_string(prog.n_shared) + " shared value(s)");
  const napi_value* argv = stack_argv;
  if (argc > kStackArgs) {
    h->argv.resize(argc);
    size_t n = argc;
    if (napi_get_cb_info(raw_env, info, &n, h->argv.data(), nullptr, nullptr) != napi_ok || n != argc) throw Napi::Error::New(env);
    argv = h->argv.data();
  }
  if (plan.busy) fail(env, kBusy, "runArgs: the plan is busy (a runAsync on it has not settled yet)");
  BusyScope busy(&plan);
  bind_and_run(env, plan, h, argv + 1, "runArgs");
  return nullptr;
}

// ---- runAsync ---------------------------------------------------------------------------------------------------

// One runAsync call. Created and destroyed on the main thread; `execute` alone runs on a libuv worker thread.
// Raw napi_async_work (not Napi::AsyncWorker) so that nothing can throw out of the completion callback, which also
// runs while a worker_threads environment is being torn down (then settling the promise simply fails).
class AsyncRun {
 public:
  AsyncRun(napi_env env, std::shared_ptr<Plan> plan) : env_(env), plan_(std::move(plan)) {}

  ~AsyncRun() {  // main thread
    release_busy();
    for (napi_ref r : refs_) napi_delete_reference(env_, r);
    if (work_) napi_delete_async_work(env_, work_);
  }

  // Main thread: marks the plan busy until this run settles.
  void acquire_busy() {
    plan_->busy = true;
    owns_busy_ = true;
  }
  void release_busy() {
    if (owns_busy_) plan_->busy = false;
    owns_busy_ = false;
  }

  // Main thread: binds every input/shared value (copying any memory JS could free while the run reads it) and keeps
  // references to the shared arrays that receive updates.
  void bind(Napi::Env env, PlanHandle* h) {
    Plan& plan = *plan_;
    const auto& bindings = plan.bindings();
    for (size_t b = 0; b < bindings.size(); b++) {
      const Binding& bd = bindings[b];
      napi_value v = bd.kind == SLOT_INPUT ? h->in_vals[size_t(bd.ref)] : h->sh_vals[size_t(bd.ref)];
      napi_value ab = nullptr;
      void* data = check_bound(env, v, bd, "runAsync", &ab);
      bool copy = true;
      if (bd.bytes) {
        void* base = nullptr;
        size_t ab_len = 0;
        if (ab && napi_get_arraybuffer_info(env, ab, &base, &ab_len) == napi_ok && base) {
          std::shared_ptr<AlignedBuffer> owned = find_alloc(base);
          if (owned) {
            held_.push_back(std::move(owned));
            copy = false;
          }
        }
      }
      if (plan.bind(b, data, copy) != OK) fail(env, kAlloc, "runAsync: cannot allocate a staging buffer");
    }
    refs_.reserve(plan.native_updates().size());
    for (const NativeUpdate& u : plan.native_updates()) {
      napi_ref ref;
      if (napi_create_reference(env, h->sh_vals[size_t(u.shared)], 1, &ref) != napi_ok) throw Napi::Error::New(env);
      refs_.push_back(ref);
    }
  }

  // Main thread: creates the promise and queues the work. On success the AsyncRun owns itself (deleted in complete).
  napi_value queue(Napi::Env env) {
    napi_value promise, name;
    if (napi_create_promise(env, &deferred_, &promise) != napi_ok) throw Napi::Error::New(env);
    if (napi_create_string_utf8(env, "nodeano.runAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_async_work(env, nullptr, name, execute, complete, this, &work_) != napi_ok ||
        napi_queue_async_work(env, work_) != napi_ok) {
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
    r->status_ = r->plan_->run(&r->step_);
  }

  // Main thread (also during environment teardown, with status napi_cancelled or with JS no longer callable).
  static void complete(napi_env env, napi_status work_status, void* data) {
    std::unique_ptr<AsyncRun> r(static_cast<AsyncRun*>(data));
    r->release_busy();
    napi_value result = nullptr;
    bool ok = false;
    try {
      Napi::Env e(env);
      if (work_status != napi_ok) {
        result = make_error(e, kInvalid, "runAsync: the run was cancelled").Value();
      } else if (r->status_ != OK) {
        result = run_error(e, *r->plan_, r->status_, r->step_).Value();
      } else {
        result = r->finish(e, &ok);
      }
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

  // Main thread: applies the native updates (all or none) and returns the resolution value or an error.
  napi_value finish(Napi::Env env, bool* ok) {
    const auto& ups = plan_->native_updates();
    std::vector<void*> dst(size_t(plan_->program().n_shared), nullptr);
    for (size_t i = 0; i < ups.size(); i++) {
      const NativeUpdate& u = ups[i];
      napi_value v = nullptr;
      TypedView tv;
      if (napi_get_reference_value(env, refs_[i], &v) != napi_ok || !v || !typed_view(env, v, &tv) || tv.type != array_type_of(u.dtype) ||
          tv.length * element_size(tv.type) != u.bytes || (u.bytes && !tv.data)) {
        return make_error(env, kInvalid,
                          "runAsync: shared[" + std::to_string(u.shared) + "] was detached or resized while the run was in flight; no update was applied")
            .Value();
      }
      dst[size_t(u.shared)] = tv.data;
    }
    plan_->apply_updates(dst.data());
    *ok = true;
    return env.Undefined();
  }

  napi_env env_;
  std::shared_ptr<Plan> plan_;
  napi_async_work work_ = nullptr;
  napi_deferred deferred_ = nullptr;
  std::vector<std::shared_ptr<AlignedBuffer>> held_;  // alloc()'d buffers read without copying
  std::vector<napi_ref> refs_;                       // shared arrays receiving native updates (same order)
  Status status_ = OK;
  int32_t step_ = -1;
  bool owns_busy_ = false;
};

napi_value rejected_promise(Napi::Env env, napi_value error) {
  Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
  d.Reject(error);
  return d.Promise();
}

// runAsync(plan, inputs, shared) -> Promise<undefined>. Every error, including BUSY and bad arguments, rejects.
Napi::Value RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::unique_ptr<AsyncRun> run;
  napi_value error;
  try {
    PlanHandle* h = plan_handle_of(env, arg(info, 0));
    std::shared_ptr<Plan> plan = h->plan;
    if (plan->busy) fail(env, kBusy, "runAsync: the plan is busy (another run on it has not settled yet)");
    run.reset(new AsyncRun(env, plan));
    run->acquire_busy();  // released when the run completes, or when `run` is destroyed on an error below
    fetch_args(env, plan->program(), h, arg(info, 1), arg(info, 2), "runAsync");
    run->bind(env, h);
    napi_value promise = run->queue(env);
    run.release();  // owned by the queued work now
    return Napi::Value(env, promise);
  } catch (const Napi::Error& e) {
    error = e.Value();
  } catch (const std::bad_alloc&) {
    error = make_error(env, kAlloc, "runAsync: out of memory").Value();
  } catch (...) {
    error = make_error(env, kInvalid, "runAsync: internal error").Value();
  }
  run.reset();
  return Napi::Value(env, rejected_promise(env, error));
}

// ---- module -----------------------------------------------------------------------------------------------------

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New<guarded<Info>>(env, "info"));
  exports.Set("hasKernel", Napi::Function::New<guarded<HasKernel>>(env, "hasKernel"));
  exports.Set("kernels", Napi::Function::New<guarded<Kernels>>(env, "kernels"));
  exports.Set("createProgram", Napi::Function::New<guarded<CreateProgram>>(env, "createProgram"));
  exports.Set("createPlan", Napi::Function::New<guarded<CreatePlan>>(env, "createPlan"));
  exports.Set("run", Napi::Function::New<guarded<Run>>(env, "run"));
  exports.Set("runAsync", Napi::Function::New<guarded<RunAsync>>(env, "runAsync"));
  {
    napi_value fn;
    if (napi_create_function(env, "runArgs", NAPI_AUTO_LENGTH, raw_guarded<RunArgs>, nullptr, &fn) != napi_ok) throw Napi::Error::New(env);
    exports.Set("runArgs", Napi::Value(env, fn));
  }
  exports.Set("alloc", Napi::Function::New<guarded<Alloc>>(env, "alloc"));
  exports.Set("setThreads", Napi::Function::New<guarded<SetThreads>>(env, "setThreads"));
  exports.Set("getThreads", Napi::Function::New<guarded<GetThreads>>(env, "getThreads"));
  exports.Set("dispose", Napi::Function::New<guarded<Dispose>>(env, "dispose"));
  exports.Set("rawSgemm", Napi::Function::New<guarded<RawSgemm>>(env, "rawSgemm"));
  return exports;
}

}  // namespace
}  // namespace nodeano

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nodeano::Init(env, exports); }

NODE_API_MODULE(nodeano, InitModule)
