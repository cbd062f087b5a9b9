import { DTypeError, listProblems, ShapeError } from '../errors';
import { floatOf, isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { JsKernel, registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { broadcastLike } from './broadcast-to';
import { cast } from './cast';
import { mul } from './mul';
import { neg } from './neg';
import { logSoftmax } from './softmax';

/**
 * The cross-entropy of softmax(x) against targets, per row, from the logits x [N, K]: lse(x_i) - x_i[t_i] for int32
 * labels t [N], sum_k t_ik (lse(x_i) - x_ik) for target rows t [N, K]. Never forms softmax(x), so a logit of ±1e4
 * gives a finite loss where log(softmax(x)) gives -inf. A label outside [0, K) is a run-time error.
 */
export class SoftmaxCrossentropyOp extends Op {
  readonly name = 'softmaxCrossentropyWithLogits';
  readonly kernel = 'SoftmaxCrossentropy';
  makeNode(x: Variable, t: Variable): Apply {
    const problems: string[] = [];
    if (x.ndim !== 2) problems.push(`x must be a matrix [N, K] of logits, got rank ${x.ndim} ${shapeStr(x.type.shape)}`);
    const labels = t.ndim === 1;
    if (t.ndim !== 1 && t.ndim !== 2) problems.push(`targets must be int32 labels [N] or rows [N, K], got rank ${t.ndim} ${shapeStr(t.type.shape)}`);
    else if (x.ndim === 2) {
      const [n, k] = x.type.shape;
      const tn = t.type.shape[0];
      if (n !== null && tn !== null && n !== tn) problems.push(`targets must have ${n} rows to match x ${shapeStr(x.type.shape)}, got ${shapeStr(t.type.shape)}`);
      if (!labels && k !== null && t.type.shape[1] !== null && k !== t.type.shape[1]) problems.push(`targets must have ${k} columns to match x ${shapeStr(x.type.shape)}, got ${shapeStr(t.type.shape)}`);
    }
    if (problems.length) throw new ShapeError(listProblems(this.name, problems));
    if (!isFloat(x.dtype)) throw new DTypeError(`${this.name}: x must be float32 or float64, got ${x.dtype}`);
    if (labels && t.dtype !== 'int32') throw new DTypeError(`${this.name}: targets given as labels [N] must be int32, got ${t.dtype}`);
    const tt = !labels && t.dtype !== x.dtype ? cast(t, x.dtype) : t;
    return new Apply(this, [x, tt], [new TensorType(x.dtype, [x.type.shape[0]])]);
  }
  // d/dx_ik = g_i (softmax(x)_ik sum_k t_ik - t_ik) (one-hot t for labels); d/dt_ik = -g_i logSoftmax(x)_ik
  override grad([x, t]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    const gx = SOFTMAX_XENT_GRAD.makeNode(x, t, g).outputs[0];
    const gt = t.ndim === 2 ? neg(mul(logSoftmax(x), broadcastLike(g, x, [1]))) : null;
    return [gx, gt];
  }
}

/** The gradient of SoftmaxCrossentropyOp with respect to its logits: g_i (softmax(x)_ik sum_k t_ik - t_ik). */
export class SoftmaxCrossentropyGradOp extends Op {
  readonly name = 'softmaxCrossentropyGrad';
  readonly kernel = 'SoftmaxCrossentropyGrad';
  makeNode(x: Variable, t: Variable, g: Variable): Apply {
    return new Apply(this, [x, t, g.dtype === x.dtype ? g : cast(g, x.dtype)], [new TensorType(x.dtype, x.type.shape)]);
  }
}

export const SOFTMAX_XENT = new SoftmaxCrossentropyOp();
export const SOFTMAX_XENT_GRAD = new SoftmaxCrossentropyGradOp();

function checkShapes(op: string, x: readonly number[], t: readonly number[]): void {
  const ok = x.length === 2 && t[0] === x[0] && (t.length === 1 || (t.length === 2 && t[1] === x[1]));
  if (!ok) throw new ShapeError(`${op}: targets must have shape [${x[0]}] or [${x.join(', ')}] to match x [${x.join(', ')}], got [${t.join(', ')}]`);
}

/** log sum exp of the row at offset o, in double via its max; NaN, +inf or an all -inf row come back as the max. */
function rowLse(X: ArrayLike<number>, o: number, k: number): number {
  let m = -Infinity;
  for (let j = 0; j < k; j++) if (X[o + j] > m || X[o + j] !== X[o + j]) m = X[o + j];
  if (m !== m || m === Infinity || m === -Infinity) return m;
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(X[o + j] - m);
  return m + Math.log(s);
}

/** Rows, classes, and whether the targets are labels. */
function prepare(inShapes: readonly (readonly number[])[]) {
  const [n, k] = inShapes[0];
  const labels = inShapes[1].length === 1;
  return { n, k, labels };
}

/** Every label in [0, k), checked before anything is written (as the native kernel does). */
function checkLabels(T: ArrayLike<number>, n: number, k: number): void {
  for (let i = 0; i < n; i++) {
    if (!(T[i] >= 0 && T[i] < k)) throw new RangeError(`softmaxCrossentropyWithLogits: targets[${i}] must be a label in [0, ${k}), got ${T[i]}`);
  }
}

registerKernel('SoftmaxCrossentropy', {
  inferShape: ([x, t]) => {
    checkShapes('softmaxCrossentropyWithLogits', x, t);
    return [[x[0]]];
  },
  prepareJs: ({ inShapes }): JsKernel => {
    const { n, k, labels } = prepare(inShapes);
    return ([X, T], [O]) => {
      if (labels) checkLabels(T, n, k);
      for (let r = 0; r < n; r++) {
        const o = r * k;
        const lse = rowLse(X, o, k);
        if (labels) {
          O[r] = lse - X[o + T[r]];
          continue;
        }
        let s = 0;
        for (let j = 0; j < k; j++) if (T[o + j] !== 0) s += T[o + j] * (lse - X[o + j]); // 0 * inf stays 0
        O[r] = s;
      }
    };
  },
});

registerKernel('SoftmaxCrossentropyGrad', {
  inferShape: ([x, t, g]) => {
    checkShapes('softmaxCrossentropyGrad', x, t);
    if (g.length !== 1 || g[0] !== x[0]) throw new ShapeError(`softmaxCrossentropyGrad: g must have shape [${x[0]}], got [${g.join(', ')}]`);
    return [x.slice()];
  },
  prepareJs: ({ inShapes }): JsKernel => {
    const { n, k, labels } = prepare(inShapes);
    return ([X, T, G], [O]) => {
      if (labels) checkLabels(T, n, k);
      for (let r = 0; r < n; r++) {
        const o = r * k;
        const lse = rowLse(X, o, k);
        const g = G[r];
        if (labels) {
          const c = T[r];
          for (let j = 0; j < k; j++) O[o + j] = g * (Math.exp(X[o + j] - lse) - (j === c ? 1 : 0));
          continue;
        }
        let total = 0;
        for (let j = 0; j < k; j++) total += T[o + j];
        for (let j = 0; j < k; j++) O[o + j] = g * (Math.exp(X[o + j] - lse) * total - T[o + j]);
      }
    };
  },
});

/**
 * Cross-entropy of softmax(x) against targets per row, computed from the logits without forming softmax: int32
 * labels [N] or target rows [N, K]. The stabilize rewrite makes it from categoricalCrossentropy(softmax(x), t).
 * @example T.mean(T.softmaxCrossentropyWithLogits(logits, labels))
 */
export function softmaxCrossentropyWithLogits(x: unknown, targets: unknown): Variable {
  let vx = asVariable(x, 'softmaxCrossentropyWithLogits', 'x');
  const vt = asVariable(targets, 'softmaxCrossentropyWithLogits', 'targets');
  if (vx.dtype !== floatOf(vx.dtype)) vx = cast(vx, floatOf(vx.dtype));
  return SOFTMAX_XENT.makeNode(vx, vt).outputs[0];
}
