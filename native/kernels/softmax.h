// Logsumexp over axes, and softmax / log-softmax along one axis.
#pragma once
#include "kernel.h"

namespace nodeano {

Status logsumexp_kernel(const KernelCtx& ctx);
Status softmax_kernel(const KernelCtx& ctx);
Status log_softmax_kernel(const KernelCtx& ctx);

// Prepare functions (kernel.h).
Status logsumexp_prepare(const KernelCtx& ctx, PreparedStep* out);

}  // namespace nodeano
