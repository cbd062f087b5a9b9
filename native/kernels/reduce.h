// Reductions (sum, mean, max, min, prod, all, any, argmax, argmin, logsumexp, sum-to-shape, element counts) and
// softmax along an axis.
#pragma once
#include "kernel.h"

namespace nodeano {

Status sum_kernel(const KernelCtx& ctx);
Status mean_kernel(const KernelCtx& ctx);
Status max_kernel(const KernelCtx& ctx);
Status min_kernel(const KernelCtx& ctx);
Status prod_kernel(const KernelCtx& ctx);
Status all_kernel(const KernelCtx& ctx);
Status any_kernel(const KernelCtx& ctx);
Status argmax_kernel(const KernelCtx& ctx);
Status argmin_kernel(const KernelCtx& ctx);
Status logsumexp_kernel(const KernelCtx& ctx);
Status sum_to_kernel(const KernelCtx& ctx);
Status axis_count_kernel(const KernelCtx& ctx);
Status softmax_kernel(const KernelCtx& ctx);
Status log_softmax_kernel(const KernelCtx& ctx);

// Prepare functions (kernel.h).
Status sum_prepare(const KernelCtx& ctx, PreparedStep* out);
Status mean_prepare(const KernelCtx& ctx, PreparedStep* out);
Status max_prepare(const KernelCtx& ctx, PreparedStep* out);
Status min_prepare(const KernelCtx& ctx, PreparedStep* out);
Status prod_prepare(const KernelCtx& ctx, PreparedStep* out);
Status all_prepare(const KernelCtx& ctx, PreparedStep* out);
Status any_prepare(const KernelCtx& ctx, PreparedStep* out);
Status argmax_prepare(const KernelCtx& ctx, PreparedStep* out);
Status argmin_prepare(const KernelCtx& ctx, PreparedStep* out);
Status logsumexp_prepare(const KernelCtx& ctx, PreparedStep* out);
Status sum_to_prepare(const KernelCtx& ctx, PreparedStep* out);

}  // namespace nodeano
