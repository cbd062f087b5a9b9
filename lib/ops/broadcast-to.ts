import { ShapeError } from '../errors';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { asVariable, constant } from '../graph/as-variable';
import { elemwiseKernel } from './elemwise';
import { checkBroadcastsTo } from './reduce-kernel';
import { sum } from './sum';
import { reduceTo } from './sum-to';

/**
 * Broadcasts x to the run-time shape of `ref`, after inserting size-1 dims at output positions `axes` (how the
 * gradient of a reduction spreads back over the reduced axes). Only `ref`'s shape is read.
 */
export class BroadcastToOp extends Op {
  readonly name = 'broadcastTo';
  readonly kernel = 'BroadcastTo';
  override readonly attrs: { axes: readonly number[] };
  constructor(axes: readonly number[]) {
    super();
    this.attrs = { axes };
  }
  makeNode(x: Variable, ref: Variable): Apply {
    if (x.ndim + this.attrs.axes.length > ref.ndim) {
      throw new ShapeError(`broadcastTo: x must have rank <= ${ref.ndim - this.attrs.axes.length} to broadcast to ${ref}, got ${shapeStr(x.type.shape)}`);
    }
    return new Apply(this, [x, ref], [new TensorType(x.dtype, ref.type.shape)]);
  }
  // d broadcastTo(x) = g summed over the inserted axes, then over the broadcast dims
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    const axes = this.attrs.axes;
    return [reduceTo(axes.length ? sum(g, axes as number[]) : g, x), null];
  }
}

export function expandedShape(x: readonly number[], axes: readonly number[]): number[] {
  const out = x.slice();
  for (const a of axes) out.splice(a, 0, 1);
  return out;
}

registerKernel('BroadcastTo', {
  nativeAttrs: (a) => ({ ints: a.axes as number[] }),
  inferShape: ([x, ref], attrs) => {
    checkBroadcastsTo('broadcastTo', expandedShape(x, attrs.axes as number[]), ref);
    return [ref.slice()];
  },
  prepareJs: ({ inShapes: [x], outShapes: [out], attrs }) => elemwiseKernel('a', [expandedShape(x, attrs.axes as number[])], out),
});

/** x broadcast to the run-time shape of `ref` (size-1 dims inserted at `axes` first). */
export function broadcastLike(x: Variable, ref: Variable, axes: readonly number[] = []): Variable {
  return new BroadcastToOp(axes).makeNode(x, ref).outputs[0];
}

/** Zeros with the run-time shape and the dtype of x. @example T.zerosLike(W) */
export function zerosLike(x: unknown): Variable {
  const v = asVariable(x, 'zerosLike', 'x');
  return broadcastLike(constant(0, v.dtype), v);
}

/** Ones with the run-time shape and the dtype of x. @example T.onesLike(W) */
export function onesLike(x: unknown): Variable {
  const v = asVariable(x, 'onesLike', 'x');
  return broadcastLike(constant(1, v.dtype), v);
}

/** The gradient of a reduction (sum, mean, max...), of the reduced shape, spread back over the reduced axes of x. */
export function spreadReduced(op: { attrs: { axes: readonly number[]; keepdims: boolean } }, g: Variable, x: Variable): Variable {
  return broadcastLike(g, x, op.attrs.keepdims ? [] : op.attrs.axes);
}
