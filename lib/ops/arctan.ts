import { add } from './add';
import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';
import { sqr } from './sqr';

export const ArctanOp = defineElemwise({
  name: 'arctan',
  kernel: 'Arctan',
  fuseCode: 29,
  arity: 1,
  js: () => 'Math.atan(a)',
  floatOnly: true,
  // d arctan(x) = dx / (1 + x²)
  grad: ([x], _out, g) => [div(g, add(1, sqr(x)))],
});

/** Elementwise inverse tangent, in [-π/2, π/2]. @example T.arctan(slope) */
export const arctan = (x: unknown) => applyUnary(ArctanOp, x);
