import { add } from './add';
import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';

export const Log1pOp = defineElemwise({
  name: 'log1p',
  kernel: 'Log1p',
  arity: 1,
  js: () => 'Math.log1p(a)',
  cpp: 'std::log1p(a)',
  heavy: true,
  floatOnly: true,
  // d log(1 + x) = dx / (1 + x)
  grad: ([x], _out, g) => [div(g, add(x, 1))],
});

/** Elementwise log(1 + x), accurate for x near 0 (-inf at -1, NaN below). @example T.log1p(x) */
export const log1p = (x: unknown) => applyUnary(Log1pOp, x);
