import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { sqr } from './sqr';
import { sub } from './sub';

export const TanhOp = defineElemwise({
  name: 'tanh',
  kernel: 'Tanh',
  arity: 1,
  js: () => 'Math.tanh(a)',
  cpp: 'std::tanh(a)',
  heavy: true,
  floatOnly: true,
  // d tanh(x) = (1 - tanh²(x)) dx
  grad: (_i, out, g) => [mul(g, sub(1, sqr(out)))],
});

/** Elementwise hyperbolic tangent. @example T.tanh(x) */
export const tanh = (x: unknown) => applyUnary(TanhOp, x);
