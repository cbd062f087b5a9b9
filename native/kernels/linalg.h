// Diagonals of matrices (Diag, DiagLike); any dtype, moved by element size.
#pragma once
#include "kernel.h"

namespace nodeano {

Status diag_kernel(const KernelCtx& ctx);
Status diag_like_kernel(const KernelCtx& ctx);

}  // namespace nodeano
