import { zerosLike } from './broadcast-to';
import { applyUnary, defineElemwise } from './elemwise';

export const RoundOp = defineElemwise({
  name: 'round',
  kernel: 'Round',
  arity: 1,
  // halves go to the even neighbour, as NumPy (Math.round sends them up); a - trunc(a) and a / 2 are exact
  js: () => '(Math.abs(a - Math.trunc(a)) === 0.5 ? 2 * Math.round(a / 2) : Math.round(a))',
  cpp: 'ewf::round_even(a)',
  // round is piecewise constant: its gradient is zero (connected, so grad() does not call it disconnected)
  grad: ([x]) => [zerosLike(x)],
});

/** Elementwise round to the nearest integer, halves to even (2.5 -> 2, 3.5 -> 4) as NumPy. @example T.round(x) */
export const round = (x: unknown) => applyUnary(RoundOp, x);
