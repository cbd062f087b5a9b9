// Program and plan handles: type-tagged Externals owning a shared_ptr to the Program / Plan, so a foreign External or
// a program passed where a plan is expected is recognized before its pointer is touched. Main thread of the calling
// environment only (finalizers included).
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>

#include "../plan.h"
#include "../program.h"

namespace nodeano {
namespace napi {

// Native memory a handle keeps alive beyond what V8 sees (constants, kernel scratch), reported with
// napi_adjust_external_memory so that the GC collects unused handles soon enough. Arena and alloc() memory is
// accounted for by V8 through their ArrayBuffers.
struct Accounted {
  int64_t external_bytes = 0;
  void account(napi_env env, int64_t bytes);
  void unaccount(napi_env env);
};

struct ProgramHandle : Accounted {
  std::shared_ptr<const Program> program;  // null once disposed
};

struct PlanHandle : Accounted {
  std::shared_ptr<Plan> plan;  // null once disposed
};

Napi::Value make_program_handle(Napi::Env env, std::shared_ptr<const Program> program, int64_t accounted_bytes);
Napi::Value make_plan_handle(Napi::Env env, std::shared_ptr<Plan> plan, int64_t accounted_bytes);

// The live program of a handle; TypeError for anything but a program handle, NODEANO_NATIVE_INVALID once disposed.
std::shared_ptr<const Program> program_of(Napi::Env env, napi_value v);
// Likewise for a plan handle (`fn` names the export in errors).
PlanHandle* plan_handle_of(Napi::Env env, napi_value v, const char* fn);

// dispose(handle): frees a program or plan now (a plan with a runAsync in flight when that run settles).
void dispose_handle(Napi::Env env, napi_value v);

}  // namespace napi
}  // namespace nodeano
