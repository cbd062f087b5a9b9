import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


describe('log2', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.log2(bad), T.ArgumentError, 'log2: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, 1, 3, -1 and 1/2 at 1, 2, 8, 1/2 and √2 (gradient 1/(x ln 2))', () =>
      checkOp({ fn: T.log2, inputs: [[1, 2, 8, 0.5, Math.SQRT2]], expected: [0, 1, 3, -1, 0.5] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.log2, inputs: [[[1024, 0.125], [3, 10]]], expected: [[10, -3], [Math.log(3) / Math.LN2, Math.log(10) / Math.LN2]] }));
    it('has derivative 1/ln 2 at 1 and 1/(4 ln 2) at 4', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.log2(x)), x), [1, 4]), [1 / Math.LN2, 0.25 / Math.LN2]);
    });
  });

  describe('edge values', () => {
    it('gives -inf at 0, NaN below 0, inf at inf, and keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.log2(x), [0, -0, -1, -Infinity, Infinity, NaN]))).toEqual([-Infinity, -Infinity, NaN, NaN, Infinity, NaN]);
    });
    it('is exact at powers of two, subnormals included', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.log2(x), [2 ** 60, 2 ** -1074]))).toEqual([60, -1074]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.log2(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.log2(i), [4, 1024]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([2, 10]);
    });
    it('keeps float32 and float64', () => {
      expect(T.log2(T.fvector()).dtype).toBe('float32');
      expect(T.log2(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.log2() equals T.log2(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.log2(), [1, 2, 16]), [0, 1, 4]);
    });
  });

  describe('second order', () => {
    it('its first derivative 1/(x ln 2) agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.log2(x)), x), inputs: [[1, 2, 0.5]], expected: [1 / Math.LN2, 0.5 / Math.LN2, 2 / Math.LN2] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Log2 kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.log2(x));
      close(f([8]) as T.NDArray, [3]);
      expect(f.info().backend).toBe(nativeHas('Log2') ? 'native' : 'js');
    });
  });
});
