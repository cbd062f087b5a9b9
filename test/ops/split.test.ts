import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed } from './shape-support';
import { NOT_TENSORS } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('split', () => {
  describe('bad input', () => {
    it('rejects bad sizes, a bad count and a bad axis, listing every problem', () => {
      const x = T.dmatrix('x');
      expectError(() => T.split(x, [1, -1, 0.5]), T.ArgumentError, 'split: sizes[1] must be >= 0, got -1', 'sizes[2] must be an integer');
      expectError(() => T.split(x, 0), T.ArgumentError, 'split: n must be a positive integer, got 0');
      expectError(() => T.split(x, [], 0), T.ArgumentError, 'split: sizes must be a non-empty array of sizes or a number of pieces');
      expectError(() => T.split(x, 2, 2), T.ArgumentError, 'split: axis must be an integer in [-2, 2), got 2');
      expectError(() => T.split(T.dscalar(), 2), T.ArgumentError, 'split: x must have rank >= 1, got a scalar');
      expectError(() => T.split(x, [T.iscalar('n')]), T.ArgumentError, 'split: sizes[0] must be an integer, T.shapeI(y, i)');
    });
    it('refuses a count of pieces that would exhaust the heap (it crashed the process) and sizes beyond any dim', () => {
      const x = T.fvector('x');
      expectError(() => T.split(x, 2 ** 31), T.ArgumentError, 'split: n must be at most 1048576 pieces, got 2147483648');
      expectError(() => T.split(x, new Array(2 ** 20 + 1).fill(0)), T.ArgumentError, 'split: sizes must list at most 1048576 pieces, got 1048577');
      expectError(() => T.split(x, [2 ** 32, 1]), T.ArgumentError, 'split: sizes[0] must be at most 2147483647, got 4294967296');
    });
    it('rejects sizes that do not add up to a static axis, and unequal pieces', () => {
      const x = T.tensor('float64', [2, 5]);
      expectError(() => T.split(x, [2, 2], 1), T.ShapeError, "split: sizes must sum to x's axis 1 (x of shape [2, 5]), got [2, 2]");
      expectError(() => T.split(x, 2, 1), T.ShapeError, "split: x's axis 1 must divide into 2 equal pieces, got x of shape [2, 5]");
    });
    it('checks at run time when the axis is unknown', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.split(x, [1, 1], 1), { backend: 'js' });
      expectError(() => f(M), T.RuntimeError, "split: sizes must be >= 0 and sum to x's axis 1 (x of shape [2, 3]), got [1, 1]");
      const g = T.function([x], T.split(x, 2, 1), { backend: 'js' });
      expectError(() => g(M), T.RuntimeError, "split: x's axis 1 must divide into 2 equal pieces");
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.split(bad, 2), T.ArgumentError, 'split: x must be', got);
    });
  });

  describe('forward', () => {
    it('cuts columns by sizes (one compiled node with several outputs)', () => {
      const x = T.dmatrix('x');
      const parts = T.split(x, [1, 2], 1);
      expect(parts[0].owner).toBe(parts[1].owner);
      const [a, b] = T.function([x], parts)(M) as T.NDArray[];
      close(a, [[1], [4]]);
      close(b, [[2, 3], [5, 6]]);
    });
    it('cuts into n equal pieces, including empty ones', () => {
      const x = T.dvector('x');
      const r = T.function([x], T.split(x, 3))([1, 2, 3, 4, 5, 6]) as T.NDArray[];
      expect(r.map((p) => Array.from(p.data))).toEqual([[1, 2], [3, 4], [5, 6]]);
      const e = T.function([x], T.split(x, [0, 2, 0]))([7, 8]) as T.NDArray[];
      expect(e.map((p) => p.shape)).toEqual([[0], [2], [0]]);
    });
    it('takes symbolic sizes', () => {
      const x = T.dvector('x');
      const y = T.dvector('y');
      const [a, b] = T.split(x, [y.shape[0], x.shape[0].sub(y.shape[0])]);
      const r = T.function([x, y], [a, b])([1, 2, 3, 4], [0]) as T.NDArray[];
      expect(r.map((p) => Array.from(p.data))).toEqual([[1], [2, 3, 4]]);
    });
    it('infers static piece shapes', () => {
      const parts = T.split(T.tensor('float32', [6, null]), 3);
      expect(parts.map((p) => p.staticShape)).toEqual([[2, null], [2, null], [2, null]]);
    });
  });

  describe('gradient', () => {
    it('joins the pieces’ gradients, with zeros for a piece that does not reach the cost', () => {
      T.verifyGrad((x) => {
        const [a, , c] = T.split(x, [1, 1, 1], 1);
        return T.mul(a, 2).add(T.sqr(c));
      }, [M]);
      const x = T.dmatrix('x');
      const [, b] = T.split(x, [1, 2], 1);
      close(T.function([x], T.grad(T.sum(b), x))(M) as T.NDArray, [[0, 1, 1], [0, 1, 1]]);
    });
  });

  describe.skipIf(!nativeHas('Split'))('native agrees with the TypeScript reference', () => {
    it('cuts random tensors into random pieces (empty included), every dtype', () => {
      const shapes = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 });
      fc.assert(
        fc.property(shapes, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }), fc.nat(), anyDtype, seed, (s, sizes, k, dt, sd) => {
          const axis = k % s.length;
          const v = randomValues(s.map((d, j) => (j === axis ? sizes.reduce((a, b) => a + b, 0) : d)), dt, sd);
          agreeExact((x) => T.split(x, sizes, axis), [v]);
        }),
        { numRuns: 40 },
      );
    });
  });
});
