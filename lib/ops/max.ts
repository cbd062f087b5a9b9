import { ShapeError } from '../errors';
import { DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { add } from './add';
import { mul } from './mul';
import { reducedShape } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';
import { sign } from './sign';
import { sub } from './sub';

/** Maximum over `axes` (NaN if any element is NaN, as NumPy; an empty reduction is an error). */
export class MaxOp extends ReduceOp {
  readonly name = 'max';
  readonly kernel = 'Max';
  protected outDtype(dt: DType): DType {
    return dt;
  }
  protected override check(x: Variable): void {
    const empty = this.attrs.axes.filter((a) => x.type.shape[a] === 0);
    if (empty.length) throw new ShapeError(`max: x must not be empty along axis ${empty.join(', ')}, got ${x.type}`);
  }
  // d max(x) = g at the positions equal to the max (every tie gets it, as Theano), 0 elsewhere;
  // mask = 1 + sign(x - max) is 1 exactly there because x - max <= 0
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const mask = add(1, sign(sub(x, this.spread(out, x))));
    return [mul(this.spread(g, x), mask)];
  }
}

registerKernel('Max', {
  nativeAttrs: reduceKernelBase.nativeAttrs,
  inferShape: ([x], attrs) => {
    const axes = attrs.axes as number[];
    const empty = axes.filter((a) => x[a] === 0);
    if (empty.length) throw new ShapeError(`max: x must not be empty along axis ${empty.join(', ')}, got shape [${x.join(', ')}]`);
    return [reducedShape(x, axes, attrs.keepdims as boolean, 1)];
  },
  prepareJs: ({ inShapes: [x], attrs }) => {
    const axes = attrs.axes as number[];
    const r = x.length;
    const n = sizeOf(x);
    const outShape = x.map((d, i) => (axes.includes(i) ? 1 : d));
    const ostr = new Int32Array(r);
    for (let i = r - 1, s = 1; i >= 0; i--) {
      ostr[i] = axes.includes(i) ? 0 : s;
      s *= outShape[i];
    }
    const idx = new Int32Array(r);
    return (ins, outs) => {
      const X = ins[0];
      const O = outs[0];
      O.fill(-Infinity);
      idx.fill(0);
      let off = 0;
      for (let i = 0; i < n; i++) {
        const v = X[i];
        if (v > O[off] || Number.isNaN(v)) O[off] = v;
        for (let d = r - 1; d >= 0; d--) {
          idx[d]++;
          off += ostr[d];
          if (idx[d] < x[d]) break;
          off -= ostr[d] * x[d];
          idx[d] = 0;
        }
      }
    };
  },
});

/** Maximum over `axis` (number, list, or undefined for all). @example T.max(x, 1, { keepdims: true }) */
export const max = reduction('max', (axes, keepdims) => new MaxOp(axes, keepdims));
