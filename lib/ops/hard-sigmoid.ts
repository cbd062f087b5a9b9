import { ge, le } from './compare';
import { applyUnary, defineElemwise } from './elemwise';
import { logicalAnd } from './logic';
import { mul } from './mul';
import { where } from './where';

export const HardSigmoidOp = defineElemwise({
  name: 'hardSigmoid',
  kernel: 'HardSigmoid',
  arity: 1,
  js: () => 'Math.min(Math.max(a * 0.2 + 0.5, 0), 1)',
  cpp: 'ewf::js_min(ewf::js_max(a * 0.2 + 0.5, 0.0), 1.0)',
  floatOnly: true,
  // d clip(0.2 x + 0.5, 0, 1) = 0.2 dx on the closed interval -2.5 <= x <= 2.5 (as Theano's clip), 0 outside
  grad: ([x], _out, g) => [where(logicalAnd(ge(x, -2.5), le(x, 2.5)), mul(g, 0.2), 0)],
});

/** Theano's hard_sigmoid: clip(0.2 x + 0.5, 0, 1), a piecewise-linear sigmoid. @example T.hardSigmoid(x) */
export const hardSigmoid = (x: unknown) => applyUnary(HardSigmoidOp, x);
