import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('log', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.log(bad), T.ArgumentError, 'log: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, 1 and -2 ln 2 at 1, e and 1/4 (gradient 1/x)', () => checkOp({ fn: T.log, inputs: [[1, Math.E, 0.25]], expected: [0, 1, -2 * Math.LN2] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.log, inputs: [[[2, 4], [8, 0.5]]], expected: [[Math.LN2, 2 * Math.LN2], [3 * Math.LN2, -Math.LN2]] }));
    it('has derivative 1/x', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.log(x)), x), [1, 4, 0.5]), [1, 0.25, 2]);
    });
  });

  describe('edge values', () => {
    it('gives -inf at 0 and NaN below 0', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.log(x), [0, -0, -1, Infinity]))).toEqual([-Infinity, -Infinity, NaN, Infinity]);
    });
    it('gives -inf at 0 in float32 too', () => {
      const x = T.fvector('x');
      expect(flat(run([x], T.log(x), [0, 1]))).toEqual([-Infinity, 0]);
    });
    it('keeps NaN and maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.log(x), [[NaN]]))).toEqual([NaN]);
      expect(run([x], T.log(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.log(i), [1, 0]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, -Infinity]);
    });
    it('keeps float32 and float64', () => {
      expect(T.log(T.fvector()).dtype).toBe('float32');
      expect(T.log(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.log() equals T.log(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.log(), [1, 2, 3]), run([x], T.log(x), [1, 2, 3]).toArray());
    });
  });

  describe('second order', () => {
    it('d²log/dx² = -1/x²', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.log(x)), x)), x), [1, 2, 0.5]), [-1, -0.25, -4]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.log(x)), x), inputs: [[1, 2, 0.5]], expected: [1, 0.5, 2] }));
  });
});
