// 2-D convolutions (NCHW) as im2col + OpenBLAS gemm: Conv2d, and its two gradients Conv2dGradInputs (gemm + col2im)
// and Conv2dGradWeights (gemm accumulating over images). All three share one geometry and one column layout.
//
// Columns: for group g and a chunk of B images, col[r, b * OHW + p] with r = (c * kh + fi) * kw + fj the filter
// element's index in W's own layout [K, C/G, kh, kw] and p = oy * OW + ox, holds x[n0 + b, g Cg + c, iy, ix] with
// iy = oy sh - ph + ti dh, ti = flip ? kh-1-fi : fi (likewise ix), 0 outside the input. So W needs no flipped copy:
// out_g = W_g [Kg, CgKK] x col [CgKK, B OHW]; dcol = W_g^T dy_g; dW_g += dy_g col^T.
// Threads: im2col, col2im and the gathers split across ctx.pool (pure memory work, no BLAS inside); every gemm is
// one call from the calling thread and uses OpenBLAS's own threads (measured in README.md: one gemm per chunk of
// images beats a gemm per image on every benchmark shape).
#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <new>

#include "elementwise.h"
#include "kernel.h"
#include "parallel.h"

namespace nodeano {

namespace {

// Column elements per chunk (col holds CgKK x B OHW): large enough that the gemm's n dimension keeps OpenBLAS busy,
// small enough for L2/L3-sized packing (README.md, "Convolutions").
constexpr int64_t kChunkElems = int64_t{1} << 20;

enum Pass { kForward = 0, kGradInputs = 1, kGradWeights = 2, kForwardBiasAct = 3 };
enum Act { kNone = 0, kRelu = 1, kTanh = 2, kSigmoid = 3 };

struct ConvState : KernelState {
  Pass pass = kForward;
  int64_t N = 0, C = 0, H = 0, W = 0, K = 0, kh = 0, kw = 0, OH = 0, OW = 0;
  int64_t ph = 0, pw = 0, sh = 1, sw = 1, dh = 1, dw = 1, G = 1;
  bool flip = true;
  int act = kNone;  // kForwardBiasAct only
  int64_t Cg = 0, Kg = 0, KK = 0, CgKK = 0, OHW = 0;
  int64_t B = 1;  // images per chunk
  size_t esize = 4;
  size_t col_elems() const { return static_cast<size_t>(CgKK * B * OHW); }
  size_t tmp_elems() const { return B > 1 ? static_cast<size_t>(Kg * B * OHW) : 0; }
  size_t scratch_bytes() const { return (col_elems() + tmp_elems()) * esize; }
};

int64_t pad_of(int32_t mode, int32_t explicit_pad, int64_t k, int64_t dil) {
  if (mode == 0) return explicit_pad;
  const int64_t dk = dil * (k - 1) + 1;
  return mode == 1 ? dk - 1 : dk / 2;
}

// Geometry from the step's shapes; ERR_SHAPE when they do not make a convolution (the TypeScript side names it).
Status conv_setup(const KernelCtx& ctx, Pass pass, ConvState* s) {
  const Attrs& at = ctx.attrs;
  if (ctx.n_out != 1 || ctx.n_in < 2 || ctx.n_in > 3 || at.n_ints != (pass == kForwardBiasAct ? 12 : 11)) return ERR_INVALID;
  if (pass == kForwardBiasAct) {
    if (ctx.n_in != 3 || ctx.in[2].dtype != ctx.out->dtype || ctx.in[2].ndim != 1) return ctx.n_in != 3 ? ERR_INVALID : ERR_SHAPE;
    if (at.ints[11] < kNone || at.ints[11] > kSigmoid) return ERR_INVALID;
    s->act = at.ints[11];
  }
  const Tensor &a = ctx.in[0], &b = ctx.in[1];
  const Tensor& out = *ctx.out;
  if (out.dtype != F32 && out.dtype != F64) return ERR_DTYPE;
  if (a.dtype != out.dtype || b.dtype != out.dtype) return ERR_DTYPE;
  if (a.ndim != 4 || b.ndim != 4 || out.ndim != 4) return ERR_SHAPE;
  const int32_t* v = at.ints;
  s->pass = pass;
  s->sh = v[3], s->sw = v[4], s->dh = v[5], s->dw = v[6], s->G = v[7], s->flip = v[8] != 0;
  if (s->sh < 1 || s->sw < 1 || s->dh < 1 || s->dw < 1 || s->G < 1 || v[1] < 0 || v[2] < 0 || v[0] < 0 || v[0] > 2) return ERR_INVALID;
  int64_t sa = v[9], sb = v[10];
  if (sa < 0 && pass != kForward && pass != kForwardBiasAct) {
    if (ctx.n_in != 3 || ctx.in[2].ndim != 4) return ERR_INVALID;
    sa = ctx.in[2].shape[2];
    sb = ctx.in[2].shape[3];
  }
  const Tensor* x = nullptr;
  const Tensor* w = nullptr;
  const Tensor* y = nullptr;  // the forward's output (or its gradient)
  if (pass == kForward || pass == kForwardBiasAct) {
    x = &a, w = &b, y = &out;
  } else if (pass == kGradInputs) {
    y = &a, w = &b, x = &out;
    if (out.shape[2] != sa || out.shape[3] != sb) return ERR_SHAPE;
  } else {
    x = &a, y = &b, w = &out;
    if (out.shape[2] != sa || out.shape[3] != sb) return ERR_SHAPE;
  }
  s->N = x->shape[0], s->C = x->shape[1], s->H = x->shape[2], s->W = x->shape[3];
  s->K = w->shape[0], s->kh = w->shape[2], s->kw = w->shape[3];
  if (s->C % s->G != 0 || s->K % s->G != 0 || w->shape[1] != s->C / s->G || s->kh < 1 || s->kw < 1) return ERR_SHAPE;
  s->ph = pad_of(v[0], v[1], s->kh, s->dh);
  s->pw = pad_of(v[0], v[2], s->kw, s->dw);
  const int64_t dkh = s->dh * (s->kh - 1) + 1, dkw = s->dw * (s->kw - 1) + 1;
  if (s->H + 2 * s->ph < dkh || s->W + 2 * s->pw < dkw) return ERR_SHAPE;
  s->OH = (s->H + 2 * s->ph - dkh) / s->sh + 1;
  s->OW = (s->W + 2 * s->pw - dkw) / s->sw + 1;
  if (y->shape[0] != s->N || y->shape[1] != s->K || y->shape[2] != s->OH || y->shape[3] != s->OW) return ERR_SHAPE;
  if (pass == kForwardBiasAct && ctx.in[2].shape[0] != s->K) return ERR_SHAPE;
  s->Cg = s->C / s->G, s->Kg = s->K / s->G, s->KK = s->kh * s->kw, s->CgKK = s->Cg * s->KK, s->OHW = s->OH * s->OW;
  s->esize = dtype_size(out.dtype);
  const int64_t per_image = std::max<int64_t>(1, s->CgKK * s->OHW);
  s->B = std::max<int64_t>(1, std::min<int64_t>(s->N, kChunkElems / per_image));
  const int64_t biggest = std::max({s->CgKK * s->B * s->OHW, s->Kg * s->B * s->OHW, s->K * s->CgKK});
  if (biggest > INT_MAX || s->B * s->OHW > INT_MAX) return ERR_UNSUPPORTED;
  return OK;
}

// The output pixels ox in [lo, hi) whose input column ix = ox * s + off lies in [0, size).
inline void valid_range(int64_t off, int64_t s, int64_t size, int64_t n_out, int64_t* lo, int64_t* hi) {
  const int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
  const int64_t h = size - off <= 0 ? 0 : (size - off + s - 1) / s;
  *lo = std::min(l, n_out);
  *hi = std::max(*lo, std::min(h, n_out));
}

// One column row r (of channel plane xc) for one image: dst[p] for every output pixel p.
template <class T>
void im2col_row(const ConvState& s, const T* xc, int64_t r, T* dst) {
  const int64_t fi = (r / s.kw) % s.kh, fj = r % s.kw;
  const int64_t ti = s.flip ? s.kh - 1 - fi : fi, tj = s.flip ? s.kw - 1 - fj : fj;
  const int64_t offy = ti * s.dh - s.ph, offx = tj * s.dw - s.pw;
  int64_t lo, hi;
  valid_range(offx, s.sw, s.W, s.OW, &lo, &hi);
  for (int64_t oy = 0; oy < s.OH; oy++) {
    T* d = dst + oy * s.OW;
    const int64_t iy = oy * s.sh + offy;
    if (iy < 0 || iy >= s.H) {
      std::fill(d, d + s.OW, T(0));
      continue;
    }
    const T* src = xc + iy * s.W + offx;
    std::fill(d, d + lo, T(0));
    if (s.sw == 1) {
      std::memcpy(d + lo, src + lo, static_cast<size_t>(hi - lo) * sizeof(T));
    } else {
      for (int64_t ox = lo; ox < hi; ox++) d[ox] = src[ox * s.sw];
    }
    std::fill(d + hi, d + s.OW, T(0));
  }
}

// col[r, b OHW + p] for the chunk's images n0 .. n0+nb and group g; rows split across the pool.
template <class T>
void im2col(const KernelCtx& ctx, const ConvState& s, const T* x, int64_t n0, int64_t nb, int64_t g, T* col) {
  const int64_t ld = nb * s.OHW;
  parallel_range(ctx, nb * s.CgKK, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, s.OHW)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; u++) {
      const int64_t b = u / s.CgKK, r = u % s.CgKK, c = r / s.KK;
      const T* xc = x + ((n0 + b) * s.C + g * s.Cg + c) * s.H * s.W;
      im2col_row(s, xc, r, col + r * ld + b * s.OHW);
    }
  });
}

// dx planes += the column rows of their channel: split by (image, channel), so no two threads touch one plane.
template <class T>
void col2im(const KernelCtx& ctx, const ConvState& s, const T* col, int64_t n0, int64_t nb, int64_t g, T* dx) {
  const int64_t ld = nb * s.OHW;
  parallel_range(ctx, nb * s.Cg, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, s.KK * s.OHW)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; u++) {
      const int64_t b = u / s.Cg, c = u % s.Cg;
      T* xc = dx + ((n0 + b) * s.C + g * s.Cg + c) * s.H * s.W;
      for (int64_t r = c * s.KK; r < (c + 1) * s.KK; r++) {
        const int64_t fi = (r / s.kw) % s.kh, fj = r % s.kw;
        const int64_t ti = s.flip ? s.kh - 1 - fi : fi, tj = s.flip ? s.kw - 1 - fj : fj;
        const int64_t offy = ti * s.dh - s.ph, offx = tj * s.dw - s.pw;
        int64_t lo, hi;
        valid_range(offx, s.sw, s.W, s.OW, &lo, &hi);
        const T* src = col + r * ld + b * s.OHW;
        for (int64_t oy = 0; oy < s.OH; oy++) {
          const int64_t iy = oy * s.sh + offy;
          if (iy < 0 || iy >= s.H) continue;
          T* d = xc + iy * s.W + offx;
          const T* sr = src + oy * s.OW;
          if (s.sw == 1) {
            for (int64_t ox = lo; ox < hi; ox++) d[ox] += sr[ox];
          } else {
            for (int64_t ox = lo; ox < hi; ox++) d[ox * s.sw] += sr[ox];
          }
        }
      }
    }
  });
}

// Between [N, K, OHW] (an image's group channels) and the chunk matrix [Kg, nb OHW]: to_chunk gathers, else scatters.
template <class T>
void chunk_copy(const KernelCtx& ctx, const ConvState& s, T* nkp, int64_t n0, int64_t nb, int64_t g, T* chunk, bool to_chunk) {
  const int64_t ld = nb * s.OHW;
  const size_t bytes = static_cast<size_t>(s.OHW) * sizeof(T);
  parallel_range(ctx, nb * s.Kg, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, s.OHW)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; u++) {
      const int64_t b = u / s.Kg, k = u % s.Kg;
      T* img = nkp + ((n0 + b) * s.K + g * s.Kg + k) * s.OHW;
      T* ch = chunk + k * ld + b * s.OHW;
      if (to_chunk) {
        std::memcpy(ch, img, bytes);
      } else {
        std::memcpy(img, ch, bytes);
      }
    }
  });
}

// out planes (n, k) of images n0 .. n0+nb: y = act(y + b[k]), each plane while it is still warm from the scatter.
template <class T>
void bias_act(const KernelCtx& ctx, const ConvState& s, const T* bias, T* y, int64_t n0, int64_t nb) {
  parallel_range(ctx, nb * s.K, std::max<int64_t>(1, kGrainHeavy / std::max<int64_t>(1, s.OHW)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; u++) {
      T* p = y + (n0 * s.K + u) * s.OHW;
      const T bk = bias[u % s.K];
      ew_binary(EwOp::Add, p, 1, &bk, 0, p, s.OHW);
      if (s.act == kRelu) {
        for (int64_t i = 0; i < s.OHW; i++) p[i] = p[i] > T(0) || p[i] != p[i] ? p[i] : T(0);
      } else if (s.act == kTanh) {
        ew_unary(EwOp::Tanh, p, p, s.OHW);
      } else if (s.act == kSigmoid) {
        ew_unary(EwOp::Sigmoid, p, p, s.OHW);
      }
    }
  });
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), 1.0f, a, int(lda), b, int(ldb), beta, c, int(ldc));
}
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), 1.0, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

template <class T>
Status conv_typed(const KernelCtx& ctx, const ConvState& s, T* col, T* tmp) {
  const int64_t WG = s.Kg * s.CgKK;  // one group's filters
  if (s.pass == kForward || s.pass == kForwardBiasAct) {
    const T* x = static_cast<const T*>(ctx.in[0].data);
    const T* w = static_cast<const T*>(ctx.in[1].data);
    T* y = static_cast<T*>(ctx.out->data);
    for (int64_t n0 = 0; n0 < s.N; n0 += s.B) {
      const int64_t nb = std::min(s.B, s.N - n0), ld = nb * s.OHW;
      for (int64_t g = 0; g < s.G; g++) {
        im2col(ctx, s, x, n0, nb, g, col);
        if (nb == 1) {  // straight into the image's channels
          gemm(false, false, s.Kg, ld, s.CgKK, w + g * WG, s.CgKK, col, ld, T(0), y + (n0 * s.K + g * s.Kg) * s.OHW, s.OHW);
        } else {
          gemm(false, false, s.Kg, ld, s.CgKK, w + g * WG, s.CgKK, col, ld, T(0), tmp, ld);
          chunk_copy(ctx, s, y, n0, nb, g, tmp, false);
        }
      }
      if (s.pass == kForwardBiasAct) bias_act(ctx, s, static_cast<const T*>(ctx.in[2].data), y, n0, nb);
    }
    return OK;
  }
  if (s.pass == kGradInputs) {
    T* gy = static_cast<T*>(ctx.in[0].data);  // only read (chunk_copy's gather direction)
    const T* w = static_cast<const T*>(ctx.in[1].data);
    T* dx = static_cast<T*>(ctx.out->data);
    std::memset(dx, 0, static_cast<size_t>(ctx.out->size) * sizeof(T));
    for (int64_t n0 = 0; n0 < s.N; n0 += s.B) {
      const int64_t nb = std::min(s.B, s.N - n0), ld = nb * s.OHW;
      for (int64_t g = 0; g < s.G; g++) {
        const T* g_mat = gy + (n0 * s.K + g * s.Kg) * s.OHW;
        if (nb > 1) {
          chunk_copy(ctx, s, gy, n0, nb, g, tmp, true);
          g_mat = tmp;
        }
        gemm(true, false, s.CgKK, ld, s.Kg, w + g * WG, s.CgKK, g_mat, ld, T(0), col, ld);
        col2im(ctx, s, col, n0, nb, g, dx);
      }
    }
    return OK;
  }
  const T* x = static_cast<const T*>(ctx.in[0].data);
  T* gy = static_cast<T*>(ctx.in[1].data);  // only read
  T* dw = static_cast<T*>(ctx.out->data);
  if (s.N == 0) std::memset(dw, 0, static_cast<size_t>(ctx.out->size) * sizeof(T));
  for (int64_t n0 = 0; n0 < s.N; n0 += s.B) {
    const int64_t nb = std::min(s.B, s.N - n0), ld = nb * s.OHW;
    for (int64_t g = 0; g < s.G; g++) {
      im2col(ctx, s, x, n0, nb, g, col);
      const T* g_mat = gy + (n0 * s.K + g * s.Kg) * s.OHW;
      if (nb > 1) {
        chunk_copy(ctx, s, gy, n0, nb, g, tmp, true);
        g_mat = tmp;
      }
      gemm(false, true, s.Kg, s.CgKK, ld, g_mat, ld, col, ld, n0 == 0 ? T(0) : T(1), dw + g * WG, s.CgKK);
    }
  }
  return OK;
}

Status conv_execute(const KernelCtx& ctx, const ConvState& s) {
  if (ctx.out->size == 0) return OK;
  if (s.N == 0 || s.CgKK == 0 || s.Kg == 0) {  // empty sums: zeros (BLAS is not asked about k = 0)
    std::memset(ctx.out->data, 0, static_cast<size_t>(ctx.out->size) * s.esize);
    if (s.pass == kForwardBiasAct && ctx.out->dtype == F32) bias_act(ctx, s, static_cast<const float*>(ctx.in[2].data), static_cast<float*>(ctx.out->data), 0, s.N);
    if (s.pass == kForwardBiasAct && ctx.out->dtype == F64) bias_act(ctx, s, static_cast<const double*>(ctx.in[2].data), static_cast<double*>(ctx.out->data), 0, s.N);
    return OK;
  }
  std::unique_ptr<char[]> own;
  char* buf = static_cast<char*>(ctx.scratch);
  if (!buf || ctx.scratch_bytes < s.scratch_bytes()) {
    own.reset(new (std::nothrow) char[s.scratch_bytes()]);
    if (!own) return ERR_ALLOC;
    buf = own.get();
  }
  char* tmp = buf + s.col_elems() * s.esize;
  if (ctx.out->dtype == F32) return conv_typed(ctx, s, reinterpret_cast<float*>(buf), reinterpret_cast<float*>(tmp));
  return conv_typed(ctx, s, reinterpret_cast<double*>(buf), reinterpret_cast<double*>(tmp));
}

template <Pass P>
Status conv_kernel(const KernelCtx& ctx) {
  ConvState s;
  const Status st = conv_setup(ctx, P, &s);
  return st != OK ? st : conv_execute(ctx, s);
}

Status conv_prepared(const KernelCtx& ctx) { return conv_execute(ctx, *static_cast<const ConvState*>(ctx.state)); }

template <Pass P>
Status conv_prepare(const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<ConvState> s(new (std::nothrow) ConvState());
  if (!s) return ERR_ALLOC;
  const Status st = conv_setup(ctx, P, s.get());
  if (st != OK) return st;
  out->run = conv_prepared;
  out->state = std::move(s);
  return OK;
}

template <Pass P>
size_t conv_scratch(const KernelCtx& ctx) {
  ConvState s;
  return conv_setup(ctx, P, &s) == OK ? s.scratch_bytes() : 0;
}

}  // namespace

// Conv2d: inputs x [N, C, H, W], w [K, C/G, kh, kw]; out [N, K, OH, OW] = the cross-correlation of x with w (w
// flipped when flip), F32/F64; ints [mode (0 pad, 1 full, 2 half), padH, padW, sh, sw, dh, dw, groups, flip, -1, -1].
// Per chunk of images and group: im2col into plan scratch, one gemm, the chunk scattered to out; out aliases nothing.
NODEANO_KERNEL("Conv2d", conv_kernel<kForward>, conv_prepare<kForward>, conv_scratch<kForward>);
// Conv2dGradInputs: inputs gy [N, K, OH, OW], w, optional shape ref (data not read); out dx [N, C, H, W] with H, W
// = ints[9..10] or ref's dims 2, 3; C = w.shape[1] groups. dcol = W_g^T gy_g, col2im-accumulated into zeroed dx.
NODEANO_KERNEL("Conv2dGradInputs", conv_kernel<kGradInputs>, conv_prepare<kGradInputs>, conv_scratch<kGradInputs>);
// Conv2dGradWeights: inputs x, gy, optional shape ref; out dw [K, C/G, kh, kw] (kh, kw from ints[9..10] or the ref)
// = Σ over chunks of gy_g col^T (beta 1 after the first chunk).
NODEANO_KERNEL("Conv2dGradWeights", conv_kernel<kGradWeights>, conv_prepare<kGradWeights>, conv_scratch<kGradWeights>);

// Conv2dBiasAct: inputs x, w, b [K]; out = act(Conv2d(x, w) + b[k]) with ints as Conv2d's plus [act (0 none, 1 relu,
// 2 tanh, 3 sigmoid)]; the bias and activation run on each chunk's output planes right after its gemm (tanh and
// sigmoid through the elementwise span loops, so F32 uses the same approximations as the unfused ops).
NODEANO_KERNEL("Conv2dBiasAct", conv_kernel<kForwardBiasAct>, conv_prepare<kForwardBiasAct>, conv_scratch<kForwardBiasAct>);

}  // namespace nodeano
