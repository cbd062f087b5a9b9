// The Fused kernel (fused.cc, registered as "Fused"): a chain of elementwise ops run as a tiny register program over
// L1-sized blocks, so the chain reads its inputs and writes its output once instead of once per op. Its opcodes are
// the EwCodes of the generated table, which lib/ops/generated/elementwise-opcodes.ts numbers the same.
#pragma once
#include "generated/elementwise_ops.h"
#include "kernel.h"
