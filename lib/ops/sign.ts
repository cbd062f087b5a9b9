import { applyUnary, defineElemwise } from './elemwise';
import { zerosLike } from './broadcast-to';

export const SignOp = defineElemwise({
  name: 'sign',
  kernel: 'Sign',
  arity: 1,
  js: () => '(a > 0 ? 1 : a < 0 ? -1 : a)',
  cpp: 'ewf::sign_of(a)',
  // sign is piecewise constant: its gradient is zero (connected, so grad() does not call it disconnected)
  grad: ([x]) => [zerosLike(x)],
});

/** Elementwise sign: -1, 0 or 1 (NaN stays NaN). @example T.sign(x) */
export const sign = (x: unknown) => applyUnary(SignOp, x);
