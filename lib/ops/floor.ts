import { zerosLike } from './broadcast-to';
import { applyUnary, defineElemwise } from './elemwise';

export const FloorOp = defineElemwise({
  name: 'floor',
  kernel: 'Floor',
  arity: 1,
  js: () => 'Math.floor(a)',
  cpp: 'std::floor(a)',
  // floor is piecewise constant: its gradient is zero (connected, so grad() does not call it disconnected)
  grad: ([x]) => [zerosLike(x)],
});

/** Elementwise largest integer <= x; integer tensors stay integer. @example T.floor(x) */
export const floor = (x: unknown) => applyUnary(FloorOp, x);
