import { cosh } from './cosh';
import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';

export const SinhOp = defineElemwise({
  name: 'sinh',
  kernel: 'Sinh',
  arity: 1,
  js: () => 'Math.sinh(a)',
  cpp: 'std::sinh(a)',
  heavy: true,
  floatOnly: true,
  // d sinh(x) = cosh(x) dx
  grad: ([x], _out, g) => [mul(g, cosh(x))],
});

/** Elementwise hyperbolic sine. @example T.sinh(x) */
export const sinh = (x: unknown) => applyUnary(SinhOp, x);
