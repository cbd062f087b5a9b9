import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const s = (x: number) => 1 / (1 + Math.exp(-x));

describe('sigmoid', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.sigmoid(bad), T.ArgumentError, 'sigmoid: x must be a Variable, number, nested array or NDArray', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 1/2 at 0 and 3/4, 1/4 at ±ln 3 (gradient s(1-s))', () => checkOp({ fn: T.sigmoid, inputs: [[0, Math.log(3), -Math.log(3)]], expected: [0.5, 0.75, 0.25] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.sigmoid, inputs: [[[0, 1], [-2, 5]]], expected: [[0.5, s(1)], [s(-2), s(5)]] }));
    it('has derivative 1/4 at 0 and 3/16 at ln 3', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.sigmoid(x)), x), [0, Math.log(3)]), [0.25, 0.1875]);
    });
    it('is T.nnet.sigmoid', () => expect(T.nnet.sigmoid).toBe(T.sigmoid));
  });

  describe('edge values', () => {
    it('saturates to exactly 0 and 1 at ∓1000 in float32 and float64, without NaN', () => {
      for (const dt of ['float32', 'float64'] as const) {
        const x = T.tensor(dt, [null], 'x');
        expect(flat(run([x], T.sigmoid(x), [-1000, 1000, -Infinity, Infinity]))).toEqual([0, 1, 0, 1]);
      }
    });
    it('has a zero (not NaN) gradient where it saturates', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.grad(T.sum(T.sigmoid(x)), x), [-1000, 1000]))).toEqual([0, 0]);
    });
    it('stays within [0, 1] and is monotone over a sweep of [-1000, 1000]', () => {
      const xs = Array.from({ length: 2001 }, (_, i) => i - 1000);
      for (const dt of ['float32', 'float64'] as const) {
        const x = T.tensor(dt, [null], 'x');
        const ys = flat(run([x], T.sigmoid(x), xs));
        for (let i = 0; i < ys.length; i++) {
          expect(ys[i]).toBeGreaterThanOrEqual(0);
          expect(ys[i]).toBeLessThanOrEqual(1);
          if (i > 0) expect(ys[i]).toBeGreaterThanOrEqual(ys[i - 1]);
        }
      }
    });
    it('keeps NaN and maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.sigmoid(x), [[NaN]]))).toEqual([NaN]);
      expect(run([x], T.sigmoid(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.sigmoid(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0.5, Math.fround(s(1))]);
    });
    it('keeps float32 and float64', () => {
      expect(T.sigmoid(T.fvector()).dtype).toBe('float32');
      expect(T.sigmoid(T.dvector()).dtype).toBe('float64');
    });
    it('checks float32 gradients by finite differences', () => checkOp({ fn: T.sigmoid, inputs: [T.array([0, 1, -2], { dtype: 'float32' })], expected: [0.5, s(1), s(-2)] }));
  });

  describe('method form', () => {
    it('x.sigmoid() equals T.sigmoid(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.sigmoid(), [0, 2, -3]), run([x], T.sigmoid(x), [0, 2, -3]).toArray());
    });
  });

  describe('second order', () => {
    it('d²sigmoid/dx² = s(1-s)(1-2s)', () => {
      const x = T.dvector('x');
      const xs = [0, 1, -2, 3.5];
      const g2 = T.grad(T.sum(T.grad(T.sum(T.sigmoid(x)), x)), x);
      close(run([x], g2, xs), xs.map((v) => s(v) * (1 - s(v)) * (1 - 2 * s(v))), 1e-10);
    });
    it('its first derivative agrees with s(1-s), and its derivative with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.sigmoid(x)), x), inputs: [[0, 1, -2]], expected: [0, 1, -2].map((v) => s(v) * (1 - s(v))) }));
  });
});
