import { DTypeError } from '../errors';
import { floatOf, isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { broadcastStatic } from './broadcast';
import { cast } from './cast';
import { div } from './div';
import { log } from './log';
import { mul } from './mul';
import { neg } from './neg';
import { sigmoid } from './sigmoid';
import { elemwiseKernel } from './elemwise';
import { sub } from './sub';
import { reduceTo } from './sum-to';

/**
 * Elementwise binary cross-entropy, inputs (x, targets) of one dtype whose shapes broadcast (NumPy rules). From
 * probabilities (x = p):
 * -(t log p + (1 - t) log(1 - p)), a term whose weight (t or 1 - t) is 0 counting 0 even where its log is -inf.
 * From logits: max(x, 0) - x t + log1p(exp(-|x|)), finite for any finite x.
 */
export class BinaryCrossentropyOp extends Op {
  readonly name: string;
  readonly kernel: string;
  constructor(readonly fromLogits: boolean) {
    super();
    this.name = fromLogits ? 'binaryCrossentropyWithLogits' : 'binaryCrossentropy';
    this.kernel = fromLogits ? 'BinaryCrossentropyWithLogits' : 'BinaryCrossentropy';
  }
  makeNode(x: Variable, t: Variable): Apply {
    const shape = broadcastStatic(this.name, [this.fromLogits ? 'logits' : 'probs', 'targets'], [x.type.shape, t.type.shape]);
    return new Apply(this, [x, t], [new TensorType(x.dtype, shape)]);
  }
  // logits: dx = g (sigmoid(x) - t), dt = -g x;  probs: dp = g (p - t) / (p (1 - p)), dt = g (log(1 - p) - log p);
  // each summed back over the dims it was broadcast along
  override grad([x, t]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    if (this.fromLogits) return [reduceTo(mul(g, sub(sigmoid(x), t)), x), reduceTo(neg(mul(g, x)), t)];
    return [reduceTo(div(mul(g, sub(x, t)), mul(x, sub(1, x))), x), reduceTo(mul(g, sub(log(sub(1, x)), log(x))), t)];
  }
}

const LOGITS_BODY = 'Math.max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a)))';
// a term whose weight is 0 counts 0 (log p may be -inf there); 0 - (...) gives +0, not -0, where p equals t
const PROBS_BODY = {
  vars: ['a', 'b'],
  pre: 'const ta = b === 0 ? 0 : b * Math.log(a); const tb = b === 1 ? 0 : (1 - b) * Math.log1p(-a);',
  expr: '0 - (ta + tb)',
};

for (const logits of [false, true]) {
  const name = logits ? 'binaryCrossentropyWithLogits' : 'binaryCrossentropy';
  const names = [logits ? 'logits' : 'probs', 'targets'];
  registerKernel(logits ? 'BinaryCrossentropyWithLogits' : 'BinaryCrossentropy', {
    inferShape: ([x, t]) => [broadcastStatic(name, names, [x, t]) as number[]],
    prepareJs: ({ inShapes, outShapes: [out] }) => elemwiseKernel(logits ? LOGITS_BODY : PROBS_BODY, inShapes, out),
  });
}

function build(x: unknown, targets: unknown, logits: boolean): Variable {
  const op = logits ? 'binaryCrossentropyWithLogits' : 'binaryCrossentropy';
  const xname = logits ? 'logits' : 'probs';
  let v = asVariable(x, op, xname);
  let t = asVariable(targets, op, 'targets', isFloat(v.dtype) ? v.dtype : undefined);
  if (!isFloat(v.dtype)) {
    if (!logits) throw new DTypeError(`${op}: probs must have a float dtype, got ${v.type}`);
    v = cast(v, floatOf(v.dtype));
  }
  if (t.dtype !== v.dtype) t = cast(t, v.dtype);
  return new BinaryCrossentropyOp(logits).makeNode(v, t).outputs[0];
}

/**
 * Elementwise -(t log p + (1 - t) log(1 - p)) for probabilities p and targets t, their shapes broadcast as NumPy's.
 * @example T.mean(T.nnet.binaryCrossentropy(T.nnet.sigmoid(z), y))
 */
export function binaryCrossentropy(probs: unknown, targets: unknown): Variable {
  return build(probs, targets, false);
}

/**
 * Binary cross-entropy of sigmoid(logits) computed from the logits, stable for any magnitude:
 * max(x, 0) - x t + log1p(exp(-|x|)), logits and targets broadcast as NumPy's.
 * @example T.mean(T.nnet.binaryCrossentropyWithLogits(z, y))
 */
export function binaryCrossentropyWithLogits(logits: unknown, targets: unknown): Variable {
  return build(logits, targets, true);
}
