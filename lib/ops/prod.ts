import { DType, isFloat } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { abs } from './abs';
import { add } from './add';
import { div } from './div';
import { maximum } from './maximum';
import { foldKernel } from './reduce-kernel';
import { mul } from './mul';
import { reduceKernelBase, ReduceOp, reduction } from './reduce-op';
import { spreadReduced } from './broadcast-to';
import { sign } from './sign';
import { sub } from './sub';
import { sum } from './sum';

/** Product over `axes`; integers and booleans multiply as int32 (wrapping, as C); an empty product is 1. */
export class ProdOp extends ReduceOp {
  readonly name = 'prod';
  readonly kernel = 'Prod';
  protected outDtype(dt: DType): DType {
    return isFloat(dt) ? dt : 'int32';
  }
  // d prod(x)/dx_i = product of the other elements of x_i's group, zero-safe (not out / x_i):
  //   no zero in the group: out / x_i;  one zero: at the zero the product of the others, 0 elsewhere;  two or more: 0.
  // With z = [x == 0] and p = prod(x + z) (the product of the nonzeros), z's count c = sum(z) per group:
  //   dx = g * p * ((1 - z) * [c == 0] / (x + z) + z * [c == 1]),  [c == 0] = max(1 - c, 0),  [c == 1] = max(1 - |c - 1|, 0)
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const { axes, keepdims } = this.attrs;
    const z = sub(1, abs(sign(x)));
    const nonzero = add(x, z);
    const p = new ProdOp(axes, keepdims).makeNode(nonzero).outputs[0];
    const c = sum(z, axes as number[], keepdims);
    const noZero = maximum(sub(1, c), 0);
    const oneZero = maximum(sub(1, abs(sub(c, 1))), 0);
    const weight = add(mul(sub(1, z), div(spreadReduced(this, noZero, x), nonzero)), mul(z, spreadReduced(this, oneZero, x)));
    return [mul(spreadReduced(this, mul(g, p), x), weight)];
  }
}

registerKernel('Prod', {
  ...reduceKernelBase,
  prepareJs: ({ inShapes: [x], attrs, outDtypes: [dt] }) =>
    foldKernel(x, attrs.axes as number[], 1, isFloat(dt) ? (a, v) => a * v : (a, v) => Math.imul(a, v)),
});

/** Product over `axis` (number, list, or undefined for all). @example T.prod(x, 1) // row products */
export const prod = reduction('prod', (axes, keepdims) => new ProdOp(axes, keepdims));
