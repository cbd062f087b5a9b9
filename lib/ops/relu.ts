import { ArgumentError } from '../errors';
import { describe } from '../ndarray';
import { asVariable } from '../graph/as-variable';
import { gt } from './compare';
import { defineElemwise, ElemwiseOp } from './elemwise';
import { mul } from './mul';
import { where } from './where';
import type { Variable } from '../graph/variable';

export const ReluOp = defineElemwise({
  name: 'relu',
  kernel: 'Relu',
  arity: 1,
  attrs: { alpha: 0 },
  // x for x > 0, else alpha x; with alpha 0 the negatives (and -inf) give +0, NaN stays NaN
  js: (_dt, { alpha }) => (alpha === 0 ? '(a > 0 || a !== a ? a : 0)' : `(a > 0 ? a : ${alpha} * a)`),
  cpp: '(a > 0 || a != a ? a : alpha == 0 ? 0.0 : alpha * a)',
  floatOnly: true,
  // d relu(x) = [x > 0] dx + alpha [x <= 0] dx
  grad: ([x], out, g) => {
    const alpha = (out.owner!.op as ElemwiseOp).attrs.alpha as number;
    return [where(gt(x, 0), g, alpha === 0 ? 0 : mul(g, alpha))];
  },
});

/** Checks a numeric op parameter: a finite number. */
export function finiteParam(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${op}: ${name} must be a finite number, got ${describe(v)}`);
  return v;
}

/** Rectified linear unit max(x, 0), leaky (alpha x below 0) when alpha is not 0. @example T.relu(T.dot(x, W), 0.01) */
export function relu(x: unknown, alpha = 0): Variable {
  const a = finiteParam('relu', 'alpha', alpha);
  const v = asVariable(x, 'relu', 'x');
  return (a === 0 ? ReluOp : new ElemwiseOp(ReluOp.spec, { alpha: a })).makeNode(v).outputs[0];
}
