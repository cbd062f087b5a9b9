import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const LN2 = Math.LN2;

describe('sinh', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.sinh(bad), T.ArgumentError, 'sinh: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0 at 0 and ±3/4 at ±ln 2 (gradient cosh x)', () => checkOp({ fn: T.sinh, inputs: [[0, LN2, -LN2]], expected: [0, 0.75, -0.75] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.sinh, inputs: [[[2 * LN2, -2 * LN2], [1, Math.log(3)]]], expected: [[15 / 8, -15 / 8], [(Math.E - 1 / Math.E) / 2, 4 / 3]] }));
    it('has derivative cosh x: 1 at 0 and 5/4 at ln 2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.sinh(x)), x), [0, LN2]), [1, 1.25]);
    });
  });

  describe('edge values', () => {
    it('overflows to ±inf, keeps ±inf, NaN and -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.sinh(x), [1000, -1000, Infinity, -Infinity, NaN, -0]));
      expect(r.slice(0, 5)).toEqual([Infinity, -Infinity, Infinity, -Infinity, NaN]);
      expect(Object.is(r[5], -0)).toBe(true);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.sinh(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.sinh(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround((Math.E - 1 / Math.E) / 2)]);
    });
    it('keeps float32 and float64', () => {
      expect(T.sinh(T.fvector()).dtype).toBe('float32');
      expect(T.sinh(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.sinh() equals T.sinh(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.sinh(), [0, LN2]), [0, 0.75]);
    });
  });

  describe('second order', () => {
    it('d²sinh/dx² = sinh', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.sinh(x)), x)), x), [0, LN2, -LN2]), [0, 0.75, -0.75]);
    });
    it('its first derivative cosh x agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.sinh(x)), x), inputs: [[0, LN2]], expected: [1, 1.25] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Sinh kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.sinh(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Sinh') ? 'native' : 'js');
    });
  });
});
