import { DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { mul } from './mul';
import { checkNotEmpty, foldKernel, reducedShape } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';
import { spreadReduced } from './broadcast-to';
import { sign } from './sign';
import { sub } from './sub';

/**
 * Minimum over `axes` (NaN if any element is NaN, as NumPy; an empty reduction is an error). Its gradient goes
 * whole to every element equal to the minimum (each of tied elements gets all of it, as Theano), 0 elsewhere.
 */
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
    const mask = sub(1, sign(sub(x, spreadReduced(this, out, x))));
    return [mul(spreadReduced(this, g, x), mask)];
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
