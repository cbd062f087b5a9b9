// Matrix products through CBLAS (OpenBLAS); the BLAS thread count is set by the addon, not here.
#pragma once
#include "kernel.h"

namespace nodeano {

Status dot_kernel(const KernelCtx& ctx);
Status gemm_kernel(const KernelCtx& ctx);
Status dot_prepare(const KernelCtx& ctx, PreparedStep* out);
Status gemm_prepare(const KernelCtx& ctx, PreparedStep* out);
Status tensordot_kernel(const KernelCtx& ctx);
Status tensordot_prepare(const KernelCtx& ctx, PreparedStep* out);
// Scratch for a Gemm whose product broadcasts to a larger out (0 otherwise).
size_t gemm_scratch_bytes(const KernelCtx& ctx);

}  // namespace nodeano
