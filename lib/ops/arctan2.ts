import { add } from './add';
import { div } from './div';
import { applyBinary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { neg } from './neg';
import { sqr } from './sqr';
import { reduceTo } from './sum-to';

export const Arctan2Op = defineElemwise({
  name: 'arctan2',
  kernel: 'Arctan2',
  arity: 2,
  js: () => 'Math.atan2(a, b)',
  cpp: 'std::atan2(a, b)',
  heavy: true,
  floatOnly: true,
  // d atan2(a, b) = (b da - a db) / (a² + b²)
  grad: ([a, b], _out, g) => {
    const r2 = add(sqr(a), sqr(b));
    return [reduceTo(div(mul(g, b), r2), a), reduceTo(neg(div(mul(g, a), r2)), b)];
  },
});

/** Elementwise angle of the point (b, a) from the x axis, in [-π, π] (NumPy's arctan2(y, x)). @example T.arctan2(y, x) */
export const arctan2 = (a: unknown, b: unknown) => applyBinary(Arctan2Op, a, b);
