import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const SqrtOp = defineElemwise({
  name: 'sqrt',
  kernel: 'Sqrt',
  arity: 1,
  js: () => 'Math.sqrt(a)',
  cpp: 'std::sqrt(a)',
  floatOnly: true,
  // d sqrt(x) = dx / (2 sqrt(x))
  grad: (_i, out, g) => [div(g, mul(out, 2))],
});

/** Elementwise square root (NaN below 0). @example T.sqrt(v) */
export const sqrt = (x: unknown) => applyUnary(SqrtOp, x);
