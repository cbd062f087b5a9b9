#include "fused.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>

#include "broadcast_geom.h"
#include "elementwise.h"
#include "parallel.h"

namespace nodeano {

namespace {

constexpr int kMaxRegs = 128;   // inputs + ops; longer programs are ERR_UNSUPPORTED
constexpr int kMaxInputs = 32;
constexpr int64_t kBlock = 512;  // elements per block: a few registers of it stay in L1
constexpr size_t kStackBytes = 64 * 1024;

// How a register's values are found for a block: a pointer into an input, one broadcast value, a gathered
// (broadcast) input, a temporary in a block buffer slot, or nothing (an input no op reads).
enum class Kind : uint8_t { Full, Scalar, Gather, Temp, Unused };

struct Instr {
  EwCode code = EwCode::Const;
  EwOp op = EwOp::Copy;
  bool generic = false;        // an op without a span loop (ew_generic_span) nor the select below
  int32_t arg[3] = {0, 0, 0};  // operand registers (a, b, c); for CONST, arg[0] indexes floats
  int32_t n_args = 0;          // arity (set by decode)
  int32_t stride[3] = {1, 1, 1};  // per operand: 0 for a scalar register, else 1 (set by plan)
};

// A decoded and planned register program. Everything in it depends only on shapes, dtypes and attributes, except
// the values of the scalar registers that read an input (a size-1 input, or an op folded over one): load_scalars
// refreshes those from the data before every run.
template <class T>
struct Program {
  int n_in = 0, n_regs = 0, n_slots = 0;
  bool heavy = false;
  Instr code[kMaxRegs];  // indexed by register; entries >= n_in
  Kind kind[kMaxRegs];
  int slot[kMaxRegs];
  T scalar[kMaxRegs];
  int n_dyn = 0;
  int dyn[kMaxRegs];  // scalar registers to reload / refold on each run, in register order
  // float32 span loops per op register, strides baked in (null: go through run_op)
  EwSpanF32 fu[kMaxRegs];
  EwSpan2F32 fb[kMaxRegs];
  BroadcastGeom geom[kMaxInputs];
};

// Where (select) has its own span loop (ew_select) for the three operands it reads.
static_assert(kEwOps[static_cast<int32_t>(EwCode::Where)].arity == 3, "Fused runs Where as select(a, b, c)");

// Resolves an opcode of generated/elementwise_ops.h: a span loop (kEwFastPaths), select, or the generic span.
bool to_ew(int32_t opcode, Instr* in) {
  if (opcode < 0 || opcode >= kEwCodeCount) return false;
  in->code = static_cast<EwCode>(opcode);
  in->generic = in->code != EwCode::Const && in->code != EwCode::Where && !ew_fast_path(in->code, &in->op);
  return true;
}

int arity(const Instr& in) { return kEwOps[static_cast<int32_t>(in.code)].arity; }

// Decodes ints [nIn, nOps, (opcode, a, b[, c]) * nOps] and checks every register reference. Counts and positions are
// checked in 64 bits before they index anything: nIn + nOps in int would wrap past the kMaxRegs check for a hostile
// nOps near 2^31 and let the loop below write past `code`.
Status decode(const KernelCtx& ctx, Instr* code, int* n_in, int* n_regs) {
  const Attrs& at = ctx.attrs;
  if (at.n_ints < 2 || at.ints == nullptr) return ERR_INVALID;
  const int64_t n_inputs = at.ints[0], n_ops = at.ints[1], n_ints = at.n_ints;
  if (n_inputs != ctx.n_in || n_inputs < 0 || n_ops < 0 || n_inputs + n_ops == 0) return ERR_INVALID;
  if (n_inputs > kMaxInputs || n_inputs + n_ops > kMaxRegs) return ERR_UNSUPPORTED;
  if (n_ops * 3 > n_ints - 2) return ERR_INVALID;  // every op takes at least three ints
  *n_in = static_cast<int>(n_inputs);
  int64_t pos = 2;
  for (int k = 0; k < n_ops; k++) {
    const int r = *n_in + k;  // < kMaxRegs (checked above)
    Instr& in = code[r];
    if (pos + 3 > n_ints) return ERR_INVALID;
    in.arg[0] = at.ints[pos + 1];
    in.arg[1] = at.ints[pos + 2];
    if (!to_ew(at.ints[pos], &in)) return ERR_INVALID;
    pos += 3;
    if (arity(in) == 3) {
      if (pos >= n_ints) return ERR_INVALID;
      in.arg[2] = at.ints[pos++];
    }
    if (in.code == EwCode::Const && (in.arg[0] < 0 || in.arg[0] >= at.n_floats)) return ERR_INVALID;
    in.n_args = arity(in);
    for (int j = 0; j < in.n_args; j++) {
      if (in.arg[j] < 0 || in.arg[j] >= r) return ERR_INVALID;
    }
  }
  if (pos != n_ints) return ERR_INVALID;
  *n_regs = static_cast<int>(n_inputs + n_ops);
  return OK;
}

template <class T>
void run_op(const Instr& in, const T* const* p, const int* s, T* y, int64_t n) {
  if (in.code == EwCode::Where) return ew_select(p[0], s[0], p[1], s[1], p[2], s[2], y, n);
  if (in.generic) return ew_generic_span(in.code, p, s, y, n);
  if (ew_is_unary(in.op)) return ew_unary(in.op, p[0], y, n);
  ew_binary(in.op, p[0], s[0], p[1], s[1], y, n);
}

// Computes the scalar register r (an op whose operands are all scalars) once.
template <class T>
void fold(Program<T>* pg, int r) {
  const Instr& in = pg->code[r];
  const T* p[3];
  int s[3] = {0, 0, 0};
  for (int j = 0; j < arity(in); j++) p[j] = &pg->scalar[in.arg[j]];
  run_op(in, p, s, &pg->scalar[r], 1);
}

// Reads the size-1 inputs and refolds the scalar ops that depend on them (before every run).
template <class T>
void load_scalars(const KernelCtx& ctx, Program<T>* pg) {
  for (int i = 0; i < pg->n_dyn; i++) {
    const int r = pg->dyn[i];
    if (r < pg->n_in) {
      pg->scalar[r] = static_cast<const T*>(ctx.in[r].data)[0];
    } else {
      fold(pg, r);
    }
  }
}

// Classifies registers, folds ops on scalars once, and assigns buffer slots: a temporary's slot is freed after its
// last reader, before that reader's result is placed, so results can overwrite a dying operand in place. The output
// register needs no slot: its op writes straight into out.
template <class T>
Status plan(const KernelCtx& ctx, Program<T>* pg) {
  Status st = decode(ctx, pg->code, &pg->n_in, &pg->n_regs);
  if (st != OK) return st;
  const Tensor& out = *ctx.out;
  const int last = pg->n_regs - 1;
  int last_use[kMaxRegs];
  std::fill(last_use, last_use + kMaxRegs, -1);
  for (int r = pg->n_in; r < pg->n_regs; r++) {
    for (int j = 0; j < arity(pg->code[r]); j++) last_use[pg->code[r].arg[j]] = r;
  }
  bool free_slot[kMaxRegs];
  std::fill(free_slot, free_slot + kMaxRegs, false);
  bool dynamic[kMaxRegs];  // a scalar register whose value depends on an input's data
  std::fill(dynamic, dynamic + kMaxRegs, false);
  pg->n_dyn = 0;
  int n_slots = 0;
  auto take = [&]() {
    for (int i = 0; i < n_slots; i++) {
      if (free_slot[i]) {
        free_slot[i] = false;
        return i;
      }
    }
    return n_slots++;
  };
  for (int r = 0; r < pg->n_in; r++) {
    const Tensor& x = ctx.in[r];
    if (x.dtype != out.dtype) return ERR_DTYPE;
    const Tensor* ops[1] = {&x};
    BroadcastGeom& g = pg->geom[r];
    if (!broadcast_geom(ops, 1, out.shape, out.ndim, &g)) return ERR_SHAPE;
    pg->slot[r] = -1;
    pg->fu[r] = nullptr;
    pg->fb[r] = nullptr;
    if (x.size == 1) {  // (also when out is empty); the value is loaded by load_scalars
      pg->kind[r] = Kind::Scalar;
      pg->scalar[r] = T(0);
      dynamic[r] = true;
      pg->dyn[pg->n_dyn++] = r;
    } else if (last_use[r] < 0 && r != last) {
      pg->kind[r] = Kind::Unused;
    } else if (g.rank == 1 && g.inner_stride(0) == 1) {
      pg->kind[r] = Kind::Full;
    } else {
      pg->kind[r] = Kind::Gather;
      pg->slot[r] = r == last ? -1 : take();
    }
  }
  for (int r = pg->n_in; r < pg->n_regs; r++) {
    const Instr& in = pg->code[r];
    pg->slot[r] = -1;
    pg->fu[r] = nullptr;
    pg->fb[r] = nullptr;
    bool all_scalar = true;
    for (int j = 0; j < arity(in); j++) all_scalar = all_scalar && pg->kind[in.arg[j]] == Kind::Scalar;
    if (in.code == EwCode::Const) {
      pg->kind[r] = Kind::Scalar;
      pg->scalar[r] = static_cast<T>(ctx.attrs.floats[in.arg[0]]);
      continue;
    }
    if (last_use[r] < 0 && r != last) {  // dead code: nothing reads it
      pg->kind[r] = Kind::Unused;
      continue;
    }
    if (all_scalar) {
      pg->kind[r] = Kind::Scalar;
      bool dyn = false;
      for (int j = 0; j < arity(in); j++) dyn = dyn || dynamic[in.arg[j]];
      if (dyn) {  // folded on every run, after its operands (load_scalars)
        dynamic[r] = true;
        pg->dyn[pg->n_dyn++] = r;
        pg->scalar[r] = T(0);
      } else {
        fold(pg, r);
      }
      continue;
    }
    for (int j = 0; j < arity(in); j++) {
      const int o = in.arg[j];
      if (last_use[o] == r && pg->slot[o] >= 0) free_slot[pg->slot[o]] = true;
    }
    pg->kind[r] = Kind::Temp;
    for (int j = 0; j < in.n_args; j++) pg->code[r].stride[j] = pg->kind[in.arg[j]] == Kind::Scalar ? 0 : 1;
    pg->heavy = pg->heavy || kEwOps[static_cast<int32_t>(in.code)].heavy;
    if (r != last) pg->slot[r] = take();
    if constexpr (std::is_same_v<T, float>) {
      if (in.code != EwCode::Where && !in.generic) {
        if (ew_is_unary(in.op)) {
          pg->fu[r] = ew_unary_f32_fn(in.op);
        } else {
          pg->fb[r] = ew_binary_f32_fn(in.op, pg->kind[in.arg[0]] == Kind::Scalar ? 0 : 1,
                                       pg->kind[in.arg[1]] == Kind::Scalar ? 0 : 1);
        }
      }
    }
  }
  pg->n_slots = n_slots;
  return OK;
}

// Evaluates output elements [start, start + n), n <= block, with slot buffers `buf` (n_slots * block elements).
template <class T>
void run_block(const KernelCtx& ctx, const Program<T>& pg, T* buf, int64_t block, int64_t start, int64_t n) {
  const T* reg[kMaxRegs];
  T* out = static_cast<T*>(ctx.out->data) + start;
  const int last = pg.n_regs - 1;
  for (int r = 0; r < pg.n_regs; r++) {
    T* dst = r == last ? out : pg.slot[r] >= 0 ? buf + pg.slot[r] * block : nullptr;
    switch (pg.kind[r]) {
      case Kind::Unused:
        reg[r] = nullptr;
        break;
      case Kind::Scalar:
        reg[r] = &pg.scalar[r];
        if (r == last) std::fill(out, out + n, pg.scalar[r]);
        break;
      case Kind::Full:
        reg[r] = static_cast<const T*>(ctx.in[r].data) + start;
        if (r == last) std::memcpy(out, reg[r], n * sizeof(T));
        break;
      case Kind::Gather:
        gather_broadcast(pg.geom[r], 0, static_cast<const T*>(ctx.in[r].data), start, n, dst);
        reg[r] = dst;
        break;
      case Kind::Temp: {
        const Instr& in = pg.code[r];
        const T* p[3];
        for (int j = 0; j < in.n_args; j++) p[j] = reg[in.arg[j]];
        if constexpr (std::is_same_v<T, float>) {
          if (pg.fu[r]) {
            pg.fu[r](p[0], dst, n);
            reg[r] = dst;
            break;
          }
          if (pg.fb[r]) {
            pg.fb[r](p[0], p[1], dst, n);
            reg[r] = dst;
            break;
          }
        }
        run_op(in, p, in.stride, dst, n);
        reg[r] = dst;
        break;
      }
    }
  }
}

constexpr size_t kSmallBytes = 4096;  // a step whose slots fit here runs as one block on a small stack buffer

template <class T>
int64_t block_of(const Program<T>& pg) {
  // Largest block (multiple of 16, at most kBlock) whose slots fit in the per-thread stack buffer.
  const int64_t fit = pg.n_slots ? static_cast<int64_t>(kStackBytes / (pg.n_slots * sizeof(T))) : kBlock;
  return std::min<int64_t>(kBlock, fit / 16 * 16);
}

template <class T>
bool is_small(const Program<T>& pg, int64_t n) {
  return n <= kBlock && static_cast<size_t>(n) * static_cast<size_t>(pg.n_slots) * sizeof(T) <= kSmallBytes;
}

template <class T>
Status execute(const KernelCtx& ctx, const Program<T>& pg) {
  const int64_t n = ctx.out->size;
  if (n == 0) return OK;
  if (is_small(pg, n)) {
    alignas(64) unsigned char small[kSmallBytes];
    run_block(ctx, pg, reinterpret_cast<T*>(small), n, 0, n);
    return OK;
  }
  const int64_t block = block_of(pg);
  const int64_t n_blocks = (n + block - 1) / block;
  const int64_t grain = std::max<int64_t>(1, (pg.heavy ? kGrainHeavy : kGrainCheap) / block);
  parallel_range(ctx, n_blocks, grain, [&](int64_t b0, int64_t b1) {
    alignas(64) unsigned char stack[kStackBytes];
    T* buf = reinterpret_cast<T*>(stack);
    for (int64_t b = b0; b < b1; b++) {
      const int64_t start = b * block;
      run_block(ctx, pg, buf, block, start, std::min(block, n - start));
    }
  });
  return OK;
}

template <class T>
Status run(const KernelCtx& ctx) {
  Program<T> pg;
  Status st = plan(ctx, &pg);
  if (st != OK) return st;
  load_scalars(ctx, &pg);
  return execute(ctx, pg);
}

template <class T>
struct FusedState : KernelState {
  Program<T> pg;
};

template <class T>
Status run_prepared(const KernelCtx& ctx) {
  Program<T>& pg = static_cast<FusedState<T>*>(ctx.state)->pg;
  load_scalars(ctx, &pg);
  return execute(ctx, pg);
}

template <class T>
Status prepare(const KernelCtx& ctx, PreparedStep* out) {
  std::unique_ptr<FusedState<T>> s(new FusedState<T>());
  Status st = plan(ctx, &s->pg);
  if (st != OK) return st;
  const int64_t n = ctx.out->size;
  out->needs_pool = false;
  if (n > 0 && !is_small(s->pg, n)) {
    const int64_t block = block_of(s->pg);
    const int64_t grain = std::max<int64_t>(1, (s->pg.heavy ? kGrainHeavy : kGrainCheap) / block);
    out->needs_pool = (n + block - 1) / block >= 2 * grain;
  }
  out->run = run_prepared<T>;
  out->state = std::move(s);
  return OK;
}

}  // namespace

// Fused: out = the last register of a register program; ints [nIn, nOps, (opcode, a, b) * nOps] with ternary ops
// (Where, Clip) followed by their third operand c; opcodes are the EwCodes of generated/elementwise_ops.h
// (parameters take their defaults: Relu alpha 0, Elu alpha 1); floats: constants for Const (value floats[a]).
// Registers 0..nIn-1 are the inputs, each broadcast (NumPy) to out.shape, nIn+k the result of op k; unary ops ignore
// b. All inputs have out's dtype, F32 or F64; out does not alias an input. Select(a, b, c) = a != 0 ? b : c (NaN
// counts as true); Maximum/Minimum propagate NaN; Gt gives 1 or 0.
Status fused_kernel(const KernelCtx& ctx) {
  if (ctx.n_out != 1) return ERR_INVALID;
  switch (ctx.out->dtype) {
    case F32: return run<float>(ctx);
    case F64: return run<double>(ctx);
    default: return ERR_DTYPE;
  }
}

Status fused_prepare(const KernelCtx& ctx, PreparedStep* out) {
  if (ctx.n_out != 1) return ERR_INVALID;
  switch (ctx.out->dtype) {
    case F32: return prepare<float>(ctx, out);
    case F64: return prepare<double>(ctx, out);
    default: return ERR_DTYPE;
  }
}
NODEANO_KERNEL("Fused", fused_kernel, fused_prepare);

}  // namespace nodeano
