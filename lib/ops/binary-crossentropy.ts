import { DTypeError, ShapeError } from '../errors';
import { floatOf, isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { cast } from './cast';
import { div } from './div';
import { log } from './log';
import { mul } from './mul';
import { neg } from './neg';
import { sigmoid } from './sigmoid';
import { sub } from './sub';
import { checkSameShape, sameShapeProblem } from './nnet-common';

/**
 * Elementwise binary cross-entropy, inputs (x, targets) of one shape and dtype. From probabilities (x = p):
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
    const shape = x.type.shape.map((d, i) => d ?? t.type.shape[i]);
    return new Apply(this, [x, t], [new TensorType(x.dtype, shape)]);
  }
  // logits: dx = g (sigmoid(x) - t), dt = -g x;  probs: dp = g (p - t) / (p (1 - p)), dt = g (log(1 - p) - log p)
  override grad([x, t]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    if (this.fromLogits) return [mul(g, sub(sigmoid(x), t)), neg(mul(g, x))];
    return [div(mul(g, sub(x, t)), mul(x, sub(1, x))), mul(g, sub(log(sub(1, x)), log(x)))];
  }
}

for (const logits of [false, true]) {
  const name = logits ? 'binaryCrossentropyWithLogits' : 'binaryCrossentropy';
  registerKernel(logits ? 'BinaryCrossentropyWithLogits' : 'BinaryCrossentropy', {
    inferShape: ([x, t]) => {
      checkSameShape(name, logits ? 'logits' : 'probs', x, 'targets', t);
      return [x.slice()];
    },
    prepareJs: ({ inShapes: [x] }) => {
      const n = sizeOf(x);
      if (logits) {
        return ([X, T], [O]) => {
          for (let i = 0; i < n; i++) O[i] = Math.max(X[i], 0) - X[i] * T[i] + Math.log1p(Math.exp(-Math.abs(X[i])));
        };
      }
      return ([P, T], [O]) => {
        for (let i = 0; i < n; i++) {
          const t = T[i];
          const a = t === 0 ? 0 : t * Math.log(P[i]);
          const b = t === 1 ? 0 : (1 - t) * Math.log1p(-P[i]);
          O[i] = 0 - (a + b); // +0, not -0, where p equals t
        }
      };
    },
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
  const shapeBad = sameShapeProblem(op, xname, v.type.shape, 'targets', t.type.shape);
  if (shapeBad) throw new ShapeError(shapeBad);
  if (t.dtype !== v.dtype) t = cast(t, v.dtype);
  return new BinaryCrossentropyOp(logits).makeNode(v, t).outputs[0];
}

/**
 * Elementwise -(t log p + (1 - t) log(1 - p)) for probabilities p and targets t of the same shape.
 * @example T.mean(T.nnet.binaryCrossentropy(T.nnet.sigmoid(z), y))
 */
export function binaryCrossentropy(probs: unknown, targets: unknown): Variable {
  return build(probs, targets, false);
}

/**
 * Binary cross-entropy of sigmoid(logits) computed from the logits, stable for any magnitude:
 * max(x, 0) - x t + log1p(exp(-|x|)). @example T.mean(T.nnet.binaryCrossentropyWithLogits(z, y))
 */
export function binaryCrossentropyWithLogits(logits: unknown, targets: unknown): Variable {
  return build(logits, targets, true);
}
