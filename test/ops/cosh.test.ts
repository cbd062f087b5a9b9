import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const LN2 = Math.LN2;

describe('cosh', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.cosh(bad), T.ArgumentError, 'cosh: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 1 at 0 and 5/4 at ±ln 2 (gradient sinh x)', () => checkOp({ fn: T.cosh, inputs: [[0, LN2, -LN2]], expected: [1, 1.25, 1.25] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.cosh, inputs: [[[2 * LN2, -2 * LN2], [1, Math.log(3)]]], expected: [[17 / 8, 17 / 8], [(Math.E + 1 / Math.E) / 2, 5 / 3]] }));
    it('has derivative sinh x: 0 at 0 and ±3/4 at ±ln 2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.cosh(x)), x), [0, LN2, -LN2]), [0, 0.75, -0.75]);
    });
  });

  describe('edge values', () => {
    it('overflows to inf on both sides, maps ±inf to inf and keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.cosh(x), [1000, -1000, Infinity, -Infinity, NaN, -0]))).toEqual([Infinity, Infinity, Infinity, Infinity, NaN, 1]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.cosh(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.cosh(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([1, Math.fround((Math.E + 1 / Math.E) / 2)]);
    });
    it('keeps float32 and float64', () => {
      expect(T.cosh(T.fvector()).dtype).toBe('float32');
      expect(T.cosh(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.cosh() equals T.cosh(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.cosh(), [0, LN2]), [1, 1.25]);
    });
  });

  describe('second order', () => {
    it('d²cosh/dx² = cosh', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.cosh(x)), x)), x), [0, LN2]), [1, 1.25]);
    });
    it('its first derivative sinh x agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.cosh(x)), x), inputs: [[0, -LN2]], expected: [0, -0.75] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Cosh kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.cosh(x));
      close(f([0]) as T.NDArray, [1]);
      expect(f.info().backend).toBe(nativeHas('Cosh') ? 'native' : 'js');
    });
  });
});
