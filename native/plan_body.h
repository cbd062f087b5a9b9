// A Plan seen as a loop body (LoopBody, native/kernels/scan_loop.h). Plain C++, no N-API.
#pragma once
#include <memory>
#include <string>

#include "kernels/scan_loop.h"
#include "plan.h"

namespace nodeano {

// Main thread, when the outer plan is made: `plan` (a body's plan: no shared values, no updates) as a LoopBody, its
// staging buffers reserved. ERR_INVALID with `why` when the plan cannot be a body (a direct output that is no
// output of the body program), ERR_ALLOC when staging cannot be had.
Status make_loop_body(std::shared_ptr<Plan> plan, std::unique_ptr<LoopBody>* out, std::string* why);

}  // namespace nodeano
