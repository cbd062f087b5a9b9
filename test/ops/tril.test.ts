import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, compileOnBackends, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]];

describe('tril / triu', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.tril(bad), T.ArgumentError, 'tril: x must be', got);
        expectError(() => T.triu(bad), T.ArgumentError, 'triu: x must be', got);
      }
    });
    it('rejects a k that is not an integer', () => {
      for (const k of [0.5, NaN, Infinity, '1' as never]) {
        expectError(() => T.tril(T.dmatrix(), k), T.ArgumentError, 'tril: k must be an integer, got');
        expectError(() => T.triu(T.dmatrix(), k), T.ArgumentError, 'triu: k must be an integer, got');
      }
    });
    it('rejects rank 0 and 1, naming the rank and shape', () => {
      expectError(() => T.tril(T.dvector()), T.ShapeError, 'tril: x must have rank >= 2', 'got rank 1 [?]');
      expectError(() => T.triu(T.dscalar()), T.ShapeError, 'triu: x must have rank >= 2', 'got rank 0 []');
    });
  });

  describe('forward and gradient', () => {
    it("keeps j - i <= k (tril) as NumPy's tril, for k = 0, 1, -1 (gradient: the same mask of g)", () => {
      checkOp({ fn: (x) => T.tril(x), inputs: [M], expected: [[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]] });
      checkOp({ fn: (x) => T.tril(x, 1), inputs: [M], expected: [[1, 2, 0, 0], [5, 6, 7, 0], [9, 10, 11, 12]] });
      checkOp({ fn: (x) => T.tril(x, -1), inputs: [M], expected: [[0, 0, 0, 0], [5, 0, 0, 0], [9, 10, 0, 0]] });
    });
    it("keeps j - i >= k (triu) as NumPy's triu, for k = 0, 2, -1", () => {
      checkOp({ fn: (x) => T.triu(x), inputs: [M], expected: [[1, 2, 3, 4], [0, 6, 7, 8], [0, 0, 11, 12]] });
      checkOp({ fn: (x) => T.triu(x, 2), inputs: [M], expected: [[0, 0, 3, 4], [0, 0, 0, 8], [0, 0, 0, 0]] });
      checkOp({ fn: (x) => T.triu(x, -1), inputs: [M], expected: [[1, 2, 3, 4], [5, 6, 7, 8], [0, 10, 11, 12]] });
    });
    it('applies to every matrix of the last two axes of a batch', () => {
      checkOp({ fn: (x) => T.tril(x), inputs: [[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]], expected: [[[1, 0], [3, 4]], [[5, 0], [7, 8]]] });
      checkOp({ fn: (x) => T.triu(x), inputs: [[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]], expected: [[[1, 2], [0, 4]], [[5, 6], [0, 8]]] });
    });
    it('tril(x, k) + triu(x, k + 1) is x, on every backend', () => {
      const x = T.dmatrix('x');
      for (const k of [-3, -1, 0, 2, 5]) {
        const v = T.array(M, { dtype: 'float64' });
        expect(flat(run([x], T.add(T.tril(x, k), T.triu(x, k + 1)), v))).toEqual(flat(v));
      }
    });
  });

  describe('edge values', () => {
    it('keeps every dtype and sets masked elements to +0, also a NaN there (a selection, as NumPy)', () => {
      for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
        const x = T.tensor(dtype, [null, null]);
        const v = T.array([[1, 1], [0, 1]], { dtype });
        for (const [, f] of compileOnBackends([x], T.triu(x))) {
          const r = f(v) as T.NDArray;
          expect(r.dtype).toBe(dtype);
          expect(flat(r)).toEqual([1, 1, 0, 1]);
        }
      }
      const x = T.dmatrix('x');
      for (const [, f] of compileOnBackends([x], T.tril(x))) {
        const r = flat(f([[NaN, NaN], [-0, NaN]]) as T.NDArray);
        expect(r[0]).toBeNaN();
        expect(Object.is(r[1], 0) && Object.is(r[2], -0) && Number.isNaN(r[3])).toBe(true);
      }
    });
    it('a k beyond the matrix keeps everything or nothing', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.tril(x, 2 ** 40), M))).toEqual(M.flat());
      expect(flat(run([x], T.tril(x, -(2 ** 40)), M))).toEqual(Array(12).fill(0));
      expect(flat(run([x], T.triu(x, -7), M))).toEqual(M.flat());
    });
    it('agrees between backends on a large batch split across threads', () => {
      const rng = new T.RandomState(2);
      const v = rng.uniform(-1, 1, [6, 300, 257], 'float32');
      const x = T.tensor('float32', [null, null, null]);
      for (const out of [T.tril(x, 3), T.triu(x, -5), T.tril(T.mul(x, 2), 0)]) {
        const results = compileOnBackends([x], out).map(([, f]) => flat(f(v) as T.NDArray));
        for (const r of results.slice(1)) expect(r).toEqual(results[0]);
      }
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.tensor('float64', [null, null, null]);
      expect(run([x], T.tril(x), T.zeros([2, 0, 3], 'float64')).shape).toEqual([2, 0, 3]);
      expect(run([x], T.triu(x), T.zeros([2, 3, 0], 'float64')).shape).toEqual([2, 3, 0]);
    });
  });
});
