import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const LN2 = Math.LN2;

describe('exp', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.exp(bad), T.ArgumentError, 'exp: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 1, 2 and 1/2 at 0, ln 2 and -ln 2 (gradient exp(x))', () => checkOp({ fn: T.exp, inputs: [[0, LN2, -LN2]], expected: [1, 2, 0.5] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.exp, inputs: [[[1, -1], [2 * LN2, 0]]], expected: [[Math.E, 1 / Math.E], [4, 1]] }));
    it('composes with log to the identity', () => checkOp({ fn: (x) => T.log(T.exp(x)), inputs: [[-3, 0.5, 4]], expected: [-3, 0.5, 4] }));
  });

  describe('edge values', () => {
    it('underflows to 0 and overflows to inf', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.exp(x), [-1000, 1000, -Infinity, Infinity]))).toEqual([0, Infinity, 0, Infinity]);
    });
    it('overflows float32 to inf beyond about 88.7', () => {
      const x = T.fvector('x');
      expect(flat(run([x], T.exp(x), [88, 89, 100]))).toEqual([Math.fround(Math.exp(88)), Infinity, Infinity]);
    });
    it('keeps NaN and maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.exp(x), [[NaN]]))).toEqual([NaN]);
      expect(run([x], T.exp(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (exp of int32 is float32)', () => {
      const i = T.ivector('i');
      const r = run([i], T.exp(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([1, Math.fround(Math.E)]);
    });
    it('keeps float32 and float64', () => {
      expect(T.exp(T.fvector()).dtype).toBe('float32');
      expect(T.exp(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.exp() equals T.exp(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.exp(), [0, 2, -3]), run([x], T.exp(x), [0, 2, -3]).toArray());
    });
  });

  describe('second order', () => {
    it('d²exp/dx² = exp', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.exp(x)), x)), x), [0, LN2, -1]), [1, 2, 1 / Math.E]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.exp(x)), x), inputs: [[0, LN2]], expected: [1, 2] }));
  });
});
