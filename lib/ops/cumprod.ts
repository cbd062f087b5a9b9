import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { CumOp, CumsumOp, cumArgs, cumKernelSpec } from './cumsum';
import { div } from './div';
import { mul } from './mul';

export class CumprodOp extends CumOp {
  readonly name = 'cumprod';
  readonly kernel = 'Cumprod';
  // y_i = prod_{j<=i} x_j  =>  dx_j = sum_{i>=j} g_i y_i / x_j (a reverse running sum of g*y, divided by x).
  // Only valid where x has no zeros: at x_j = 0 it gives NaN or inf instead of the product of the other factors.
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    return [div(new CumsumOp(this.attrs.axis, !this.attrs.reverse).makeNode(mul(g, out)).outputs[0], x)];
  }
}

registerKernel('Cumprod', cumKernelSpec(true));

/**
 * Running product along `axis` (NumPy's cumprod); `axis` may be omitted for a vector or a scalar. Its gradient
 * assumes x has no zeros (it is NaN or inf at a zero).
 * @example T.cumprod(x, 0)
 */
export function cumprod(x: unknown, axis?: number): Variable {
  const [v, a] = cumArgs('cumprod', x, axis);
  return new CumprodOp(a, false).makeNode(v).outputs[0];
}
