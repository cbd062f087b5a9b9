import { DType, floatOf } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { axisCount } from './axis-count';
import { div } from './div';
import { sumKernel } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';
import { spreadReduced } from './broadcast-to';

/** Arithmetic mean over `axes` (integers average as floatX; an empty reduction gives NaN, as NumPy). */
export class MeanOp extends ReduceOp {
  readonly name = 'mean';
  readonly kernel = 'Mean';
  protected outDtype(dt: DType): DType {
    return floatOf(dt);
  }
  // d mean(x) = g / n broadcast back over the averaged axes, n = number of averaged elements
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    return [div(spreadReduced(this, g, x), axisCount(x, this.attrs.axes, out.dtype))];
  }
}

registerKernel('Mean', {
  ...reduceKernelBase,
  prepareJs: ({ inShapes: [x], attrs }) => {
    const axes = attrs.axes as number[];
    const n = sizeOf(axes.map((a) => x[a]));
    return sumKernel(x, axes, 1 / n);
  },
});

/** Mean over `axis` (number, list, or undefined for all). @example T.mean(T.sqr(err)) */
export const mean = reduction('mean', (axes, keepdims) => new MeanOp(axes, keepdims));
