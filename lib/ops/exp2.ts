import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const Exp2Op = defineElemwise({
  name: 'exp2',
  kernel: 'Exp2',
  arity: 1,
  js: () => 'Math.pow(2, a)',
  cpp: 'std::exp2(a)',
  heavy: true,
  floatOnly: true,
  // d 2^x = 2^x ln 2 dx
  grad: (_i, out, g) => [mul(g, mul(out, Math.LN2))],
});

/** Elementwise 2^x. @example T.exp2(bits) */
export const exp2 = (x: unknown) => applyUnary(Exp2Op, x);
