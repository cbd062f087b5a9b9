import { add } from './add';
import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { sqr } from './sqr';

export const TanOp = defineElemwise({
  name: 'tan',
  kernel: 'Tan',
  arity: 1,
  js: () => 'Math.tan(a)',
  cpp: 'std::tan(a)',
  heavy: true,
  floatOnly: true,
  // d tan(x) = (1 + tan²(x)) dx
  grad: (_i, out, g) => [mul(g, add(1, sqr(out)))],
});

/** Elementwise tangent (radians). @example T.tan(theta) */
export const tan = (x: unknown) => applyUnary(TanOp, x);
