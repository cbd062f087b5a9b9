import { applyBinary, defineElemwise } from './elemwise';
import { atLeast } from './maximum';
import { mul } from './mul';
import { reduceTo } from './sum-to';
import { sub } from './sub';

export const MinimumOp = defineElemwise({
  name: 'minimum',
  kernel: 'Minimum',
  arity: 2,
  // NaN if either side is NaN, as NumPy's minimum; between +0 and -0 it returns b (as the native span loops do)
  js: () => '(a < b || a !== a ? a : b)',
  cpp: '(a < b || a != a ? a : b)',
  // d min(a, b) = [a <= b] da + [b < a] db: on a tie a takes the whole gradient, as Theano (NaN gradient at NaN)
  grad: ([a, b], _out, g) => {
    const le = atLeast(b, a);
    return [reduceTo(mul(g, le), a), reduceTo(mul(g, sub(1, le)), b)];
  },
});

/** Elementwise smaller of a and b with broadcasting; NaN if either is NaN (NumPy's minimum). @example T.minimum(x, 1) */
export const minimum = (a: unknown, b: unknown) => applyBinary(MinimumOp, a, b);
