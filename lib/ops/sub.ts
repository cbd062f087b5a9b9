import { applyBinary, defineElemwise } from './elemwise';
import { neg } from './neg';
import { reduceTo } from './sum-to';

export const SubOp = defineElemwise({
  name: 'sub',
  kernel: 'Sub',
  arity: 2,
  js: () => 'a - b',
  cpp: 'a - b',
  infix: ['-', 1],
  // d(a-b) = da - db
  grad: ([a, b], _out, g) => [reduceTo(g, a), reduceTo(neg(g), b)],
});

/** Elementwise a - b with broadcasting. @example T.sub(y, output) */
export const sub = (a: unknown, b: unknown) => applyBinary(SubOp, a, b);
