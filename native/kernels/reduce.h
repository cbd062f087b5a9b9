// Reductions (sum, mean, max, sum-to-shape, element counts) and row-wise softmax.
#pragma once
#include "kernel.h"

namespace nodeano {

Status sum_kernel(const KernelCtx& ctx);
Status mean_kernel(const KernelCtx& ctx);
Status max_kernel(const KernelCtx& ctx);
Status sum_to_kernel(const KernelCtx& ctx);
Status axis_count_kernel(const KernelCtx& ctx);
Status softmax_kernel(const KernelCtx& ctx);
Status log_softmax_kernel(const KernelCtx& ctx);

// Prepare functions (kernel.h).
Status sum_prepare(const KernelCtx& ctx, PreparedStep* out);
Status mean_prepare(const KernelCtx& ctx, PreparedStep* out);
Status max_prepare(const KernelCtx& ctx, PreparedStep* out);
Status sum_to_prepare(const KernelCtx& ctx, PreparedStep* out);

}  // namespace nodeano
