import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed } from './shape-support';
import { NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('concatenate', () => {
  describe('bad input', () => {
    it('rejects an empty or non-array list and mismatched ranks', () => {
      expectError(() => T.concatenate([]), T.ArgumentError, 'concatenate: xs must be a non-empty array of tensors, got array(0)');
      expectError(() => T.concatenate(T.fmatrix() as unknown as []), T.ArgumentError, 'concatenate: xs must be a non-empty array');
      expectError(() => T.concatenate([T.fmatrix(), T.fvector(), T.tensor3()]), T.ShapeError, 'concatenate: every input must have the rank of xs[0] (2), got xs[1] has rank 1, xs[2] has rank 3');
      expectError(() => T.concatenate([T.fscalar(), T.fscalar()]), T.ShapeError, 'concatenate: xs must have rank >= 1');
    });
    it('rejects a bad axis', () => {
      expectError(() => T.concatenate([T.fmatrix(), T.fmatrix()], 2), T.ArgumentError, 'concatenate: axis must be an integer in [-2, 2), got 2');
    });
    it('rejects static dims that differ off the axis, listing every input', () => {
      const a = T.tensor('float32', [2, 3]);
      const b = T.tensor('float32', [4, 5]);
      const c = T.tensor('float32', [null, 7]);
      expectError(() => T.concatenate([a, b, c], 1), T.ShapeError, 'concatenate: every input must have shape [2, *] (any size on axis 1), got xs[1] [4, 5]');
      expectError(() => T.concatenate([a, b, c], 0), T.ShapeError, 'got xs[1] [4, 5], xs[2] [?, 7]');
    });
    it("names the user's variables (name or expression) in shape and rank errors, not only their place in xs", () => {
      const a = T.tensor('float32', [2, 3], 'a');
      const b = T.tensor('float32', [4, 5], 'weights');
      expectError(() => T.concatenate([a, b], 1), T.ShapeError, 'concatenate: every input must have shape [2, *] (any size on axis 1), got weights (xs[1]) [4, 5]');
      expectError(() => T.concatenate([a, T.exp(b)], 0), T.ShapeError, 'got exp(weights) (xs[1]) [4, 5]');
      expectError(() => T.concatenate([a, T.fvector('v')]), T.ShapeError, 'concatenate: every input must have the rank of a (xs[0]) (2), got v (xs[1]) has rank 1');
      expectError(() => T.stack([a, b]), T.ShapeError, 'stack: every input must have shape [2, 3], got weights (xs[1]) [4, 5]');
      expectError(() => T.concatenate([a, T.constant([[1, 2, 3]], 'float32')], 1), T.ShapeError, 'got constant(float32[1, 3]) (xs[1]) [1, 3]');
    });
    it('rejects non-tensor elements with an ArgumentError naming the op and index', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.concatenate([T.fvector(), bad]), T.ArgumentError, 'concatenate: xs[1] must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('joins rows along axis 0', () => checkOp({ fn: (a, b) => T.concatenate([a, b]), inputs: [M, [[7, 8, 9]]], expected: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] }));
    it('joins columns along axis 1 (negative axis)', () =>
      checkOp({ fn: (a, b) => T.concatenate([a, b], -1), inputs: [M, [[7], [8]]], expected: [[1, 2, 3, 7], [4, 5, 6, 8]] }));
    it('joins three vectors, one of them used twice', () =>
      checkOp({ fn: (a, b) => T.concatenate([a, b, a]).mul(T.arange(7)), inputs: [[1, 2], [3, 4, 5]], expected: [0, 2, 6, 12, 20, 5, 12] }));
    it('returns a single input as is', () => {
      const a = T.fmatrix();
      expect(T.concatenate([a], 1)).toBe(a);
    });
  });

  describe('static shapes, dtypes and edges', () => {
    it('sums the static axis sizes and fills unknown dims from other inputs', () => {
      expect(T.concatenate([T.tensor('float32', [2, null]), T.tensor('float32', [3, 4])]).staticShape).toEqual([5, 4]);
      expect(T.concatenate([T.tensor('float32', [null, 2]), T.tensor('float32', [3, 2])]).staticShape).toEqual([null, 2]);
    });
    it('upcasts mixed dtypes', () => {
      const r = run([], T.concatenate([T.constant([1, 2], 'int32'), T.constant([0.5], 'float64')]));
      expect(r.dtype).toBe('float64');
      expect(Array.from(r.data)).toEqual([1, 2, 0.5]);
    });
    it('reports a run-time mismatch off the axis naming the variables as the user wrote them and their place in xs, on every backend', () => {
      for (const backend of backends) {
        const a = T.dmatrix('a');
        const b = T.dmatrix('b');
        const f = T.function([a, b], T.concatenate([a, b], 1), { backend });
        expectError(() => f(M, [[1], [2], [3]]), T.RuntimeError, 'concatenate: every input must have shape [2, *] (any size on axis 1), got b (xs[1]) [3, 1]', 'node: concatenate(a, b, axis=1)');
        const g = T.function([a, b], T.concatenate([a, T.exp(b), T.constant([[7]])], 1), { backend });
        expectError(() => g(M, [[1], [2], [3]]), T.RuntimeError, 'got exp(b) (xs[1]) [3, 1], 7 (xs[2]) [1, 1]');
        // an unnamed input is the function's argument by position
        const u = T.dmatrix();
        const h = T.function([a, u], T.concatenate([a, u], 1), { backend });
        expectError(() => h(M, [[1], [2], [3]]), T.RuntimeError, 'got argument 1 (xs[1]) [3, 1]');
      }
    });
    it('joins empty pieces', () => {
      const a = T.dmatrix('a');
      const b = T.dmatrix('b');
      expect(run([a, b], T.concatenate([a, b], 1), T.zeros([2, 0], 'float64'), M).shape).toEqual([2, 3]);
      expect(run([a, b], T.concatenate([a, b], 0), T.zeros([0, 3], 'float64'), M).shape).toEqual([2, 3]);
    });
  });

  describe.skipIf(!nativeHas('Concatenate'))('native agrees with the TypeScript reference', () => {
    it('joins 1-3 random tensors (empty included) along a random axis, every dtype', () => {
      const shapes = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 });
      fc.assert(
        fc.property(shapes, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }), fc.nat(), anyDtype, seed, (s, sizes, k, dt, sd) => {
          const axis = k % s.length;
          const vals = sizes.map((n, i) => randomValues(s.map((d, j) => (j === axis ? n : d)), dt, sd + i));
          agreeExact((...xs) => T.concatenate(xs, axis), vals);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('second order', () => {
    it('d sum(concatenate(x, x²))/dx = 1 + 2x, and its derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.concatenate([x, T.sqr(x)], 1)), x), inputs: [M], expected: [[3, 5, 7], [9, 11, 13]] }));
  });
});
