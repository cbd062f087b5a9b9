import { add } from './add';
import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const Expm1Op = defineElemwise({
  name: 'expm1',
  kernel: 'Expm1',
  arity: 1,
  js: () => 'Math.expm1(a)',
  cpp: 'std::expm1(a)',
  heavy: true,
  floatOnly: true,
  // d(e^x - 1) = e^x dx = (out + 1) dx
  grad: (_i, out, g) => [mul(g, add(out, 1))],
});

/** Elementwise e^x - 1, accurate for x near 0. @example T.expm1(x) */
export const expm1 = (x: unknown) => applyUnary(Expm1Op, x);
