// The Scan loop: one step of a plan whose body is a plan of its own (see scan_loop.cc for the layout).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "kernel.h"

namespace nodeano {

class Plan;

// Main thread, when the outer plan is made: prepares the Scan step of `ctx` (shapes only) over `body`, the plan of
// its body for the row shapes this step feeds it, for `n` iterations. On any mismatch between the layout, the step's
// shapes and the body's plan returns ERR_INVALID and says why; the step then cannot run.
Status scan_loop_prepare(const KernelCtx& ctx, std::shared_ptr<Plan> body, int64_t n, PreparedStep* out, std::string* why);

}  // namespace nodeano
