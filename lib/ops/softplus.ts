import { applyUnary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { sigmoid } from './sigmoid';

export const SoftplusOp = defineElemwise({
  name: 'softplus',
  kernel: 'Softplus',
  arity: 1,
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): e^-|x| <= 1 never overflows, and log1p keeps the tail exact
  js: () => 'Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)))',
  cpp: 'ewf::js_max(a, 0.0) + std::log1p(std::exp(-std::fabs(a)))',
  heavy: true,
  floatOnly: true,
  // d log(1 + e^x) = e^x / (1 + e^x) dx = sigmoid(x) dx
  grad: ([x], _out, g) => [mul(g, sigmoid(x))],
});

/** Elementwise log(1 + e^x), computed without overflow. @example T.nnet.softplus(x) */
export const softplus = (x: unknown) => applyUnary(SoftplusOp, x);
