import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, compileOnBackends, expectError, nativeHas } from '../helpers';

const xent = T.softmaxCrossentropyWithLogits;

describe('softmaxCrossentropyWithLogits: bad input', () => {
  it('rejects logits that are not a matrix and targets of the wrong rank, listing both', () => {
    expectError(() => xent(T.dvector('x'), T.tensor('float64', [null, null, null], 't')), T.ShapeError, 'softmaxCrossentropyWithLogits', 'x must be a matrix', 'targets must be int32 labels [N] or rows [N, K]');
  });
  it('rejects targets whose static shape does not match', () => {
    const x = T.tensor('float64', [3, 4], 'x');
    expectError(() => xent(x, T.tensor('int32', [2], 't')), T.ShapeError, 'targets must have 3 rows');
    expectError(() => xent(x, T.tensor('float64', [3, 5], 't')), T.ShapeError, 'targets must have 4 columns');
  });
  it('rejects labels that are not int32', () => {
    expectError(() => xent(T.dmatrix('x'), T.dvector('t')), T.DTypeError, 'targets given as labels [N] must be int32, got float64');
  });
  it('rejects a label outside [0, K) at run time on every backend', () => {
    const x = T.dmatrix('x');
    const t = T.ivector('t');
    for (const [, f] of compileOnBackends([x, t], xent(x, t))) {
      expect(() => f([[1, 2], [3, 4]], T.array([0, 2], { dtype: 'int32' }))).toThrow();
    }
  });
  it('rejects a run-time row count that differs from the logits', () => {
    const x = T.dmatrix('x');
    const t = T.ivector('t');
    for (const [, f] of compileOnBackends([x, t], xent(x, t))) expect(() => f([[1, 2]], T.array([0, 1], { dtype: 'int32' }))).toThrow(/targets must have shape/);
  });
});

const ln = Math.log;
const lse = (r: number[]) => ln(r.reduce((s, v) => s + Math.exp(v), 0));

describe('softmaxCrossentropyWithLogits', () => {
  it('computes lse(x) - x[t] for labels', () => {
    const X = [[1, 2, 3], [0, 0, 0]];
    checkOp({ fn: (x) => xent(x, T.constant([2, 0], 'int32')), inputs: [X], expected: [lse(X[0]) - 3, ln(3)], tol: 1e-12 });
  });
  it('computes sum_k t_k (lse(x) - x_k) for target rows, with gradients for x and t', () => {
    const X = [[1, 2, 3], [0.5, -1, 0]];
    const Tt = [[0.2, 0.3, 0.5], [1, 0, 0]];
    const want = X.map((r, i) => r.reduce((s, v, k) => s + Tt[i][k] * (lse(r) - v), 0));
    checkOp({ fn: (x, t) => xent(x, t), inputs: [X, Tt], expected: want, tol: 1e-12 });
  });
  it('is finite at logits of ±1e4 where log(softmax(x)) is -inf', () => {
    const x = T.dmatrix('x');
    const t = T.ivector('t');
    const X = [[1e4, -1e4], [-1e4, 1e4]];
    const labels = T.array([1, 1], { dtype: 'int32' });
    for (const [, f] of compileOnBackends([x, t], xent(x, t))) close(f(X, labels) as T.NDArray, [2e4, 0], 1e-12);
    const g = T.grad(T.sum(xent(x, t)), x);
    for (const [, f] of compileOnBackends([x, t], g)) close(f(X, labels) as T.NDArray, [[1, -1], [0, 0]], 1e-12);
  });
  it('has gradient g (softmax(x) - onehot(t)) for labels', () => {
    const X = [[0.3, -1, 2], [1, 1, 0]];
    T.verifyGrad((x) => xent(x, T.constant([1, 2], 'int32')).mul(T.constant([0.5, -2], 'float64')), [T.array(X)]);
  });
  it('returns an empty loss for zero rows', () => {
    const x = T.dmatrix('x');
    const t = T.ivector('t');
    for (const [, f] of compileOnBackends([x, t], xent(x, t))) expect((f(T.zeros([0, 3], 'float64'), T.zeros([0], 'int32')) as T.NDArray).shape).toEqual([0]);
  });
});

const d = nativeHas('SoftmaxCrossentropy', 'SoftmaxCrossentropyGrad') ? describe : describe.skip;

d('softmaxCrossentropyWithLogits: native agrees with the TypeScript reference', () => {
  it('on random shapes, both target kinds and both float dtypes, including huge logits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom('float32', 'float64'), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(3, 1e4), (n, k, dt, labels, seed, scale) => {
        const rng = new T.RandomState(seed);
        const X = T.array(rng.uniform(-scale, scale, [n, k]), { dtype: dt as T.DType });
        const Tv = labels ? rng.randint(0, k, [n]) : T.array(rng.uniform(0, 1, [n, k]), { dtype: dt as T.DType });
        const G = T.array(rng.uniform(-1, 1, [n]), { dtype: dt as T.DType });
        const x = T.tensor(dt as T.DType, [null, null], 'x');
        const t = labels ? T.ivector('t') : T.tensor(dt as T.DType, [null, null], 't');
        const g = T.tensor(dt as T.DType, [null], 'g');
        const loss = xent(x, t);
        const grad = T.grad(T.sum(loss.mul(g)), x);
        const outs = (backend: 'js' | 'native') => T.function([x, t, g], [loss, grad], { backend })(X, Tv, G) as T.NDArray[];
        const [js, nat] = [outs('js'), outs('native')];
        const tol = dt === 'float32' ? 1e-5 : 1e-12;
        js.forEach((o, i) => close(nat[i], o.toArray() as T.NestedArray, tol));
      }),
      { numRuns: 40 },
    );
  });
});
