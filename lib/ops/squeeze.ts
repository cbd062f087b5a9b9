import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, showValue } from '../ndarray';
import { expandDims } from './expand-dims';

/** Removes the size-1 dims `axes` (same data); a dim unknown until run time is checked then. */
export class SqueezeOp extends Op {
  readonly name = 'squeeze';
  readonly kernel = 'Squeeze';
  override readonly attrs: { axes: readonly number[] };
  constructor(axes: readonly number[]) {
    super();
    this.attrs = { axes };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType(x.dtype, x.type.shape.filter((_, i) => !this.attrs.axes.includes(i)))]);
  }
  // the removed dims were 1: inserting them again restores x's run-time shape
  override grad(_i: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? expandDims(g, this.attrs.axes as number[]) : null];
  }
}

registerKernel('Squeeze', {
  nativeAttrs: (a) => ({ ints: a.axes as number[] }),
  inferShape: ([x], attrs) => {
    const axes = attrs.axes as number[];
    const bad = axes.filter((a) => x[a] !== 1);
    if (bad.length) throw new ShapeError(`squeeze: axes ${bad.join(', ')} must have size 1, got x of shape ${shapeStr(x)}`);
    return [x.filter((_, i) => !axes.includes(i))];
  },
  prepareJs: () => (ins, outs) => outs[0].set(ins[0]),
});

/** Removes size-1 axes: the given ones, or every dim statically known to be 1. @example T.squeeze(x, 1) // [n, 1] -> [n] */
export function squeeze(x: unknown, axes?: number | number[]): Variable {
  const v = asVariable(x, 'squeeze', 'x');
  const r = v.ndim;
  let list: number[];
  if (axes === undefined) list = v.type.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else {
    const raw = typeof axes === 'number' ? [axes] : axes;
    if (!Array.isArray(raw) || !raw.every((a) => Number.isInteger(a) && a >= -r && a < r)) {
      throw new ArgumentError(`squeeze: axes must be integers in [${-r}, ${r}), got ${showValue(axes)}`);
    }
    list = raw.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
    if (new Set(list).size !== list.length) throw new ArgumentError(`squeeze: axes must not repeat, got ${showValue(axes)}`);
    const bad = list.filter((a) => v.type.shape[a] !== null && v.type.shape[a] !== 1);
    if (bad.length) throw new ShapeError(`squeeze: axes ${bad.join(', ')} must have size 1, got x of shape ${shapeStr(v.type.shape)}`);
  }
  if (list.length === 0) return v;
  return new SqueezeOp(list).makeNode(v).outputs[0];
}
