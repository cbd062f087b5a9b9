import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('abs', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.abs(bad), T.ArgumentError, 'abs: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('takes absolute values elementwise (gradient sign x)', () => checkOp({ fn: T.abs, inputs: [[[-2, 3.5], [-0.25, 1]]], expected: [[2, 3.5], [0.25, 1]] }));
    it('has derivative sign(x), 0 at 0', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.abs(x)), x), [-2, 0, 3]), [-1, 0, 1]);
    });
  });

  describe('edge values', () => {
    it('maps -0 to 0, ±inf to inf and keeps NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.abs(x), [-0, -Infinity, Infinity, NaN]));
      expect(Object.is(r[0], 0)).toBe(true);
      expect(r.slice(1)).toEqual([Infinity, Infinity, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.abs(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32', () => {
      const i = T.ivector('i');
      const r = run([i], T.abs(i), [-5, 0, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([5, 0, 7]);
    });
    it('keeps float32 and float64', () => {
      expect(T.abs(T.fvector()).dtype).toBe('float32');
      expect(T.abs(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.abs() equals T.abs(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.abs(), [1, -2, 3]), run([x], T.abs(x), [1, -2, 3]).toArray());
    });
  });

  describe('second order', () => {
    it('d²|x|/dx² = 0 away from 0, and the first derivative agrees with finite differences', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.abs(x)), x)), x), [-2, 3]), [0, 0]);
      checkOp({ fn: (v) => T.grad(T.sum(T.abs(v)), v), inputs: [[-2, 3]], expected: [-1, 1] });
    });
  });
});
