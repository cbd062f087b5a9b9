// The generic elementwise engine: every op of generated/elementwise_ops.h (declared in its TypeScript op file), on any input dtypes, through one block loop in
// double. Each block of output elements loads its operands (broadcast, converted to double exactly), applies the
// op's formula and stores the result converted to the output dtype as a JS typed-array store would (F32: round to
// nearest; I32: ToInt32; BOOL: ToUint8), so it computes what the TypeScript reference computes.
#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>

#include "broadcast_geom.h"
#include "elementwise.h"
#include "parallel.h"

namespace nodeano {

namespace {

constexpr int64_t kGenBlock = 256;

// The hand-written span loops assume these facts of the generated table (the op files): fail the build, not a run.
constexpr bool fast_paths_match_table() {
  for (const EwFastPath& f : kEwFastPaths) {
    const int32_t code = static_cast<int32_t>(f.code);
    if (code <= 0 || code >= kEwCodeCount) return false;
    if (kEwOps[code].arity != (ew_is_unary(f.op) ? 1 : 2) || kEwOps[code].n_params != 0) return false;
  }
  return true;
}
static_assert(fast_paths_match_table(), "an op with a span loop (kEwFastPaths) is missing from generated/elementwise_ops.h "
                                        "or has another arity or parameters there: run npm run gen");
#define NODEANO_EW_COUNT(name) +1
static_assert(kEwCodeCount == 1 NODEANO_EW_OPS(NODEANO_EW_COUNT), "kEwOps and NODEANO_EW_OPS disagree: run npm run gen");
#undef NODEANO_EW_COUNT

const EwOpInfo* info_of(EwCode code) {
  const int32_t c = static_cast<int32_t>(code);
  return c > 0 && c < kEwCodeCount ? &kEwOps[c] : nullptr;
}

// y[i] = op(a[i], b[i], c[i]) over double blocks; operands past the arity are ignored. p: the op's parameters.
void apply(EwCode code, const double* A, const double* B, const double* C, const double* p, double* Y, int64_t n) {
  const bool known = ew_with_formula(code, p, [&](auto op) {
    for (int64_t i = 0; i < n; i++) Y[i] = op(A[i], B[i], C[i]);
  });
  if (!known) std::memcpy(Y, A, n * sizeof(double));
}

int32_t to_int32(double d) {
  if (std::fabs(d) < 2147483648.0) return static_cast<int32_t>(d);
  if (!std::isfinite(d)) return 0;
  double m = std::fmod(std::trunc(d), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

template <class T>
void load_from(const T* p, double* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = static_cast<double>(p[i]);
}

template <class T>
void store_to(const double* x, T* y, int64_t n) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    for (int64_t i = 0; i < n; i++) y[i] = static_cast<uint8_t>(to_int32(x[i]));
  } else if constexpr (std::is_same_v<T, int32_t>) {
    for (int64_t i = 0; i < n; i++) y[i] = to_int32(x[i]);
  } else {
    for (int64_t i = 0; i < n; i++) y[i] = static_cast<T>(x[i]);
  }
}

enum class Src : uint8_t { Full, Scalar, Gather };

struct GenState : KernelState {
  EwCode code = EwCode::Const;
  const EwOpInfo* op = nullptr;
  double p[kEwMaxParams] = {};
  DType in_dt[kMaxOperands] = {F32, F32, F32};
  DType out_dt = F32;
  Src src[kMaxOperands] = {Src::Full, Src::Full, Src::Full};
  BroadcastGeom geom[kMaxOperands];
  int64_t size = 0, grain = 0;
};

bool valid_dtype(DType d) { return d >= F32 && d <= BOOL; }

Status gen_setup(EwCode code, const KernelCtx& ctx, GenState* s) {
  const EwOpInfo* op = info_of(code);
  if (op == nullptr) return ERR_UNSUPPORTED;
  if (ctx.n_in != op->arity || ctx.n_out != 1) return ERR_INVALID;
  // the TypeScript op's opcode, and at most the op's parameters
  if (ctx.attrs.n_ints > 0 && ctx.attrs.ints[0] != static_cast<int32_t>(code)) return ERR_INVALID;
  if (ctx.attrs.n_floats > op->n_params) return ERR_INVALID;
  const Tensor& y = *ctx.out;
  if (!valid_dtype(y.dtype)) return ERR_DTYPE;
  if (op->arity == 1 && ctx.in[0].size != y.size) return ERR_SHAPE;
  for (int i = 0; i < op->arity; i++) {
    const Tensor& x = ctx.in[i];
    if (!valid_dtype(x.dtype)) return ERR_DTYPE;
    const Tensor* ops[1] = {&x};
    if (!broadcast_geom(ops, 1, y.shape, y.ndim, &s->geom[i])) return ERR_SHAPE;
    s->in_dt[i] = x.dtype;
    s->src[i] = x.size == 1 ? Src::Scalar : s->geom[i].rank == 1 && s->geom[i].inner_stride(0) == 1 ? Src::Full : Src::Gather;
  }
  s->code = code;
  s->op = op;
  for (int i = 0; i < op->n_params; i++) s->p[i] = i < ctx.attrs.n_floats ? ctx.attrs.floats[i] : op->defaults[i];
  s->out_dt = y.dtype;
  s->size = y.size;
  s->grain = std::max<int64_t>(1, (op->heavy ? kGrainHeavy : kGrainCheap) / kGenBlock);
  return OK;
}

template <class T>
void load_operand(const GenState& s, int i, const void* data, int64_t start, int64_t n, double* dst) {
  const T* x = static_cast<const T*>(data);
  switch (s.src[i]) {
    case Src::Full: return load_from(x + start, dst, n);
    case Src::Scalar: return std::fill(dst, dst + n, static_cast<double>(x[0]));
    case Src::Gather: {
      T tmp[kGenBlock];
      gather_broadcast(s.geom[i], 0, x, start, n, tmp);
      return load_from(tmp, dst, n);
    }
  }
}

void load(const GenState& s, int i, const void* data, int64_t start, int64_t n, double* dst) {
  switch (s.in_dt[i]) {
    case F32: return load_operand<float>(s, i, data, start, n, dst);
    case F64: return load_operand<double>(s, i, data, start, n, dst);
    case I32: return load_operand<int32_t>(s, i, data, start, n, dst);
    default: return load_operand<uint8_t>(s, i, data, start, n, dst);
  }
}

void store(DType dt, const double* x, void* data, int64_t start, int64_t n) {
  switch (dt) {
    case F32: return store_to(x, static_cast<float*>(data) + start, n);
    case F64: return store_to(x, static_cast<double*>(data) + start, n);
    case I32: return store_to(x, static_cast<int32_t*>(data) + start, n);
    default: return store_to(x, static_cast<uint8_t*>(data) + start, n);
  }
}

Status gen_execute(const KernelCtx& ctx, const GenState& s) {
  const int64_t n_blocks = (s.size + kGenBlock - 1) / kGenBlock;
  const int arity = s.op->arity;
  parallel_range(ctx, n_blocks, s.grain, [&](int64_t b0, int64_t b1) {
    alignas(64) double buf[4][kGenBlock];
    for (int64_t b = b0; b < b1; b++) {
      const int64_t start = b * kGenBlock, n = std::min(kGenBlock, s.size - start);
      for (int i = 0; i < arity; i++) load(s, i, ctx.in[i].data, start, n, buf[i]);
      apply(s.code, buf[0], buf[arity > 1 ? 1 : 0], buf[arity > 2 ? 2 : 0], s.p, buf[3], n);
      store(s.out_dt, buf[3], ctx.out->data, start, n);
    }
  });
  return OK;
}

Status gen_run_prepared(const KernelCtx& ctx) { return gen_execute(ctx, *static_cast<const GenState*>(ctx.state)); }

// Whether the specialized loops run this step: all operands and the output of one dtype they implement.
bool use_specialized(EwCode code, const KernelCtx& ctx, EwOp* op) {
  if (!ew_fast_path(code, op) || ctx.n_out != 1) return false;
  for (int i = 0; i < ctx.n_in; i++) {
    if (ctx.in[i].dtype != ctx.out->dtype) return false;
  }
  return ew_supports(*op, ctx.out->dtype);
}

template <EwCode Code>
Status gen_kernel(const KernelCtx& ctx) {
  return ew_generic_kernel(Code, ctx);
}

template <EwCode Code>
Status gen_prepare(const KernelCtx& ctx, PreparedStep* out) {
  return ew_generic_prepare(Code, ctx, out);
}

// Every op of the table registers under its kernel id (kernel.h); ops with a specialized span loop go through it when
// the dtypes allow (ew_generic_kernel).
const KernelRegistration kGenRegistrations[] = {
#define NODEANO_EW_ENTRY(name) {#name, gen_kernel<EwCode::name>, gen_prepare<EwCode::name>},
    NODEANO_EW_OPS(NODEANO_EW_ENTRY)
#undef NODEANO_EW_ENTRY
};

// A span of the Fused kernel: y[i] = op(p0[i * s0], ...) with strides 0 or 1, through double blocks.
template <class T>
void generic_span(EwCode code, const T* const* p, const int* s, T* y, int64_t n) {
  const EwOpInfo* op = info_of(code);
  if (op == nullptr) return;
  alignas(64) double buf[4][kGenBlock];
  for (int64_t start = 0; start < n; start += kGenBlock) {
    const int64_t m = std::min(kGenBlock, n - start);
    for (int i = 0; i < op->arity; i++) {
      if (s[i]) {
        load_from(p[i] + start, buf[i], m);
      } else {
        std::fill(buf[i], buf[i] + m, static_cast<double>(p[i][0]));
      }
    }
    apply(code, buf[0], buf[op->arity > 1 ? 1 : 0], buf[op->arity > 2 ? 2 : 0], op->defaults, buf[3], m);
    store_to(buf[3], y + start, m);
  }
}

}  // namespace

Status ew_generic_kernel(EwCode code, const KernelCtx& ctx) {
  EwOp op;
  if (use_specialized(code, ctx, &op)) return ew_kernel(op, ctx);
  GenState s;
  Status st = gen_setup(code, ctx, &s);
  if (st != OK) return st;
  return s.size == 0 ? OK : gen_execute(ctx, s);
}

Status ew_generic_prepare(EwCode code, const KernelCtx& ctx, PreparedStep* out) {
  EwOp op;
  if (use_specialized(code, ctx, &op)) return elementwise_prepare(op, ctx, out);
  std::unique_ptr<GenState> s(new GenState());
  Status st = gen_setup(code, ctx, s.get());
  if (st != OK) return st;
  const int64_t n_blocks = (s->size + kGenBlock - 1) / kGenBlock;
  out->needs_pool = n_blocks >= 2 * s->grain;
  out->run = gen_run_prepared;
  out->state = std::move(s);
  return OK;
}

void ew_generic_span(EwCode code, const float* const* p, const int* s, float* y, int64_t n) {
  generic_span(code, p, s, y, n);
}
void ew_generic_span(EwCode code, const double* const* p, const int* s, double* y, int64_t n) {
  generic_span(code, p, s, y, n);
}

}  // namespace nodeano
