// Data-movement kernels: axis permutation, broadcasting, reshape / squeeze, joins and splits, tile / repeat, and the
// generators arange and eye.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernel.h"

namespace nodeano {

Status transpose_kernel(const KernelCtx& ctx);
Status broadcast_to_kernel(const KernelCtx& ctx);
Status reshape_kernel(const KernelCtx& ctx);
Status squeeze_kernel(const KernelCtx& ctx);
Status shape_kernel(const KernelCtx& ctx);
Status shape_i_kernel(const KernelCtx& ctx);
Status concatenate_kernel(const KernelCtx& ctx);
Status stack_kernel(const KernelCtx& ctx);
Status split_kernel(const KernelCtx& ctx);
Status tile_kernel(const KernelCtx& ctx);
Status repeat_kernel(const KernelCtx& ctx);
Status arange_kernel(const KernelCtx& ctx);
Status eye_kernel(const KernelCtx& ctx);

// Prepare for kernels that never use the pool (plain memcpy loops, single-threaded): the generic kernel runs.
template <KernelFn F>
Status serial_prepare(const KernelCtx& /*ctx*/, PreparedStep* out) {
  out->run = F;
  out->needs_pool = false;
  return OK;
}

// dst (C-contiguous, shape out_shape) = src (shape `shape`, rank `rank`) broadcast NumPy-style, elements of
// `elem_size` bytes (1, 4 or 8); rows split across ctx.pool when large. Returns ERR_SHAPE if it does not broadcast.
Status broadcast_copy(const KernelCtx& ctx, const void* src, const int64_t* shape, int rank, void* dst,
                      const int64_t* out_shape, int out_rank, size_t elem_size);

}  // namespace nodeano
