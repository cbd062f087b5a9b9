import { add } from './add';
import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';
import { sqr } from './sqr';

export const ArctanOp = defineElemwise({
  name: 'arctan',
  kernel: 'Arctan',
  arity: 1,
  js: () => 'Math.atan(a)',
  cpp: 'std::atan(a)',
  heavy: true,
  floatOnly: true,
  // d arctan(x) = dx / (1 + x²)
  grad: ([x], _out, g) => [div(g, add(1, sqr(x)))],
});

/** Elementwise inverse tangent, in [-π/2, π/2]. @example T.arctan(slope) */
export const arctan = (x: unknown) => applyUnary(ArctanOp, x);
