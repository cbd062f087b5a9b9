import { applyUnary, defineElemwise } from './elemwise';
import { exp } from './exp';
import { mul } from './mul';
import { neg } from './neg';
import { sqr } from './sqr';

/**
 * erf as one JS expression over the variable `v` (no helper exists at kernel run time), within 6e-16 relative on
 * [-7, 7]:
 * - |x| < 2.5: erf(x) = (2/√π) x e^-x² Σₙ (2x²)ⁿ / (2n+1)!!, 38 terms in Horner form; every term is positive, so
 *   nothing cancels;
 * - beyond: erf(x) = ±(1 - erfc(|x|)), with erfc(t) = e^-t² / √π · 1 / (t + (1/2) / (t + 1 / (t + (3/2) / (t + ...))))
 *   cut after 30 levels (it converges faster as t grows; ±inf gives ±1, NaN stays NaN).
 */
function erfPieces(v: string): { series: string; tail: string } {
  const coef = [1];
  for (let n = 1; n < 38; n++) coef.push((coef[n - 1] * 2) / (2 * n + 1));
  let series = String(coef[coef.length - 1]);
  for (let n = coef.length - 2; n >= 0; n--) series = `${coef[n]} + ${v} * ${v} * (${series})`;
  let fraction = `Math.abs(${v})`;
  for (let k = 30; k >= 1; k--) fraction = `Math.abs(${v}) + ${k / 2} / (${fraction})`;
  const twoOverSqrtPi = 2 / Math.sqrt(Math.PI);
  const sqrtPi = Math.sqrt(Math.PI);
  // series: erf(v) for |v| < 2.5; tail: erfc(|v|) for |v| >= 2.5
  return { series: `${twoOverSqrtPi} * ${v} * Math.exp(-${v} * ${v}) * (${series})`, tail: `Math.exp(-${v} * ${v}) / (${sqrtPi} * (${fraction}))` };
}

function erfExpression(): string {
  const { series, tail } = erfPieces('a');
  return `(Math.abs(a) < 2.5 ? ${series} : (a < 0 ? -1 : 1) * (1 - ${tail}))`;
}

/** erfc(v) = 1 - erf(v) as one JS expression over `v`, keeping its relative accuracy in the tail v >= 2.5. */
export function erfcExpression(v: string): string {
  const { series, tail } = erfPieces(v);
  return `(Math.abs(${v}) < 2.5 ? 1 - ${series} : ${v} > 0 ? ${tail} : 2 - ${tail})`;
}

const ERF_JS = erfExpression();

export const ErfOp = defineElemwise({
  name: 'erf',
  kernel: 'Erf',
  arity: 1,
  js: () => ERF_JS,
  cpp: 'std::erf(a)',
  heavy: true,
  floatOnly: true,
  // d erf(x) = (2/√π) e^-x² dx
  grad: ([x], _out, g) => [mul(g, mul(exp(neg(sqr(x))), 2 / Math.sqrt(Math.PI)))],
});

/** Elementwise error function (2/√π) ∫₀ˣ e^-t² dt. @example T.erf(x) */
export const erf = (x: unknown) => applyUnary(ErfOp, x);
