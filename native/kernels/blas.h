// Matrix products through CBLAS (OpenBLAS); the BLAS thread count is set by the addon, not here.
#pragma once
#include "kernel.h"

namespace nodeano {

Status dot_kernel(const KernelCtx& ctx);
Status gemm_kernel(const KernelCtx& ctx);

}  // namespace nodeano
