import { zerosLike } from './broadcast-to';
import { applyBinary, defineElemwise } from './elemwise';

// NumPy's divmod: fmod, then the quotient of the exact multiple a - m, one lower where the remainder's sign differs
// from b's, snapped to the nearest integer; b = 0 gives a / b (±inf or NaN: 0 once stored as int32)
const FLOOR_DIV =
  '(b === 0 ? a / b : ((m) => ((d) => (d !== 0 ? ((f) => (d - f > 0.5 ? f + 1 : f))(Math.floor(d)) : (a / b < 0 || Object.is(a / b, -0) ? -0 : 0)))' +
  '(m !== 0 && (b < 0) !== (m < 0) ? (a - m) / b - 1 : (a - m) / b))(a % b))';

export const IntDivOp = defineElemwise({
  name: 'intDiv',
  kernel: 'IntDiv',
  arity: 2,
  js: () => FLOOR_DIV,
  cpp: 'ewf::floor_div(a, b)',
  infix: ['//', 2],
  // floor division is piecewise constant in both operands: zero gradient (connected)
  grad: ([a, b]) => [zerosLike(a), zerosLike(b)],
});

/**
 * Floor division with broadcasting, NumPy's `//`: the largest integer <= a / b (computed as NumPy does, from the exact
 * remainder, so `1 // 0.1` is 9). Integers stay integers; int32 division by zero gives 0 (NumPy's result, without its
 * warning), float division by zero gives ±inf or NaN. @example T.intDiv(steps, 10)
 */
export const intDiv = (a: unknown, b: unknown) => applyBinary(IntDivOp, a, b);
