import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, nativeHas } from '../helpers';
import { compileEach, kernels } from './support';

const GEMV_GER = 'alpha*dot(A,x) + beta*y -> gemv; C + alpha*outer(x,y) -> ger';

function sameAsUnrewritten(xs: T.Variable[], y: T.Variable, values: unknown[], want: string[] | null, tol = 1e-12): T.CompiledFunction[] {
  const ref = T.function(xs, y, { rewrites: 'none', backend: 'js' })(...values) as T.NDArray;
  const fns = compileEach(xs, y, 'all');
  for (const [backend, f] of fns) {
    if (want) expect(kernels(f), backend).toEqual(want);
    close(f(...values) as T.NDArray, ref.toArray() as T.NestedArray, tol);
  }
  return fns.map(([, f]) => f);
}

const A = [[1, 2, 3], [4, 5, 6]];

describe('specialize: gemv', () => {
  it('makes alpha*dot(A, x) + beta*y one gemv', () => {
    const [a, x, y] = [T.dmatrix('A'), T.dvector('x'), T.dvector('y')];
    const [f] = sameAsUnrewritten([a, x, y], T.dot(a, x).mul(2).add(y.mul(3)), [A, [1, -1, 2], [0.5, 1]], ['Gemv']);
    expect(f.program.steps[0].attrs).toEqual({ transA: false, alpha: 2, beta: 3 });
    expect(f.rewriteLog().find((e) => e.name === GEMV_GER)!.count).toBe(1);
  });
  it('reads a vector-matrix product and a transposed A through the transpose flag, and a scalar y by broadcasting', () => {
    const [a, x, y, s] = [T.dmatrix('A'), T.dvector('x'), T.dvector('y'), T.dscalar('s')];
    const [f] = sameAsUnrewritten([a, x, y], y.sub(T.dot(x, a)), [A, [1, 2], [1, 1, 1]], ['Gemv']);
    expect(f.program.steps[0].attrs).toEqual({ transA: true, alpha: -1, beta: 1 });
    sameAsUnrewritten([a, x, s], T.dot(a.T, x).add(s), [A, [1, 2], 4], ['Gemv']);
  });
  it('leaves a product that is also used elsewhere to dot', () => {
    const [a, x, y] = [T.dmatrix('A'), T.dvector('x'), T.dvector('y')];
    const p = T.dot(a, x);
    const f = T.function([a, x, y], [p.add(y), p]);
    expect(kernels(f)).toEqual(['Dot', 'Add']);
  });
});

describe('specialize: ger', () => {
  it('makes C + alpha*outer(x, y) one ger', () => {
    const [c, x, y] = [T.dmatrix('C'), T.dvector('x'), T.dvector('y')];
    const [f] = sameAsUnrewritten([c, x, y], c.add(T.outer(x, y).mul(0.5)), [A, [1, 2], [3, 4, 5]], ['Ger']);
    expect(f.program.steps[0].attrs).toEqual({ alpha: 0.5 });
  });
  it('makes the SGD step of a matrix-vector layer W - lr * dW one ger', () => {
    const W = T.tensor('float64', [2, 3], 'W');
    const v = T.tensor('float64', [3], 'v');
    const dW = T.grad(T.sum(T.tanh(T.dot(W, v))), W);
    for (const f of sameAsUnrewritten([W, v], W.sub(dW.mul(0.1)), [A, [0.1, -0.2, 0.3]], null)) expect(kernels(f)).toContain('Ger');
  });
  it('does not make a ger of a scaled C (BLAS adds into C as it is)', () => {
    const [c, x, y] = [T.dmatrix('C'), T.dvector('x'), T.dvector('y')];
    const f = T.function([c, x, y], c.mul(2).add(T.outer(x, y)), { rewrites: { exclude: ['fusion'] } });
    expect(kernels(f)).not.toContain('Ger');
  });
});

const d = nativeHas('Gemv', 'Ger') ? describe : describe.skip;

/** Same shape, and the elements within tol (flattened, so empty results compare too). */
function agree(got: T.NDArray, want: T.NDArray, tol: number): void {
  expect(got.shape).toEqual(want.shape);
  close(T.array(Array.from(got.data), { dtype: 'float64' }), Array.from(want.data), tol);
}

d('gemv and ger: native agrees with the TypeScript reference', () => {
  const dt = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');
  const dim = fc.integer({ min: 0, max: 6 });
  const arr = (shape: number[], dtype: T.DType, seed: number) => T.array(new T.RandomState(seed).uniform(-2, 2, shape), { dtype });
  it('gemv for every transpose flag and y shape (full, [1], scalar), including empty dims', () => {
    fc.assert(
      fc.property(dim, dim, fc.boolean(), fc.constantFrom(0, 1, 2), dt, fc.integer({ min: 0, max: 1e6 }), (m, k, trans, yKind, dtype, seed) => {
        const a = T.tensor(dtype, [null, null], 'A');
        const x = T.tensor(dtype, [null], 'x');
        const y = T.tensor(dtype, yKind === 2 ? [] : [null], 'y');
        const out = T.dot(trans ? a.T : a, x).mul(1.5).add(y.mul(-0.5));
        const vals = [arr(trans ? [k, m] : [m, k], dtype, seed), arr([k], dtype, seed + 1), arr(yKind === 0 ? [m] : yKind === 1 ? [1] : [], dtype, seed + 2)];
        const [js, nat] = (['js', 'native'] as const).map((backend) => T.function([a, x, y], out, { backend }));
        expect(kernels(nat)).toEqual(['Gemv']);
        agree(nat(...vals) as T.NDArray, js(...vals) as T.NDArray, dtype === 'float32' ? 1e-5 * (k + 1) : 1e-12);
      }),
      { numRuns: 60 },
    );
  });
  it('ger for a full C, a bias row C and a scalar C, including empty dims', () => {
    fc.assert(
      fc.property(dim, dim, fc.constantFrom(0, 1, 2), dt, fc.integer({ min: 0, max: 1e6 }), (m, n, cKind, dtype, seed) => {
        const x = T.tensor(dtype, [null], 'x');
        const y = T.tensor(dtype, [null], 'y');
        const c = T.tensor(dtype, cKind === 0 ? [null, null] : cKind === 1 ? [null] : [], 'c');
        const out = c.sub(T.outer(x, y).mul(0.25));
        const vals = [arr([m], dtype, seed), arr([n], dtype, seed + 1), arr(cKind === 0 ? [m, n] : cKind === 1 ? [n] : [], dtype, seed + 2)];
        const [js, nat] = (['js', 'native'] as const).map((backend) => T.function([x, y, c], out, { backend }));
        expect(kernels(nat)).toEqual(['Ger']);
        agree(nat(...vals) as T.NDArray, js(...vals) as T.NDArray, dtype === 'float32' ? 1e-5 : 1e-12);
      }),
      { numRuns: 60 },
    );
  });
});
