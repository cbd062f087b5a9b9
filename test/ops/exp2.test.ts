import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


describe('exp2', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.exp2(bad), T.ArgumentError, 'exp2: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 1, 2, 1/2, √2 and 1024 at 0, 1, -1, 1/2 and 10 (gradient 2^x ln 2)', () =>
      checkOp({ fn: T.exp2, inputs: [[0, 1, -1, 0.5, 10]], expected: [1, 2, 0.5, Math.SQRT2, 1024] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.exp2, inputs: [[[3, -2], [0.25, -0.5]]], expected: [[8, 0.25], [Math.sqrt(Math.SQRT2), Math.SQRT1_2]] }));
    it('has derivative ln 2 at 0 and 4 ln 2 at 2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.exp2(x)), x), [0, 2]), [Math.LN2, 4 * Math.LN2]);
    });
  });

  describe('edge values', () => {
    it('is exact at integers, underflows to 0 and overflows to inf', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.exp2(x), [52, -1074, -1080, 1024, -Infinity, Infinity]))).toEqual([2 ** 52, 5e-324, 0, Infinity, 0, Infinity]);
    });
    it('keeps NaN and maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.exp2(x), [[NaN]]))).toEqual([NaN]);
      expect(run([x], T.exp2(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.exp2(i), [3, -1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([8, 0.5]);
    });
    it('keeps float32 and float64', () => {
      expect(T.exp2(T.fvector()).dtype).toBe('float32');
      expect(T.exp2(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.exp2() equals T.exp2(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.exp2(), [0, 2, -3]), [1, 4, 0.125]);
    });
  });

  describe('second order', () => {
    it('its first derivative 2^x ln 2 agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.exp2(x)), x), inputs: [[0, 1, -1]], expected: [Math.LN2, 2 * Math.LN2, Math.LN2 / 2] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Exp2 kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.exp2(x));
      close(f([1]) as T.NDArray, [2]);
      expect(f.info().backend).toBe(nativeHas('Exp2') ? 'native' : 'js');
    });
  });
});
