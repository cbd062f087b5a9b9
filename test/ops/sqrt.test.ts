import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('sqrt', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.sqrt(bad), T.ArgumentError, 'sqrt: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 2, 1.5 and 1/2 at 4, 2.25 and 1/4 (gradient 1/(2 sqrt x))', () => checkOp({ fn: T.sqrt, inputs: [[4, 2.25, 0.25]], expected: [2, 1.5, 0.5] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.sqrt, inputs: [[[1, 9], [16, 2]]], expected: [[1, 3], [4, Math.SQRT2]] }));
    it('has derivative 1/(2 sqrt x)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.sqrt(x)), x), [4, 0.25]), [0.25, 1]);
    });
  });

  describe('edge values', () => {
    it('gives NaN below 0, 0 at 0 and inf at inf', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.sqrt(x), [-1, 0, Infinity, -Infinity]))).toEqual([NaN, 0, Infinity, NaN]);
    });
    it('has an infinite gradient at 0', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.grad(T.sum(T.sqrt(x)), x), [0]))).toEqual([Infinity]);
    });
    it('keeps NaN and maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.sqrt(x), [[NaN]]))).toEqual([NaN]);
      expect(run([x], T.sqrt(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.sqrt(i), [4, 2]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([2, Math.fround(Math.SQRT2)]);
    });
    it('keeps float32 and float64', () => {
      expect(T.sqrt(T.fvector()).dtype).toBe('float32');
      expect(T.sqrt(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.sqrt() equals T.sqrt(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.sqrt(), [1, 2, 3]), run([x], T.sqrt(x), [1, 2, 3]).toArray());
    });
  });

  describe('second order', () => {
    it('d²sqrt/dx² = -1/(4 x^(3/2))', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.sqrt(x)), x)), x), [1, 4, 0.25]), [-0.25, -1 / 32, -2]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.sqrt(x)), x), inputs: [[1, 4]], expected: [0.5, 0.25] }));
  });
});
