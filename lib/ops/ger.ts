import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { broadcastShapes, broadcastStatic, broadcastStrides } from './broadcast';

/**
 * C + alpha * x y^T for vectors x and y, the BLAS ger (a rank-1 update, as an SGD step on the weights of a
 * matrix-vector product); C broadcasts, as in the add it replaces. Made only by the specialize rewrite.
 */
export class GerOp extends Op {
  readonly name = 'ger';
  readonly kernel = 'Ger';
  override readonly attrs: { alpha: number };
  constructor(alpha: number) {
    super();
    this.attrs = { alpha };
  }
  makeNode(x: Variable, y: Variable, c: Variable): Apply {
    const shape = broadcastStatic('ger', ['outer(x, y)', 'c'], [[x.type.shape[0], y.type.shape[0]], c.type.shape]);
    return new Apply(this, [x, y, c], [new TensorType(c.dtype, shape)]);
  }
  // no grad: the rewrite makes it after differentiation
  override format([x, y, c]: readonly string[]): string {
    return `ger(${c} + ${this.attrs.alpha} * outer(${x}, ${y}))`;
  }
}

registerKernel('Ger', {
  nativeAttrs: (a) => ({ ints: [], floats: [a.alpha as number] }),
  inferShape: ([xs, ys, cs]) => [broadcastShapes('ger', [[xs[0], ys[0]], cs])],
  prepareJs: ({ inShapes: [xs, ys, cs], outShapes: [out], attrs }) => {
    const alpha = attrs.alpha as number;
    const [rows, cols] = out;
    const sc = broadcastStrides(cs, out);
    const sx = xs[0] === rows ? 1 : 0;
    const sy = ys[0] === cols ? 1 : 0;
    return ([X, Y, C], [O]) => {
      for (let i = 0; i < rows; i++) {
        const xi = alpha * X[i * sx];
        for (let j = 0; j < cols; j++) O[i * cols + j] = C[i * sc[0] + j * sc[1]] + xi * Y[j * sy];
      }
    };
  },
});

export function ger(x: Variable, y: Variable, c: Variable, alpha: number): Variable {
  return new GerOp(alpha).makeNode(x, y, c).outputs[0];
}
