import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';
import { sqr } from './sqr';
import { sqrt } from './sqrt';
import { sub } from './sub';

export const ArcsinOp = defineElemwise({
  name: 'arcsin',
  kernel: 'Arcsin',
  arity: 1,
  js: () => 'Math.asin(a)',
  cpp: 'std::asin(a)',
  heavy: true,
  floatOnly: true,
  // d arcsin(x) = dx / sqrt(1 - x²)
  grad: ([x], _out, g) => [div(g, sqrt(sub(1, sqr(x))))],
});

/** Elementwise inverse sine, in [-π/2, π/2] (NaN outside [-1, 1]). @example T.arcsin(y) */
export const arcsin = (x: unknown) => applyUnary(ArcsinOp, x);
