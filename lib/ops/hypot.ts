import { div } from './div';
import { applyBinary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { reduceTo } from './sum-to';

// m √(1 + (n/m)²) with m = max(|a|, |b|), n = min(|a|, |b|): no overflow or underflow on the way, within 2 ulp of the
// exact value (V8's Math.hypot computes the same), and the same operations, each correctly rounded, on both
// backends, so they agree bit for bit. As NumPy's hypot, an infinite operand gives +inf even against a NaN.
const M = 'Math.max(Math.abs(a), Math.abs(b))';
const N = 'Math.min(Math.abs(a), Math.abs(b))';
const CM = 'std::fmax(std::fabs(a), std::fabs(b))';
const CN = 'std::fmin(std::fabs(a), std::fabs(b))';

export const HypotOp = defineElemwise({
  name: 'hypot',
  kernel: 'Hypot',
  arity: 2,
  js: () => `(Math.abs(a) === Infinity || Math.abs(b) === Infinity ? Infinity : a !== a || b !== b ? a + b : ${M} === 0 ? 0 : ${M} * Math.sqrt(1 + (${N} / ${M}) * (${N} / ${M})))`,
  cpp: `(std::fabs(a) == HUGE_VAL || std::fabs(b) == HUGE_VAL ? HUGE_VAL : a != a || b != b ? a + b : ${CM} == 0 ? 0.0 : ${CM} * std::sqrt(1.0 + (${CN} / ${CM}) * (${CN} / ${CM})))`,
  heavy: true,
  floatOnly: true,
  // d hypot(a, b) = (a da + b db) / hypot(a, b), each summed back over the dims it was broadcast along
  grad: ([a, b], out, g) => [reduceTo(mul(g, div(a, out)), a), reduceTo(mul(g, div(b, out)), b)],
});

/**
 * Elementwise √(a² + b²) without overflow or underflow in between (NumPy's hypot), with broadcasting; ±inf on either
 * side gives +inf, even against NaN. @example T.hypot(dx, dy)
 */
export const hypot = (a: unknown, b: unknown) => applyBinary(HypotOp, a, b);
