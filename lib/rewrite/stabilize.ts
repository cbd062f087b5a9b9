import { isFloat } from '../dtype';
import { graphWork } from '../graph/toposort';
import { Apply, Variable } from '../graph/variable';
import { AddOp } from '../ops/add';
import { BroadcastToOp } from '../ops/broadcast-to';
import { CategoricalCrossentropyGradOp, CategoricalCrossentropyOp } from '../ops/categorical-crossentropy';
import { DivOp } from '../ops/div';
import { ExpOp } from '../ops/exp';
import { expm1 } from '../ops/expm1';
import { LogOp } from '../ops/log';
import { log1p } from '../ops/log1p';
import { logsumexp } from '../ops/logsumexp';
import { mul, MulOp } from '../ops/mul';
import { neg, NegOp } from '../ops/neg';
import { SigmoidOp } from '../ops/sigmoid';
import { SoftmaxOp } from '../ops/softmax';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD } from '../ops/softmax-crossentropy';
import { softplus } from '../ops/softplus';
import { SubOp } from '../ops/sub';
import { SumOp } from '../ops/sum';
import { localRewrite, ownedBy, scalarValue, shapeSource } from './local';
import { registerRewrite } from './registry';

// Rewrites that replace an expression which overflows, underflows or cancels at extreme inputs by an equal one that
// does not. Each keeps the node's dtype and shape (localRewrite drops any proposal that would not).

/** The input of a log node, or null. */
const logArg = (node: Apply): Variable | null => (node.op === LogOp ? node.inputs[0] : null);

/** v of a node computing `1 + v` or `v + 1` (a rank-0 1), or null. */
function addendOfOne(node: Apply | null): Variable | null {
  if (!node) return null;
  const [a, b] = node.inputs;
  return scalarValue(a) === 1 ? b : scalarValue(b) === 1 ? a : null;
}

// log(sigmoid(x)) -> -softplus(-x): sigmoid(-800) is 0 in float64, so the log is -inf; softplus never overflows
registerRewrite({
  name: 'log(sigmoid(x)) -> -softplus(-x)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    const s = ownedBy(logArg(node) ?? undefined, SigmoidOp);
    return s ? neg(softplus(neg(s.inputs[0]))) : null;
  }),
});

// log(1 - sigmoid(x)) -> -softplus(x): 1 - sigmoid(40) is 0 in float64 (the log is -inf), and it cancels well before
registerRewrite({
  name: 'log(1 - sigmoid(x)) -> -softplus(x)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    const d = ownedBy(logArg(node) ?? undefined, SubOp);
    if (!d || scalarValue(d.inputs[0]) !== 1) return null;
    const s = ownedBy(d.inputs[1], SigmoidOp);
    return s ? neg(softplus(s.inputs[0])) : null;
  }),
});

// log(softmax(x)) -> logSoftmax(x): a probability that underflows to 0 gives -inf; logSoftmax keeps x - max - lse
registerRewrite({
  name: 'log(softmax(x)) -> logSoftmax(x)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    const s = ownedBy(logArg(node) ?? undefined, SoftmaxOp);
    if (!s || (s.op as SoftmaxOp).log) return null;
    return new SoftmaxOp((s.op as SoftmaxOp).attrs.axis, true).makeNode(s.inputs[0]).outputs[0];
  }),
});

// log(1 + x) -> log1p(x): 1 + 1e-20 rounds to 1, so the log is 0 instead of 1e-20 (x must keep the sum's shape,
// which a rank-0 1 cannot change)
registerRewrite({
  name: 'log(1 + x) -> log1p(x)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    const x = addendOfOne(ownedBy(logArg(node) ?? undefined, AddOp));
    return x && isFloat(x.dtype) ? log1p(x) : null;
  }),
});

// exp(x) - 1 -> expm1(x): exp(1e-20) rounds to 1, so the difference is 0 instead of 1e-20
registerRewrite({
  name: 'exp(x) - 1 -> expm1(x)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    if (node.op !== SubOp || scalarValue(node.inputs[1]) !== 1) return null;
    const e = ownedBy(node.inputs[0], ExpOp);
    return e ? expm1(e.inputs[0]) : null;
  }),
});

// log(sum(exp(x), axes, keepdims)) -> logsumexp(x, axes, keepdims): exp(1e4) is inf in float64, so the sum and log
// are inf; logsumexp subtracts the max first. The same axes and keepdims, so the result has the sum's shape.
registerRewrite({
  name: 'log(sum(exp(x))) -> logsumexp(x)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    const s = ownedBy(logArg(node) ?? undefined, SumOp);
    const e = ownedBy(s?.inputs[0], ExpOp);
    if (!s || !e) return null;
    const { axes, keepdims } = (s.op as SumOp).attrs;
    try {
      return logsumexp(e.inputs[0], axes as number[], { keepdims });
    } catch {
      return null; // a statically empty group: logsumexp refuses it, log(sum(exp)) gives -inf; keep the original
    }
  }),
});

// categoricalCrossentropy(softmax(x), t) -> softmaxCrossentropyWithLogits(x, t): a probability that underflows to 0 at
// a target gives an infinite loss; the fused op computes lse(x) - x[t] from the logits.
registerRewrite({
  name: 'categoricalCrossentropy(softmax(x), t) -> softmaxCrossentropyWithLogits(x, t)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    if (!(node.op instanceof CategoricalCrossentropyOp)) return null;
    const s = ownedBy(node.inputs[0], SoftmaxOp);
    if (!s || (s.op as SoftmaxOp).log) return null;
    return SOFTMAX_XENT.makeNode(s.inputs[0], node.inputs[1]).outputs[0];
  }),
});

/** v = mul(a, b) in either order: the other operand, or null. */
function mulPartner(v: Variable | undefined, a: Variable): Variable | null {
  const m = ownedBy(v, MulOp);
  if (!m) return null;
  return m.inputs[0] === a ? m.inputs[1] : m.inputs[1] === a ? m.inputs[0] : null;
}

// softmax's gradient of categoricalCrossentropy's gradient -> the fused op's gradient: T.grad builds
// s * (gp - rowSum(gp * s)) with gp = -g t / s, which divides by probabilities that underflow to 0 (NaN at ±1e4);
// it equals g (s sum(t) - t), which the fused gradient computes from the logits.
registerRewrite({
  name: 'softmax grad of categoricalCrossentropy grad -> softmaxCrossentropyGrad(x, t, g)',
  phase: 'stabilize',
  run: localRewrite((node) => {
    if (node.op !== MulOp) return null;
    for (const [s, other] of [node.inputs, [...node.inputs].reverse()]) {
      const sn = ownedBy(s, SoftmaxOp);
      if (!sn || (sn.op as SoftmaxOp).log) continue;
      const d = ownedBy(other, SubOp);
      const gp = ownedBy(d?.inputs[0], CategoricalCrossentropyGradOp);
      const b = ownedBy(d?.inputs[1], BroadcastToOp);
      const rs = ownedBy(b?.inputs[0], SumOp);
      if (!d || !gp || !b || !rs || gp.inputs[1] !== s || mulPartner(rs.inputs[0], s) !== gp.outputs[0]) continue;
      const { axes, keepdims } = (rs.op as SumOp).attrs;
      if (!keepdims || axes.length !== 1 || axes[0] !== s.ndim - 1) continue; // the row sum softmax's gradient takes
      return SOFTMAX_XENT_GRAD.makeNode(sn.inputs[0], gp.inputs[2], gp.inputs[0]).outputs[0];
    }
    return null;
  }),
});

/** v as ±(a / s): [a, s, sign], through negations; null if it is not a division. */
function asQuotient(v: Variable): [Variable, Variable, number] | null {
  let sign = 1;
  let cur = v;
  while (cur.owner?.op === NegOp) {
    graphWork.visits++;
    sign = -sign;
    cur = cur.owner.inputs[0];
  }
  const d = ownedBy(cur, DivOp);
  return d ? [d.inputs[0], d.inputs[1], sign] : null;
}

// (a / s) * (s * b) -> a * b: the gradient of log(f(x)) is g / f(x) times f'(x), and for f = sigmoid (and 1 - sigmoid)
// f' = s (1 - s) carries the factor s again; cancelling it keeps the gradient finite where s underflows to 0 (at ±1e4
// the original is 0/0 = NaN). Only when a or b provably has the product's shape (so dropping s cannot shrink it).
registerRewrite({
  name: '(a / s) * (s * b) -> a * b (gradients of log(sigmoid(x)))',
  phase: 'stabilize',
  run: localRewrite((node) => {
    if (node.op !== MulOp || !isFloat(node.outputs[0].dtype)) return null;
    const out = node.outputs[0];
    for (const [p, q] of [node.inputs, [node.inputs[1], node.inputs[0]]]) {
      const quot = asQuotient(p);
      const m = ownedBy(q, MulOp);
      if (!quot || !m) continue;
      const [a, s, sign] = quot;
      const b = mulPartner(q, s);
      if (b === null) continue;
      const src = shapeSource(out);
      if (![a, b].some((v) => v.ndim === out.ndim && shapeSource(v) === src)) continue;
      return sign === 1 ? mul(a, b) : neg(mul(a, b));
    }
    return null;
  }),
});
