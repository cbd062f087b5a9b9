import { DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { foldKernel } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';

/** Whether every element over `axes` is nonzero (NaN counts as nonzero, as NumPy), as bool; an empty group is true. */
export class AllOp extends ReduceOp {
  readonly name = 'all';
  readonly kernel = 'All';
  protected outDtype(_dt: DType): DType {
    return 'bool';
  }
  // a truth value is piecewise constant and boolean: no gradient flows back
  override grad(): (Variable | null)[] {
    return [null];
  }
}

registerKernel('All', {
  ...reduceKernelBase,
  prepareJs: ({ inShapes: [x], attrs }) => foldKernel(x, attrs.axes as number[], 1, (a, v) => (v === 0 ? 0 : a)),
});

/** Logical AND over `axis` (number, list, or undefined for all), a bool tensor. @example T.all(mask, 1) */
export const all = reduction('all', (axes, keepdims) => new AllOp(axes, keepdims));
