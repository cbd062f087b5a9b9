// Softmax cross-entropy from logits and its gradient with respect to the logits.
#pragma once
#include "kernel.h"

namespace nodeano {

Status softmax_xent_kernel(const KernelCtx& ctx);
Status softmax_xent_grad_kernel(const KernelCtx& ctx);

}  // namespace nodeano
