import { DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';

/** The number of elements of x along `axes` at run time, as a scalar of `dtype` (x's values are not read). */
export class AxisCountOp extends Op {
  readonly name = 'axisCount';
  readonly kernel = 'AxisCount';
  override readonly attrs: { axes: readonly number[]; dtype: DType };
  constructor(axes: readonly number[], dtype: DType) {
    super();
    this.attrs = { axes, dtype };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType(this.attrs.dtype, [])]);
  }
  // a count depends on the shape only: no gradient flows to x's values
  override grad(): (Variable | null)[] {
    return [null];
  }
}

registerKernel('AxisCount', {
  nativeAttrs: (a) => ({ ints: a.axes as number[] }),
  inferShape: () => [[]],
  prepareJs: ({ inShapes: [x], attrs }) => {
    const n = (attrs.axes as number[]).reduce((p, a) => p * x[a], 1);
    return (_ins, outs) => {
      outs[0][0] = n;
    };
  },
});

export function axisCount(x: Variable, axes: readonly number[], dtype: DType): Variable {
  return new AxisCountOp(axes, dtype).makeNode(x).outputs[0];
}
