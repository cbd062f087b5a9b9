// Data-movement kernels (shape.cc): axis permutation, broadcasting, reshape / squeeze, joins and splits, tile /
// repeat, and the generators arange and eye. Other families call only the broadcasting copy below.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernel.h"

namespace nodeano {

// dst (C-contiguous, shape out_shape) = src (shape `shape`, rank `rank`) broadcast NumPy-style, elements of
// `elem_size` bytes (1, 4 or 8); rows split across ctx.pool when large. Returns ERR_SHAPE if it does not broadcast.
Status broadcast_copy(const KernelCtx& ctx, const void* src, const int64_t* shape, int rank, void* dst,
                      const int64_t* out_shape, int out_rank, size_t elem_size);

}  // namespace nodeano
