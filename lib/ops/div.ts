import { applyBinary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { neg } from './neg';
import { reduceTo } from './sum-to';

export const DivOp = defineElemwise({
  name: 'div',
  kernel: 'Div',
  arity: 2,
  js: () => 'a / b',
  cpp: 'a / b',
  floatOnly: true,
  infix: ['/', 2],
  // d(a/b) = da/b - (a/b²) db = da/b - out/b db
  grad: ([a, b], out, g) => [reduceTo(div(g, b), a), reduceTo(neg(div(mul(g, out), b)), b)],
});

/** True division, elementwise with broadcasting (integers divide as floats). @example T.div(x, 2) */
export const div = (a: unknown, b: unknown) => applyBinary(DivOp, a, b);
