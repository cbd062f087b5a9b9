import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('sign', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.sign(bad), T.ArgumentError, 'sign: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives -1, 0 or 1 (gradient zero away from 0)', () => checkOp({ fn: T.sign, inputs: [[[-2, -0.5], [3, 1e-3]]], expected: [[-1, -1], [1, 1]] }));
    it('gives 0 at 0', () => checkOp({ fn: T.sign, inputs: [[0, -3]], expected: [0, -1], noGrad: true }));
    it('has a zero gradient that is connected to x (grad does not raise)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.sign(x)), x), [-2, 0, 5]), [0, 0, 0]);
    });
  });

  describe('edge values', () => {
    it('maps ±inf to ±1 and keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.sign(x), [Infinity, -Infinity, NaN]))).toEqual([1, -1, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.sign(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32', () => {
      const i = T.ivector('i');
      const r = run([i], T.sign(i), [-5, 0, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-1, 0, 1]);
    });
    it('keeps float32 and float64', () => {
      expect(T.sign(T.fvector()).dtype).toBe('float32');
      expect(T.sign(T.dvector()).dtype).toBe('float64');
    });
  });
});
