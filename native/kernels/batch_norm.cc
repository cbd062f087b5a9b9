// Batch normalization in training mode and its gradient (Theano's AbstractBatchNormTrain / ...TrainGrad). x is viewed
// as [A, K, B]: K statistics over the kept axes (contiguous; lib/ops/batch-norm.ts permutes x otherwise), each over
// m = A·B elements; parameters and statistics hold K values. F32 or F64 throughout, C-contiguous, outputs never
// aliasing inputs. Work is split over ranges of statistics (channels); every statistic accumulates in double in
// (a, b) order, as the TypeScript kernels do, so both backends give the same bits.
#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <vector>

#include "kernel.h"
#include "parallel.h"

namespace nodeano {

namespace {

struct BnState : KernelState {
  DType dtype = F32;
  int64_t A = 1, K = 1, B = 1;
  bool running = false;
  double eps = 0, factor = 0;
};

bool same_shape(const Tensor& a, const Tensor& b) {
  return a.ndim == b.ndim && std::equal(a.shape, a.shape + a.ndim, b.shape);
}

// A statistic's shape: x's with 1 on the normalized axes.
bool is_stat(const Tensor& t, const Tensor& x, const bool* reduced) {
  if (t.ndim != x.ndim) return false;
  for (int d = 0; d < x.ndim; d++) {
    if (t.shape[d] != (reduced[d] ? 1 : x.shape[d])) return false;
  }
  return true;
}

// axes: the normalized axes of x (ascending); inputs [0, full_in) have x's shape and the rest a statistic's, as do
// output 0 and the other outputs.
Status make_state(const KernelCtx& ctx, const int32_t* axes, int n_axes, int full_in, BnState* s) {
  const Tensor& x = ctx.in[0];
  if ((x.dtype != F32 && x.dtype != F64)) return ERR_DTYPE;
  for (int i = 0; i < ctx.n_in; i++) {
    if (ctx.in[i].dtype != x.dtype) return ERR_DTYPE;
  }
  for (int i = 0; i < ctx.n_out; i++) {
    if (ctx.out[i].dtype != x.dtype) return ERR_DTYPE;
  }
  bool reduced[kMaxRank] = {false};
  for (int i = 0; i < n_axes; i++) {
    if (axes[i] < 0 || axes[i] >= x.ndim || (i > 0 && axes[i] <= axes[i - 1])) return ERR_INVALID;
    reduced[axes[i]] = true;
  }
  int k0 = x.ndim, k1 = x.ndim;
  for (int d = 0; d < x.ndim; d++) {
    if (!reduced[d]) {
      if (k0 == x.ndim) k0 = d;
      else if (k1 != d) return ERR_INVALID;  // kept axes must be contiguous
      k1 = d + 1;
    }
  }
  if (k0 == x.ndim) k1 = x.ndim;
  s->dtype = x.dtype;
  s->A = s->K = s->B = 1;
  for (int d = 0; d < k0; d++) s->A *= x.shape[d];
  for (int d = k0; d < k1; d++) s->K *= x.shape[d];
  for (int d = k1; d < x.ndim; d++) s->B *= x.shape[d];
  for (int i = 1; i < full_in; i++) {
    if (!same_shape(ctx.in[i], x)) return ERR_SHAPE;
  }
  for (int i = full_in; i < ctx.n_in; i++) {
    if (!is_stat(ctx.in[i], x, reduced)) return ERR_SHAPE;
  }
  if (!same_shape(ctx.out[0], x)) return ERR_SHAPE;
  for (int i = 1; i < ctx.n_out; i++) {
    if (!is_stat(ctx.out[i], x, reduced)) return ERR_SHAPE;
  }
  return OK;
}

// BatchNormTrain: inputs x, gamma, beta[, runningMean, runningVar]; outputs out, mean, invstd[, newRunningMean,
// newRunningVar]. mean and var (biased) by two passes in double, invstd = 1/sqrt(var + eps), out = (x - mean)·(gamma·
// invstd) + beta; running' = running (1 - f) + mean f, var' = running (1 - f) + (m/(m-1))·var·f.
Status train_make(const KernelCtx& ctx, BnState* s) {
  if (ctx.attrs.n_ints < 1 || ctx.attrs.n_floats < 2) return ERR_INVALID;
  s->running = ctx.attrs.ints[0] != 0;
  if (ctx.n_in != (s->running ? 5 : 3) || ctx.n_out != (s->running ? 5 : 3)) return ERR_INVALID;
  s->eps = ctx.attrs.floats[0];
  s->factor = ctx.attrs.floats[1];
  return make_state(ctx, ctx.attrs.ints + 1, ctx.attrs.n_ints - 1, 1, s);
}

template <class T>
void train_typed(const KernelCtx& ctx, const BnState& s) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  const T* gamma = static_cast<const T*>(ctx.in[1].data);
  const T* beta = static_cast<const T*>(ctx.in[2].data);
  T* out = static_cast<T*>(ctx.out[0].data);
  T* mean_out = static_cast<T*>(ctx.out[1].data);
  T* inv_out = static_cast<T*>(ctx.out[2].data);
  const int64_t A = s.A, K = s.K, B = s.B;
  const double m = static_cast<double>(A * B), f = s.factor;
  parallel_range(ctx, K, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, 3 * A * B)), [&](int64_t k0, int64_t k1) {
    const int64_t n = k1 - k0;
    std::vector<double> mu(n, 0.0), q(n, 0.0);
    for (int64_t a = 0; a < A; a++) {
      for (int64_t k = k0; k < k1; k++) {
        const T* p = x + (a * K + k) * B;
        double acc = mu[k - k0];
        for (int64_t b = 0; b < B; b++) acc += static_cast<double>(p[b]);
        mu[k - k0] = acc;
      }
    }
    for (int64_t k = 0; k < n; k++) mu[k] /= m;
    for (int64_t a = 0; a < A; a++) {
      for (int64_t k = k0; k < k1; k++) {
        const T* p = x + (a * K + k) * B;
        const double c = mu[k - k0];
        double acc = q[k - k0];
        for (int64_t b = 0; b < B; b++) acc += (static_cast<double>(p[b]) - c) * (static_cast<double>(p[b]) - c);
        q[k - k0] = acc;
      }
    }
    for (int64_t k = k0; k < k1; k++) {
      const double v = q[k - k0] / m, inv = 1.0 / std::sqrt(v + s.eps);
      q[k - k0] = inv;
      mean_out[k] = static_cast<T>(mu[k - k0]);
      inv_out[k] = static_cast<T>(inv);
      if (s.running) {
        const T* rm = static_cast<const T*>(ctx.in[3].data);
        const T* rv = static_cast<const T*>(ctx.in[4].data);
        static_cast<T*>(ctx.out[3].data)[k] = static_cast<T>(static_cast<double>(rm[k]) * (1 - f) + mu[k - k0] * f);
        static_cast<T*>(ctx.out[4].data)[k] = static_cast<T>(static_cast<double>(rv[k]) * (1 - f) + (m / (m - 1)) * v * f);
      }
    }
    for (int64_t a = 0; a < A; a++) {
      for (int64_t k = k0; k < k1; k++) {
        const int64_t o = (a * K + k) * B;
        const double c = mu[k - k0], scale = static_cast<double>(gamma[k]) * q[k - k0], shift = static_cast<double>(beta[k]);
        for (int64_t b = 0; b < B; b++) out[o + b] = static_cast<T>((static_cast<double>(x[o + b]) - c) * scale + shift);
      }
    }
  });
}

// BatchNormTrainGrad: inputs x, dy, gamma, mean, invstd; outputs dx, dgamma, dbeta. One pass for Σdy and Σdy·(x -
// mean) per statistic, then dx = gamma·invstd·(dy - Σdy/m - (x - mean)·invstd²·Σdy(x - mean)/m); dgamma =
// invstd·Σdy(x - mean), dbeta = Σdy.
Status grad_make(const KernelCtx& ctx, BnState* s) {
  if (ctx.n_in != 5 || ctx.n_out != 3) return ERR_INVALID;
  return make_state(ctx, ctx.attrs.ints, ctx.attrs.n_ints, 2, s);
}

template <class T>
void grad_typed(const KernelCtx& ctx, const BnState& s) {
  const T* x = static_cast<const T*>(ctx.in[0].data);
  const T* dy = static_cast<const T*>(ctx.in[1].data);
  const T* gamma = static_cast<const T*>(ctx.in[2].data);
  const T* mean = static_cast<const T*>(ctx.in[3].data);
  const T* invstd = static_cast<const T*>(ctx.in[4].data);
  T* dx = static_cast<T*>(ctx.out[0].data);
  T* dgamma = static_cast<T*>(ctx.out[1].data);
  T* dbeta = static_cast<T*>(ctx.out[2].data);
  const int64_t A = s.A, K = s.K, B = s.B;
  const double m = static_cast<double>(A * B);
  parallel_range(ctx, K, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, 3 * A * B)), [&](int64_t k0, int64_t k1) {
    const int64_t n = k1 - k0;
    std::vector<double> sdy(n, 0.0), sdyx(n, 0.0);
    for (int64_t a = 0; a < A; a++) {
      for (int64_t k = k0; k < k1; k++) {
        const int64_t o = (a * K + k) * B;
        const double c = static_cast<double>(mean[k]);
        double s1 = sdy[k - k0], s2 = sdyx[k - k0];
        for (int64_t b = 0; b < B; b++) {
          const double g = static_cast<double>(dy[o + b]);
          s1 += g;
          s2 += g * (static_cast<double>(x[o + b]) - c);
        }
        sdy[k - k0] = s1;
        sdyx[k - k0] = s2;
      }
    }
    for (int64_t k = k0; k < k1; k++) {
      const double inv = static_cast<double>(invstd[k]);
      dgamma[k] = static_cast<T>(sdyx[k - k0] * inv);
      dbeta[k] = static_cast<T>(sdy[k - k0]);
    }
    for (int64_t a = 0; a < A; a++) {
      for (int64_t k = k0; k < k1; k++) {
        const int64_t o = (a * K + k) * B;
        const double c = static_cast<double>(mean[k]), inv = static_cast<double>(invstd[k]);
        const double gi = static_cast<double>(gamma[k]) * inv, c1 = sdy[k - k0] / m, c2 = (inv * inv * sdyx[k - k0]) / m;
        for (int64_t b = 0; b < B; b++) {
          dx[o + b] = static_cast<T>(gi * (static_cast<double>(dy[o + b]) - c1 - (static_cast<double>(x[o + b]) - c) * c2));
        }
      }
    }
  });
}

Status train_execute(const KernelCtx& ctx, const BnState& s) {
  s.dtype == F32 ? train_typed<float>(ctx, s) : train_typed<double>(ctx, s);
  return OK;
}

Status grad_execute(const KernelCtx& ctx, const BnState& s) {
  s.dtype == F32 ? grad_typed<float>(ctx, s) : grad_typed<double>(ctx, s);
  return OK;
}

template <Status (*Make)(const KernelCtx&, BnState*), Status (*Exec)(const KernelCtx&, const BnState&)>
Status generic_kernel(const KernelCtx& ctx) {
  BnState s;
  const Status st = Make(ctx, &s);
  return st == OK ? Exec(ctx, s) : st;
}

template <Status (*Exec)(const KernelCtx&, const BnState&)>
Status prepared_kernel(const KernelCtx& ctx) {
  return Exec(ctx, *static_cast<const BnState*>(ctx.state));
}

template <Status (*Make)(const KernelCtx&, BnState*), Status (*Exec)(const KernelCtx&, const BnState&)>
Status prepare(const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<BnState> s(new (std::nothrow) BnState());
  if (!s) return ERR_ALLOC;
  const Status st = Make(ctx, s.get());
  if (st != OK) return st;
  out->run = prepared_kernel<Exec>;
  out->state = std::move(s);
  return OK;
}

}  // namespace

// ints [running, ...axes] / floats [epsilon, runningAverageFactor]; see train_make.
Status batch_norm_train_kernel(const KernelCtx& ctx) { return generic_kernel<train_make, train_execute>(ctx); }
Status batch_norm_train_prepare(const KernelCtx& ctx, PreparedStep* out) { return prepare<train_make, train_execute>(ctx, out); }
NODEANO_KERNEL("BatchNormTrain", batch_norm_train_kernel, batch_norm_train_prepare);

// ints [...axes]; see grad_make.
Status batch_norm_train_grad_kernel(const KernelCtx& ctx) { return generic_kernel<grad_make, grad_execute>(ctx); }
Status batch_norm_train_grad_prepare(const KernelCtx& ctx, PreparedStep* out) { return prepare<grad_make, grad_execute>(ctx, out); }
NODEANO_KERNEL("BatchNormTrainGrad", batch_norm_train_grad_kernel, batch_norm_train_grad_prepare);

}  // namespace nodeano
