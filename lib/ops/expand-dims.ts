import { ArgumentError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { expandedShape } from './broadcast-to';
import { sum } from './sum';
import { showValue } from '../ndarray';

/** Inserts size-1 dims at output positions `axes` (same data, new shape). */
export class ExpandDimsOp extends Op {
  readonly name = 'expandDims';
  readonly kernel = 'ExpandDims';
  override readonly attrs: { axes: readonly number[] };
  constructor(axes: readonly number[]) {
    super();
    this.attrs = { axes };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType(x.dtype, expandedShape(x.type.shape as number[], this.attrs.axes))]);
  }
  // summing over size-1 axes removes them again
  override grad(_i: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? sum(g, this.attrs.axes as number[]) : null];
  }
}

registerKernel('ExpandDims', {
  nativeAttrs: (a) => ({ ints: a.axes as number[] }),
  inferShape: ([x], attrs) => [expandedShape(x, attrs.axes as number[])],
  prepareJs: () => (ins, outs) => outs[0].set(ins[0]),
});

/** Inserts size-1 axes at the given output positions. @example T.expandDims(v, [1]) // [n] -> [n, 1] */
export function expandDims(x: unknown, axes: number | number[]): Variable {
  const v = asVariable(x, 'expandDims', 'x');
  const list = typeof axes === 'number' ? [axes] : axes;
  const r = v.ndim + (Array.isArray(list) ? list.length : 0);
  if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a) && a >= -r && a < r)) {
    throw new ArgumentError(`expandDims: axes must be integers in [${-r}, ${r}), got ${showValue(axes)}`);
  }
  const norm = list.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
  if (new Set(norm).size !== norm.length) throw new ArgumentError(`expandDims: axes must not repeat, got ${showValue(axes)}`);
  return new ExpandDimsOp(norm).makeNode(v).outputs[0];
}
