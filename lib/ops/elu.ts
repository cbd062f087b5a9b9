import { asVariable } from '../graph/as-variable';
import type { Variable } from '../graph/variable';
import { gt } from './compare';
import { defineElemwise, ElemwiseOp } from './elemwise';
import { exp } from './exp';
import { mul } from './mul';
import { finiteParam } from './relu';
import { where } from './where';

export const EluOp = defineElemwise({
  name: 'elu',
  kernel: 'Elu',
  arity: 1,
  attrs: { alpha: 1 },
  js: (_dt, { alpha }) => `(a > 0 ? a : ${alpha} * Math.expm1(a))`,
  cpp: '(a > 0 ? a : alpha * std::expm1(a))',
  heavy: true,
  floatOnly: true,
  // d elu(x) = [x > 0] dx + alpha e^x [x <= 0] dx
  grad: ([x], out, g) => {
    const alpha = (out.owner!.op as ElemwiseOp).attrs.alpha as number;
    return [where(gt(x, 0), g, mul(g, mul(exp(x), alpha)))];
  },
});

/** Exponential linear unit: x for x > 0, alpha (e^x - 1) below (Clevert et al.). @example T.elu(h) */
export function elu(x: unknown, alpha = 1): Variable {
  const a = finiteParam('elu', 'alpha', alpha);
  const v = asVariable(x, 'elu', 'x');
  return (a === 1 ? EluOp : new ElemwiseOp(EluOp.spec, { alpha: a })).makeNode(v).outputs[0];
}
