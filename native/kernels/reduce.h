// Reductions over axes (sum, mean, max, min, prod, all, any), sum-to-shape and element counts. Arg-reductions are in
// arg_reduce.h, logsumexp and softmax in softmax.h; the helpers they share in reduce_common.h.
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
Status sum_to_kernel(const KernelCtx& ctx);
Status axis_count_kernel(const KernelCtx& ctx);

// Prepare functions (kernel.h).
Status sum_prepare(const KernelCtx& ctx, PreparedStep* out);
Status mean_prepare(const KernelCtx& ctx, PreparedStep* out);
Status max_prepare(const KernelCtx& ctx, PreparedStep* out);
Status min_prepare(const KernelCtx& ctx, PreparedStep* out);
Status prod_prepare(const KernelCtx& ctx, PreparedStep* out);
Status all_prepare(const KernelCtx& ctx, PreparedStep* out);
Status any_prepare(const KernelCtx& ctx, PreparedStep* out);
Status sum_to_prepare(const KernelCtx& ctx, PreparedStep* out);

}  // namespace nodeano
