import { add } from './add';
import { applyUnary, defineElemwise } from './elemwise';
import { erf, erfcExpression } from './erf';
import { exp } from './exp';
import { mul } from './mul';
import { sqr } from './sqr';

// x Φ(x) = x erfc(-x/√2) / 2, so the tail x -> -inf keeps its relative accuracy; below -40 it is below the smallest
// double (-0), which also gives -inf its limit instead of -inf * 0
const GELU = `(a < -40 ? -0 : 0.5 * a * ((t) => ${erfcExpression('t')})(-a * ${Math.SQRT1_2}))`;

export const GeluOp = defineElemwise({
  name: 'gelu',
  kernel: 'Gelu',
  arity: 1,
  js: () => GELU,
  cpp: '(a < -40 ? -0.0 : 0.5 * a * std::erfc(-a * 0.7071067811865476))',
  heavy: true,
  floatOnly: true,
  // d x Φ(x) = (Φ(x) + x φ(x)) dx, Φ(x) = (1 + erf(x/√2)) / 2, φ(x) = e^(-x²/2) / √(2π)
  grad: ([x], _out, g) => {
    const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(sqr(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(g, add(cdf, mul(x, pdf)))];
  },
});

/** Gaussian error linear unit x Φ(x), the exact erf form (not the tanh approximation). @example T.gelu(h) */
export const gelu = (x: unknown) => applyUnary(GeluOp, x);
