import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const LN2 = Math.LN2;

describe('log1p', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.log1p(bad), T.ArgumentError, 'log1p: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, 1, -ln 2 and ln 2 at 0, e - 1, -1/2 and 1 (gradient 1/(1 + x))', () =>
      checkOp({ fn: T.log1p, inputs: [[0, Math.E - 1, -0.5, 1]], expected: [0, 1, -LN2, LN2] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.log1p, inputs: [[[3, -0.75], [7, 0.25]]], expected: [[2 * LN2, -2 * LN2], [3 * LN2, Math.log(1.25)]] }));
    it('has derivative 1 at 0 and 1/2 at 1', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.log1p(x)), x), [0, 1]), [1, 0.5]);
    });
  });

  describe('edge values', () => {
    it('keeps full precision near 0 (log(1 + x) would give 1.0000000827e-10)', () => {
      const x = T.dvector('x');
      // x - x²/2 + x³/3, rounded to double
      expect(flat(run([x], T.log1p(x), [1e-10, -1e-10]))).toEqual([9.999999999500001e-11, -1.00000000005e-10]);
    });
    it('gives -inf at -1, NaN below -1 (log1p(-2) = NaN), inf at inf, and keeps -0 and NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.log1p(x), [-1, -2, -Infinity, Infinity, NaN, -0]));
      expect(r.slice(0, 5)).toEqual([-Infinity, NaN, NaN, Infinity, NaN]);
      expect(Object.is(r[5], -0)).toBe(true);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.log1p(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.log1p(i), [0, 1, -1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(LN2), -Infinity]);
    });
    it('keeps float32 and float64', () => {
      expect(T.log1p(T.fvector()).dtype).toBe('float32');
      expect(T.log1p(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.log1p() equals T.log1p(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.log1p(), [0, 1, 3]), [0, LN2, 2 * LN2]);
    });
  });

  describe('second order', () => {
    it('its first derivative 1/(1 + x) agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.log1p(x)), x), inputs: [[0, 1, -0.5]], expected: [1, 0.5, 2] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Log1p kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.log1p(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Log1p') ? 'native' : 'js');
    });
  });
});
