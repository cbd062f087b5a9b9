import { zerosLike } from './broadcast-to';
import { applyUnary, defineElemwise } from './elemwise';

export const CeilOp = defineElemwise({
  name: 'ceil',
  kernel: 'Ceil',
  arity: 1,
  js: () => 'Math.ceil(a)',
  cpp: 'std::ceil(a)',
  // ceil is piecewise constant: its gradient is zero (connected, so grad() does not call it disconnected)
  grad: ([x]) => [zerosLike(x)],
});

/** Elementwise smallest integer >= x; integer tensors stay integer. @example T.ceil(x) */
export const ceil = (x: unknown) => applyUnary(CeilOp, x);
