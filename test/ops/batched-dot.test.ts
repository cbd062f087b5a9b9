import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const A3 = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]; // [2, 2, 2]
const V = [[1, 2], [3, 4]]; // [2, 2]: two vectors

describe('batchedDot', () => {
  describe('bad input', () => {
    it('rejects operands of rank other than 2 or 3, listing both', () => {
      expectError(() => T.batchedDot(T.dvector(), T.tensor4()), T.ShapeError, 'batchedDot: a must be a batch of vectors or matrices (rank 2 or 3), got rank 1 [?]', 'b must be a batch of vectors or matrices (rank 2 or 3), got rank 4');
      expectError(() => T.batchedDot(T.scalar(), T.dmatrix()), T.ShapeError, 'got rank 0');
    });
    it('rejects batch sizes and inner dims that differ at build time', () => {
      expectError(() => T.batchedDot(T.tensor('float32', [2, 3, 4]), T.tensor('float32', [5, 4, 1])), T.ShapeError, 'batchedDot: b must have 2 entries along axis 0 to match a [2, 3, 4], got [5, 4, 1]');
      expectError(() => T.batchedDot(T.tensor('float32', [2, 3, 4]), T.tensor('float32', [2, 3])), T.ShapeError, 'batchedDot: b must have 4 entries along axis 1 to match a [2, 3, 4], got [2, 3]');
    });
    it('rejects non-tensor arguments', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.batchedDot(T.dmatrix(), bad), T.ArgumentError, 'batchedDot: b must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('multiplies matrix by matrix per batch entry', () =>
      checkOp({ fn: T.batchedDot, inputs: [A3, [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]], expected: [[[1, 2], [3, 4]], [[6, 5], [8, 7]]] }));
    it('multiplies matrix by vector and vector by matrix per batch entry', () => {
      checkOp({ fn: T.batchedDot, inputs: [A3, V], expected: [[5, 11], [39, 53]] });
      checkOp({ fn: T.batchedDot, inputs: [V, A3], expected: [[7, 10], [43, 50]] });
    });
    it('takes the inner product per batch entry of two batches of vectors', () => checkOp({ fn: T.batchedDot, inputs: [V, [[1, -1], [0.5, 2]]], expected: [-1, 9.5] }));
  });

  describe('static shapes and dtypes', () => {
    it('infers [B, n, m], [B, n], [B, m] and [B]', () => {
      const a = T.tensor('float32', [4, 2, 3]);
      expect(T.batchedDot(a, T.tensor('float32', [4, 3, 5])).staticShape).toEqual([4, 2, 5]);
      expect(T.batchedDot(a, T.tensor('float32', [4, 3])).staticShape).toEqual([4, 2]);
      expect(T.batchedDot(T.tensor('float32', [4, 2]), a).staticShape).toEqual([4, 3]);
      expect(T.batchedDot(T.tensor('float32', [null, 2]), T.tensor('float32', [4, 2])).staticShape).toEqual([4]);
    });
    it('keeps int32 and mixes int32 with float64 as float64', () => {
      const i = T.imatrix('i');
      const r = run([i], T.batchedDot(i, i), [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([5, 25]);
      expect(T.batchedDot(i, T.dmatrix()).dtype).toBe('float64');
    });
    it('gives an empty result for an empty batch', () => {
      const a = T.tensor3('a', 'float64');
      expect(run([a], T.batchedDot(a, a), T.zeros([0, 2, 2], 'float64')).shape).toEqual([0, 2, 2]);
    });
  });
});
