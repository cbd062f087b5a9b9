import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';

export const LogOp = defineElemwise({
  name: 'log',
  kernel: 'Log',
  arity: 1,
  js: () => 'Math.log(a)',
  cpp: 'std::log(a)',
  heavy: true,
  floatOnly: true,
  // d log(x) = dx / x
  grad: ([x], _out, g) => [div(g, x)],
});

/** Elementwise natural logarithm (-inf at 0, NaN below). @example T.log(p) */
export const log = (x: unknown) => applyUnary(LogOp, x);
