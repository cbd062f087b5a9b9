// Neural-network loss and encoding kernels, matching lib/ops/{categorical-crossentropy,binary-crossentropy,one-hot}.ts.
#pragma once
#include "kernel.h"

namespace nodeano {

Status categorical_crossentropy_kernel(const KernelCtx& ctx);
Status categorical_crossentropy_grad_kernel(const KernelCtx& ctx);
Status binary_crossentropy_kernel(const KernelCtx& ctx);
Status binary_crossentropy_with_logits_kernel(const KernelCtx& ctx);
Status one_hot_kernel(const KernelCtx& ctx);

}  // namespace nodeano
