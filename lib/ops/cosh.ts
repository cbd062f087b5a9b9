import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { sinh } from './sinh';

export const CoshOp = defineElemwise({
  name: 'cosh',
  kernel: 'Cosh',
  arity: 1,
  js: () => 'Math.cosh(a)',
  cpp: 'std::cosh(a)',
  heavy: true,
  floatOnly: true,
  // d cosh(x) = sinh(x) dx
  grad: ([x], _out, g) => [mul(g, sinh(x))],
});

/** Elementwise hyperbolic cosine. @example T.cosh(x) */
export const cosh = (x: unknown) => applyUnary(CoshOp, x);
