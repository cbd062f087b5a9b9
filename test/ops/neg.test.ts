import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('neg', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.neg(bad), T.ArgumentError, 'neg: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('negates elementwise (gradient -1)', () => checkOp({ fn: T.neg, inputs: [[[1, -2], [0.5, 0]]], expected: [[-1, 2], [-0.5, -0]] }));
    it('negates a broadcast sum', () => checkOp({ fn: (a, b) => T.neg(T.add(a, b)), inputs: [[[1], [2]], [10, 20]], expected: [[-11, -21], [-12, -22]] }));
    it('has derivative -1', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.neg(x)), x), [3, -4]), [-1, -1]);
    });
  });

  describe('edge values', () => {
    it('flips the sign of zero and inf and keeps NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.neg(x), [0, Infinity, NaN]));
      expect(Object.is(r[0], -0)).toBe(true);
      expect(r.slice(1)).toEqual([-Infinity, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.neg(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32', () => {
      const i = T.ivector('i');
      const r = run([i], T.neg(i), [-5, 0, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([5, 0, -7]);
    });
    it('keeps float32 and float64', () => {
      expect(T.neg(T.fvector()).dtype).toBe('float32');
      expect(T.neg(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.neg() equals T.neg(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.neg(), [1, -2, 3]), run([x], T.neg(x), [1, -2, 3]).toArray());
    });
  });

  describe('second order', () => {
    it('its constant derivative leaves x disconnected when differentiated again', () => {
      const x = T.dvector('x');
      const g = T.grad(T.sum(T.neg(x)), x);
      expectError(() => T.grad(T.sum(g), x), T.GradError, 'is not connected to the cost');
      close(run([x], T.grad(T.sum(g), x, { disconnected: 'zero' }), [1, 2]), [0, 0]);
    });
  });
});
