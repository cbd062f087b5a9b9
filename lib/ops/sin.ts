import { cos } from './cos';
import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const SinOp = defineElemwise({
  name: 'sin',
  kernel: 'Sin',
  arity: 1,
  js: () => 'Math.sin(a)',
  cpp: 'std::sin(a)',
  heavy: true,
  floatOnly: true,
  // d sin(x) = cos(x) dx
  grad: ([x], _out, g) => [mul(g, cos(x))],
});

/** Elementwise sine (radians). @example T.sin(theta) */
export const sin = (x: unknown) => applyUnary(SinOp, x);
