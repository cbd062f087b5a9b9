import { applyUnary, defineElemwise } from './elemwise';

export const NegOp = defineElemwise({
  name: 'neg',
  kernel: 'Neg',
  arity: 1,
  js: () => '-a',
  cpp: '-a',
  // d(-x) = -dx
  grad: (_i, _out, g) => [neg(g)],
});

/** Elementwise -x. @example T.neg(x) */
export const neg = (x: unknown) => applyUnary(NegOp, x);
