// A Plan seen as a loop body (LoopBody, native/kernels/scan_loop.h), and the kernels that run bodies prepared over them. Plain C++, no N-API.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "kernels/scan_loop.h"
#include "plan.h"

namespace nodeano {

// Main thread, when the outer plan is made: `plan` (a body's plan: no shared values, no updates) as a LoopBody, its
// staging buffers reserved. ERR_INVALID with `why` when the plan cannot be a body (a direct output that is no
// output of the body program), ERR_ALLOC when staging cannot be had.
Status make_loop_body(std::shared_ptr<Plan> plan, std::unique_ptr<LoopBody>* out, std::string* why);

// Main thread, when the outer plan is made: prepares a step that runs bodies over them, in the step's order (Scan: one
// body, run `iterations` times; IfElse: two branches, either may be null when it could not be planned). ERR_INVALID
// with `why` for a kernel that runs no body, a wrong number of bodies, or a step that does not fit them.
Status prepare_body_step(const std::string& kernel, const KernelCtx& ctx, std::vector<std::unique_ptr<LoopBody>> bodies, int64_t iterations, PreparedStep* out,
                         std::string* why);

}  // namespace nodeano
