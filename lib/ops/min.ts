import { ShapeError } from '../errors';
import { DType } from '../dtype';
import { JsKernel, registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { mul } from './mul';
import { reducedShape } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';
import { sign } from './sign';
import { sub } from './sub';

/**
 * A reduction kernel folding each group of `x` (shape `inShape`) over `axes` with `step`, starting from `init`.
 * Accumulates in float64 and writes the output once (so float32 products do not round at every step).
 */
export function foldKernel(inShape: readonly number[], axes: readonly number[], init: number, step: (acc: number, v: number) => number): JsKernel {
  const r = inShape.length;
  const n = sizeOf(inShape);
  const outShape = inShape.map((d, i) => (axes.includes(i) ? 1 : d));
  // out offset of each input element: strides of outShape, zero along reduced axes
  const ostr = new Int32Array(r);
  for (let i = r - 1, s = 1; i >= 0; i--) {
    ostr[i] = axes.includes(i) ? 0 : s;
    s *= outShape[i];
  }
  const idx = new Int32Array(r);
  const acc = new Float64Array(sizeOf(outShape));
  return (ins, outs) => {
    const X = ins[0];
    acc.fill(init);
    idx.fill(0);
    let off = 0;
    for (let i = 0; i < n; i++) {
      acc[off] = step(acc[off], X[i]);
      for (let d = r - 1; d >= 0; d--) {
        idx[d]++;
        off += ostr[d];
        if (idx[d] < inShape[d]) break;
        off -= ostr[d] * inShape[d];
        idx[d] = 0;
      }
    }
    outs[0].set(acc);
  };
}

/** The build-time and run-time check of reductions that have no identity (min, max, argmin, argmax). */
export function checkNotEmpty(op: string, shape: readonly (number | null)[], axes: readonly number[], shown: string): void {
  const empty = axes.filter((a) => shape[a] === 0);
  if (empty.length) throw new ShapeError(`${op}: x must not be empty along axis ${empty.join(', ')}, got ${shown}`);
}

/** Minimum over `axes` (NaN if any element is NaN, as NumPy; an empty reduction is an error). */
export class MinOp extends ReduceOp {
  readonly name = 'min';
  readonly kernel = 'Min';
  protected outDtype(dt: DType): DType {
    return dt;
  }
  protected override check(x: Variable): void {
    checkNotEmpty('min', x.type.shape, this.attrs.axes, String(x.type));
  }
  // d min(x) = g at the positions equal to the min (every tie gets it, as max), 0 elsewhere;
  // mask = 1 - sign(x - min) is 1 exactly there because x - min >= 0
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const mask = sub(1, sign(sub(x, this.spread(out, x))));
    return [mul(this.spread(g, x), mask)];
  }
}

registerKernel('Min', {
  nativeAttrs: reduceKernelBase.nativeAttrs,
  inferShape: ([x], attrs) => {
    checkNotEmpty('min', x, attrs.axes as number[], `shape [${x.join(', ')}]`);
    return [reducedShape(x, attrs.axes as number[], attrs.keepdims as boolean, 1)];
  },
  // a NaN sticks: nothing compares below it and it replaces any number
  prepareJs: ({ inShapes: [x], attrs }) => foldKernel(x, attrs.axes as number[], Infinity, (a, v) => (v < a || v !== v ? v : a)),
});

/** Minimum over `axis` (number, list, or undefined for all). @example T.min(x, 1, { keepdims: true }) */
export const min = reduction('min', (axes, keepdims) => new MinOp(axes, keepdims));
