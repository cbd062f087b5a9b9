import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const Log10Op = defineElemwise({
  name: 'log10',
  kernel: 'Log10',
  arity: 1,
  js: () => 'Math.log10(a)',
  cpp: 'std::log10(a)',
  heavy: true,
  floatOnly: true,
  // d log10(x) = dx / (x ln 10)
  grad: ([x], _out, g) => [div(g, mul(x, Math.LN10))],
});

/** Elementwise base-10 logarithm (-inf at 0, NaN below). @example T.log10(power) */
export const log10 = (x: unknown) => applyUnary(Log10Op, x);
