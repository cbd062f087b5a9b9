// run and runAsync: one binding core (check every argument against the plan's bindings, bind it, no JS runs) used by
// a synchronous entry and an asynchronous one. Both take the plan, then the program's inputs, then its shared
// values, as separate arguments: no JS array to read element by element, no getter that could run in between.
#pragma once
#include <napi.h>

namespace nodeano {
namespace napi {

// run(plan, ...inputs, ...shared) -> undefined. Main thread: runs every step, then lands the native updates.
napi_value run(napi_env env, napi_callback_info info);

// runAsync(plan, ...inputs, ...shared) -> Promise<undefined>. Binds on the main thread, runs the steps on a libuv
// worker thread, lands the updates on the main thread when the promise settles. Never throws: every error rejects.
napi_value run_async(napi_env env, napi_callback_info info);

}  // namespace napi
}  // namespace nodeano
