import { isFloat } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { ShapeError } from '../errors';
import { broadcastLike } from './broadcast-to';
import { cast } from './cast';
import { checkBroadcastsTo, sumKernel } from './reduce-kernel';
import { provablySameShape } from './broadcast';

/**
 * Sums x down to the run-time shape of `ref`: the inverse of broadcasting, which is how the gradient of a
 * broadcasting op reaches an input of a smaller shape. Only `ref`'s shape is read.
 */
export class SumToOp extends Op {
  readonly name = 'sumTo';
  readonly kernel = 'SumTo';
  makeNode(x: Variable, ref: Variable): Apply {
    if (x.ndim < ref.ndim) {
      throw new ShapeError(`sumTo: x must have rank >= ${ref.ndim} to sum down to ${ref}, got ${shapeStr(x.type.shape)}`);
    }
    return new Apply(this, [x, ref], [new TensorType(x.dtype, ref.type.shape)]);
  }
  // d sumTo(x) = broadcast of g back to x's shape; ref is read for its shape only
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? broadcastLike(g, x) : null, null];
  }
}

const SUM_TO = new SumToOp();

registerKernel('SumTo', {
  inferShape: ([x, ref]) => {
    checkBroadcastsTo('sumTo', ref, x);
    return [ref.slice()];
  },
  prepareJs: ({ inShapes: [xs, ref] }) => {
    const lead = xs.length - ref.length;
    const axes: number[] = [];
    xs.forEach((d, i) => {
      if (i < lead || (ref[i - lead] === 1 && d !== 1)) axes.push(i);
    });
    if (axes.length === 0) return (ins, outs) => outs[0].set(ins[0]);
    return sumKernel(xs, axes, null);
  },
});

/** The gradient `g` of a broadcast output, summed back to the run-time shape of input `x` (cast to x's dtype). */
export function reduceTo(g: Variable, x: Variable): Variable {
  const gg = isFloat(x.dtype) && g.dtype !== x.dtype ? cast(g, x.dtype) : g;
  if (provablySameShape(x.type.shape, gg.type.shape)) return gg;
  return SUM_TO.makeNode(gg, x).outputs[0];
}
