import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const LN2 = Math.LN2;
const LN3 = Math.log(3);

describe('softplus', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.softplus(bad), T.ArgumentError, 'softplus: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives ln 2 at 0, ln 4 at ln 3 and ln(4/3) at -ln 3 (gradient sigmoid x)', () =>
      checkOp({ fn: T.softplus, inputs: [[0, LN3, -LN3]], expected: [LN2, 2 * LN2, 2 * LN2 - LN3] }));
    it('applies elementwise to a matrix, across both branches of max(x, 0) (values at ±20 from CPython)', () =>
      checkOp({ fn: T.softplus, inputs: [[[Math.log(7), -Math.log(7)], [20, -20]]], expected: [[3 * LN2, 3 * LN2 - Math.log(7)], [20.000000002061153, 2.061153620314381e-9]] }));
    it('has derivative sigmoid x: 1/2 at 0 and 3/4, 1/4 at ±ln 3', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.softplus(x)), x), [0, LN3, -LN3]), [0.5, 0.75, 0.25]);
    });
  });

  describe('edge values', () => {
    it('does not overflow: x at large x, e^x (to full relative precision) at very negative x', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.softplus(x), [1000, 800, -1000, -50]));
      expect(r.slice(0, 3)).toEqual([1000, 800, 0]);
      expect(Math.abs(r[3] - Math.exp(-50)) / Math.exp(-50)).toBeLessThan(1e-15);
    });
    it('does not overflow in float32 either', () => {
      const x = T.fvector('x');
      expect(flat(run([x], T.softplus(x), [100, -100]))).toEqual([100, Math.fround(Math.exp(-100))]);
    });
    it('maps inf to inf and -inf to 0, keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.softplus(x), [Infinity, -Infinity, NaN]))).toEqual([Infinity, 0, NaN]);
    });
    it('has gradient exactly 1 and 0 where it saturates, without NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.grad(T.sum(T.softplus(x)), x), [1000, -1000]))).toEqual([1, 0]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.softplus(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.softplus(i), [0, 100]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([Math.fround(LN2), 100]);
    });
    it('keeps float32 and float64', () => {
      expect(T.softplus(T.fvector()).dtype).toBe('float32');
      expect(T.softplus(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.softplus() equals T.softplus(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.softplus(), [0, LN3]), [LN2, 2 * LN2]);
    });
  });

  describe('second order', () => {
    it('d²softplus/dx² = s (1 - s)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.softplus(x)), x)), x), [0, LN3]), [0.25, 0.1875]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.softplus(x)), x), inputs: [[0, LN3]], expected: [0.5, 0.75] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Softplus kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.softplus(x));
      close(f([0]) as T.NDArray, [Math.LN2]);
      expect(f.info().backend).toBe(nativeHas('Softplus') ? 'native' : 'js');
    });
  });
});
