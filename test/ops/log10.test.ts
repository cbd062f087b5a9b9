import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


describe('log10', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.log10(bad), T.ArgumentError, 'log10: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, 1, 3, -2 and 1/2 at 1, 10, 1000, 0.01 and √10 (gradient 1/(x ln 10))', () =>
      checkOp({ fn: T.log10, inputs: [[1, 10, 1000, 0.01, Math.sqrt(10)]], expected: [0, 1, 3, -2, 0.5] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.log10, inputs: [[[2, 5], [0.5, 20]]], expected: [[Math.log(2) / Math.LN10, Math.log(5) / Math.LN10], [-Math.log(2) / Math.LN10, 1 + Math.log(2) / Math.LN10]] }));
    it('has derivative 1/ln 10 at 1 and 1/(10 ln 10) at 10', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.log10(x)), x), [1, 10]), [1 / Math.LN10, 0.1 / Math.LN10]);
    });
  });

  describe('edge values', () => {
    it('gives -inf at 0, NaN below 0, inf at inf, and keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.log10(x), [0, -0, -1, -Infinity, Infinity, NaN]))).toEqual([-Infinity, -Infinity, NaN, NaN, Infinity, NaN]);
    });
    it('is exact at powers of ten', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.log10(x), [1e-5, 1e22, 1e300]))).toEqual([-5, 22, 300]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.log10(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.log10(i), [100, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([2, 0]);
    });
    it('keeps float32 and float64', () => {
      expect(T.log10(T.fvector()).dtype).toBe('float32');
      expect(T.log10(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.log10() equals T.log10(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.log10(), [1, 100]), [0, 2]);
    });
  });

  describe('second order', () => {
    it('its first derivative 1/(x ln 10) agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.log10(x)), x), inputs: [[1, 2]], expected: [1 / Math.LN10, 0.5 / Math.LN10] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Log10 kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.log10(x));
      close(f([100]) as T.NDArray, [2]);
      expect(f.info().backend).toBe(nativeHas('Log10') ? 'native' : 'js');
    });
  });
});
