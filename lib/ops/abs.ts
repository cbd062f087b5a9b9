import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { sign } from './sign';

export const AbsOp = defineElemwise({
  name: 'abs',
  kernel: 'Abs',
  arity: 1,
  js: () => 'Math.abs(a)',
  cpp: 'std::fabs(a)',
  // d|x| = sign(x) dx (0 at 0, as Theano)
  grad: ([x], _out, g) => [mul(g, sign(x))],
});

/** Elementwise |x|. @example T.abs(x) */
export const abs = (x: unknown) => applyUnary(AbsOp, x);
