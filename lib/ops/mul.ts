import { applyBinary, defineElemwise } from './elemwise';
import { reduceTo } from './sum-to';

export const MulOp = defineElemwise({
  name: 'mul',
  kernel: 'Mul',
  arity: 2,
  js: (dt) => (dt === 'int32' ? 'Math.imul(a, b)' : 'a * b'),
  cpp: 'a * b',
  infix: ['*', 2],
  // d(ab) = b da + a db
  grad: ([a, b], _out, g) => [reduceTo(mul(g, b), a), reduceTo(mul(g, a), b)],
});

/** Elementwise a * b with broadcasting. @example T.mul(0.1, g) */
export const mul = (a: unknown, b: unknown) => applyBinary(MulOp, a, b);
