import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('sqr', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.sqr(bad), T.ArgumentError, 'sqr: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('squares elementwise (gradient 2x)', () => checkOp({ fn: T.sqr, inputs: [[[1, -2], [0.5, 0]]], expected: [[1, 4], [0.25, 0]] }));
    it('has derivative 2x', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.sqr(x)), x), [1, -2, 0]), [2, -4, 0]);
    });
  });

  describe('edge values', () => {
    it('overflows to inf, squares -inf to inf and keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.sqr(x), [1e200, -Infinity, NaN]))).toEqual([Infinity, Infinity, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.sqr(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32 exact', () => {
      const i = T.ivector('i');
      const r = run([i], T.sqr(i), [-5, 0, 46340]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([25, 0, 2147395600]);
    });
    it('keeps float32 and float64; bool squares as int32', () => {
      expect(T.sqr(T.fvector()).dtype).toBe('float32');
      expect(T.sqr(T.dvector()).dtype).toBe('float64');
      const b = T.tensor('bool', [null], 'b');
      const r = run([b], T.sqr(b), [true, false]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, 0]);
    });
    it('gives a float32 gradient for a float32 input', () => {
      const x = T.fvector('x');
      expect(T.grad(T.sum(T.sqr(x)), x).dtype).toBe('float32');
    });
  });

  describe('method form', () => {
    it('x.sqr() equals T.sqr(x) and x.mul(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.sqr(), [1, -2, 3]), run([x], T.sqr(x), [1, -2, 3]).toArray());
      close(run([x], x.sqr(), [1, -2, 3]), run([x], x.mul(x), [1, -2, 3]).toArray());
    });
  });

  describe('second order', () => {
    it('d²(x²)/dx² = 2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.sqr(x)), x)), x), [1, -2, 0]), [2, 2, 2]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.sqr(x)), x), inputs: [[1, -2]], expected: [2, -4] }));
  });
});
