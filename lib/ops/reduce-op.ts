import { ArgumentError } from '../errors';
import { DType } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { Attrs, Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { normalizeAxes, reducedShape } from './reduce-kernel';
import { showValue } from '../ndarray';

export interface ReduceOptions {
  keepdims?: boolean;
}

// This base class imports no op: its subclasses import it, so importing any one of them first must work.

/** A reduction over sorted, normalized `axes`, optionally keeping them as size-1 dims (sum, mean, max...). */
export abstract class ReduceOp extends Op {
  override readonly attrs: { axes: readonly number[]; keepdims: boolean };
  constructor(axes: readonly number[], keepdims: boolean) {
    super();
    this.attrs = { axes, keepdims };
  }
  /** The result's dtype for an input dtype. */
  protected abstract outDtype(dt: DType): DType;
  /** Build-time checks beyond the axes (which the public function already validated). */
  protected check(_x: Variable): void {}
  makeNode(x: Variable): Apply {
    this.check(x);
    return new Apply(this, [x], [new TensorType(this.outDtype(x.dtype), reducedShape(x.type.shape, this.attrs.axes, this.attrs.keepdims, 1))]);
  }
}

/** Shape function and native attributes shared by the reduction kernels: ints [keepdims, ...axes]. */
export const reduceKernelBase = {
  nativeAttrs: (a: Attrs) => ({ ints: [a.keepdims ? 1 : 0, ...(a.axes as number[])] }),
  inferShape: ([x]: readonly (readonly number[])[], a: Attrs) => [reducedShape(x, a.axes as number[], a.keepdims as boolean, 1)],
};

export function checkKeepdims(op: string, opts: unknown): boolean {
  if (opts === undefined) return false;
  if (typeof opts === 'boolean') return opts;
  if (typeof opts !== 'object' || opts === null) throw new ArgumentError(`${op}: options must be { keepdims?: boolean }, got ${showValue(opts)}`);
  const k = (opts as ReduceOptions).keepdims;
  if (k !== undefined && typeof k !== 'boolean') throw new ArgumentError(`${op}: keepdims must be a boolean, got ${showValue(k)}`);
  return k ?? false;
}

/** The public function of a reduction: `f(x, axis?, { keepdims })`. */
export function reduction(name: string, make: (axes: number[], keepdims: boolean) => ReduceOp) {
  return (x: unknown, axis?: number | number[], opts?: ReduceOptions | boolean): Variable => {
    const v = asVariable(x, name, 'x');
    return make(normalizeAxes(name, axis, v.ndim), checkKeepdims(name, opts)).makeNode(v).outputs[0];
  };
}
