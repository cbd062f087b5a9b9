import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, nativeHas } from '../helpers';

// The native linear-algebra kernels (Dot, Tensordot, Diag, DiagLike, Transpose) against the TypeScript reference on
// random shapes, including size-0 dims, broadcast batch dims and every dtype they take.
const d = nativeHas('Dot', 'Tensordot', 'Diag', 'DiagLike', 'Transpose', 'SumTo') ? describe : describe.skip;

function agree(build: (...xs: T.Variable[]) => T.Variable, values: T.NDArray[], tol: number): void {
  const vars = values.map((v, i) => T.tensor(v.dtype, v.shape.map(() => null), `x${i}`));
  const out = build(...vars);
  const js = T.function(vars, out, { backend: 'js', onUnusedInput: 'ignore' })(...values) as T.NDArray;
  const nat = T.function(vars, out, { backend: 'native', onUnusedInput: 'ignore' })(...values) as T.NDArray;
  expect(nat.dtype).toBe(js.dtype);
  expect(nat.shape).toEqual(js.shape);
  if (js.dtype === 'int32' || js.dtype === 'bool') expect(Array.from(nat.data)).toEqual(Array.from(js.data));
  else close(nat.reshape([nat.size]), Array.from(js.data), tol);
}

type Dt = 'float32' | 'float64' | 'int32';
const dtype = fc.constantFrom<Dt>('float32', 'float64', 'int32');
const tolOf = (dt: T.DType, k = 1) => (dt === 'float32' ? 2e-5 : 1e-12) * Math.max(4, 4 * k);
const seed = fc.integer({ min: 0, max: 1e6 });

function randomArray(s: number[], dt: T.DType, sd: number, scale = 3): T.NDArray {
  const rng = new T.RandomState(sd);
  const x = Array.from(rng.uniform(-scale, scale, s).data);
  if (dt === 'bool') return T.array(x.map((v) => v > 0), { dtype: 'bool' }).reshape(s);
  return T.array(dt === 'int32' ? x.map(Math.round) : x, { dtype: dt }).reshape(s);
}

/** A dim, mostly 1..5, sometimes 0. */
const dim = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constant(0) });
const batchShape = fc.array(dim, { minLength: 0, maxLength: 3 });
/** Two batch shapes that broadcast: b's dims are a's with some set to 1, or a's set to 1, and a rank dropped. */
const batchPair = batchShape.chain((s) =>
  fc.tuple(fc.constant(s), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length })).map(([s0, how, drop]) => {
    const a = s0.map((v, i) => (how[i] === 1 ? 1 : v));
    const b = s0.map((v, i) => (how[i] === 2 ? 1 : v)).slice(drop);
    return [a, b] as [number[], number[]];
  }),
);

d('native linear algebra agrees with the TypeScript reference', () => {
  it('dot: batched products with broadcast batch dims, vector operands and size-0 dims', () => {
    fc.assert(
      fc.property(batchPair, dim, dim, dim, fc.integer({ min: 0, max: 2 }), dtype, seed, ([ba, bb], m, k, n, vec, dt, sd) => {
        const a = vec === 1 ? [k] : [...ba, m, k];
        const b = vec === 2 ? [k] : [...bb, k, n];
        agree(T.dot, [randomArray(a, dt, sd), randomArray(b, dt, sd + 1)], tolOf(dt, k));
      }),
      { numRuns: 150 },
    );
  });

  it('dot: large enough batched products to go through BLAS, with a transposed operand', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 8, max: 20 }), fc.integer({ min: 8, max: 20 }), fc.integer({ min: 8, max: 20 }), fc.constantFrom<Dt>('float32', 'float64'), seed, fc.integer({ min: 0, max: 3 }), (bt, m, k, n, dt, sd, kind) => {
        const tol = tolOf(dt, k);
        const A = randomArray([bt, m, k], dt, sd);
        if (kind === 0) agree(T.dot, [A, randomArray([bt, k, n], dt, sd + 1)], tol);
        if (kind === 1) agree((x, w) => T.dot(x, w.T), [A, randomArray([n, k], dt, sd + 1)], tol);
        if (kind === 2) agree(T.dot, [randomArray([m, k], dt, sd), randomArray([bt, 1, k, n], dt, sd + 1)], tol);
        if (kind === 3) agree((x, y) => T.dot(x, T.transpose(y, [0, 2, 1])), [A, randomArray([1, n, k], dt, sd + 1)], tol);
      }),
      { numRuns: 40 },
    );
  });

  it('dot: gradients through broadcast batch dims (transposed batched products, SumTo)', () => {
    fc.assert(
      fc.property(batchPair, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), seed, ([ba, bb], m, k, n, vec, sd) => {
        const a = vec === 1 ? [k] : [...ba, m, k];
        const b = vec === 2 ? [k] : [...bb, k, n];
        const vals = [randomArray(a, 'float64', sd), randomArray(b, 'float64', sd + 1)];
        agree((x, y) => T.grad(T.sum(T.sqr(T.dot(x, y))), x), vals, 1e-11);
        agree((x, y) => T.grad(T.sum(T.sqr(T.dot(x, y))), y), vals, 1e-11);
      }),
      { numRuns: 40 },
    );
  });

  it('tensordot: random axis pairings (in place, transposed and gathered layouts) and size-0 dims', () => {
    const caseArb = fc
      .tuple(fc.array(dim, { minLength: 0, maxLength: 3 }), fc.array(dim, { minLength: 0, maxLength: 3 }), fc.array(dim, { minLength: 0, maxLength: 2 }), seed)
      .map(([fa, fb, kd, s]) => {
        // place the contracted dims at random positions of each operand, paired in a random order
        const rng = new T.RandomState(s);
        const shuffle = (n: number) => Array.from(rng.uniform(0, 1, [n]).data).map((v, i) => [v, i]).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
        const ra = fa.length + kd.length;
        const rb = fb.length + kd.length;
        const posA = shuffle(ra).slice(0, kd.length);
        const posB = shuffle(rb).slice(0, kd.length);
        const fill = (r: number, pos: number[], free: number[]) => {
          const out: number[] = [];
          let f = 0;
          for (let i = 0; i < r; i++) out.push(pos.includes(i) ? kd[pos.indexOf(i)] : free[f++]);
          return out;
        };
        return { a: fill(ra, posA, fa), b: fill(rb, posB, fb), axes: [posA, posB] as [number[], number[]] };
      });
    fc.assert(
      fc.property(caseArb, dtype, seed, ({ a, b, axes }, dt, sd) => {
        const k = axes[0].reduce((p, ax) => p * a[ax], 1);
        agree((x, y) => T.tensordot(x, y, axes), [randomArray(a, dt, sd), randomArray(b, dt, sd + 1)], tolOf(dt, k));
        if (dt === 'float64') agree((x, y) => T.grad(T.sum(T.sqr(T.tensordot(x, y, axes))), x), [randomArray(a, dt, sd), randomArray(b, dt, sd + 1)], 1e-10);
      }),
      { numRuns: 120 },
    );
  });

  it('tensordot: products large enough for BLAS, in every operand layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 12 }), fc.constantFrom<Dt>('float32', 'float64'), fc.integer({ min: 0, max: 3 }), seed, (m, k, n, dt, kind, sd) => {
        const tol = tolOf(dt, k * 3);
        const shapesAxes: [number[], number[], [number[], number[]]][] = [
          [[m, 3, k], [3, k, n], [[1, 2], [0, 1]]], // both in place
          [[3, k, m], [n, 3, k], [[0, 1], [1, 2]]], // both transposed
          [[k, m, 3], [3, n, k], [[2, 0], [0, 2]]], // both gathered
          [[m, k], [n, k], [[1], [1]]],
        ];
        const [sa, sb, ax] = shapesAxes[kind];
        agree((x, y) => T.tensordot(x, y, ax), [randomArray(sa, dt, sd), randomArray(sb, dt, sd + 1)], tol);
      }),
      { numRuns: 40 },
    );
  });

  it('diag, its gradient (DiagLike), trace, outer and batchedDot on random shapes and offsets', () => {
    fc.assert(
      fc.property(dim, dim, fc.integer({ min: -6, max: 6 }), fc.constantFrom<T.DType>('float32', 'float64', 'int32', 'bool'), seed, (r, c, k, dt, sd) => {
        const m = randomArray([r, c], dt, sd);
        const v = randomArray([r], dt, sd + 1);
        agree((x) => T.diag(x, k), [m], 0);
        agree((x) => T.diag(x, k), [v], 0);
        if (dt !== 'bool') agree((x) => T.trace(x, k), [m], tolOf(dt, r));
        if (dt === 'float64') {
          agree((x) => T.grad(T.sum(T.sqr(T.diag(x, k))), x), [m], 1e-12);
          agree((x) => T.grad(T.sum(T.sqr(T.diag(x, k))), x), [v], 1e-12);
        }
        if (dt !== 'bool') {
          agree(T.outer, [randomArray([r], dt, sd), randomArray([c], dt, sd + 2)], tolOf(dt));
          agree(T.batchedDot, [randomArray([r, c, 2], dt, sd), randomArray([r, 2], dt, sd + 3)], tolOf(dt, 2));
        }
      }),
      { numRuns: 80 },
    );
  });

  it('transpose: every rank up to 5, every dtype, random permutations (and its gradient)', () => {
    fc.assert(
      fc.property(fc.array(dim, { minLength: 0, maxLength: 5 }), fc.constantFrom<T.DType>('float32', 'float64', 'int32', 'bool'), seed, (s, dt, sd) => {
        const rng = new T.RandomState(sd);
        const perm = Array.from(rng.uniform(0, 1, [s.length]).data).map((v, i) => [v, i]).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
        const xv = randomArray(s, dt, sd);
        agree((v) => T.transpose(v, perm), [xv], 0);
        if (dt === 'float64') agree((v) => T.grad(T.sum(T.mul(T.transpose(v, perm), T.transpose(v, perm))), v), [xv], 1e-12);
      }),
      { numRuns: 80 },
    );
  });

  it('edge values: 0, ±inf, NaN and huge magnitudes pass through dot, tensordot and diag alike', () => {
    const edge = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 1e-40, 2, -3, 0.5, 7];
    for (const dt of ['float32', 'float64'] as const) {
      const a = T.array(edge, { dtype: dt }).reshape([3, 2, 2]);
      const b = T.array([1, 2, 0, -1, 3, 0.5, 4, 1, 2, 0, 1, 1], { dtype: dt }).reshape([3, 2, 2]);
      agree(T.dot, [a, b], tolOf(dt));
      agree(T.dot, [b, a], tolOf(dt));
      agree((x, y) => T.tensordot(x, y, [[0, 2], [0, 1]]), [a, b], tolOf(dt));
      agree((x) => T.diag(x, 1), [a.reshape([3, 4])], 0);
      // large enough for BLAS: a row holding inf / NaN makes its output row inf / NaN there as in the reference
      const big = randomArray([2, 16, 16], dt, 5);
      big.data[3] = Infinity;
      big.data[16 * 16 + 40] = NaN;
      big.data[100] = 1e30;
      agree(T.dot, [big, randomArray([16, 16], dt, 6)], tolOf(dt, 16));
      agree((x, y) => T.tensordot(x, y, [[2, 0], [0, 2]]), [big, randomArray([16, 3, 2], dt, 7)], tolOf(dt, 32));
    }
  });
});
