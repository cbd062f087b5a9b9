import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('onesLike', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.onesLike(bad as T.Variable), T.ArgumentError, 'onesLike: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives ones of the run-time shape of x', () => checkOp({ fn: (x) => T.add(x, T.onesLike(x)), inputs: [[[1, 2, 3], [4, 5, 6]]], expected: [[2, 3, 4], [5, 6, 7]] }));
    it('follows the shape of x from call to call', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.onesLike(x));
      close(f([[5, 6]]) as T.NDArray, [[1, 1]]);
      close(f([[5], [6], [7]]) as T.NDArray, [[1], [1], [1]]);
    });
    it('does not depend on the values of x: d sum(x · onesLike(x))/dx = 1', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.mul(x, T.onesLike(x))), x), [3, -4]), [1, 1]);
      close(run([x], T.grad(T.sum(T.onesLike(x)), x, { disconnected: 'zero' }), [3, -4]), [0, 0]);
    });
  });

  describe('static shapes and edge values', () => {
    it('has the static shape of x', () => {
      expect(T.onesLike(T.tensor('float32', [2, null, 3])).staticShape).toEqual([2, null, 3]);
      expect(T.onesLike(T.fscalar()).staticShape).toEqual([]);
    });
    it('gives an empty tensor for an empty x and a scalar 1 for a scalar x', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.onesLike(e), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
      const s = T.dscalar('s');
      close(run([s], T.onesLike(s), 7), 1);
    });
  });

  describe('dtypes', () => {
    it('takes the dtype of x', () => {
      for (const dt of ['float32', 'float64', 'int32'] as const) {
        const x = T.tensor(dt, [null], 'x');
        const r = run([x], T.onesLike(x), [5, 6]);
        expect(r.dtype).toBe(dt);
        expect(flat(r)).toEqual([1, 1]);
      }
      const b = T.tensor('bool', [null], 'b');
      expect(run([b], T.onesLike(b), [false, false]).toArray()).toEqual([true, true]);
    });
  });
});
