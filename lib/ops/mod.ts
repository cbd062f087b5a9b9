import { applyBinary, defineElemwise } from './elemwise';
import { intDiv } from './int-div';
import { mul } from './mul';
import { neg } from './neg';
import { reduceTo } from './sum-to';

// fmod is exact (JS %); where its sign differs from b's, add b once; a zero result takes b's sign (NumPy)
const MOD = '((m) => (m !== 0 ? ((b < 0) !== (m < 0) ? m + b : m) : (b < 0 ? -0 : 0)))(a % b)';

export const ModOp = defineElemwise({
  name: 'mod',
  kernel: 'Mod',
  arity: 2,
  js: () => MOD,
  cpp: 'ewf::py_mod(a, b)',
  infix: ['%', 2],
  // a mod b = a - floor(a / b) b: d = da - floor(a / b) db (as Theano; the jumps are ignored)
  grad: ([a, b], _out, g) => [reduceTo(g, a), reduceTo(neg(mul(g, intDiv(a, b))), b)],
});

/**
 * Remainder with the sign of the divisor (NumPy's `mod` / `%`, Python's `%`; not JS's `%`), with broadcasting:
 * `mod(-7, 3)` is 2. Integers stay integers; int32 mod 0 gives 0 (as NumPy), float mod 0 gives NaN. @example T.mod(step, 100)
 */
export const mod = (a: unknown, b: unknown) => applyBinary(ModOp, a, b);
