import { gt } from './compare';
import { applyUnary, defineElemwise } from './elemwise';
import { exp } from './exp';
import { mul } from './mul';
import { where } from './where';

// the constants of Klambauer et al. (2017), which make zero mean and unit variance a fixed point
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

export const SeluOp = defineElemwise({
  name: 'selu',
  kernel: 'Selu',
  arity: 1,
  js: () => `${SELU_SCALE} * (a > 0 ? a : ${SELU_ALPHA} * Math.expm1(a))`,
  cpp: 'ewf::kSeluScale * (a > 0 ? a : ewf::kSeluAlpha * std::expm1(a))',
  heavy: true,
  floatOnly: true,
  // d selu(x) = scale dx for x > 0, scale alpha e^x dx below
  grad: ([x], _out, g) => [where(gt(x, 0), mul(g, SELU_SCALE), mul(g, mul(exp(x), SELU_SCALE * SELU_ALPHA)))],
});

/** Scaled ELU, scale (x for x > 0, alpha (e^x - 1) below) with alpha ≈ 1.6733, scale ≈ 1.0507. @example T.selu(h) */
export const selu = (x: unknown) => applyUnary(SeluOp, x);
