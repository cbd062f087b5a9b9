import { ArgumentError } from '../errors';
import { DType, isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { broadcastLike } from './broadcast-to';
import { normalizeAxes, reducedShape, sumKernel } from './reduce-kernel';

/** Sum over `axes` (all when empty list is not given), optionally keeping reduced dims as size 1. */
export class SumOp extends Op {
  readonly name = 'sum';
  readonly kernel = 'Sum';
  override readonly attrs: { axes: readonly number[]; keepdims: boolean };
  constructor(axes: readonly number[], keepdims: boolean) {
    super();
    this.attrs = { axes, keepdims };
  }
  makeNode(x: Variable): Apply {
    const dt: DType = isFloat(x.dtype) ? x.dtype : 'int32';
    return new Apply(this, [x], [new TensorType(dt, reducedShape(x.type.shape, this.attrs.axes, this.attrs.keepdims, 1))]);
  }
  // d sum(x) = g broadcast back over the summed axes
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    return [broadcastLike(g, x, this.attrs.keepdims ? [] : this.attrs.axes)];
  }
}

registerKernel('Sum', {
  nativeAttrs: (a) => ({ ints: [a.keepdims ? 1 : 0, ...(a.axes as number[])] }),
  inferShape: ([x], attrs) => [reducedShape(x, attrs.axes as number[], attrs.keepdims as boolean, 1)],
  prepareJs: ({ inShapes: [x], attrs }) => sumKernel(x, attrs.axes as number[], null),
});

export interface ReduceOptions {
  keepdims?: boolean;
}

export function checkKeepdims(op: string, opts: unknown): boolean {
  if (opts === undefined) return false;
  if (typeof opts === 'boolean') return opts;
  if (typeof opts !== 'object' || opts === null) throw new ArgumentError(`${op}: options must be { keepdims?: boolean }, got ${JSON.stringify(opts)}`);
  const k = (opts as ReduceOptions).keepdims;
  if (k !== undefined && typeof k !== 'boolean') throw new ArgumentError(`${op}: keepdims must be a boolean, got ${JSON.stringify(k)}`);
  return k ?? false;
}

/**
 * Sum over `axis` (a number, a list, or undefined for all axes).
 * @example T.sum(T.sqr(y.sub(out)))   // scalar; T.sum(x, 1, { keepdims: true }) keeps a size-1 axis
 */
export function sum(x: unknown, axis?: number | number[], opts?: ReduceOptions | boolean): Variable {
  const v = asVariable(x, 'sum', 'x');
  const axes = normalizeAxes('sum', axis, v.ndim);
  return new SumOp(axes, checkKeepdims('sum', opts)).makeNode(v).outputs[0];
}
