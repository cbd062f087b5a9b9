import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { sub } from './sub';

export const SigmoidOp = defineElemwise({
  name: 'sigmoid',
  kernel: 'Sigmoid',
  arity: 1,
  // exp(-a) overflows to inf for a < -709 and 1/(1+inf) is exactly 0, so no branch is needed
  js: () => '1 / (1 + Math.exp(-a))',
  cpp: '1.0 / (1.0 + std::exp(-a))',
  heavy: true,
  floatOnly: true,
  // d sigmoid(x) = s (1 - s) dx
  grad: (_i, s, g) => [mul(g, mul(s, sub(1, s)))],
});

/** Elementwise logistic function 1 / (1 + e^-x). @example T.nnet.sigmoid(T.dot(X, W)) */
export const sigmoid = (x: unknown) => applyUnary(SigmoidOp, x);
