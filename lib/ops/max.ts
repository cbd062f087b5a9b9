import { DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { add } from './add';
import { mul } from './mul';
import { checkNotEmpty, foldKernel, reducedShape } from './reduce-kernel';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';
import { spreadReduced } from './broadcast-to';
import { sign } from './sign';
import { sub } from './sub';

/**
 * Maximum over `axes` (NaN if any element is NaN, as NumPy; an empty reduction is an error). Its gradient goes
 * whole to every element equal to the maximum (each of tied elements gets all of it, as Theano), 0 elsewhere.
 */
export class MaxOp extends ReduceOp {
  readonly name = 'max';
  readonly kernel = 'Max';
  protected outDtype(dt: DType): DType {
    return dt;
  }
  protected override check(x: Variable): void {
    checkNotEmpty('max', x.type.shape, this.attrs.axes, String(x.type));
  }
  // d max(x) = g at the positions equal to the max (every tie gets it, as Theano), 0 elsewhere;
  // mask = 1 + sign(x - max) is 1 exactly there because x - max <= 0
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const mask = add(1, sign(sub(x, spreadReduced(this, out, x))));
    return [mul(spreadReduced(this, g, x), mask)];
  }
}

registerKernel('Max', {
  nativeAttrs: reduceKernelBase.nativeAttrs,
  inferShape: ([x], attrs) => {
    checkNotEmpty('max', x, attrs.axes as number[], `shape [${x.join(', ')}]`);
    return [reducedShape(x, attrs.axes as number[], attrs.keepdims as boolean, 1)];
  },
  // a NaN sticks: nothing compares above it and it replaces any number
  prepareJs: ({ inShapes: [x], attrs }) => foldKernel(x, attrs.axes as number[], -Infinity, (acc, v) => (v > acc || v !== v ? v : acc)),
});

/** Maximum over `axis` (number, list, or undefined for all). @example T.max(x, 1, { keepdims: true }) */
export const max = reduction('max', (axes, keepdims) => new MaxOp(axes, keepdims));
