import { div } from './div';
import { applyUnary, defineElemwise } from './elemwise';
import { neg } from './neg';
import { sqr } from './sqr';
import { sqrt } from './sqrt';
import { sub } from './sub';

export const ArccosOp = defineElemwise({
  name: 'arccos',
  kernel: 'Arccos',
  arity: 1,
  js: () => 'Math.acos(a)',
  cpp: 'std::acos(a)',
  heavy: true,
  floatOnly: true,
  // d arccos(x) = -dx / sqrt(1 - x²)
  grad: ([x], _out, g) => [neg(div(g, sqrt(sub(1, sqr(x)))))],
});

/** Elementwise inverse cosine, in [0, π] (NaN outside [-1, 1]). @example T.arccos(cosine) */
export const arccos = (x: unknown) => applyUnary(ArccosOp, x);
