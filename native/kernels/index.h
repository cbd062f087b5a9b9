// Indexing kernels: basic slicing (Subtensor, IncSubtensor), integer-array indexing on one axis (Take, IncTake) and
// bool masks (BooleanMask, BooleanMaskGrad).
#pragma once
#include "kernel.h"

namespace nodeano {

Status subtensor_kernel(const KernelCtx& ctx);
Status inc_subtensor_kernel(const KernelCtx& ctx);
Status take_kernel(const KernelCtx& ctx);
Status inc_take_kernel(const KernelCtx& ctx);
Status boolean_mask_kernel(const KernelCtx& ctx);
Status boolean_mask_grad_kernel(const KernelCtx& ctx);

}  // namespace nodeano
