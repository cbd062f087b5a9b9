import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const SqrOp = defineElemwise({
  name: 'sqr',
  kernel: 'Sqr',
  arity: 1,
  js: (dt) => (dt === 'int32' ? 'Math.imul(a, a)' : 'a * a'),
  cpp: 'a * a',
  // d(x²) = 2x dx
  grad: ([x], _out, g) => [mul(g, mul(x, 2))],
});

/** Elementwise x². @example T.sqr(y.sub(output)) */
export const sqr = (x: unknown) => applyUnary(SqrOp, x);
