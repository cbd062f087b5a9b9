import { applyBinary, defineElemwise } from './elemwise';
import { log } from './log';
import { mul } from './mul';
import { reduceTo } from './sum-to';
import { sub } from './sub';

export const PowOp = defineElemwise({
  name: 'pow',
  kernel: 'Pow',
  arity: 2,
  js: (dt) => (dt === 'int32' ? 'Math.pow(a, b)' : 'Math.pow(a, b)'),
  cpp: 'ewf::js_pow(a, b)',
  heavy: true,
  infix: ['**', 3],
  // d(a^b) = b a^(b-1) da + a^b log(a) db
  grad: ([a, b], out, g) => [reduceTo(mul(g, mul(b, pow(a, sub(b, 1)))), a), reduceTo(mul(g, mul(out, log(a))), b)],
});

/** Elementwise a ** b with broadcasting. @example T.pow(x, 3) */
export const pow = (a: unknown, b: unknown) => applyBinary(PowOp, a, b);
