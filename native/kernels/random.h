// Random draws from Philox4x32-10 counter-based streams, bit-identical to lib/ops/random.ts.
#pragma once
#include "kernel.h"

namespace nodeano {

Status random_uniform_kernel(const KernelCtx& ctx);
Status random_normal_kernel(const KernelCtx& ctx);
Status random_binomial_kernel(const KernelCtx& ctx);

}  // namespace nodeano
