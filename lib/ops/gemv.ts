import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { broadcastShapes, broadcastStatic } from './broadcast';
import { ShapeError } from '../errors';

/**
 * alpha * op(A) x + beta * y for a matrix A and a vector x, the BLAS gemv; y broadcasts (a scalar, a [1]) and where
 * op(A) has one row the product broadcasts to y instead. Made only by the specialize rewrite.
 */
export class GemvOp extends Op {
  readonly name = 'gemv';
  readonly kernel = 'Gemv';
  override readonly attrs: { transA: boolean; alpha: number; beta: number };
  constructor(transA: boolean, alpha: number, beta: number) {
    super();
    this.attrs = { transA, alpha, beta };
  }
  makeNode(a: Variable, x: Variable, y: Variable): Apply {
    const m = a.type.shape[this.attrs.transA ? 1 : 0];
    return new Apply(this, [a, x, y], [new TensorType(a.dtype, broadcastStatic('gemv', ['dot(a, x)', 'y'], [[m], y.type.shape]))]);
  }
  // no grad: the rewrite makes it after differentiation
  override format([a, x, y]: readonly string[]): string {
    return `gemv(${this.attrs.alpha} * dot(${a}${this.attrs.transA ? '.T' : ''}, ${x}) + ${this.attrs.beta} * ${y})`;
  }
}

/** [m, k] of op(A) for A's shape. */
function dims(as: readonly number[], transA: boolean): [number, number] {
  return transA ? [as[1], as[0]] : [as[0], as[1]];
}

registerKernel('Gemv', {
  nativeAttrs: (a) => ({ ints: [a.transA ? 1 : 0], floats: [a.alpha as number, a.beta as number] }),
  inferShape: ([as, xs, ys], attrs) => {
    const [m, k] = dims(as, attrs.transA as boolean);
    if (as.length !== 2 || xs.length !== 1 || xs[0] !== k) throw new ShapeError(`gemv: x must have shape [${k}] to match a [${as.join(', ')}], got [${xs.join(', ')}]`);
    return [broadcastShapes('gemv', [[m], ys])];
  },
  prepareJs: ({ inShapes: [as, , ys], outShapes: [out], attrs }) => {
    const tA = attrs.transA as boolean;
    const [m, k] = dims(as, tA);
    const alpha = attrs.alpha as number;
    const beta = attrs.beta as number;
    // element (i, p) of op(A) is A[i * si + p * sp]
    const si = tA ? 1 : k;
    const sp = tA ? m : 1;
    const n = out.length ? out[0] : 1;
    const prod = new Float64Array(m);
    const sy = ys.length && ys[0] === n ? 1 : 0;
    const spr = m === n ? 1 : 0;
    return ([A, X, Y], [O]) => {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * si + p * sp] * X[p];
        prod[i] = s;
      }
      for (let i = 0; i < n; i++) O[i] = alpha * prod[i * spr] + beta * Y[i * sy];
    };
  },
});

export function gemv(a: Variable, x: Variable, y: Variable, transA: boolean, alpha: number, beta: number): Variable {
  return new GemvOp(transA, alpha, beta).makeNode(a, x, y).outputs[0];
}
