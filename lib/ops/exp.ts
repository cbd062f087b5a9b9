import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const ExpOp = defineElemwise({
  name: 'exp',
  kernel: 'Exp',
  arity: 1,
  js: () => 'Math.exp(a)',
  cpp: 'std::exp(a)',
  heavy: true,
  floatOnly: true,
  // d exp(x) = exp(x) dx
  grad: (_i, out, g) => [mul(g, out)],
});

/** Elementwise e^x. @example T.exp(x) */
export const exp = (x: unknown) => applyUnary(ExpOp, x);
