import { DTypeError, RuntimeError, ShapeError } from '../errors';
import { isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { onesLike } from './broadcast-to';
import { cast } from './cast';
import { div } from './div';
import { expandDims } from './expand-dims';
import { log } from './log';
import { mul } from './mul';
import { neg } from './neg';
import { sqr } from './sqr';
import { sum } from './sum';

/**
 * Cross-entropy of rows of probabilities against targets, per row: inputs (probs [N, K], targets), output [N].
 * targets are int32 labels [N] (-log probs[i, t_i]) or float rows [N, K] of probs' dtype (-sum_k t_ik log p_ik, where
 * a term with t = 0 counts 0 even when p = 0). No clamping: p = 0 at a target gives +inf, as the math says.
 */
export class CategoricalCrossentropyOp extends Op {
  readonly name = 'categoricalCrossentropy';
  readonly kernel = 'CategoricalCrossentropy';
  makeNode(probs: Variable, targets: Variable): Apply {
    return new Apply(this, [probs, targets], [new TensorType(probs.dtype, [probs.type.shape[0] ?? targets.type.shape[0]])]);
  }
  // labels: d/dp_ij = -g_i [j = t_i] / p_ij;  rows: d/dp = -g t / p,  d/dt = -g log p
  override grad([p, t]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    const gp = new CategoricalCrossentropyGradOp().makeNode(g, p, t).outputs[0];
    return [gp, t.ndim === 2 ? neg(mul(expandDims(g, [1]), log(p))) : null];
  }
}

/** The gradient of categoricalCrossentropy w.r.t. probs: inputs (g [N], probs [N, K], targets), output [N, K]. */
export class CategoricalCrossentropyGradOp extends Op {
  readonly name = 'categoricalCrossentropyGrad';
  readonly kernel = 'CategoricalCrossentropyGrad';
  makeNode(g: Variable, probs: Variable, targets: Variable): Apply {
    return new Apply(this, [g, probs, targets], [new TensorType(probs.dtype, probs.type.shape)]);
  }
  // out = -g t / p (t one-hot for labels): d/dg = sum_k G out(1) ; d/dp = G g t / p^2 = -G out(g, p^2) ; d/dt = -G g / p
  override grad([g, p, t]: readonly Variable[], _o: readonly Variable[], [G]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!G) return [null, null, null];
    const dg = sum(mul(G, this.makeNode(onesLike(g), p, t).outputs[0]), 1);
    const dp = neg(mul(G, this.makeNode(g, sqr(p), t).outputs[0]));
    return [dg, dp, t.ndim === 2 ? neg(div(mul(G, expandDims(g, [1])), p)) : null];
  }
}

function checkShapes(op: string, [p, t]: readonly (readonly number[])[], g?: readonly number[]): void {
  const labels = t.length === 1;
  if (p.length !== 2 || (labels ? t[0] !== p[0] : t[0] !== p[0] || t[1] !== p[1]) || (g && (g.length !== 1 || g[0] !== p[0]))) {
    throw new ShapeError(`${op}: targets must have shape [${p[0]}] or ${shapeStr(p)} to match probs ${shapeStr(p)}, got ${shapeStr(t)}${g ? ` (output gradient ${shapeStr(g)})` : ''}`);
  }
}

function labelError(i: number, label: number, k: number): Error {
  return new RuntimeError(`categoricalCrossentropy: targets[${i}] must be a label in [0, ${k}), got ${label}`);
}

registerKernel('CategoricalCrossentropy', {
  inferShape: (shapes) => {
    checkShapes('categoricalCrossentropy', shapes);
    return [[shapes[0][0]]];
  },
  prepareJs: ({ inShapes: [[n, k], t] }) => {
    const labels = t.length === 1;
    return ([P, T], [O]) => {
      for (let i = 0; i < n; i++) {
        if (labels) {
          const c = T[i];
          if (!(c >= 0 && c < k)) throw labelError(i, c, k);
          O[i] = 0 - Math.log(P[i * k + c]); // 0 - x: +0, not -0, for p = 1
        } else {
          let s = 0;
          for (let j = i * k; j < i * k + k; j++) if (T[j] !== 0) s += T[j] * Math.log(P[j]);
          O[i] = 0 - s;
        }
      }
    };
  },
});

registerKernel('CategoricalCrossentropyGrad', {
  inferShape: ([g, p, t]) => {
    checkShapes('categoricalCrossentropyGrad', [p, t], g);
    return [p.slice()];
  },
  prepareJs: ({ inShapes: [, [n, k], t] }) => {
    const labels = t.length === 1;
    return ([G, P, T], [O]) => {
      for (let i = 0; i < n; i++) {
        if (labels) {
          const c = T[i];
          if (!(c >= 0 && c < k)) throw labelError(i, c, k);
          for (let j = i * k; j < i * k + k; j++) O[j] = 0;
          O[i * k + c] = -G[i] / P[i * k + c];
        } else {
          for (let j = i * k; j < i * k + k; j++) O[j] = T[j] === 0 ? 0 : (-G[i] * T[j]) / P[j];
        }
      }
    };
  },
});

/**
 * Cross-entropy per row between predicted probabilities [N, K] and targets: int32 labels [N] or probability rows
 * [N, K] (one-hot or soft). Output [N]. With probs = softmax(x) a rewrite computes it from x stably.
 * @example const cost = T.mean(T.nnet.categoricalCrossentropy(T.nnet.softmax(logits), y))
 */
export function categoricalCrossentropy(probs: unknown, targets: unknown): Variable {
  const op = 'categoricalCrossentropy';
  const p = asVariable(probs, op, 'probs');
  let t = asVariable(targets, op, 'targets');
  const bad: string[] = [];
  let dtypeBad = false;
  if (!isFloat(p.dtype)) {
    bad.push(`probs must have a float dtype, got ${p.type}`);
    dtypeBad = true;
  }
  if (p.ndim !== 2) bad.push(`probs must have rank 2 [N, K], got ${p.type}`);
  if (t.ndim === 1 && t.dtype !== 'int32') {
    bad.push(`targets must be int32 labels [N] or rows [N, K], got ${t.type}`);
    dtypeBad = true;
  } else if (t.ndim !== 1 && t.ndim !== 2) bad.push(`targets must be int32 labels [N] or rows [N, K], got ${t.type}`);
  if (!bad.length) {
    const [pn, pk] = p.type.shape;
    const [tn, tk] = t.type.shape;
    if ((pn !== null && tn !== null && pn !== tn) || (t.ndim === 2 && pk !== null && tk !== null && pk !== tk)) {
      bad.push(`targets must have shape [${pn ?? 'N'}] or ${shapeStr(p.type.shape)} to match probs, got ${shapeStr(t.type.shape)}`);
    }
  }
  if (bad.length) throw new (dtypeBad ? DTypeError : ShapeError)(`${op}: ${bad.join('; ')}`);
  if (t.ndim === 2 && t.dtype !== p.dtype) t = cast(t, p.dtype);
  return new CategoricalCrossentropyOp().makeNode(p, t).outputs[0];
}
