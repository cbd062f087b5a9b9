import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends as all, close, expectError, nativeAvailable, nativeHas } from '../helpers';

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
  for (const b of backends) {
    it(`an ifelse inside a scan body (${b})`, () => {
      const x = T.dvector('x');
      const [r] = T.scan((v: T.Variable, h: T.Variable) => T.ifelse(v.gt(0), h.add(v), h.mul(0.5)), { sequences: x, outputsInfo: T.constant(1, 'float64') });
      const f = T.function([x], r as T.Variable, { backend: b });
      expect(f.info().backend).toBe(b);
      close(f(d([2, -1, 3])) as T.NDArray, [3, 1.5, 4.5]);
    });
  }
});

// The native IfElse (native/kernels/ifelse.cc) against the TypeScript reference (lib/scan/ifelse.ts).
const dn = nativeAvailable && nativeHas('IfElse') ? describe : describe.skip;

/** Compiles on both backends, runs on the same values, and checks every output agrees (the native one ran natively). */
function agree(inputs: T.Variable[], outputs: T.Variable | T.Variable[], values: (T.NDArray | number)[], tol: number): T.NDArray[] {
  const run = (backend: 'js' | 'native') => {
    const f = T.function(inputs, outputs, { backend, onUnusedInput: 'ignore' });
    expect(f.info().backend).toBe(backend);
    const r = f(...values);
    return Array.isArray(r) ? r : [r as T.NDArray];
  };
  const js = run('js');
  const nat = run('native');
  js.forEach((j, k) => {
    expect(nat[k].dtype).toBe(j.dtype);
    expect(nat[k].shape).toEqual(j.shape);
    close(nat[k].reshape([nat[k].size]), Array.from(j.data), tol);
  });
  return nat;
}

const rand = (shape: number[], seed: number, dtype: T.DType) => T.array(new T.RandomState(seed).uniform(-1, 1, shape), { dtype });
const seed = fc.integer({ min: 0, max: 1e6 });
const dtype = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');
const tolOf = (dt: T.DType) => (dt === 'float32' ? 1e-5 : 1e-12);

dn('native ifelse agrees with the TypeScript reference', () => {
  it('several outputs of random shapes, cond from data or an int32 input, outputs that are inputs or constants (copied), an unplannable branch not taken', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: -2, max: 2 }), dtype, seed, (rows, cols, c, dt, s) => {
        const X = T.matrix('X', dt);
        const W = T.matrix('W', dt);
        const k = T.iscalar('k');
        const outs = T.ifelse(k, [T.tanh(X.dot(W)), T.sum(X, 0), X], [X.mul(2), T.max(X, 0), T.zerosLike(X)]) as T.Variable[];
        const [y] = T.ifelse(T.sum(X).gt(0), [T.exp(X)], [X.neg()]) as T.Variable[];
        // max of 0 rows fails to infer: with rows 0 the else branch is left unplanned and must not be taken
        agree([X, W, k], [...outs, y], [rand([rows, cols], s, dt), rand([cols, cols], s + 1, dt), rows === 0 && c === 0 ? 1 : c], tolOf(dt) * 10);
      }),
      { numRuns: 25 },
    );
  });

  it('nested ifelse, an ifelse inside a scan body, and the gradient through both branches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), seed, (w, steps, s) => {
        const x = T.dvector('x');
        const a = T.dscalar('a');
        const inner = T.ifelse(a.gt(0.5), x.mul(a), T.sin(x)) as T.Variable;
        const outer = T.ifelse(a.gt(0), inner, T.sqr(x)) as T.Variable;
        const cost = T.sum(outer.mul(x));
        const X = T.dmatrix('X');
        const [h] = T.scan((v: T.Variable, hp: T.Variable) => T.ifelse(T.sum(v).gt(0), T.tanh(hp.add(v)), hp.mul(a)), { sequences: X, outputsInfo: x });
        const av = (s % 3) - 1 + 0.25;
        agree([x, a, X], [outer, T.grad(cost, x), h as T.Variable, T.grad(T.sum(h as T.Variable), x)], [rand([w], s, 'float64'), av, rand([steps, w], s + 1, 'float64')], 1e-12);
      }),
      { numRuns: 20 },
    );
  });

  it('runs off the main thread (async) with the same values', async () => {
    const x = T.dvector('x');
    const c = T.iscalar('c');
    const y = T.ifelse(c, T.sum(x), T.slice(x, 5)) as T.Variable;
    const f = T.function([c, x], y, { backend: 'native' });
    close((await f.async(1, d([1, 2, 3]))) as T.NDArray, 6);
    await expect(f.async(0, d([1, 2, 3]))).rejects.toThrow(/index 5 is out of range/);
  });
});
