import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const Log2Op = defineElemwise({
  name: 'log2',
  kernel: 'Log2',
  arity: 1,
  js: () => 'Math.log2(a)',
  cpp: 'std::log2(a)',
  heavy: true,
  floatOnly: true,
  // d log2(x) = dx / (x ln 2)
  grad: ([x], _out, g) => [div(g, mul(x, Math.LN2))],
});

/** Elementwise base-2 logarithm (-inf at 0, NaN below). @example T.log2(n) */
export const log2 = (x: unknown) => applyUnary(Log2Op, x);
