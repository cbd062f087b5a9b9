import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { neg } from './neg';
import { sin } from './sin';

export const CosOp = defineElemwise({
  name: 'cos',
  kernel: 'Cos',
  arity: 1,
  js: () => 'Math.cos(a)',
  cpp: 'std::cos(a)',
  heavy: true,
  floatOnly: true,
  // d cos(x) = -sin(x) dx
  grad: ([x], _out, g) => [neg(mul(g, sin(x)))],
});

/** Elementwise cosine (radians). @example T.cos(theta) */
export const cos = (x: unknown) => applyUnary(CosOp, x);
