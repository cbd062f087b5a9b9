import { DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { foldKernel } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';

/** Whether some element over `axes` is nonzero (NaN counts as nonzero, as NumPy), as bool; an empty group is false. */
export class AnyOp extends ReduceOp {
  readonly name = 'any';
  readonly kernel = 'Any';
  protected outDtype(_dt: DType): DType {
    return 'bool';
  }
  // a truth value is piecewise constant and boolean: no gradient flows back
  override grad(): (Variable | null)[] {
    return [null];
  }
}

registerKernel('Any', {
  ...reduceKernelBase,
  prepareJs: ({ inShapes: [x], attrs }) => foldKernel(x, attrs.axes as number[], 0, (a, v) => (v !== 0 ? 1 : a)),
});

/** Logical OR over `axis` (number, list, or undefined for all), a bool tensor. @example T.any(mask, 0) */
export const any = reduction('any', (axes, keepdims) => new AnyOp(axes, keepdims));
