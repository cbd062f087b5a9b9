import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { abs } from './abs';
import { add } from './add';
import { CumOp, cumArgs, cumKernelSpec, CumsumOp } from './cumsum';
import { div } from './div';
import { mul } from './mul';
import { sign } from './sign';
import { sub } from './sub';

export class CumprodOp extends CumOp {
  readonly name = 'cumprod';
  readonly kernel = 'Cumprod';
  // y_i = prod_{k<=i} x_k  =>  dx_j = sum_{i>=j} g_i prod_{k<=i, k!=j} x_k, zero-safe (not y_i / x_j everywhere):
  //   before the line's first zero: revcumsum(g*y)_j / x_j;
  //   at the first zero z: revcumsum(g*y')_z with y' = cumprod(x with x_z set to 1);  after it: 0.
  // With z = [x == 0] and c = cumsum(z): before = 1 - sign(c), first = z * (1 - sign(c - z)).
  // `like` (flattened scans) only gives a shape: no gradient.
  override grad(inputs: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    const x = inputs[0];
    const dx = g ? this.zeroSafeGrad(x, out, g) : null;
    return inputs.length > 1 ? [dx, null] : [dx];
  }
  private zeroSafeGrad(x: Variable, out: Variable, g: Variable): Variable {
    const { axis, reverse, flat } = this.attrs;
    // a scan in this op's direction and geometry, shaped like `like` when flat
    const scan = (v: Variable, prod: boolean, like: Variable) => {
      const op = prod ? new CumprodOp(axis, reverse, flat) : new CumsumOp(axis, reverse, flat);
      return (flat ? op.makeNode(v, like) : op.makeNode(v)).outputs[0];
    };
    const z = sub(1, abs(sign(x)));
    const c = scan(z, false, x);
    const before = sub(1, sign(c));
    const first = mul(z, sub(1, sign(sub(c, z))));
    const xSafe = add(mul(before, x), sub(1, before));
    const others = scan(add(x, first), true, out);
    return add(mul(before, div(this.reverseSum(mul(g, out), x), xSafe)), mul(first, this.reverseSum(mul(g, others), x)));
  }
}

registerKernel('Cumprod', cumKernelSpec(true));

/**
 * Running product along `axis` (NumPy's cumprod); without `axis` over the flattened x (a 1-D result). Its gradient
 * is exact at zeros too (the product of the other factors).
 * @example T.cumprod(x, 0)
 */
export function cumprod(x: unknown, axis?: number): Variable {
  const [v, a] = cumArgs('cumprod', x, axis);
  return new CumprodOp(a ?? 0, false, a === null).makeNode(v).outputs[0];
}
