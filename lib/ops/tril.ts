import { ArgumentError, ShapeError } from '../errors';
import { isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, showValue, sizeOf } from '../ndarray';

/** x with the elements off one side of diagonal k of its last two axes set to 0 (NumPy's tril / triu). */
export class TriangleOp extends Op {
  readonly name: string;
  readonly kernel: string;
  override readonly attrs: { k: number };
  constructor(readonly upper: boolean, k: number) {
    super();
    this.name = upper ? 'triu' : 'tril';
    this.kernel = upper ? 'Triu' : 'Tril';
    this.attrs = { k };
  }
  makeNode(x: Variable): Apply {
    if (x.ndim < 2) throw new ShapeError(`${this.name}: x must have rank >= 2 (a matrix or a batch of them), got rank ${x.ndim} ${shapeStr(x.type.shape)}`);
    return new Apply(this, [x], [new TensorType(x.dtype, x.type.shape)]);
  }
  // the op keeps some elements and zeroes the others, so d tril(x, k) = tril(g, k) (triu alike)
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g && isFloat(x.dtype) ? new TriangleOp(this.upper, this.attrs.k).makeNode(g).outputs[0] : null];
  }
}

for (const upper of [false, true]) {
  registerKernel(upper ? 'Triu' : 'Tril', {
    nativeAttrs: (a) => ({ ints: [a.k as number] }),
    inferShape: ([x]) => [x.slice()],
    prepareJs: ({ inShapes: [x], attrs }) => {
      const k = attrs.k as number;
      const c = x[x.length - 1];
      const r = x[x.length - 2];
      const rows = c === 0 ? 0 : sizeOf(x) / c;
      return (ins, outs) => {
        const src = ins[0];
        const dst = outs[0];
        for (let row = 0; row < rows; row++) {
          // element (i, j) of its matrix is kept where j - i <= k (tril) or j - i >= k (triu)
          const i = row % r;
          const cut = Math.min(c, Math.max(0, upper ? i + k : i + k + 1));
          const o = row * c;
          for (let j = 0; j < c; j++) dst[o + j] = (j < cut) !== upper ? src[o + j] : 0;
        }
      };
    },
  });
}

function triangle(upper: boolean, x: unknown, k: number): Variable {
  const name = upper ? 'triu' : 'tril';
  const v = asVariable(x, name, 'x');
  if (!Number.isSafeInteger(k)) throw new ArgumentError(`${name}: k must be an integer, got ${showValue(k)}`);
  // beyond ±2^30 every k keeps all or nothing of any matrix that fits in memory: clamp, so it fits the int32 attrs
  return new TriangleOp(upper, Math.max(-(2 ** 30), Math.min(2 ** 30, k))).makeNode(v).outputs[0];
}

/**
 * The lower triangle of the last two axes: elements above diagonal k set to 0 (k > 0 keeps more, k < 0 fewer; NumPy's
 * tril, Theano's T.tril). @example T.tril(scores)   // causal mask of a [n, n] matrix
 */
export const tril = (x: unknown, k = 0) => triangle(false, x, k);

/** The upper triangle of the last two axes: elements below diagonal k set to 0 (NumPy's triu). @example T.triu(m, 1) */
export const triu = (x: unknown, k = 0) => triangle(true, x, k);
