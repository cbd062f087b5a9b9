// run and runAsync: one binding core (check every argument against the plan's bindings, bind it, no JS runs) used by
// a synchronous entry and an asynchronous one. Both take the plan, then the program's inputs, then its shared
// values, as separate arguments: no JS array to read element by element, no getter that could run in between.
#pragma once
#include <napi.h>

namespace nodeano {
namespace napi {

// run(plan, ...inputs, ...shared) -> undefined. Main thread: runs every step, then lands the native updates.
napi_value run(napi_env env, napi_callback_info info);

// A plan's bound run: run(...inputs, ...shared, ...outputs), the same as run with the plan taken from the function
// itself (no handle to check on every call). `cb` is run_bound wrapped for errors; the function holds the handle.
napi_value run_bound(napi_env env, napi_callback_info info);
napi_value bound_run(napi_env env, napi_value plan_handle, napi_callback cb);

// runAsync(plan, ...inputs, ...shared) -> Promise<undefined>. Binds on the main thread, runs the steps on a libuv
// worker thread, lands the updates on the main thread when the promise settles. Never throws: every error rejects.
napi_value run_async(napi_env env, napi_callback_info info);

}  // namespace napi
}  // namespace nodeano
