import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { MAX_DIM, shapeStr, showValue } from '../ndarray';

/** Length of the k-th diagonal of an [r, c] matrix (k > 0 above the main diagonal, k < 0 below). */
function diagLength(r: number, c: number, k: number): number {
  return Math.max(0, k >= 0 ? Math.min(r, c - k) : Math.min(r + k, c));
}

/** Element offset of the first entry of the k-th diagonal of a matrix with `c` columns. */
const diagStart = (c: number, k: number) => (k >= 0 ? k : -k * c);

/** NumPy's `diag`: a vector becomes a square matrix with it on the k-th diagonal, a matrix gives its k-th diagonal. */
export class DiagOp extends Op {
  readonly name = 'diag';
  readonly kernel = 'Diag';
  override readonly attrs: { k: number };
  constructor(k: number) {
    super();
    this.attrs = { k };
  }
  makeNode(x: Variable): Apply {
    if (x.ndim !== 1 && x.ndim !== 2) throw new ShapeError(`diag: x must be a vector or a matrix, got rank ${x.ndim} ${shapeStr(x.type.shape)}`);
    const k = this.attrs.k;
    const [r, c] = x.type.shape;
    let out: Dim[];
    if (x.ndim === 1) out = r === null ? [null, null] : [r + Math.abs(k), r + Math.abs(k)];
    else out = [r === null || c === null ? null : diagLength(r, c, k)];
    return new Apply(this, [x], [new TensorType(x.dtype, out)]);
  }
  // building a matrix from v: dv = the k-th diagonal of g; taking the diagonal of X: dX = g placed on that diagonal
  // of a zero matrix shaped like X
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const k = this.attrs.k;
    if (x.ndim === 1) return [new DiagOp(k).makeNode(g).outputs[0]];
    return [new DiagLikeOp(k).makeNode(g, x).outputs[0]];
  }
}

/** A zero matrix of `ref`'s run-time shape with v on its k-th diagonal (the gradient of taking a diagonal). */
export class DiagLikeOp extends Op {
  readonly name = 'diagLike';
  readonly kernel = 'DiagLike';
  override readonly attrs: { k: number };
  constructor(k: number) {
    super();
    this.attrs = { k };
  }
  makeNode(v: Variable, ref: Variable): Apply {
    return new Apply(this, [v, ref], [new TensorType(v.dtype, ref.type.shape)]);
  }
  // only the diagonal reads v; ref is read for its shape only
  override grad(_i: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? new DiagOp(this.attrs.k).makeNode(g).outputs[0] : null, null];
  }
}

registerKernel('Diag', {
  nativeAttrs: (a) => ({ ints: [a.k as number] }),
  inferShape: ([x], attrs) => {
    const k = attrs.k as number;
    if (x.length === 1) return [[x[0] + Math.abs(k), x[0] + Math.abs(k)]];
    return [[diagLength(x[0], x[1], k)]];
  },
  prepareJs: ({ inShapes: [x], attrs }) => {
    const k = attrs.k as number;
    if (x.length === 1) {
      const n = x[0];
      const c = n + Math.abs(k);
      const start = diagStart(c, k);
      return (ins, outs) => {
        outs[0].fill(0);
        for (let i = 0; i < n; i++) outs[0][start + i * (c + 1)] = ins[0][i];
      };
    }
    const len = diagLength(x[0], x[1], k);
    const start = diagStart(x[1], k);
    return (ins, outs) => {
      for (let i = 0; i < len; i++) outs[0][i] = ins[0][start + i * (x[1] + 1)];
    };
  },
});

registerKernel('DiagLike', {
  nativeAttrs: (a) => ({ ints: [a.k as number] }),
  inferShape: ([v, ref], attrs) => {
    const len = ref.length === 2 ? diagLength(ref[0], ref[1], attrs.k as number) : -1;
    if (v.length !== 1 || v[0] !== len) {
      throw new ShapeError(`diagLike: v must have shape [${len}] to fill diagonal ${attrs.k} of ${shapeStr(ref)}, got ${shapeStr(v)}`);
    }
    return [ref.slice()];
  },
  prepareJs: ({ inShapes: [v, ref], attrs }) => {
    const start = diagStart(ref[1], attrs.k as number);
    return (ins, outs) => {
      outs[0].fill(0);
      for (let i = 0; i < v[0]; i++) outs[0][start + i * (ref[1] + 1)] = ins[0][i];
    };
  },
});

/**
 * A vector's square matrix with it on diagonal k, or a matrix's k-th diagonal (k > 0 above the main one, k < 0 below).
 * @example T.diag(v)   // [n] -> [n, n];  T.diag(m, 1)   // [3, 3] -> [2]
 */
export function diag(x: unknown, k = 0): Variable {
  const v = asVariable(x, 'diag', 'x');
  if (!Number.isInteger(k) || Math.abs(k) > MAX_DIM) throw new ArgumentError(`diag: k must be an integer in [${-MAX_DIM}, ${MAX_DIM}], got ${showValue(k)}`);
  return new DiagOp(k).makeNode(v).outputs[0];
}
