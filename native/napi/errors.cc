#include "errors.h"

namespace nodeano {
namespace napi {

namespace {

const char* code_of(int32_t status) {
  switch (status) {
    case ERR_SHAPE: return kShape;
    case ERR_DTYPE: return kDType;
    case ERR_UNSUPPORTED: return kUnsupported;
    case ERR_ALLOC: return kAlloc;
    default: return kInvalid;
  }
}

}  // namespace

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

Napi::Error make_error(Napi::Env env, const char* code, const std::string& msg, Kind kind, int32_t status, int32_t step) {
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

void fail(Napi::Env env, const char* code, const std::string& msg, Kind kind) { throw make_error(env, code, msg, kind); }

void type_fail(Napi::Env env, const std::string& msg) { fail(env, kInvalid, msg, Kind::TypeError); }

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
  const auto& steps = plan.program().steps;
  const std::string kernel = step >= 0 && size_t(step) < steps.size() ? steps[size_t(step)].kernel : "?";
  return make_error(env, code_of(st),
                    "kernel " + kernel + " (step " + std::to_string(step) + ")" + plan.failure_detail(step) + " failed with " + status_name(st) + " (status " +
                        std::to_string(int(st)) + ")",
                    Kind::Error, st, step);
}

void clear_pending(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
}

}  // namespace napi
}  // namespace nodeano
