import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('trace', () => {
  describe('bad input', () => {
    it('rejects anything but a matrix', () => {
      expectError(() => T.trace(T.dvector()), T.ShapeError, 'trace: x must be a matrix, got rank 1 [?]');
      expectError(() => T.trace(T.tensor3()), T.ShapeError, 'trace: x must be a matrix, got rank 3');
      expectError(() => T.trace(T.scalar()), T.ShapeError, 'got rank 0');
    });
    it('rejects a k that is not an integer, and non-tensors', () => {
      expectError(() => T.trace(T.dmatrix(), 1.5), T.ArgumentError, 'trace: k must be an integer, got 1.5');
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.trace(bad), T.ArgumentError, 'trace: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('sums the main diagonal', () => checkOp({ fn: (m) => T.trace(m), inputs: [[[1, 2], [3, 4]]], expected: 5 }));
    it('sums the k-th diagonal of a non-square matrix', () => {
      checkOp({ fn: (m) => T.trace(m, 1), inputs: [[[1, 2, 3], [4, 5, 6]]], expected: 8 });
      checkOp({ fn: (m) => T.trace(m, -1), inputs: [[[1, 2, 3], [4, 5, 6]]], expected: 4 });
    });
    it('gives d trace(X)/dX = I (rectangular: ones on the diagonal)', () => {
      const x = T.dmatrix('x');
      expect(flat(T.function([x], T.grad(T.trace(x), x))([[1, 2, 3], [4, 5, 6]]) as T.NDArray)).toEqual([1, 0, 0, 0, 1, 0]);
    });
    it('gives trace(A B) a gradient Bᵀ, by finite differences', () => T.verifyGrad((a, b) => T.trace(T.dot(a, b)), [[[1, 2], [3, 4], [5, 6]], [[1, 0, -1], [2, 1, 0]]]));
  });

  describe('edge values and dtypes', () => {
    it('is 0 for an empty diagonal and NaN-propagating', () => {
      const m = T.dmatrix('m');
      expect(flat(run([m], T.trace(m, 5), [[1, 2]]))).toEqual([0]);
      expect(flat(run([m], T.trace(m), [[NaN, 1], [1, 1]]))).toEqual([NaN]);
    });
    it('sums int32 and bool as int32', () => {
      const i = T.imatrix('i');
      const r = run([i], T.trace(i), [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([5]);
      expect(T.trace(T.tensor('bool', [null, null])).dtype).toBe('int32');
    });
    it('x.trace() equals T.trace(x)', () => {
      const m = T.dmatrix('m');
      expect(flat(run([m], m.trace(), [[1, 2], [3, 4]]))).toEqual([5]);
    });
  });
});
