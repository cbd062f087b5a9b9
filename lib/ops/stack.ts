import { showValue } from '../ndarray';
import { ArgumentError } from '../errors';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { checkJoined, joinedStatic, joinInputs, joinKernel } from './concatenate';
import { splitBy } from './split';
import { squeeze } from './squeeze';

/** Joins same-shaped inputs along a new axis `axis` of the output. */
export class StackOp extends Op {
  readonly name = 'stack';
  readonly kernel = 'Stack';
  override readonly attrs: { axis: number };
  constructor(axis: number) {
    super();
    this.attrs = { axis };
  }
  makeNode(...xs: Variable[]): Apply {
    const shape = joinedStatic('stack', xs, -1);
    shape.splice(this.attrs.axis, 0, xs.length);
    return new Apply(this, xs, [new TensorType(xs[0].dtype, shape)]);
  }
  // d stack(xs) = g cut into size-1 slices along the axis, the axis removed from each
  override grad(xs: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return xs.map(() => null);
    return splitBy(g, this.attrs.axis, xs.length, null).map((p) => squeeze(p, this.attrs.axis));
  }
}

registerKernel('Stack', {
  nativeAttrs: (a) => ({ ints: [a.axis as number] }),
  inferShape: (ins, attrs, _host, inputLabel) => {
    checkJoined('stack', ins, -1, inputLabel);
    const out = ins[0].slice();
    out.splice(attrs.axis as number, 0, ins.length);
    return [out];
  },
  prepareJs: ({ inShapes, outShapes: [out], attrs }) => joinKernel(inShapes, out, attrs.axis as number),
});

/** Joins same-shaped tensors along a new axis (dtypes upcast). @example T.stack([a, b], 0) // two [n] -> [2, n] */
export function stack(xs: unknown, axis = 0): Variable {
  const vs = joinInputs('stack', xs);
  const r = vs[0].ndim + 1;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) throw new ArgumentError(`stack: axis must be an integer in [${-r}, ${r}), got ${showValue(axis)}`);
  return new StackOp(axis < 0 ? axis + r : axis).makeNode(...vs).outputs[0];
}
