import { floatOf } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { axisCount } from './axis-count';
import { broadcastLike } from './broadcast-to';
import { div } from './div';
import { normalizeAxes, reducedShape, sumKernel } from './reduce-kernel';
import { checkKeepdims, ReduceOptions } from './sum';

/** Arithmetic mean over `axes` (integers average as floatX; an empty reduction gives NaN, as NumPy). */
export class MeanOp extends Op {
  readonly name = 'mean';
  readonly kernel = 'Mean';
  override readonly attrs: { axes: readonly number[]; keepdims: boolean };
  constructor(axes: readonly number[], keepdims: boolean) {
    super();
    this.attrs = { axes, keepdims };
  }
  makeNode(x: Variable): Apply {
    const shape = reducedShape(x.type.shape, this.attrs.axes, this.attrs.keepdims, 1);
    return new Apply(this, [x], [new TensorType(floatOf(x.dtype), shape)]);
  }
  // d mean(x) = g / n broadcast back over the averaged axes, n = number of averaged elements
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const spread = broadcastLike(g, x, this.attrs.keepdims ? [] : this.attrs.axes);
    return [div(spread, axisCount(x, this.attrs.axes, out.dtype))];
  }
}

registerKernel('Mean', {
  nativeAttrs: (a) => ({ ints: [a.keepdims ? 1 : 0, ...(a.axes as number[])] }),
  inferShape: ([x], attrs) => [reducedShape(x, attrs.axes as number[], attrs.keepdims as boolean, 1)],
  prepareJs: ({ inShapes: [x], attrs }) => {
    const axes = attrs.axes as number[];
    const n = sizeOf(axes.map((a) => x[a]));
    return sumKernel(x, axes, 1 / n);
  },
});

/** Mean over `axis` (number, list, or undefined for all). @example T.mean(T.sqr(err)) */
export function mean(x: unknown, axis?: number | number[], opts?: ReduceOptions | boolean): Variable {
  const v = asVariable(x, 'mean', 'x');
  const axes = normalizeAxes('mean', axis, v.ndim);
  return new MeanOp(axes, checkKeepdims('mean', opts)).makeNode(v).outputs[0];
}
