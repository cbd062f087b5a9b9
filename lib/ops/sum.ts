import { DType, isFloat } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { sumKernel } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';
import { spreadReduced } from './broadcast-to';


/** Sum over `axes`; integers and booleans sum as int32. */
export class SumOp extends ReduceOp {
  readonly name = 'sum';
  readonly kernel = 'Sum';
  protected outDtype(dt: DType): DType {
    return isFloat(dt) ? dt : 'int32';
  }
  // d sum(x) = g broadcast back over the summed axes
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? spreadReduced(this, g, x) : null];
  }
}

registerKernel('Sum', {
  ...reduceKernelBase,
  prepareJs: ({ inShapes: [x], attrs }) => sumKernel(x, attrs.axes as number[], null),
});

/**
 * Sum over `axis` (a number, a list, or undefined for all axes).
 * @example T.sum(T.sqr(y.sub(out)))   // scalar; T.sum(x, 1, { keepdims: true }) keeps a size-1 axis
 */
export const sum = reduction('sum', (axes, keepdims) => new SumOp(axes, keepdims));
