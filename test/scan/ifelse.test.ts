import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends as all, close, expectError, nativeHas } from '../helpers';

const backends = all.filter((b) => b === 'js' || nativeHas('IfElse'));
const d = (v: T.NestedArray) => T.array(v, { dtype: 'float64' });

describe('ifelse: bad input', () => {
  it('rejects a non-scalar cond and branches of different types or counts, listing every problem', () => {
    const x = T.dvector('x');
    expectError(() => T.ifelse(x, x, x), T.ArgumentError, 'ifelse: cond must be a scalar, got x of type float64[?]', 'ifelse.test.ts');
    expectError(() => T.ifelse(T.dscalar('c'), x, T.dmatrix('m')), T.ArgumentError, 'then and else must have the same dtype and rank', 'float64[?]', 'float64[?, ?]');
    expectError(() => T.ifelse(1, [x, x], [x]), T.ArgumentError, 'then and else must both be Variables or lists of the same length');
    expectError(() => T.ifelse(1, x, T.cast(x, 'float32')), T.ArgumentError, 'must have the same dtype and rank');
  });
  it('branches whose shapes differ at run time are a ShapeError naming the output', () => {
    const x = T.dvector('x');
    const y = T.dvector('y');
    for (const b of backends) {
      const f = T.function([x, y], T.ifelse(1, x, y) as T.Variable, { backend: b });
      expect(() => f(d([1, 2]), d([1, 2, 3]))).toThrow(/ifelse: output 0 must have the same shape in both branches, got \[2\] \(then\) and \[3\] \(else\)/);
    }
  });
});

describe('ifelse: lazy evaluation', () => {
  for (const b of backends) {
    it(`computes only the branch taken: the other may fail or be expensive (${b})`, () => {
      const c = T.iscalar('c');
      const x = T.dvector('x');
      // x[5] is out of range for a vector of 3: evaluating that branch would throw
      const y = T.ifelse(c, T.sum(x), T.slice(x, 5)) as T.Variable;
      const f = T.function([c, x], y, { backend: b });
      close(f(1, d([1, 2, 3])) as T.NDArray, 6);
      expect(() => f(0, d([1, 2, 3]))).toThrow(/index 5 is out of range/);
    });
    it(`several outputs, cond computed from data, branches sharing inputs (${b})`, () => {
      const x = T.dvector('x');
      const [p, q] = T.ifelse(T.sum(x).gt(0), [x.mul(2), T.max(x)], [x.neg(), T.min(x)]) as T.Variable[];
      const f = T.function([x], [p, q], { backend: b });
      const [a1, b1] = f(d([1, -3, 5])) as T.NDArray[];
      close(a1, [2, -6, 10]);
      close(b1, 5);
      const [a2, b2] = f(d([-1, -3, 1])) as T.NDArray[];
      close(a2, [1, 3, -1]);
      close(b2, -3);
    });
  }
  it('the gradient is lazy: no NaN from the branch not taken', () => {
    const a = T.dscalar('a');
    const x = T.dvector('x');
    const y = T.ifelse(a.gt(0), T.sum(T.log(x)), T.sum(x.mul(2))) as T.Variable;
    const f = T.function([a, x], T.grad(y, x), { backend: 'js' });
    close(f(1, d([1, 2])) as T.NDArray, [1, 0.5]);
    // log(0) would give inf and 0 * inf = NaN in an eager gradient
    close(f(-1, d([0, 2])) as T.NDArray, [2, 2]);
  });
  it('gradients of both branches against finite differences', () => {
    for (const sign of [1, -1]) {
      T.verifyGrad((x, w) => T.ifelse(T.constant(sign, 'float64').gt(0), T.sum(T.tanh(x.mul(w))), T.sum(T.sqr(x).mul(w))) as T.Variable, [d([0.3, -0.5, 0.8]), d(1.7)]);
    }
  });
  it('an ifelse inside a scan body', () => {
    const x = T.dvector('x');
    const [r] = T.scan((v: T.Variable, h: T.Variable) => T.ifelse(v.gt(0), h.add(v), h.mul(0.5)), { sequences: x, outputsInfo: T.constant(1, 'float64') });
    close(T.function([x], r as T.Variable, { backend: 'js' })(d([2, -1, 3])) as T.NDArray, [3, 1.5, 4.5]);
  });
});
