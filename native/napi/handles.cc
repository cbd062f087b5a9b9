#include "handles.h"

#include <string>

#include "errors.h"
#include "values.h"

namespace nodeano {
namespace napi {

namespace {

// Random tags: only externals made by this addon carry them.
const napi_type_tag kProgramTag = {0x6e6f6465616e6f50ULL, 0x9b1c0e5a2f4d3c71ULL};
const napi_type_tag kPlanTag = {0x6e6f6465616e6f4cULL, 0x3e8a5d17c0b24f96ULL};

bool has_tag(napi_env env, napi_value v, const napi_type_tag& tag) {
  bool ok = false;
  if (napi_check_object_type_tag(env, v, &tag, &ok) != napi_ok) {
    clear_pending(env);
    return false;
  }
  return ok;
}

// `fn` and `what` name the argument in errors (the message is built only on failure: run calls this every time).
template <class H>
H* unwrap(Napi::Env env, napi_value v, const napi_type_tag& tag, const char* fn, const char* what) {
  auto name = [&] { return std::string(fn) + (*fn ? ": " : "") + what; };
  if (!has_tag(env, v, tag)) type_fail(env, name() + " must be a " + (&tag == &kPlanTag ? "plan" : "program") + " handle from this addon, got " + describe(env, v));
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) type_fail(env, name() + " is not a handle");
  return static_cast<H*>(p);
}

template <class H>
Napi::Value make_handle(Napi::Env env, H* h, const napi_type_tag& tag, int64_t accounted_bytes) {
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
  h->account(env, accounted_bytes);
  return Napi::Value(env, ext);
}

}  // namespace

void Accounted::account(napi_env env, int64_t bytes) {
  int64_t ignored;
  if (bytes && napi_adjust_external_memory(env, bytes, &ignored) == napi_ok) external_bytes += bytes;
}

void Accounted::unaccount(napi_env env) {
  int64_t ignored;
  if (external_bytes) napi_adjust_external_memory(env, -external_bytes, &ignored);
  external_bytes = 0;
}

Napi::Value make_program_handle(Napi::Env env, std::shared_ptr<const Program> program, int64_t accounted_bytes) {
  auto* h = new ProgramHandle();
  h->program = std::move(program);
  return make_handle(env, h, kProgramTag, accounted_bytes);
}

Napi::Value make_plan_handle(Napi::Env env, std::shared_ptr<Plan> plan, int64_t accounted_bytes) {
  auto* h = new PlanHandle();
  h->plan = std::move(plan);
  return make_handle(env, h, kPlanTag, accounted_bytes);
}

std::shared_ptr<const Program> program_of(Napi::Env env, napi_value v) {
  ProgramHandle* h = unwrap<ProgramHandle>(env, v, kProgramTag, "", "program");
  if (!h->program) fail(env, kInvalid, "the program was disposed");
  return h->program;
}

PlanHandle* plan_handle_of(Napi::Env env, napi_value v, const char* fn) {
  PlanHandle* h = unwrap<PlanHandle>(env, v, kPlanTag, fn, "plan");
  if (!h->plan) fail(env, kInvalid, std::string(fn) + ": the plan was disposed");
  return h;
}

void dispose_handle(Napi::Env env, napi_value v) {
  if (has_tag(env, v, kProgramTag)) {
    ProgramHandle* h = unwrap<ProgramHandle>(env, v, kProgramTag, "dispose", "handle");
    h->program.reset();
    h->unaccount(env);
  } else if (has_tag(env, v, kPlanTag)) {
    PlanHandle* h = unwrap<PlanHandle>(env, v, kPlanTag, "dispose", "handle");
    h->plan.reset();  // an async run in flight holds the plan until it settles
    h->unaccount(env);
  } else {
    type_fail(env, "dispose: handle must be a program or plan handle from this addon, got " + describe(env, v));
  }
}

}  // namespace napi
}  // namespace nodeano
