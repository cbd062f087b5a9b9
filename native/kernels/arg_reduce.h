// Arg-reductions over axes: the index of the largest / smallest element within each group (argmax, argmin).
#pragma once
#include "kernel.h"

namespace nodeano {

Status argmax_kernel(const KernelCtx& ctx);
Status argmin_kernel(const KernelCtx& ctx);

// Prepare functions (kernel.h).
Status argmax_prepare(const KernelCtx& ctx, PreparedStep* out);
Status argmin_prepare(const KernelCtx& ctx, PreparedStep* out);

}  // namespace nodeano
