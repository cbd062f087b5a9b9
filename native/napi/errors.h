// JS errors of the addon: every error thrown or rejected carries a stable `code`; executor errors also carry the
// Status number and the failing step. Main thread of the calling environment only.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

#include "../plan.h"

namespace nodeano {
namespace napi {

constexpr const char* kShape = "NODEANO_NATIVE_SHAPE";
constexpr const char* kDType = "NODEANO_NATIVE_DTYPE";
constexpr const char* kUnsupported = "NODEANO_NATIVE_UNSUPPORTED";
constexpr const char* kInvalid = "NODEANO_NATIVE_INVALID";
constexpr const char* kAlloc = "NODEANO_NATIVE_ALLOC";
constexpr const char* kBusy = "NODEANO_NATIVE_BUSY";

enum class Kind { Error, TypeError, RangeError };

const char* status_name(int32_t status);

// "nodeano native: <msg>" with `code`, and `status` / `step` when given (status >= 0, step >= -1).
Napi::Error make_error(Napi::Env env, const char* code, const std::string& msg, Kind kind = Kind::Error, int32_t status = -1, int32_t step = -2);
[[noreturn]] void fail(Napi::Env env, const char* code, const std::string& msg, Kind kind = Kind::Error);
// A wrong argument type: a TypeError with code NODEANO_NATIVE_INVALID.
[[noreturn]] void type_fail(Napi::Env env, const std::string& msg);
// A Program::create / Plan::create failure (ERR_UNSUPPORTED also lists the missing kernels in `kernels`).
Napi::Error failure_error(Napi::Env env, const Failure& f);
// A kernel that failed while `plan` ran.
Napi::Error run_error(Napi::Env env, const Plan& plan, Status st, int32_t step);
// Drops an exception a failed N-API check left pending, so that our own error can be thrown instead.
void clear_pending(napi_env env);

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

// The same for a raw N-API callback (no node-addon-api argument copy): the error is thrown into JS and the
// callback returns nothing.
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

}  // namespace napi
}  // namespace nodeano
