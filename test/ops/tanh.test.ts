import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const LN2 = Math.LN2;

describe('tanh', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.tanh(bad), T.ArgumentError, 'tanh: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0 at 0 and ±3/5 at ±ln 2 (gradient 1 - tanh²)', () => checkOp({ fn: T.tanh, inputs: [[0, LN2, -LN2]], expected: [0, 0.6, -0.6] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.tanh, inputs: [[[0.5, -1], [2, 0]]], expected: [[Math.tanh(0.5), Math.tanh(-1)], [Math.tanh(2), 0]] }));
    it('has derivative 1 at 0 and 16/25 at ln 2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.tanh(x)), x), [0, LN2]), [1, 0.64]);
    });
  });

  describe('edge values', () => {
    it('saturates to exactly ±1 at ±1000 and ±inf with a zero gradient', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.tanh(x), [1000, -1000, Infinity, -Infinity]))).toEqual([1, -1, 1, -1]);
      expect(flat(run([x], T.grad(T.sum(T.tanh(x)), x), [1000, -1000]))).toEqual([0, 0]);
    });
    it('keeps NaN and maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.tanh(x), [[NaN]]))).toEqual([NaN]);
      expect(run([x], T.tanh(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.tanh(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(Math.tanh(1))]);
    });
    it('keeps float32 and float64', () => {
      expect(T.tanh(T.fvector()).dtype).toBe('float32');
      expect(T.tanh(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.tanh() equals T.tanh(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.tanh(), [0, 2, -3]), run([x], T.tanh(x), [0, 2, -3]).toArray());
    });
  });

  describe('second order', () => {
    it('d²tanh/dx² = -2 tanh (1 - tanh²)', () => {
      const x = T.dvector('x');
      const xs = [0, 0.5, -1, 2];
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.tanh(x)), x)), x), xs), xs.map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)), 1e-10);
    });
    it('its first derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.tanh(x)), x), inputs: [[0, LN2]], expected: [1, 0.64] }));
  });
});
