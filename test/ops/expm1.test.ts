import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const LN2 = Math.LN2;

describe('expm1', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.expm1(bad), T.ArgumentError, 'expm1: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, 1 and -1/2 at 0, ln 2 and -ln 2 (gradient e^x)', () => checkOp({ fn: T.expm1, inputs: [[0, LN2, -LN2]], expected: [0, 1, -0.5] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.expm1, inputs: [[[2 * LN2, -2 * LN2], [1, -1]]], expected: [[3, -0.75], [Math.E - 1, 1 / Math.E - 1]] }));
    it('has derivative 1 at 0 and 2 at ln 2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.expm1(x)), x), [0, LN2]), [1, 2]);
    });
  });

  describe('edge values', () => {
    it('keeps full precision near 0 (exp(x) - 1 would give 1.0000000827e-10)', () => {
      const x = T.dvector('x');
      // x + x²/2 + x³/6, rounded to double
      expect(flat(run([x], T.expm1(x), [1e-10, -1e-10]))).toEqual([1.00000000005e-10, -9.999999999500001e-11]);
    });
    it('goes to -1 at -inf and inf at inf, keeps -0 and NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.expm1(x), [-Infinity, -1000, Infinity, 1000, -0, NaN]));
      expect(r.slice(0, 4)).toEqual([-1, -1, Infinity, Infinity]);
      expect(Object.is(r[4], -0)).toBe(true);
      expect(r[5]).toBeNaN();
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.expm1(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.expm1(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(Math.E - 1)]);
    });
    it('keeps float32 and float64', () => {
      expect(T.expm1(T.fvector()).dtype).toBe('float32');
      expect(T.expm1(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.expm1() equals T.expm1(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.expm1(), [0, LN2]), [0, 1]);
    });
  });

  describe('second order', () => {
    it('its first derivative e^x agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.expm1(x)), x), inputs: [[0, LN2]], expected: [1, 2] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Expm1 kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.expm1(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Expm1') ? 'native' : 'js');
    });
  });
});
