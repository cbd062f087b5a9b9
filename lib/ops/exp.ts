import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const ExpOp = defineElemwise({
  name: 'exp',
  kernel: 'Exp',
  fuseCode: 9,
  arity: 1,
  js: () => 'Math.exp(a)',
  floatOnly: true,
  // d exp(x) = exp(x) dx
  grad: (_i, out, g) => [mul(g, out)],
});

/** Elementwise e^x. @example T.exp(x) */
export const exp = (x: unknown) => applyUnary(ExpOp, x);
