import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

// Φ(1) = 0.8413447460685429, Φ(2) = 0.9772498680518208, Φ(-10) = 7.619853024160527e-24 (standard normal CDF)
describe('gelu', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.gelu(bad), T.ArgumentError, 'gelu: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('is x Φ(x) with the exact normal CDF', () =>
      checkOp({ fn: T.gelu, inputs: [[0, 1, -1, 2]], expected: [0, 0.8413447460685429, -0.15865525393145707, 1.9544997361036416], tol: 1e-12 }));
    it('has derivative Φ(x) + x φ(x): 1/2 at 0, Φ(1) + φ(1) at 1', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.gelu(x)), x), [0, 1]), [0.5, 0.8413447460685429 + Math.exp(-0.5) / Math.sqrt(2 * Math.PI)], 1e-12);
    });
  });

  describe('edge values', () => {
    it('keeps its relative accuracy in the negative tail (erfc, not 1 + erf)', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.gelu(x), [-10]))[0];
      expect(Math.abs(r - -7.619853024160527e-23) / 7.619853024160527e-23).toBeLessThan(1e-10);
    });
    it('tends to -0 at -inf, keeps inf and NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.gelu(x), [-Infinity, -50, Infinity, NaN]));
      expect(Object.is(r[0], -0) && Object.is(r[1], -0)).toBe(true);
      expect(r.slice(2)).toEqual([Infinity, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.fvector('x');
      expect(run([x], T.gelu(x), T.zeros([0], 'float32')).shape).toEqual([0]);
    });
  });
});
