// Running reductions along one axis (cumsum, cumprod), or over the flattened tensor.
#pragma once
#include "kernel.h"

namespace nodeano {

Status cumsum_kernel(const KernelCtx& ctx);
Status cumprod_kernel(const KernelCtx& ctx);

}  // namespace nodeano
