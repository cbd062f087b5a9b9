// Level-2 BLAS kernels made by the specialize rewrites: gemv (matrix-vector with accumulate) and ger (rank-1 update).
#pragma once
#include "kernel.h"

namespace nodeano {

Status gemv_kernel(const KernelCtx& ctx);
Status ger_kernel(const KernelCtx& ctx);

}  // namespace nodeano
