import { isFloat } from '../dtype';
import { Apply, Variable } from '../graph/variable';
import { AddOp } from '../ops/add';
import { BinaryCrossentropyOp, binaryCrossentropyWithLogits } from '../ops/binary-crossentropy';
import { DivOp } from '../ops/div';
import { ExpOp } from '../ops/exp';
import { neg } from '../ops/neg';
import { sigmoid, SigmoidOp } from '../ops/sigmoid';
import { localRewrite, ownedBy, scalarValue } from './local';
import { registerRewrite } from './registry';

// The logistic function as tutorials write it, recognized so the log-sigmoid rewrites and sigmoid's stable kernel
// apply: Theano's logistic regression tutorial writes p = 1 / (1 + exp(-x.w - b)) and -y log p - (1-y) log(1-p).

/** a of a node computing `1 + exp(a)` or `exp(a) + 1`, or null. */
function expArgPlusOne(v: Variable): Variable | null {
  const add = ownedBy(v, AddOp);
  if (!add) return null;
  const [l, r] = add.inputs;
  const e = scalarValue(l) === 1 ? r : scalarValue(r) === 1 ? l : null;
  const ex = e ? ownedBy(e, ExpOp) : null;
  return ex ? ex.inputs[0] : null;
}

// 1 / (1 + exp(a)) -> sigmoid(-a): exp(a) overflows to inf for a > 709 (the quotient is then 0, fine) but its
// gradient, -exp(a) / (1 + exp(a))^2, is inf / inf = NaN there; sigmoid's gradient s (1 - s) never is
registerRewrite({
  name: '1 / (1 + exp(a)) -> sigmoid(-a)',
  phase: 'stabilize',
  run: localRewrite((node: Apply) => {
    if (node.op !== DivOp || scalarValue(node.inputs[0]) !== 1) return null;
    const a = expArgPlusOne(node.inputs[1]);
    return a && isFloat(a.dtype) ? sigmoid(neg(a)) : null;
  }),
});

// binaryCrossentropy(sigmoid(x), t) -> binaryCrossentropyWithLogits(x, t): sigmoid(40) is 1 in float64, so the
// probability form's log(1 - p) is -inf; the logits form is max(x, 0) - x t + log1p(exp(-|x|)), finite everywhere
registerRewrite({
  name: 'binaryCrossentropy(sigmoid(x), t) -> binaryCrossentropyWithLogits(x, t)',
  phase: 'stabilize',
  run: localRewrite((node: Apply) => {
    if (!(node.op instanceof BinaryCrossentropyOp) || node.op.fromLogits) return null;
    const s = ownedBy(node.inputs[0], SigmoidOp);
    return s ? binaryCrossentropyWithLogits(s.inputs[0], node.inputs[1]) : null;
  }),
});
