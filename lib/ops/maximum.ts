import { Variable } from '../graph/variable';
import { add } from './add';
import { applyBinary, defineElemwise } from './elemwise';
import { mul } from './mul';
import { sign } from './sign';
import { reduceTo } from './sum-to';
import { sub } from './sub';

/** 1 where a >= b, else 0 (NaN where either is NaN): sign(a - b) is -1, 0 or 1, so sign(sign(a - b) + 1) is 0, 1, 1. */
export function atLeast(a: Variable, b: Variable): Variable {
  return sign(add(sign(sub(a, b)), 1));
}

export const MaximumOp = defineElemwise({
  name: 'maximum',
  kernel: 'Maximum',
  arity: 2,
  // NaN if either side is NaN, as NumPy's maximum; between +0 and -0 it returns b (as the native span loops do)
  js: () => '(a > b || a !== a ? a : b)',
  cpp: '(a > b || a != a ? a : b)',
  // d max(a, b) = [a >= b] da + [b > a] db: on a tie a takes the whole gradient, as Theano (NaN gradient at NaN)
  grad: ([a, b], _out, g) => {
    const ge = atLeast(a, b);
    return [reduceTo(mul(g, ge), a), reduceTo(mul(g, sub(1, ge)), b)];
  },
});

/** Elementwise larger of a and b with broadcasting; NaN if either is NaN (NumPy's maximum). @example T.maximum(x, 0) */
export const maximum = (a: unknown, b: unknown) => applyBinary(MaximumOp, a, b);
