import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('zerosLike', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.zerosLike(bad as T.Variable), T.ArgumentError, 'zerosLike: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives zeros of the run-time shape of x', () => checkOp({ fn: (x) => T.add(x, T.zerosLike(x)), inputs: [[[1, 2, 3], [4, 5, 6]]], expected: [[1, 2, 3], [4, 5, 6]] }));
    it('follows the shape of x from call to call', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.zerosLike(x));
      close(f([[5, 6]]) as T.NDArray, [[0, 0]]);
      close(f([[5], [6], [7]]) as T.NDArray, [[0], [0], [0]]);
    });
    it('does not depend on the values of x', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.zerosLike(x)), x, { disconnected: 'zero' }), [3, -4]), [0, 0]);
      close(run([x], T.grad(T.sum(T.add(x, T.zerosLike(x))), x), [3, -4]), [1, 1]);
    });
  });

  describe('static shapes and edge values', () => {
    it('has the static shape of x', () => {
      expect(T.zerosLike(T.tensor('float32', [2, null, 3])).staticShape).toEqual([2, null, 3]);
    });
    it('gives an empty tensor for an empty x, and zeros even where x is NaN or inf', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.zerosLike(e), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
      expect(flat(run([e], T.zerosLike(e), [[NaN, Infinity]]))).toEqual([0, 0]);
    });
  });

  describe('dtypes', () => {
    it('takes the dtype of x', () => {
      for (const dt of ['float32', 'float64', 'int32'] as const) {
        const x = T.tensor(dt, [null], 'x');
        const r = run([x], T.zerosLike(x), [5, 6]);
        expect(r.dtype).toBe(dt);
        expect(flat(r)).toEqual([0, 0]);
      }
      const b = T.tensor('bool', [null], 'b');
      expect(run([b], T.zerosLike(b), [true, true]).toArray()).toEqual([false, false]);
    });
  });
});
