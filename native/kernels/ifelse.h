// IfElse: Theano's lazy ifelse as one step over two bodies (plans of their own, seen as LoopBody); ifelse.cc gives
// the layout, lib/scan/ifelse.ts the semantics and the TypeScript reference.
#pragma once
#include <memory>
#include <string>

#include "kernel.h"
#include "scan_loop.h"

namespace nodeano {

// Main thread, when the outer plan is made: prepares the IfElse step of `ctx` (shapes only) over its two branches.
// Either branch may be null (it could not be planned for these shapes): taking it at run time fails with
// ERR_SHAPE and says so. Any mismatch between the step and a branch is ERR_INVALID with `why`.
Status ifelse_prepare(const KernelCtx& ctx, std::unique_ptr<LoopBody> then, std::unique_ptr<LoopBody> otherwise, PreparedStep* out, std::string* why);

}  // namespace nodeano
