// Scan: Theano's loop as one step whose body is a plan of its own; lib/scan/op.ts states the semantics and holds the
// TypeScript reference. ints [nSeq, nOut, nNonSeq, reverse, until, seqTaps[nSeq], seqOffsets..., outLagCount[nOut],
// outLags..., outModes[nOut] (0 seq, 1 last), outLike[nOut], outOffset[nOut]]; the number of steps n and the body's
// plan come with the outer plan (PlanDesc::bodies). in: [sequences..., initial values of the fed-back outputs...,
// non-sequences..., size refs (not read)]; out: [outputs..., the step count (int32 scalar) with until]. Each iteration
// binds the body's inputs to rows of these buffers (rows need not be 16-byte aligned: the body plan stages them) and
// its outputs to the destination rows; outputs the body does not compute in place are copied there. Outputs never
// alias inputs; within an iteration the rows read and the rows written are disjoint ('last' outputs ping-pong).
#include "scan_loop.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "../aligned.h"

namespace nodeano {

namespace {

constexpr int64_t kSeq = 0, kLast = 1;
constexpr int64_t kMaxOffset = int64_t(1) << 30;
constexpr int64_t kMaxCount = int64_t(1) << 20;
constexpr int64_t kMaxRowBytes = int64_t(1) << 48;

struct Layout {
  int64_t n_seq = 0, n_out = 0, n_non_seq = 0;
  bool reverse = false, until = false;
  std::vector<std::vector<int64_t>> seq_off, lags;
  std::vector<int64_t> mode, like, offset;
};

// The ints in order, each checked against its range; `ok` turns false at the first bad or missing one.
struct IntReader {
  const Attrs& a;
  int64_t pos = 0;
  bool ok = true;
  int64_t next(int64_t lo, int64_t hi) {
    if (pos >= a.n_ints) {
      ok = false;
      return lo;
    }
    const int64_t v = a.ints[pos++];
    if (v < lo || v > hi) ok = false;
    return ok ? v : lo;
  }
  bool has(int64_t n) const { return n >= 0 && a.n_ints - pos >= n; }
};

bool decode(const Attrs& a, Layout* L, std::string* why) {
  IntReader r{a};
  L->n_seq = r.next(0, kMaxCount);
  L->n_out = r.next(0, kMaxCount);
  L->n_non_seq = r.next(0, kMaxCount);
  L->reverse = r.next(0, 1) != 0;
  L->until = r.next(0, 1) != 0;
  // every count is backed by that many ints before anything is sized by it
  if (!r.ok || !r.has(L->n_seq + 4 * L->n_out)) return *why = "the Scan attributes are malformed (header)", false;
  std::vector<int64_t> taps(size_t(L->n_seq)), lag_count(size_t(L->n_out));
  for (auto& t : taps) t = r.next(1, kMaxCount);
  L->seq_off.resize(size_t(L->n_seq));
  for (size_t i = 0; i < taps.size() && r.ok; i++) {
    if (!r.has(taps[i])) return *why = "the Scan attributes are malformed (sequence offsets)", false;
    for (int64_t k = 0; k < taps[i]; k++) L->seq_off[i].push_back(r.next(0, kMaxOffset));
  }
  for (auto& c : lag_count) c = r.next(0, kMaxCount);
  L->lags.resize(size_t(L->n_out));
  for (size_t o = 0; o < lag_count.size() && r.ok; o++) {
    if (!r.has(lag_count[o])) return *why = "the Scan attributes are malformed (output lags)", false;
    for (int64_t k = 0; k < lag_count[o]; k++) L->lags[o].push_back(r.next(1, kMaxOffset));
  }
  if (!r.ok || !r.has(3 * L->n_out)) return *why = "the Scan attributes are malformed (lags)", false;
  for (int64_t o = 0; o < L->n_out; o++) L->mode.push_back(r.next(kSeq, kLast));
  for (int64_t o = 0; o < L->n_out; o++) L->like.push_back(r.next(-1, L->n_seq - 1));
  for (int64_t o = 0; o < L->n_out; o++) L->offset.push_back(r.next(0, kMaxOffset));
  if (!r.ok || r.pos != a.n_ints) return *why = "the Scan attributes are malformed (output modes, likes or offsets)", false;
  for (int64_t o = 0; o < L->n_out; o++) {
    const auto& lg = L->lags[size_t(o)];
    if (L->mode[size_t(o)] == kLast && (lg.size() != 1 || lg[0] != 1 || L->like[size_t(o)] >= 0))
      return *why = "output " + std::to_string(o) + " keeps only its last value, so it must be fed back at lag 1 only", false;
  }
  return true;
}

// Bytes of one row (everything after the first axis) of t; false for a scalar or a row too large.
bool row_bytes(const Tensor& t, int64_t* row) {
  if (t.ndim < 1) return false;
  int64_t r = int64_t(dtype_size(t.dtype));
  for (int d = 1; d < t.ndim; d++) {
    if (t.shape[d] != 0 && r > kMaxRowBytes / t.shape[d]) return false;
    r *= t.shape[d];
  }
  *row = r;
  return true;
}

int64_t bytes_of(const Tensor& t) { return t.size * int64_t(dtype_size(t.dtype)); }

// One body input fed per iteration: a sequence row, or an output's value at some lag.
struct InBind {
  int32_t input;      // the body's input
  bool state;         // false: row t + off of sequence `src`; true: output `out` at lag `lag`
  bool last;          // state of a 'last' output: read from its ping-pong buffer
  int32_t src;        // outer input: the sequence, or the output's initial value
  int32_t out;        // state: the output
  int64_t off_or_lag;
  int64_t row;        // bytes
  int64_t init_rows;  // state: rows of the initial value
  int64_t shift;      // state of an output stacked like a sequence: its offset
};

// One body output per iteration (then the until condition): where it goes and whether the body computes it there.
struct OutBind {
  bool direct;     // the body computes it into the destination row; otherwise it is copied there after the run
  int64_t row;     // bytes
  int64_t shift;   // an output stacked like a sequence: its offset
  int32_t kind;    // 0 stacked row, 1 'last' (ping-pong), 2 the until condition
  int32_t init;    // 'last': the outer input holding its initial value
  int64_t init_rows;
};

struct ScanState : KernelState {
  std::unique_ptr<LoopBody> body;
  int64_t n = 0;
  bool reverse = false, until = false;
  std::vector<InBind> ins;
  std::vector<std::pair<int32_t, int32_t>> non_seq;  // [body input, outer input], bound once per run
  std::vector<OutBind> outs;
  std::vector<int32_t> zeroed;                        // outputs stacked like a sequence: zero where no step writes
  std::vector<std::shared_ptr<AlignedBuffer>> ping;  // two per 'last' output
  std::vector<char*> ping_ptr;                       // [2 * output + parity]
  std::vector<char*> dest;                           // per OutBind, this iteration's destination
  alignas(64) unsigned char cond[64] = {0};
  bool failed = false;

  std::string failure_detail() const override { return failed ? body->failure_detail() : std::string(); }
  size_t owned_bytes() const override {
    size_t bytes = body->owned_bytes();
    for (const auto& p : ping)
      if (p) bytes += p->bytes();
    return bytes;
  }
};

char* base(const Tensor& t) { return static_cast<char*>(t.data); }

Status scan_loop_run(const KernelCtx& ctx) {
  ScanState& S = *static_cast<ScanState*>(ctx.state);
  LoopBody& body = *S.body;
  S.failed = false;
  for (const auto& b : S.non_seq) body.bind_input(b.first, ctx.in[b.second].data);
  for (int32_t o : S.zeroed) std::memset(ctx.out[o].data, 0, size_t(bytes_of(ctx.out[o])));
  const int64_t n = S.n;
  const size_t n_outs = S.outs.size();
  int64_t count = 0;
  for (int64_t k = 0; k < n; k++) {
    const int64_t t = S.reverse ? n - 1 - k : k;
    for (const InBind& e : S.ins) {
      const char* p;
      if (!e.state) {
        p = base(ctx.in[e.src]) + (t + e.off_or_lag) * e.row;
      } else {
        const int64_t tau = S.reverse ? t + e.off_or_lag : t - e.off_or_lag;
        if (S.reverse ? tau >= n : tau < 0) p = base(ctx.in[e.src]) + (S.reverse ? tau - n : e.init_rows + tau) * e.row;
        else if (e.last) p = S.ping_ptr[size_t(2 * e.out + ((k - 1) & 1))];
        else p = base(ctx.out[e.out]) + (tau + e.shift) * e.row;
      }
      body.bind_input(e.input, p);
    }
    for (size_t o = 0; o < n_outs; o++) {
      const OutBind& e = S.outs[o];
      char* d = e.kind == 1 ? S.ping_ptr[2 * o + size_t(k & 1)] : e.kind == 2 ? reinterpret_cast<char*>(S.cond) : base(ctx.out[o]) + (t + e.shift) * e.row;
      S.dest[o] = d;
      if (e.direct) body.bind_output(int64_t(o), d);
    }
    const Status st = body.run(ctx.pool);
    if (st != OK) {
      S.failed = true;
      return st;
    }
    for (size_t o = 0; o < n_outs; o++) {
      const OutBind& e = S.outs[o];
      if (!e.direct && e.row) std::memmove(S.dest[o], body.output_data(int64_t(o)), size_t(e.row));
    }
    count++;
    if (S.until && S.cond[0]) break;
  }
  for (size_t o = 0; o < n_outs; o++) {
    const OutBind& e = S.outs[o];
    if (e.kind != 1 || !e.row) continue;
    // no step ran: the value is the initial one (the row just before the first step)
    const char* src = count ? S.ping_ptr[2 * o + size_t((count - 1) & 1)] : base(ctx.in[e.init]) + (S.reverse ? 0 : e.init_rows - 1) * e.row;
    std::memcpy(ctx.out[o].data, src, size_t(e.row));
  }
  if (S.until) *static_cast<int32_t*>(ctx.out[n_outs - 1].data) = int32_t(count);
  return OK;
}

// A Scan step without its prepared state (a plan always prepares it, or fails): nothing to run.
Status scan_loop_unprepared(const KernelCtx&) { return ERR_INVALID; }


}  // namespace

Status scan_loop_prepare(const KernelCtx& ctx, std::unique_ptr<LoopBody> body, int64_t n, PreparedStep* out, std::string* why) {
  auto bad = [&](const std::string& msg) {
    *why = msg;
    return ERR_INVALID;
  };
  Layout L;
  if (!decode(ctx.attrs, &L, why)) return ERR_INVALID;
  std::vector<int64_t> fed;  // outputs with lags, in order: their initial values follow the sequences
  for (int64_t o = 0; o < L.n_out; o++)
    if (!L.lags[size_t(o)].empty()) fed.push_back(o);
  const int64_t n_fed = int64_t(fed.size());
  if (n < 0 || n > INT32_MAX) return bad("the step count " + std::to_string(n) + " is out of range");
  if (int64_t(ctx.n_in) < L.n_seq + n_fed + L.n_non_seq) return bad("the step has " + std::to_string(ctx.n_in) + " inputs, too few for its layout");
  if (int64_t(ctx.n_out) != L.n_out + (L.until ? 1 : 0)) return bad("the step has " + std::to_string(ctx.n_out) + " outputs, its layout " + std::to_string(L.n_out + L.until));
  int64_t n_body_in = L.n_non_seq;
  for (const auto& o : L.seq_off) n_body_in += int64_t(o.size());
  for (const auto& l : L.lags) n_body_in += int64_t(l.size());
  if (body->n_inputs() != n_body_in) return bad("the body has " + std::to_string(body->n_inputs()) + " inputs, the layout feeds it " + std::to_string(n_body_in));
  if (body->n_outputs() != ctx.n_out) return bad("the body has " + std::to_string(body->n_outputs()) + " outputs, the step " + std::to_string(ctx.n_out));
  // the body input k, when the body reads it, takes exactly `bytes` bytes of `dtype`
  auto fits = [&](int64_t k, DType dtype, int64_t bytes, bool* used) {
    DType d;
    int64_t b;
    *used = body->input_port(k, &d, &b);
    return !*used || (d == dtype && b == bytes);
  };
  auto S = std::make_unique<ScanState>();
  S->n = n;
  S->reverse = L.reverse;
  S->until = L.until;
  int64_t bi = 0;  // body input index
  auto feed = [&](InBind e, DType dtype) {
    bool used = false;
    e.input = int32_t(bi++);
    if (!fits(e.input, dtype, e.row, &used)) return false;
    if (used) S->ins.push_back(e);  // an input the body never reads is not bound
    return true;
  };
  for (int64_t i = 0; i < L.n_seq; i++) {
    const Tensor& x = ctx.in[i];
    int64_t row = 0;
    if (!row_bytes(x, &row)) return bad("sequence " + std::to_string(i) + " must have a time axis");
    for (int64_t off : L.seq_off[size_t(i)]) {
      if (n > 0 && n - 1 + off >= x.shape[0]) return bad("sequence " + std::to_string(i) + " has " + std::to_string(x.shape[0]) + " rows, too few for " + std::to_string(n) + " steps at offset " + std::to_string(off));
      if (!feed({-1, false, false, int32_t(i), -1, off, row, 0, 0}, x.dtype)) return bad("the body's input for sequence " + std::to_string(i) + " does not match its rows");
    }
  }
  std::vector<int64_t> out_row(size_t(L.n_out), 0), init_rows(size_t(L.n_out), 0);
  std::vector<int32_t> init_of(size_t(L.n_out), -1);
  for (int64_t o = 0; o < L.n_out; o++) {
    const Tensor& y = ctx.out[o];
    const std::string what = "output " + std::to_string(o);
    if (L.mode[size_t(o)] == kLast) {
      out_row[size_t(o)] = bytes_of(y);
    } else {
      if (!row_bytes(y, &out_row[size_t(o)])) return bad(what + " must have a time axis");
      const int64_t shift = L.like[size_t(o)] >= 0 ? L.offset[size_t(o)] : 0;
      if (L.like[size_t(o)] < 0 && y.shape[0] != n) return bad(what + " has " + std::to_string(y.shape[0]) + " rows for " + std::to_string(n) + " steps");
      if (n > 0 && n - 1 + shift >= y.shape[0]) return bad(what + " has too few rows for " + std::to_string(n) + " steps at offset " + std::to_string(shift));
    }
  }
  for (int64_t j = 0; j < n_fed; j++) {
    const int64_t o = fed[size_t(j)];
    const Tensor& init = ctx.in[L.n_seq + j];
    const std::string what = "the initial value of output " + std::to_string(o);
    int64_t row = 0, max_lag = 0;
    for (int64_t l : L.lags[size_t(o)]) max_lag = std::max(max_lag, l);
    if (!row_bytes(init, &row) || row != out_row[size_t(o)] || init.dtype != ctx.out[o].dtype) return bad(what + " does not match the output's rows");
    if (init.shape[0] < max_lag) return bad(what + " has " + std::to_string(init.shape[0]) + " rows for lags up to " + std::to_string(max_lag));
    init_rows[size_t(o)] = init.shape[0];
    init_of[size_t(o)] = int32_t(L.n_seq + j);
    const bool last = L.mode[size_t(o)] == kLast;
    const int64_t shift = L.like[size_t(o)] >= 0 ? L.offset[size_t(o)] : 0;
    for (int64_t lag : L.lags[size_t(o)])
      if (!feed({-1, true, last, int32_t(L.n_seq + j), int32_t(o), lag, row, init.shape[0], shift}, init.dtype)) return bad("the body's input for " + what + " does not match its rows");
  }
  for (int64_t m = 0; m < L.n_non_seq; m++) {
    const int32_t i = int32_t(L.n_seq + n_fed + m);
    bool used = false;
    const int32_t k = int32_t(bi++);
    if (!fits(k, ctx.in[i].dtype, bytes_of(ctx.in[i]), &used)) return bad("the body's input for non-sequence " + std::to_string(m) + " does not match it");
    if (used) S->non_seq.push_back({k, i});
  }

  // body outputs: computed into the destination row where the body can, copied there otherwise
  for (int64_t k = 0; k < ctx.n_out; k++) {
    const bool cond = k == L.n_out;
    DType dtype;
    int64_t bytes;
    bool direct;
    body->output_port(k, &dtype, &bytes, &direct);
    const int64_t row = cond ? 1 : out_row[size_t(k)];
    if (dtype != (cond ? BOOL : ctx.out[k].dtype) || bytes != row) return bad("body output " + std::to_string(k) + " does not match the rows of the step's output");
    OutBind e{direct, row, 0, cond ? 2 : L.mode[size_t(k)] == kLast ? 1 : 0, cond ? -1 : init_of[size_t(k)], cond ? 0 : init_rows[size_t(k)]};
    if (!cond && L.like[size_t(k)] >= 0) e.shift = L.offset[size_t(k)];
    S->outs.push_back(e);
  }
  if (L.until) {
    const Tensor& c = ctx.out[L.n_out];
    if (c.dtype != I32 || c.size != 1) return bad("the step count output must be an int32 scalar");
  }
  for (int64_t o = 0; o < L.n_out; o++)
    if (L.mode[size_t(o)] == kSeq && L.like[size_t(o)] >= 0) S->zeroed.push_back(int32_t(o));
  S->ping.resize(2 * S->outs.size());
  S->ping_ptr.assign(2 * S->outs.size(), nullptr);
  for (size_t o = 0; o < S->outs.size(); o++) {
    if (S->outs[o].kind != 1) continue;
    for (size_t p = 0; p < 2; p++) {
      S->ping[2 * o + p] = AlignedBuffer::make(size_t(S->outs[o].row), true);
      if (!S->ping[2 * o + p]) return *why = "cannot allocate the loop's state buffers", ERR_ALLOC;
      S->ping_ptr[2 * o + p] = static_cast<char*>(S->ping[2 * o + p]->data());
    }
  }
  S->dest.assign(S->outs.size(), nullptr);
  out->needs_pool = body->needs_pool();
  S->body = std::move(body);
  out->run = scan_loop_run;
  out->state = std::move(S);
  return OK;
}

NODEANO_KERNEL("Scan", scan_loop_unprepared, nullptr);

}  // namespace nodeano
