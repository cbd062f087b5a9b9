// The Fused kernel: a chain of elementwise ops run as a tiny register program over L1-sized blocks, so the chain
// reads its inputs and writes its output once instead of once per op.
#pragma once
#include "kernel.h"

namespace nodeano {

// Fused opcodes (ints attr): (opcode, a, b) per op; ternary ops (Select = 18, Clip) are followed by c. Opcodes past
// Select are the later ops of elementwise_ops.h (run through the generic span).
enum FusedOpcode : int32_t {
  kFusedConst = 0, kFusedAdd, kFusedSub, kFusedMul, kFusedDiv, kFusedPow, kFusedNeg, kFusedSqr, kFusedSqrt,
  kFusedExp, kFusedLog, kFusedAbs, kFusedSign, kFusedTanh, kFusedSigmoid, kFusedMaximum, kFusedMinimum,
  kFusedGreaterThan, kFusedSelect,
};

Status fused_kernel(const KernelCtx& ctx);
Status fused_prepare(const KernelCtx& ctx, PreparedStep* out);

}  // namespace nodeano
