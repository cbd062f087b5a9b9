import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('outer', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.outer(bad, T.dvector()), T.ArgumentError, 'outer: a must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('multiplies every pair: out[i, j] = a[i] b[j]', () => checkOp({ fn: T.outer, inputs: [[1, 2], [3, 4, 5]], expected: [[3, 4, 5], [6, 8, 10]] }));
    it('has the gradient of a broadcast multiply', () => T.verifyGrad((a, b) => T.sum(T.sqr(T.outer(a, b))), [[1, -2], [3, 0.5, 1]]));
    it('flattens operands of any rank first, as NumPy: [2, 2] x [3] -> [4, 3], a scalar counts as [1]', () => {
      checkOp({ fn: T.outer, inputs: [[[1, 2], [3, 4]], [1, 0, -1]], expected: [[1, 0, -1], [2, 0, -2], [3, 0, -3], [4, 0, -4]] });
      checkOp({ fn: T.outer, inputs: [2, [[1, 2], [3, 4]]], expected: [[2, 4, 6, 8]] });
      checkOp({ fn: T.outer, inputs: [[[[1]], [[-2]]], 3], expected: [[3], [-6]] });
    });
    it('has gradients of each operand\'s own shape for any ranks', () => {
      T.verifyGrad((a, b) => T.sum(T.sqr(T.outer(a, b))), [[[1, -2, 0.5], [3, 0.25, 1]], [[2], [-1]]]);
      T.verifyGrad((a, b) => T.sum(T.sin(T.outer(a, b))), [1.5, [[0.5, -1, 2]]]);
    });
  });

  describe('static shapes, dtypes and edges', () => {
    it('infers [m, n] and mixes dtypes as mul does', () => {
      expect(T.outer(T.tensor('float32', [2]), T.tensor('float32', [null])).staticShape).toEqual([2, null]);
      expect(T.outer(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 1, 5])).staticShape).toEqual([6, 20]);
      expect(T.outer(T.tensor('float32', [2, null]), T.scalar()).staticShape).toEqual([null, 1]);
      expect(T.outer(T.ivector(), T.fvector()).dtype).toBe('float32');
      const i = T.ivector('i');
      const r = run([i], T.outer(i, i), [1, -2]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, -2, -2, 4]);
    });
    it('gives an empty matrix for an empty vector and propagates NaN', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      expect(run([a, b], T.outer(a, b), T.zeros([0], 'float64'), [1, 2]).shape).toEqual([0, 2]);
      const m = T.dmatrix('m');
      expect(run([m, b], T.outer(m, b), T.zeros([3, 0], 'float64'), [1, 2]).shape).toEqual([0, 2]);
      expect(flat(run([a, b], T.outer(a, b), [NaN], [1, 2]))).toEqual([NaN, NaN]);
    });
  });
});
